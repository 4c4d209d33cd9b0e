"""Stable identity of project rows: GUIDs and the text hash of documents.

Documents, codes, codings and memos each carry a GUID (column ``guid``) that is given
once, when the row is made (or when it is first read from another tool), and never
regenerated: exports write it, imports keep the one they read.  GUIDs are stored as
the tool that made them wrote them (its letter case kept, braces removed) and compared
case-insensitively through :func:`guid_key`.

Documents also carry ``text_hash``: the SHA-256 of their *normalised* text, which
recognises the same transcript in another project, a copied ``.wbproj`` or a ``.qdpx``
written by another tool, whatever its line ends, byte-order mark, trailing spaces or
Unicode composition.  ``source_hash`` is something else: the hash of the source file's
bytes (a ``.docx`` and the ``.txt`` saved from it have different source hashes and the
same text hash).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid

__all__ = ["new_guid", "normalise_guid", "guid_key", "keep_guid", "normalised_text",
           "text_hash", "WORKBENCH_NS"]

#: Namespace of the GUIDs Workbench derives (fixed forever: changing it changes them all).
WORKBENCH_NS = uuid.UUID("5b0d7c1e-3f4a-5e21-9c8d-6a7b8c9d0e1f")

_TRAILING_SPACE = re.compile(r"[ \t\u00a0\u202f\u3000]+$", re.M)


def new_guid() -> str:
    """A fresh random GUID (version 4, lower case)."""
    return str(uuid.uuid4())


def normalise_guid(value: str | None) -> str | None:
    """A GUID in canonical form (lower case, no braces), or None if it is not one."""
    try:
        return str(uuid.UUID(str(value).strip().strip("{}")))
    except (ValueError, AttributeError, TypeError):
        return None


#: the key GUIDs are compared by (the store compares ``lower(guid)``)
guid_key = normalise_guid


def keep_guid(value: str | None) -> str | None:
    """A GUID as another tool wrote it, braces and spaces removed but its letter case
    kept (some tools match their own GUIDs case-sensitively); None if not a GUID."""
    if normalise_guid(value) is None:
        return None
    return str(value).strip().strip("{}")


def normalised_text(text: str) -> str:
    """The text that :func:`text_hash` hashes: no byte-order mark, ``\\n`` line ends,
    no spaces at line ends, no blank lines at either end, Unicode NFC."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = _TRAILING_SPACE.sub("", text).strip("\n")
    return unicodedata.normalize("NFC", text)


def text_hash(text: str) -> str:
    """SHA-256 (hex) of :func:`normalised_text`: equal for the same transcript
    wherever it comes from."""
    return hashlib.sha256(normalised_text(text).encode("utf-8")).hexdigest()
