"""Rich Text Format (.rtf) transcripts, via striprtf."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from striprtf.striprtf import rtf_to_text

from workbench.i18n import _

from ..encoding import find_mojibake
from ..model import ImportFileError, ParsedTranscript
from ._base import normalise_text, read_bytes, register, transcript_from_lines

_CHARSET_WORDS = {b"\\mac": "mac_roman", b"\\pca": "cp850", b"\\pc": "cp437"}


def _code_page(head: bytes) -> str:
    """The code page of ``\\'xx`` escapes: ``\\ansicpgN``, else the charset word, else cp1252."""
    m = re.search(rb"\\ansicpg(\d+)", head)
    if m:
        name = f"cp{int(m.group(1))}"
        if m.group(1) == b"65001":
            name = "utf-8"
        try:
            return codecs.lookup(name).name
        except LookupError:
            return "cp1252"
    for word, name in _CHARSET_WORDS.items():
        if re.search(re.escape(word) + rb"(?![a-z])", head[:200]):
            return name
    return "cp1252"


@register(".rtf")
def parse(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Strip RTF control words (``\\'xx`` in the document's code page, ``\\uN``)
    and detect speaker turns in the paragraphs.

    ``encoding`` overrides the code page declared by ``\\ansicpg``.
    """
    data = read_bytes(path)
    if not data.strip():
        raise ImportFileError(path, _("empty file"))
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        raise ImportFileError(path, _("not an RTF file (it does not start with {start})").format(
            start="{\\rtf"), offset=0)
    code_page = encoding or _code_page(data[:4096])
    warnings: list[str] = []
    try:
        raw = data.decode("ascii")
    except UnicodeDecodeError:
        # raw 8-bit text is not standard RTF; UTF-8 writers exist, else the code page
        try:
            raw = data.decode("utf-8")
        except UnicodeDecodeError:
            raw = data.decode(code_page, errors="replace")
    try:
        text = rtf_to_text(raw, encoding=code_page, errors="strict")
    except (UnicodeDecodeError, LookupError):
        text = rtf_to_text(raw, encoding="cp1252", errors="replace")
        warnings.append(_("{path}: some \\'xx characters are not valid {code_page}; replaced "
                          "with �").format(path=path, code_page=code_page))
    if find_mojibake(text):
        warnings.append(_("{path}: text looks double-encoded (mojibake such as 'Ã©' for 'é')")
                        .format(path=path))
    if code_page != "cp1252":
        warnings.append(_("{path}: RTF code page {code_page}").format(path=path,
                                                                      code_page=code_page))
    return transcript_from_lines(
        normalise_text(text).split("\n"),
        path=path,
        source_format="rtf",
        encoding=code_page,
        warnings=warnings,
        paragraph_per_line=True,
    )
