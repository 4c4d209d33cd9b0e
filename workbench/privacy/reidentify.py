"""Re-identification with the key: the team's way back from pseudonyms to the originals.

* a pseudonymised project (``.wbproj``) gives a new project with the original names,
  every offset remapped again (codings added on the pseudonymised copy land on the same
  words of the original text).  Documents whose text is unchanged since the copy was
  written are restored exactly from the positions the key holds; others (and every other
  field) by replacing each pseudonym with the original written form;
* an export gives the same export with the original names: Word (``.docx``), Excel
  (``.xlsx``), REFI-QDA (``.qdpx``, selections remapped), and text files (``.csv``,
  ``.txt``, ``.md``, ``.json``, ``.html``).

The input is never modified; the output is a new file.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

from workbench.domain import ValidationError, WorkbenchError
from workbench.i18n import _, located
from workbench.privacy.keyfile import read_key
from workbench.privacy.matching import Matcher
from workbench.privacy.remap import OffsetMap

ProgressFn = Callable[[int, int, str], None]
TEXT_SUFFIXES = (".csv", ".txt", ".md", ".json", ".html", ".htm", ".tsv", ".xml")


class Reverser:
    """Pseudonym (as written) -> the original written form it stands for."""

    def __init__(self, key: dict):
        self.key = key
        self.back: dict[str, str] = {}
        for e in key.get("entities", []):
            forms = e.get("forms", {})
            # the entity's own label first, so that a pseudonym shared by several written
            # forms ("Karima", "KARIMA") goes back to the label
            ordered = sorted(forms.items(), key=lambda kv: kv[0] != e.get("label"))
            for original, pseudonym in ordered:
                self.back.setdefault(pseudonym, original)
        self.matcher = Matcher(self.back)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        return [(s, e, self.back.get(v, v)) for s, e, v in self.matcher.find(text)]

    def __call__(self, text: str) -> str:
        spans = self.spans(text)
        return OffsetMap(spans).apply(text) if spans else text


def reidentify(key_path: str | Path, source: str | Path, out: str | Path, *,
               passphrase: str | None = None, overwrite: bool = False,
               progress: ProgressFn | None = None) -> dict:
    """Write ``out``: ``source`` (a pseudonymised project or export) with the original
    names put back, using the key file."""
    source, out = Path(source), Path(out)
    if not source.is_file():
        raise ValidationError(_("{path}: no such file").format(path=source))
    if out.resolve() == source.resolve():
        raise ValidationError(_("{out}: the re-identified file must be a new file").format(
            out=out))
    if out.exists() and not overwrite:
        raise ValidationError(_("{path}: already exists (choose another name)").format(path=out))
    if out.suffix.lower() != source.suffix.lower():
        raise ValidationError(_("{out}: must have the same extension as {src}").format(
            out=out, src=source))
    key = read_key(key_path, passphrase)
    rev = Reverser(key)
    suffix = source.suffix.lower()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=suffix, dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if suffix == ".wbproj":
            tmp.unlink()
            result = _project(key, rev, source, tmp, progress)
        elif suffix == ".docx":
            result = _docx(rev, source, tmp)
        elif suffix == ".xlsx":
            result = _xlsx(rev, source, tmp)
        elif suffix == ".qdpx":
            result = _qdpx(rev, source, tmp)
        elif suffix in TEXT_SUFFIXES:
            text = source.read_text(encoding="utf-8-sig")
            spans = rev.spans(text)
            tmp.write_text(OffsetMap(spans).apply(text), encoding="utf-8")
            result = {"replacements": len(spans)}
        else:
            raise ValidationError(_("{path}: cannot re-identify {suffix} files (projects, "
                                    ".docx, .xlsx, .qdpx and text files)").format(
                                        path=source, suffix=suffix))
        for extra in ("-wal", "-shm"):
            Path(str(tmp) + extra).unlink(missing_ok=True)
        os.replace(tmp, out)
    finally:
        for extra in ("", "-wal", "-shm"):
            Path(str(tmp) + extra).unlink(missing_ok=True)
    result["out"] = str(out)
    return result


def _project(key: dict, rev: Reverser, source: Path, tmp: Path,
             progress: ProgressFn | None) -> dict:
    from workbench.identity import text_hash
    from workbench.project import Project
    from workbench.store import Store, StoreError
    with Project.open(source) as project:
        stored = json.loads(project.store.get_meta("privacy.pseudonymised") or "{}")
        if stored.get("key_id") and key.get("key_id") and stored["key_id"] != key["key_id"]:
            raise ValidationError(_("{path}: this key belongs to another pseudonymisation "
                                    "(key {a}, project {b})").format(
                                        path=source, a=key["key_id"], b=stored["key_id"]))
        exact = {d["id"]: d for d in key.get("documents", [])}
        states = project.store.privacy_document_states()
        texts = project.store.document_texts([d["id"] for d in states])
        project.store.backup_to(tmp)
    rewritten: dict[int, tuple[str, Callable[[int], int], Callable[[int], int]]] = {}
    exact_docs = replaced = 0
    for d in states:
        text = texts[d["id"]]
        entry = exact.get(d["id"])
        if entry and hashlib.sha256(text.encode("utf-8")).hexdigest() == entry["sha256"]:
            spans = [(s, e, orig) for s, e, orig in entry["replacements"]]
            exact_docs += 1
        else:
            spans = rev.spans(text)
        omap = OffsetMap(spans)
        replaced += len(spans)
        rewritten[d["id"]] = (omap.apply(text), omap.start, omap.end)
    try:
        copy = Store(tmp)
    except StoreError as exc:
        raise WorkbenchError(str(exc)) from None
    try:
        copy.rewrite_pseudonymised(rewritten, scan=rev, scan_fold=rev, scan_path=rev,
                                   derived={"text_hash": text_hash},
                                   meta={"privacy.pseudonymised": None}, pseudonymised=False,
                                   progress=progress)
    except StoreError as exc:
        raise WorkbenchError(str(exc)) from None
    finally:
        copy.close()
    return {"documents": len(states), "restored_exactly": exact_docs, "replacements": replaced}


def _paragraph(paragraph, rev: Reverser) -> int:
    """Replace pseudonyms in a Word paragraph, keeping its runs (a pseudonym split
    over several runs goes into the run where it starts)."""
    runs = paragraph.runs
    text = "".join(r.text for r in runs)
    spans = rev.spans(text)
    if not spans:
        return 0
    bounds, pos = [], 0
    for r in runs:
        bounds.append((pos, pos + len(r.text)))
        pos += len(r.text)
    new = [list(r.text) for r in runs]
    for s, e, original in reversed(spans):
        for i, (a, b) in enumerate(bounds):
            lo, hi = max(s, a), min(e, b)
            if lo >= hi and not (s == e == a):
                continue
            piece = original if a <= s < b else ""
            new[i][lo - a:hi - a] = list(piece)
    for r, chars in zip(runs, new):
        r.text = "".join(chars)
    return len(spans)


def _docx(rev: Reverser, source: Path, tmp: Path) -> dict:
    from docx import Document
    doc = Document(str(source))
    n = 0

    def blocks(container):
        for p in container.paragraphs:
            yield p
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    yield from blocks(cell)

    for p in blocks(doc):
        n += _paragraph(p, rev)
    for section in doc.sections:
        for part in (section.header, section.footer):
            for p in blocks(part):
                n += _paragraph(p, rev)
    props = doc.core_properties
    for attr in ("title", "subject", "keywords", "comments"):
        value = getattr(props, attr)
        if value:
            setattr(props, attr, rev(value))
    doc.save(str(tmp))
    return {"replacements": n}


def _xlsx(rev: Reverser, source: Path, tmp: Path) -> dict:
    from openpyxl import load_workbook

    from workbench.export.tables import set_cell
    wb = load_workbook(str(source))
    n = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    new = rev(cell.value)
                    if new != cell.value:
                        set_cell(cell, new)      # text, never a formula
                        n += 1
    wb.save(str(tmp))
    return {"replacements": n}


_POSITION = re.compile(rb'(startPosition|endPosition)="(\d+)"')


def _sidecar(rev: Reverser, data: bytes, omap: OffsetMap | None, text: str | None) -> bytes:
    """Workbench's sidecar of one source (``Workbench/<guid>.json``: its turns with every
    segment column, its text hash, coding origins) for the restored text: offsets
    remapped and labels restored by the rules of the pseudonymised copy (the segments'
    rows of :data:`workbench.store.privacy.COLUMN_RULES`, read backwards), the hash of the
    restored text — so the turns still fit it when the export is imported."""
    from workbench.identity import text_hash
    from workbench.store.privacy import COLUMN_RULES, END, SCAN, SCAN_FOLD, START
    try:
        side = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return data
    if not isinstance(side, dict):
        return data
    for seg in side.get("segments") or []:
        if not isinstance(seg, dict):
            continue
        for column, value in seg.items():
            rule = COLUMN_RULES.get(("segments", column))
            if isinstance(value, int) and omap is not None and rule in (START, END):
                seg[column] = omap.start(value) if rule == START else omap.end(value)
            elif isinstance(value, str) and rule in (SCAN, SCAN_FOLD):
                seg[column] = rev(value)
    if text is not None and "text_hash" in side:
        side["text_hash"] = text_hash(text)
    return json.dumps(side, ensure_ascii=False).encode("utf-8")


def _qdpx(rev: Reverser, source: Path, tmp: Path) -> dict:
    """Sources' texts restored, each selection's positions remapped, every name and
    description in project.qde restored, Workbench's sidecars of turns fitted to the
    restored texts."""
    from lxml import etree
    with zipfile.ZipFile(source) as zin:
        names = zin.namelist()
        qde_name = next((n for n in names if n.lower().endswith(".qde")), None)
        if qde_name is None:
            raise ValidationError(_("{path}: not a REFI-QDA project (no .qde inside)").format(
                path=source))
        from workbench.safety.xml import XmlError, parse_lxml
        try:     # the hardened parser of every XML read (no DTD, entities or network)
            root = parse_lxml(zin.read(qde_name), part=qde_name)
        except XmlError as exc:
            raise ValidationError(located(source, exc)) from None
        maps: dict[str, OffsetMap] = {}
        restored: dict[str, str] = {}
        files: dict[str, bytes] = {}
        n = 0
        for name in names:
            if name.startswith("Sources/") and name.lower().endswith(".txt"):
                text = zin.read(name).decode("utf-8")
                spans = rev.spans(text)
                n += len(spans)
                omap = OffsetMap(spans)
                maps[name[len("Sources/"):]] = omap
                restored[name[len("Sources/"):]] = omap.apply(text)
                files[name] = restored[name[len("Sources/"):]].encode("utf-8")
        by_guid: dict[str, str] = {}       # source GUID (lower case) -> its text's path
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            tag = etree.QName(el).localname
            if tag == "TextSource":
                path = (el.get("plainTextPath") or "").replace("internal://", "")
                by_guid[(el.get("guid") or "").lower()] = path
                found = maps.get(path)
                if found is not None:
                    for sel in el.iter():
                        if isinstance(sel.tag, str) and \
                                etree.QName(sel).localname == "PlainTextSelection":
                            s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
                            sel.set("startPosition", str(found.start(s)))
                            sel.set("endPosition", str(found.end(e)))
            for attr, value in list(el.attrib.items()):
                if attr in ("name",) or attr.endswith("name"):
                    new = rev(value)
                    if new != value:
                        el.set(attr, new)
            if el.text and el.text.strip():
                el.text = rev(el.text)
        files[qde_name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                         pretty_print=True)
        from workbench.export.qdpx.common import SIDECAR_DIR
        for name in names:
            if name.startswith(SIDECAR_DIR + "/") and name.lower().endswith(".json"):
                src_path = by_guid.get(name[len(SIDECAR_DIR) + 1:-len(".json")].lower())
                files[name] = _sidecar(rev, zin.read(name),
                                       None if src_path is None else maps.get(src_path),
                                       None if src_path is None else restored.get(src_path))
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for name in names:
                zout.writestr(name, files[name] if name in files else zin.read(name))
    return {"replacements": n}
