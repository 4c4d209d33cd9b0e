"""Limits that keep hostile or accidental input from running away (CPU, memory,
recursion), with the clear message each one gives.

Every reader checks its input against these before the expensive or recursive work,
so nothing reaches a ``RecursionError`` or a minutes-long loop:

=========================  ==========  ==============================================
limit                      value       where
=========================  ==========  ==============================================
MAX_QUERY_DEPTH            64          nesting of ( ), NOT and TURN( ) in a query
MAX_QUERY_TERMS            2,000       codes and conditions in one query
MAX_SEARCH_TERMS           64          words in a full-text search
MAX_SEARCH_CHARS           2,000       characters of a full-text search
MAX_CODE_DEPTH             50          levels of a code hierarchy (MAXQDA allows 10)
MAX_YAML_DEPTH             200         nesting of a YAML file (codebooks, manifests)
MAX_YAML_FLOW_DEPTH        32          nesting of ``[ ]``/``{ }`` inside a YAML file
MAX_SEGMENT_CHARS          100,000     one turn or paragraph (longer ones are cut)
=========================  ==========  ==============================================

Archives (``.docx``, ``.odt``, ``.xlsx``, ``.qdpx`` and archives inside them) share one
budget per imported file (:class:`ArchiveBudget`), so a ``.docx`` bomb inside a
``.qdpx`` is refused like a ``.docx`` bomb on its own.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from workbench.i18n import _

MAX_QUERY_DEPTH = 64
MAX_QUERY_TERMS = 2_000
MAX_SEARCH_TERMS = 64
MAX_SEARCH_CHARS = 2_000
MAX_CODE_DEPTH = 50
MAX_YAML_DEPTH = 200
MAX_YAML_FLOW_DEPTH = 32
#: Longest segment (turn or paragraph) kept whole; longer ones are cut at spaces.
MAX_SEGMENT_CHARS = 100_000

#: Largest input file, and largest total of uncompressed bytes one import may inflate
#: (all archive members, nested archives included).
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
#: A member larger than this with a compression ratio above MAX_RATIO is refused.
LARGE_MEMBER_BYTES = 1 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 10_000
#: Archives inside archives (a .docx in a .qdpx is depth 2).
MAX_ARCHIVE_DEPTH = 2


class LimitError(ValueError):
    """Input over one of the limits; ``line`` where known."""

    def __init__(self, message: str, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(message)


@dataclass
class ArchiveBudget:
    """Uncompressed bytes an import may still inflate, shared by nested archives."""

    remaining: int = MAX_UNCOMPRESSED_BYTES
    depth: int = 0

    def __post_init__(self) -> None:
        self.limit = self.remaining

    def spend(self, n: int, what: str) -> None:
        if n > self.remaining:
            raise LimitError(_("refusing a suspicious archive (zip bomb?): {what} would inflate "
                               "past {limit} MB in total").format(
                                   what=what, limit=self.limit // (1024 * 1024)))
        self.remaining -= n

    @contextlib.contextmanager
    def nested(self, what: str) -> Iterator["ArchiveBudget"]:
        """Open an archive inside this one: same bytes budget, one level deeper."""
        if self.depth + 1 >= MAX_ARCHIVE_DEPTH:
            raise LimitError(_("refusing archives nested more than {n} deep ({what})")
                             .format(n=MAX_ARCHIVE_DEPTH, what=what))
        self.depth += 1
        try:
            yield self
        finally:
            self.depth -= 1


def check_yaml_nesting(text: str, *, allow_aliases: bool = True) -> None:
    """Refuse YAML nested deeper than :data:`MAX_YAML_DEPTH` (or flow collections deeper
    than :data:`MAX_YAML_FLOW_DEPTH`) *while scanning*, before PyYAML's composer recurses
    into it or its scanner spends quadratic time on deep ``[[[[...`` (40 KB took 100 s).

    ``allow_aliases=False`` also refuses aliases (``*name``), which can expand a small
    file into gigabytes.

    :raises LimitError: with the line where the limit is crossed.
    """
    import yaml

    depth = flow = 0
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        kind = type(token)
        if kind in (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken):
            flow += 1
            depth += 1
        elif kind in (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken):
            flow -= 1
            depth -= 1
        elif kind in (yaml.BlockSequenceStartToken, yaml.BlockMappingStartToken):
            depth += 1
        elif kind is yaml.BlockEndToken:
            depth -= 1
        elif kind is yaml.AliasToken and not allow_aliases:
            raise LimitError(_("YAML aliases (*name) are not allowed in this file (a file "
                               "could expand into a huge document); write the value out"),
                             token.start_mark.line + 1)
        if flow > MAX_YAML_FLOW_DEPTH or depth > MAX_YAML_DEPTH:
            limit = MAX_YAML_FLOW_DEPTH if flow > MAX_YAML_FLOW_DEPTH else MAX_YAML_DEPTH
            raise LimitError(_("the YAML is nested too deeply (more than {n} levels)")
                             .format(n=limit), token.start_mark.line + 1)


def code_depth_error(depth: int) -> str:
    return _("the code hierarchy is {n} levels deep; the limit is {limit}").format(
        n=depth, limit=MAX_CODE_DEPTH)
