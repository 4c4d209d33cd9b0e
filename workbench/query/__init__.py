"""Triangulation queries and joint displays: coded excerpts meet participant data.

``language`` parses the query language, ``engine`` evaluates it over spans, and
``matrices``, ``triangulation``, ``joint`` and ``dossier`` build the displays;
``api.QueryAPI`` is the Project facade mixin.
"""
from workbench.query.api import QueryAPI
from workbench.query.language import QueryError, parse

__all__ = ["QueryAPI", "QueryError", "parse"]
