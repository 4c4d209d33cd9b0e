"""Inter-coder agreement between two coders, per code.

Units are the respondent turns (segments) of the documents both coders worked on (a
document counts as coded by a coder when it carries at least one of their codings).
For each code and unit, each coder either applied the code (a coding overlapping the
turn) or not.  Reported per code: units coded by each, observed agreement, Cohen's kappa
and Krippendorff's alpha (nominal); and, as NVivo does, character-level agreement.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.domain import ValidationError


def _kappa(a: np.ndarray, b: np.ndarray) -> float:
    po = float(np.mean(a == b))
    pa, pb = a.mean(), b.mean()
    pe = pa * pb + (1 - pa) * (1 - pb)
    if pe >= 1:
        return 1.0 if po == 1 else float("nan")
    return (po - pe) / (1 - pe)


def _alpha(a: np.ndarray, b: np.ndarray) -> float:
    import krippendorff
    if len(set(a.tolist()) | set(b.tolist())) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=np.vstack([a, b]).astype(float),
                                    level_of_measurement="nominal"))


class AgreementAPI:
    def agreement(self, coder_a: str, coder_b: str, *, codes=None,
                  include_interviewer: bool = False) -> pd.DataFrame:
        """Agreement between two coders, one row per code (plus an "(all codes)" row)."""
        ids = {}
        for name in (coder_a, coder_b):
            cid = self.store.coder_id(name)
            if cid is None:
                raise ValidationError(f"unknown coder {name!r}")
            ids[name] = cid
        rows = self.store.find_codings(status="accepted")
        by_coder = {n: [r for r in rows if r["coder_id"] == cid] for n, cid in ids.items()}
        docs = sorted({r["document_id"] for r in by_coder[coder_a]} &
                      {r["document_id"] for r in by_coder[coder_b]})
        if not docs:
            raise ValidationError(f"{coder_a} and {coder_b} have no coded document in common")
        code_ids = sorted({r["code_id"] for n in by_coder for r in by_coder[n]
                           if r["document_id"] in docs})
        if codes is not None:
            code_ids = [self.code_id(c) for c in codes]
        paths = self.code_paths()
        units = []                     # (doc, start, end)
        for d in docs:
            for s in self.store.segments(d):
                if s.end > s.start and (include_interviewer or not s.is_interviewer) and s.speaker:
                    units.append((d, s.start, s.end))
        index = {}
        for i, (d, s, e) in enumerate(units):
            index.setdefault(d, []).append((s, e, i))
        matrix = {n: np.zeros((len(code_ids), len(units)), dtype=np.int8) for n in ids}
        chars = {n: {} for n in ids}
        col = {c: k for k, c in enumerate(code_ids)}
        for n in ids:
            for r in by_coder[n]:
                if r["document_id"] not in index or r["code_id"] not in col:
                    continue
                for s, e, i in index[r["document_id"]]:
                    if r["start"] < e and r["end"] > s:
                        matrix[n][col[r["code_id"]], i] = 1
                chars[n].setdefault((r["code_id"], r["document_id"]), []).append((r["start"], r["end"]))
        out = []
        for c, k in col.items():
            a, b = matrix[coder_a][k], matrix[coder_b][k]
            both = _char_overlap(chars[coder_a].get, chars[coder_b].get, c, docs)
            out.append({"code_id": c, "code": paths.get(c, str(c)), "units": len(units),
                        f"units_{coder_a}": int(a.sum()), f"units_{coder_b}": int(b.sum()),
                        "agreement": float(np.mean(a == b)) if len(units) else float("nan"),
                        "kappa": _kappa(a, b), "alpha": _alpha(a, b),
                        "char_agreement": both})
        a = matrix[coder_a].ravel()
        b = matrix[coder_b].ravel()
        out.append({"code_id": None, "code": "(all codes)", "units": len(units),
                    f"units_{coder_a}": int(a.sum()), f"units_{coder_b}": int(b.sum()),
                    "agreement": float(np.mean(a == b)) if len(a) else float("nan"),
                    "kappa": _kappa(a, b), "alpha": _alpha(a, b), "char_agreement": float("nan")})
        return pd.DataFrame(out)


def _char_overlap(get_a, get_b, code_id, docs) -> float:
    """Characters both coded / characters either coded, for one code (Jaccard)."""
    inter = union = 0
    for d in docs:
        sa = _merge(get_a((code_id, d)) or [])
        sb = _merge(get_b((code_id, d)) or [])
        la = sum(e - s for s, e in sa)
        lb = sum(e - s for s, e in sb)
        i = j = both = 0
        while i < len(sa) and j < len(sb):
            lo, hi = max(sa[i][0], sb[j][0]), min(sa[i][1], sb[j][1])
            both += max(0, hi - lo)
            if sa[i][1] < sb[j][1]:
                i += 1
            else:
                j += 1
        inter += both
        union += la + lb - both
    return inter / union if union else float("nan")


def _merge(spans):
    out = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
