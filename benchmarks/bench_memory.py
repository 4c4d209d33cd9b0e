"""Peak memory (RSS) of importing one file, for hostile and ordinary inputs under 50 MB.

    python benchmarks/bench_memory.py [--out DIR] [--only NAME ...] [--json FILE]

Each input is built in ``--out`` (default: a temporary folder), then imported into a
fresh project by a child process; the child's peak resident set size
(``ru_maxrss``) and wall time are reported with the import's outcome.  Target (issue
#16): under 500 MB for any single input file under 50 MB, and a clear error, not a
crash, for what is refused.
"""
from __future__ import annotations

import argparse
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
from workbench.project import Project
t = time.perf_counter()
with Project.create(sys.argv[1]) as p:
    if sys.argv[2].endswith(".qdpx"):
        try:
            outcome = str(p.import_qdpx(sys.argv[2]).get("documents")) + " documents"
        except Exception as exc:
            outcome = "refused: " + str(exc).splitlines()[0][:150]
    else:
        r = p.import_files([sys.argv[2]])
        outcome = r.summary() + ("; " + r.failed[0].message.splitlines()[0][:150] if r.failed else "")
print(json.dumps({"seconds": round(time.perf_counter() - t, 2), "outcome": outcome,
                  "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""

WORDS = ("la formation l'immersion en entreprise conseillère Pôle emploi mission locale "
         "remise à niveau stage métier accompagnement confiance projet emploi").split()


def _turns(n_bytes: int, seed: int = 1) -> str:
    rnd = random.Random(seed)
    out, size, i = [], 0, 0
    while size < n_bytes:
        who = "ENQ" if i % 2 == 0 else "Karima"
        line = f"{who} : " + " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 60))) + "\n"
        out.append(line)
        size += len(line.encode("utf-8"))
        i += 1
    return "".join(out)


def build(out: Path, only=None) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}

    def make(name: str, maker):
        if only and name not in only:
            return
        path = out / name
        if not path.exists():
            maker(path)
        files[name] = path

    make("turns-45MB.txt", lambda p: p.write_text(_turns(45_000_000), encoding="utf-8"))
    make("one-line-45MB.txt", lambda p: p.write_text(
        "Karima : " + _turns(45_000_000, 2).replace("\n", " "), encoding="utf-8"))

    def docx(p: Path) -> None:        # python-docx's empty document, its body replaced
        import docx as _docx
        from xml.sax.saxutils import escape
        template = io.BytesIO()
        _docx.Document().save(template)
        body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>'
                       for line in _turns(20_000_000, 3).splitlines())
        xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
               '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
               + body + "</w:body></w:document>")
        with zipfile.ZipFile(template) as zin, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = xml.encode() if item.filename == "word/document.xml" else zin.read(item)
                zout.writestr(item.filename, data)
    make("turns-20MBtext.docx", docx)

    def bomb_qdpx(p: Path) -> None:   # a real .docx whose document part inflates to 1.5 GB
        import docx as _docx
        template = io.BytesIO()
        _docx.Document().save(template)
        inner = io.BytesIO()
        with zipfile.ZipFile(template) as zin, \
                zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
            for item in zin.infolist():
                if item.filename != "word/document.xml":
                    z.writestr(item.filename, zin.read(item))
            with z.open("word/document.xml", "w", force_zip64=True) as fh:
                fh.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats'
                         b'.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
                chunk = b"a " * (1 << 19)
                for _ in range(1500):
                    fh.write(chunk)
                fh.write(b"</w:t></w:r></w:p></w:body></w:document>")
        qde = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
               'name="b" origin="x"><Sources><TextSource guid="11111111-1111-1111-1111-111111111111"'
               ' name="bombe" richTextPath="internal://bombe.docx"/></Sources></Project>')
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("project.qde", qde)
            z.writestr("sources/bombe.docx", inner.getvalue(), compress_type=zipfile.ZIP_STORED)
    make("nested-docx-bomb.qdpx", bomb_qdpx)

    def big_qdpx(p: Path) -> None:
        text = _turns(2_000_000, 4)
        sources = []
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            for i in range(120):            # 240 MB of text, a few MB compressed
                guid = f"{i:08d}-2222-2222-2222-222222222222"
                sources.append(f'<TextSource guid="{guid}" name="e{i}" '
                               f'plainTextPath="internal://{guid}.txt"/>')
                z.writestr(f"sources/{guid}.txt", text.replace("Karima", f"Karima{i}"))
            z.writestr("project.qde", '<?xml version="1.0" encoding="utf-8"?><Project '
                       'xmlns="urn:QDA-XML:project:1.0" name="b" origin="x"><Sources>'
                       + "".join(sources) + "</Sources></Project>")
    make("240MB-text.qdpx", big_qdpx)

    def big_ok_qdpx(p: Path) -> None:       # just under the 200 MB budget
        text = _turns(2_000_000, 5)
        sources = []
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            for i in range(90):
                guid = f"{i:08d}-3333-3333-3333-333333333333"
                sources.append(f'<TextSource guid="{guid}" name="e{i}" '
                               f'plainTextPath="internal://{guid}.txt"/>')
                z.writestr(f"sources/{guid}.txt", text.replace("Karima", f"Karima{i}"))
            z.writestr("project.qde", '<?xml version="1.0" encoding="utf-8"?><Project '
                       'xmlns="urn:QDA-XML:project:1.0" name="b" origin="x"><Sources>'
                       + "".join(sources) + "</Sources></Project>")
    make("180MB-text.qdpx", big_ok_qdpx)
    return files


def measure(path: Path, workdir: Path) -> dict:
    proj = workdir / (path.name + ".wbproj")
    for suffix in ("", "-wal", "-shm"):
        Path(str(proj) + suffix).unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, "-c", CHILD, str(proj), str(path)], cwd=ROOT,
                          capture_output=True, text=True, env={"PYTHONPATH": str(ROOT),
                                                              "PATH": "/usr/bin:/bin"})
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1][:200],
                "rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="wb-mem-"))
    files = build(out / "inputs", args.only)
    results = {}
    for name, path in files.items():
        if args.only and name not in args.only:
            continue
        size = path.stat().st_size / 1e6
        r = measure(path, out)
        results[name] = {"size_mb": round(size, 1), **r}
        print(f"{name:28} {size:7.1f} MB  peak RSS {r.get('rss_mb', '?'):>7} MB  "
              f"{r.get('seconds', '?')} s  {r.get('outcome', r.get('error'))}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
