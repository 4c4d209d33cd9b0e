"""Decoding of byte-level text formats (.txt, .md, .csv, .srt, .vtt).

French transcripts arrive in UTF-8 (with or without a BOM), in UTF-16 (Word's
"Unicode text" export) or in the Windows code page cp1252.  :func:`decode_bytes`
picks the encoding in that order of evidence:

1. an explicit ``encoding`` argument, always honoured (decoding errors are fatal);
2. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
3. UTF-16 without a BOM, when every other byte is NUL;
4. strict UTF-8;
5. cp1252, or latin-1 when the bytes use one of the five positions cp1252 leaves
   undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D).

Binary files (NUL bytes, or many control characters) and empty files are refused
with :class:`~workbench.ingest.model.ImportFileError`.  Decoded text that contains
double-encoded UTF-8 ("Ã©" for "é", "â€™" for "’") gets a warning.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from os import PathLike

from workbench.i18n import N_, _, integer, ngettext

from .model import ImportFileError

__all__ = ["DecodedText", "decode_bytes", "find_mojibake"]

#: Bytes that cp1252 leaves undefined; their presence means latin-1 (ISO-8859-1).
CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")

#: Control bytes that never occur in a text file (TAB, LF, FF, CR and ESC-free).
_CONTROL_BYTES = frozenset(set(range(0x00, 0x09)) | {0x0B} | set(range(0x0E, 0x20)) | {0x7F}) - {0x1A}
_MAX_CONTROL_SHARE = 0.05
_CONTROL_TABLE = bytes(sorted(_CONTROL_BYTES))

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class DecodedText:
    """Text decoded from bytes, with the encoding used and any warnings."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _single_byte_char(b: int) -> str:
    """The character cp1252 maps byte ``b`` to, or latin-1's for undefined ones."""
    try:
        return bytes([b]).decode("cp1252")
    except UnicodeDecodeError:
        return bytes([b]).decode("latin-1")


# UTF-8 bytes as they look once wrongly decoded as cp1252/latin-1.
_LEAD_CHARS = "".join(_single_byte_char(b) for b in range(0xC2, 0xF5))
_CONT_CHARS = "".join(_single_byte_char(b) for b in range(0x80, 0xC0))
_MOJIBAKE_RE = re.compile(f"[{re.escape(_LEAD_CHARS)}][{re.escape(_CONT_CHARS)}]{{1,3}}")
_CHAR_TO_BYTE = {_single_byte_char(b): b for b in range(0x80, 0x100)}


def find_mojibake(text: str) -> list[tuple[str, str]]:
    """Return ``(garbled, repaired)`` pairs for double-encoded UTF-8 found in ``text``.

    A candidate such as ``"Ã©"`` counts only if its bytes (read back as cp1252)
    form valid UTF-8, which keeps ordinary accented French words out.
    """
    found: list[tuple[str, str]] = []
    for m in _MOJIBAKE_RE.finditer(text):
        chunk = m.group(0)
        try:
            raw = bytes(_CHAR_TO_BYTE[c] for c in chunk)
            repaired = raw.decode("utf-8")
        except (KeyError, UnicodeDecodeError):
            continue
        found.append((chunk, repaired))
    return found


#: what a file should have been → the binary-file errors (whole sentences: French
#: agrees "une transcription" but "un tableau")
NOT_TEXT = {
    N_("text transcript"): (N_("binary file (NUL byte), not a text transcript"),
                            N_("binary file ({n} control characters in the first {size} bytes), "
                               "not a text transcript")),
    N_("table"): (N_("binary file (NUL byte), not a table"),
                  N_("binary file ({n} control characters in the first {size} bytes), not a "
                     "table")),
}


def _check_binary(data: bytes, path: str | PathLike[str],
                  what: str = N_("text transcript")) -> None:
    """Refuse bytes that are not text: a NUL byte, or many control characters."""
    nul = data.find(b"\x00")
    if nul != -1:
        raise ImportFileError(path, _(NOT_TEXT[what][0]), offset=nul)
    sample = data[:65536]
    # counted in C (bytes.translate deletes them), not byte by byte in Python
    n_bad = len(sample) - len(sample.translate(None, _CONTROL_TABLE))
    if n_bad and n_bad / max(len(sample), 1) > _MAX_CONTROL_SHARE:
        first = min(i for i in (sample.find(bytes([b])) for b in _CONTROL_BYTES) if i != -1)
        raise ImportFileError(
            path,
            _(NOT_TEXT[what][1]).format(n=integer(n_bad), size=integer(len(sample))),
            offset=first,
        )


def _looks_like_bomless_utf16(data: bytes) -> str | None:
    """Return "utf-16-le"/"utf-16-be" for BOM-less UTF-16 of mostly Latin text."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4096]
    even_nul = sample[0::2].count(0) / (len(sample) / 2)
    odd_nul = sample[1::2].count(0) / (len(sample) / 2)
    if odd_nul > 0.6 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.6 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _decode_utf16_guess(data: bytes, codec: str) -> str | None:
    """Decode BOM-less UTF-16, or ``None`` if the result is not mostly printable
    text (16-bit binary data can look like UTF-16 at first sight)."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in text[:4096])
    return text if printable >= 0.95 * min(len(text), 4096) else None


def _decode_strict(data: bytes, encoding: str, path: str | PathLike[str]) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            path, _("cannot decode as {encoding}: byte 0x{byte:02X} is invalid").format(
                encoding=encoding, byte=data[exc.start]), offset=exc.start
        ) from exc
    except LookupError as exc:
        raise ImportFileError(path, _("unknown encoding {encoding!r}").format(
                encoding=encoding)) from exc


def decode_bytes(data: bytes, path: str | PathLike[str], encoding: str | None = None,
                 what: str = N_("text transcript")) -> DecodedText:
    """Decode the raw bytes of a text transcript.

    :param data: the file's bytes.
    :param path: the file, named in errors and warnings.
    :param encoding: an explicit codec name; when given it is used as is.
    :param what: what the file should be, for the binary-file error ("text transcript").
    :raises ImportFileError: empty or whitespace-only file, binary file, or bytes that
        the explicit encoding cannot decode.
    """
    if not data.strip():
        raise ImportFileError(path, _("empty file"))
    warnings: list[str] = []
    text: str | None
    if encoding:
        try:
            used = codecs.lookup(encoding).name
        except LookupError as exc:
            raise ImportFileError(path, _("unknown encoding {encoding!r}").format(
                encoding=encoding)) from exc
        if not used.startswith(("utf-16", "utf-32")):
            _check_binary(data, path, what)
        text = _decode_strict(data, encoding, path)
        if text.startswith("\ufeff"):
            text = text[1:]
    else:
        used = ""
        for bom, name in _BOMS:
            if data.startswith(bom):
                used = name
                text = _decode_strict(data[len(bom):], name.replace("-sig", ""), path)
                break
        else:
            guessed = _looks_like_bomless_utf16(data)
            text = _decode_utf16_guess(data, guessed) if guessed else None
            if text is not None and guessed:
                used = guessed
            else:
                _check_binary(data, path, what)
                try:
                    text = data.decode("utf-8")
                    used = "utf-8"
                except UnicodeDecodeError:
                    if CP1252_UNDEFINED.intersection(data):
                        used = "latin-1"
                    else:
                        used = "cp1252"
                    text = data.decode(used)
                    warnings.append(_(
                        "{path}: not valid UTF-8, decoded as {encoding}; pass the encoding "
                        "explicitly if accents look wrong").format(path=path, encoding=used))
    if used not in ("utf-8", "utf-8-sig") and not warnings:
        warnings.append(_("{path}: decoded as {encoding} (not UTF-8)").format(
            path=path, encoding=used))
    if not text.strip():
        raise ImportFileError(path, _("empty file"))
    bad = find_mojibake(text)
    if bad:
        sample = ", ".join(sorted({f"{g!r} for {r!r}" for g, r in bad})[:3])
        warnings.append(ngettext(
            "{path}: text looks double-encoded (UTF-8 read as cp1252/latin-1, mojibake such as "
            "{sample}; {n} occurrence): re-save the file as UTF-8 from its original",
            "{path}: text looks double-encoded (UTF-8 read as cp1252/latin-1, mojibake such as "
            "{sample}; {n} occurrences): re-save the file as UTF-8 from its original",
            len(bad)).format(path=path, sample=sample, n=len(bad)))
    return DecodedText(text=text, encoding=used, warnings=tuple(warnings))
