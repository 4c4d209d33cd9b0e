"""The base of the :class:`~workbench.project.Project` facade's capability mixins.

At run time it is a plain class.  For type checkers it is :class:`ProjectCore` (so that
``self.store`` is a typed :class:`~workbench.store.Store` and ``self.coder`` a string),
and any other attribute, another mixin's method, is ``Any``: each mixin is checked on its
own, without a cycle between the facade and its parts.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.project import ProjectCore

    class Capability(ProjectCore):
        def __getattr__(self, name: str) -> Any: ...
else:
    class Capability:
        """A capability mixin of the facade (see the module's docstring)."""
        __slots__ = ()
