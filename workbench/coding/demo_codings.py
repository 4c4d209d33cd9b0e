"""Codings kept as data: a CSV of quotes anchored in the documents' text.

Columns: ``document,code,coder,quote,occurrence,memo``.  ``quote`` is the exact coded
text (whitespace may differ), ``occurrence`` picks the n-th match (default 1).  Anchoring
on quotes rather than offsets keeps the file readable and robust to re-imports.
Used to ship the demo project coded by two fictional coders.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

from workbench.domain import ValidationError


def locate(text: str, quote: str, occurrence: int = 1) -> tuple[int, int] | None:
    quote = unicodedata.normalize("NFC", quote.strip())
    pattern = r"\s+".join(re.escape(w) for w in quote.split())
    matches = list(re.finditer(pattern, text))
    if len(matches) < occurrence:
        return None
    m = matches[occurrence - 1]
    return m.start(), m.end()


def load_demo_codings(project, path: str | Path) -> int:
    """Apply every row; any unlocatable row is an error naming the CSV line (nothing written)."""
    path = Path(path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [(reader.line_num, r) for r in reader]
    problems, planned = [], []
    texts: dict[str, str] = {}
    for line, r in rows:
        doc = (r.get("document") or "").strip()
        try:
            if doc not in texts:
                texts[doc] = project.text(doc)
            code_id = project.code_id(r["code"].strip())
        except Exception as exc:  # NotFoundError / ValidationError, reported with the line
            problems.append(f"{path}:{line}: {exc}")
            continue
        occ = int(r.get("occurrence") or 1)
        span = locate(texts[doc], r["quote"], occ)
        if span is None:
            problems.append(f"{path}:{line}: quote not found in {doc}: {r['quote'][:60]!r}")
            continue
        planned.append((doc, code_id, span, r["coder"].strip(), (r.get("memo") or "").strip()))
    if problems:
        raise ValidationError("demo codings rejected:\n  " + "\n  ".join(problems))
    for coder in sorted({p[3] for p in planned}):
        project.add_coder(coder)
    n = 0
    session_coder = project.coder
    try:
        with project.store.transaction():
            for doc, code_id, (start, end), coder, memo in planned:
                project.coder = coder          # the memo is the coder's own
                cid = project.apply_code(doc, code_id, start, end, coder=coder)
                if memo:
                    project.add_memo("coding", cid, memo)
                n += 1
    finally:
        project.coder = session_coder
    return n
