"""Plain-text (.txt) and markdown (.md) transcripts."""
from __future__ import annotations

from pathlib import Path

from ..encoding import decode_bytes
from ..model import ParsedTranscript
from ._base import normalise_text, read_bytes, register, transcript_from_lines


@register(".txt", ".md", ".markdown", ".text")
def parse(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Decode the bytes (see :mod:`workbench.ingest.encoding`) and detect turns.

    Paragraphs outside turns are blocks separated by blank lines (hard-wrapped
    text stays one paragraph); in markdown, headings and rules end a turn.
    """
    decoded = decode_bytes(read_bytes(path), path, encoding)
    markdown = path.suffix.lower() in (".md", ".markdown")
    return transcript_from_lines(
        normalise_text(decoded.text).split("\n"),
        path=path,
        source_format="md" if markdown else "txt",
        encoding=decoded.encoding,
        warnings=decoded.warnings,
        markdown=markdown,
    )
