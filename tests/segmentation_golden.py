"""The turn model of transcript files, recorded to check that a change to the parsers
(speed work, a new rule) cuts the same segments: boundaries, where the words begin,
speakers, interviewer flags, times, sections, front matter, word counts.

    python tests/segmentation_golden.py --write golden.json FILE_OR_FOLDER...
    python tests/segmentation_golden.py --check golden.json FILE_OR_FOLDER...

``tests/fixtures/golden/segments.json`` holds the segmentation of the files beside it
(real Transcriber files, synthetic interviews from ``benchmarks/corpus_files.py``, and
hand-written transcripts in the shapes speaker detection knows), recorded with the code
before the import was made faster (83f9fbc); ``tests/test_ingest_speed.py`` checks it.
For a whole corpus, record a golden file with the old code and check it with the new
(``--digest`` keeps one hash per file instead of every segment).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))          # after PYTHONPATH: the code to record may be another


def record(path: Path) -> dict:
    """What the import stores of ``path``'s turn model (or the error it gives)."""
    from workbench.ingest.model import ImportFileError
    from workbench.ingest.parsers import parse_file
    from workbench.ingest.service import count_words, segments_for_store

    try:
        parsed = parse_file(path)
    except ImportFileError as exc:
        return {"error": str(exc).replace(str(path), path.name)}
    keys = ("start", "end", "body_start", "kind", "speaker", "is_interviewer", "timestamp",
            "end_time", "section", "front_matter")
    return {
        "text_sha256": hashlib.sha256(parsed.text.encode("utf-8")).hexdigest(),
        "chars": len(parsed.text),
        "words": count_words(parsed.text),
        "format": parsed.source_format,
        "encoding": parsed.encoding,
        "speakers": parsed.metadata.get("speakers"),
        "title": parsed.metadata.get("title"),
        "segments": [[row[k] for k in keys] for row in segments_for_store(parsed)],
    }


def files_of(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.is_file() and f.suffix != ".json"
                              and f.name != "README.md"))
        else:
            out.append(p)
    return out


def digest(entry: dict) -> str:
    return hashlib.sha256(json.dumps(entry, sort_keys=True).encode("utf-8")).hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path)
    mode.add_argument("--check", type=Path)
    ap.add_argument("--digest", action="store_true", help="one hash per file")
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args(argv)
    found = {f.name: record(f) for f in files_of(args.paths)}
    if args.digest:
        found = {name: {"sha256": digest(entry)} for name, entry in found.items()}
    if args.write:
        lines = [f"{json.dumps(name, ensure_ascii=False)}: "
                 f"{json.dumps(entry, ensure_ascii=False, sort_keys=True)}"
                 for name, entry in sorted(found.items())]
        args.write.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
        print(f"{len(found)} files recorded in {args.write}")
        return 0
    golden = json.loads(args.check.read_text(encoding="utf-8"))
    differ = sorted(name for name in golden.keys() | found.keys()
                    if golden.get(name) != found.get(name))
    for name in differ[:20]:
        print(f"differs: {name}")
    print(f"{len(found)} files checked against {args.check}: {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
