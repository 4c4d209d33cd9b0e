"""Working as a team: coder identity, copies for colleagues, merge, adjudication."""
from workbench.team.api import TeamAPI

__all__ = ["TeamAPI"]
