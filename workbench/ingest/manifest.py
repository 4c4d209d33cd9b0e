"""Import manifests: a CSV or YAML file mapping transcript files to their metadata.

CSV columns (header row, any order; only ``file`` is required)::

    file,name,programme,actor_type,interview_date,interviewer,site,language,participants,speakers

``participants``: participant IDs separated by ``;``.  ``speakers``: ``Label=ID`` pairs
separated by ``;`` (the speaker label as written in the transcript).  YAML: a list of
mappings with the same keys (``participants`` a list, ``speakers`` a mapping), or a
mapping with a ``documents:`` list.  Paths are relative to the manifest's folder.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from workbench.domain import DocumentMetadata, ValidationError

FIELDS = ("file", "name", "programme", "actor_type", "interview_date", "interviewer", "site",
          "language", "participants", "speakers")


class ManifestError(ValidationError):
    title = "Manifest error"


def _split_ids(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(p.strip() for p in str(value).split(";") if p.strip())


def _split_speakers(value, where: str) -> dict[str, str]:
    if not value:
        return {}
    if isinstance(value, dict):
        return {str(k).strip(): str(v).strip() for k, v in value.items()}
    out = {}
    for pair in str(value).split(";"):
        if not pair.strip():
            continue
        if "=" not in pair:
            raise ManifestError(f"{where}: speakers must be Label=ID pairs separated by ';', got {pair!r}")
        label, pid = pair.rsplit("=", 1)
        out[label.strip()] = pid.strip()
    return out


def _entry(raw: dict, base: Path, where: str) -> tuple[Path, DocumentMetadata]:
    unknown = set(raw) - set(FIELDS)
    if unknown:
        raise ManifestError(f"{where}: unknown column(s) {', '.join(sorted(unknown))}; "
                            f"expected {', '.join(FIELDS)}")
    file = (raw.get("file") or "").strip() if isinstance(raw.get("file"), str) else raw.get("file")
    if not file:
        raise ManifestError(f"{where}: the 'file' value is empty")
    path = (base / str(file)).resolve()
    meta = DocumentMetadata(
        name=(str(raw["name"]).strip() or None) if raw.get("name") else None,
        programme=(str(raw.get("programme") or "").strip() or None),
        actor_type=(str(raw.get("actor_type") or "").strip() or None),
        interview_date=(str(raw.get("interview_date") or "").strip() or None),
        interviewer=(str(raw.get("interviewer") or "").strip() or None),
        site=(str(raw.get("site") or "").strip() or None),
        language=(str(raw.get("language") or "").strip() or None),
        participants=_split_ids(raw.get("participants")),
        speakers=_split_speakers(raw.get("speakers"), where),
    )
    return path, meta


def load_manifest(path: str | Path, check_files: bool = True) -> dict[Path, DocumentMetadata]:
    """Read a manifest; every problem is reported with the manifest's file and line."""
    path = Path(path)
    try:
        raw_text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ManifestError(f"{path}: manifest not found") from None
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{path} (offset {exc.start}): manifest is not UTF-8") from None
    base = path.parent
    entries: list[tuple[str, dict]] = []
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(raw_text)
        except yaml.YAMLError as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            raise ManifestError(f"{path}:{(line or 0) + 1}: invalid YAML ({exc.__class__.__name__})") from None
        if isinstance(data, dict):
            data = data.get("documents")
        if not isinstance(data, list):
            raise ManifestError(f"{path}: expected a list of documents")
        # line numbers from the composed node tree
        node = yaml.compose(raw_text)
        if node is not None and hasattr(node, "value") and isinstance(node.value, list) \
                and node.value and isinstance(node.value[0], tuple):
            node = dict((k.value, v) for k, v in node.value).get("documents")
        lines = [item.start_mark.line + 1 for item in node.value] if node is not None else []
        for i, item in enumerate(data):
            where = f"{path}:{lines[i] if i < len(lines) else '?'}"
            if not isinstance(item, dict):
                raise ManifestError(f"{where}: each document must be a mapping")
            entries.append((where, item))
    else:
        reader = csv.DictReader(io.StringIO(raw_text, newline=""))
        if not reader.fieldnames or "file" not in [f.strip() for f in reader.fieldnames]:
            raise ManifestError(f"{path}:1: the manifest needs a 'file' column "
                                f"(found: {', '.join(reader.fieldnames or [])})")
        for row in reader:
            where = f"{path}:{reader.line_num}"
            entries.append((where, {k.strip(): v for k, v in row.items() if k is not None}))
    result: dict[Path, DocumentMetadata] = {}
    missing = []
    for where, raw in entries:
        file_path, meta = _entry(raw, base, where)
        if file_path in result:
            raise ManifestError(f"{where}: {file_path.name} is listed twice")
        if check_files and not file_path.is_file():
            missing.append(f"{where}: no such file {raw.get('file')}")
        result[file_path] = meta
    if missing:
        raise ManifestError("manifest names files that do not exist:\n  " + "\n  ".join(missing))
    return result
