"""Guarded reading of a ``.qdpx`` zip: sizes checked before anything is inflated, the
``.qde`` parsed with no DTD, no entities and no network."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from lxml import etree

from workbench.i18n import _, decimal, located

from workbench.safety.errors import library_detail, os_reason
from workbench.safety.limits import ArchiveBudget, LimitError
from workbench.safety.xml import XmlError, lxml_parser, parse_lxml

from .common import QdpxError, local

MAX_ENTRIES = 100_000
MAX_TOTAL_BYTES = 2 * 1024 ** 3          # uncompressed
MAX_RATIO = 200                          # uncompressed / compressed, for members > 1 MB
MAX_QDE_BYTES = 256 * 1024 ** 2          # the project.qde itself (texts: safety.limits)


def xml_parser() -> etree.XMLParser:
    """The hardened parser every XML read uses (:func:`workbench.safety.xml.lxml_parser`:
    no DTD, no entities, no network, libxml2's depth and text-node limits)."""
    return lxml_parser()


def qde_name(zf: zipfile.ZipFile) -> str:
    names = [n for n in zf.namelist() if n.lower().endswith(".qde") and "/" not in n.strip("/")]
    if not names:
        raise QdpxError(_("not a REFI-QDA project: the archive holds no .qde project file"))
    return "project.qde" if "project.qde" in names else names[0]


class Archive:
    def __init__(self, path: Path):
        if not path.is_file():
            raise QdpxError(_("{path}: no such file").format(path=path))
        try:
            self.zf = zipfile.ZipFile(path)
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise QdpxError(_("{file}: not a valid .qdpx (damaged or not a zip archive: "
                              "{error})").format(file=path.name, error=os_reason(exc)
                                                 if isinstance(exc, OSError) else
                                                 library_detail(exc, _("damaged archive")))) from None
        if len(infos) > MAX_ENTRIES:
            raise QdpxError(_("{file}: too many files in the archive ({n})").format(
                file=path.name, n=len(infos)))
        total = sum(i.file_size for i in infos)
        if total > MAX_TOTAL_BYTES:
            raise QdpxError(_("{file}: refused, it would inflate to {size} GB (possible "
                              "zip bomb)").format(file=path.name, size=decimal(total / 1e9)))
        for i in infos:
            if i.file_size > 1_000_000 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise QdpxError(_("{file}: refused, {member} is compressed {ratio}:1 (possible "
                                  "zip bomb)").format(file=path.name, member=i.filename,
                                                      ratio=i.file_size // max(i.compress_size, 1)))
        self.names = {i.filename: i for i in infos}
        self.lower = {n.lower(): n for n in self.names}
        self.path = path
        #: the texts this import may still inflate (sources, notes, archives inside this
        #: one); the .qde is limited on its own (it grows with the codings: 400,000
        #: codings make 150 MB of XML)
        self.budget = ArchiveBudget()

    def read(self, name: str) -> bytes:
        info = self.names[name]
        try:
            if name.lower().endswith(".qde"):
                if info.file_size > MAX_QDE_BYTES:
                    raise LimitError(_("refusing a suspicious archive (zip bomb?): {what} "
                                       "would inflate past {limit} MB in total").format(
                                           what=name, limit=MAX_QDE_BYTES // 1024 ** 2))
            else:
                self.budget.spend(info.file_size, name)
        except LimitError as exc:
            raise QdpxError(located(self.path.name, exc.message)) from None
        try:
            with self.zf.open(info) as fh:
                data = fh.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as exc:
            raise QdpxError(_("{file}: damaged archive member {member}: {error}").format(
                file=self.path.name, member=name, error=exc)) from None
        except RuntimeError as exc:   # encrypted
            raise QdpxError(_("{file}: cannot read {member}: {error}").format(
                file=self.path.name, member=name, error=exc)) from None
        if len(data) > info.file_size:
            raise QdpxError(_("{file}: {member} is larger than declared (possible zip "
                              "bomb)").format(file=self.path.name, member=name))
        return data

    def find(self, ref: str) -> str | None:
        """The archive member of an ``internal://x.txt`` (or bare/relative) path."""
        name = re.sub(r"^(internal|relative|file)://", "", ref).lstrip("/\\").replace("\\", "/")
        for cand in (f"Sources/{name}", name, f"sources/{name}"):
            if cand in self.names:
                return cand
            if cand.lower() in self.lower:
                return self.lower[cand.lower()]
        base = name.rsplit("/", 1)[-1].lower()
        hits = [n for n in self.names if n.lower().endswith("/" + base)]
        return hits[0] if len(hits) == 1 else None

    def root(self):
        """The parsed ``.qde`` root element (refusing DOCTYPEs and entities)."""
        try:
            qde = qde_name(self.zf)
        except QdpxError as exc:       # a zip without a .qde: name the file
            raise QdpxError(_("{file}: {problem}").format(file=self.path.name, problem=exc)) from None
        raw = self.read(qde)
        try:       # DOCTYPE/ENTITY refused by the parser itself, whatever the encoding
            root = parse_lxml(raw, part=qde)
        except XmlError as exc:
            if exc.kind == "entities":
                raise QdpxError(_("{file}: {member} declares a DOCTYPE or entities, which "
                                  "REFI-QDA files never need: refused (external entity "
                                  "risk)").format(file=self.path.name, member=qde)) from None
            raise QdpxError(_("{file}: {problem}").format(file=self.path.name,
                                                         problem=exc)) from None
        if local(root) != "Project":
            raise QdpxError(_("{file}: not a REFI-QDA project (root element <{tag}>)").format(
                file=self.path.name, tag=local(root)))
        return root


def decode(data: bytes, what: str, warnings: list[str]) -> str:
    """A plain-text member of the archive (a source, a note) read through the one decoding
    ladder of transcripts (:func:`workbench.ingest.encoding.decode_bytes`: BOMs, UTF-16
    without BOM, UTF-8, then Windows-1252 or Latin-1 with a warning).  An empty member is
    empty text; one that is not text at all is read as Windows-1252, with a warning,
    rather than losing the codings that point into it."""
    from workbench.ingest.encoding import decode_bytes
    from workbench.ingest.model import ImportFileError
    if not data.strip():
        return ""
    try:
        decoded = decode_bytes(data, what)
    except ImportFileError:
        warnings.append(_("{what}: not UTF-8, read as Windows-1252").format(what=what))
        return data.decode("cp1252", errors="replace")
    warnings.extend(decoded.warnings)
    return decoded.text


def docx_text(data: bytes, arch: "Archive | None" = None, member: str = "") -> str:
    """The paragraphs of a ``.docx`` inside the archive, after the guards every Office
    file gets (bombs, entities, depth), counted against the archive's budget: a
    ``.docx`` bomb inside a ``.qdpx`` is refused like one on its own."""
    import docx

    from workbench.ingest.model import ImportFileError
    from workbench.ingest.parsers._base import check_zip_bytes
    where = located(arch.path.name, member) if arch is not None else member or ".docx"
    try:
        if arch is not None:
            with arch.budget.nested(member):
                check_zip_bytes(data, where=where, kind=".docx", budget=arch.budget)
        else:
            check_zip_bytes(data, where=where, kind=".docx")
    except ImportFileError as exc:
        raise QdpxError(str(exc)) from None
    except LimitError as exc:
        raise QdpxError(located(where, exc.message)) from None
    document = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs)
