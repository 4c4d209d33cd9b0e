"""Triangulation queries and joint displays: coded excerpts meet participant data.

``language`` parses the query language, ``engine`` evaluates it over spans, and
``matrices``, ``triangulation``, ``joint`` and ``dossier`` build the displays;
``api.QueryAPI`` is the Project facade mixin.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.query.api import QueryAPI

if TYPE_CHECKING:
    from workbench.query.language import QueryError, parse

__all__ = ["QueryAPI", "QueryError", "parse"]


def __getattr__(name: str) -> Any:
    # the language loads on first use, not with the facade
    if name in ("QueryError", "parse"):
        from workbench.query import language
        return getattr(language, name)
    raise AttributeError(f"module 'workbench.query' has no attribute {name!r}")
