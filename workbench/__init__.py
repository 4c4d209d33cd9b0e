"""Workbench: a mixed-methods qualitative research workbench (terminal, offline)."""
__version__ = "0.1.0"


def __getattr__(name):
    if name == "Project":
        from workbench.project import Project
        return Project
    raise AttributeError(name)
