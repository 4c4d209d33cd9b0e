"""Where two coders agree and differ: overlapping codings grouped per code (pure)."""
from __future__ import annotations


def compare_codings(rows: list[dict], coder_a: str, coder_b: str) -> list[dict]:
    """Group the codings of two coders per code into places (connected runs of
    overlapping spans).  Each place: ``start``/``end`` (its extent), ``a_spans`` and
    ``b_spans`` (the coders' spans in it) and ``status``: ``agree`` (the same spans),
    ``a_only``, ``b_only`` or ``differ``.  Places are in text order."""
    by_code: dict[int, list[tuple[int, int, str]]] = {}
    for r in rows:
        if r["coder"] in (coder_a, coder_b):
            by_code.setdefault(r["code_id"], []).append((r["start"], r["end"], r["coder"]))
    out = []
    for code_id, spans in by_code.items():
        spans.sort()
        group: list[tuple[int, int, str]] = []
        end = -1
        for s, e, who in spans:
            if group and s >= end:
                out.append(_place(code_id, group, end, coder_a, coder_b))
                group, end = [], -1
            group.append((s, e, who))
            end = max(end, e)
        if group:
            out.append(_place(code_id, group, end, coder_a, coder_b))
    out.sort(key=lambda g: (g["start"], g["end"], g["code_id"]))
    return out


def _place(code_id: int, group: list[tuple[int, int, str]], end: int, coder_a: str,
           coder_b: str) -> dict:
    a = sorted({(x, y) for x, y, w in group if w == coder_a})
    b = sorted({(x, y) for x, y, w in group if w == coder_b})
    status = "agree" if a == b else "a_only" if not b else "b_only" if not a else "differ"
    return {"code_id": code_id, "start": group[0][0], "end": end, "status": status,
            "a_spans": a, "b_spans": b}
