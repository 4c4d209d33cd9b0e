"""Inter-coder agreement on a project, as a mixin of the Project facade.

For each code, each unit and each coder the data is 1 (the coder applied the code to
some of the unit), 0 (the coder worked on the document and did not) or missing (the
coder did not code that document).  A coder worked on a document when it carries at
least one of their accepted codings, or when the document is listed in ``documents``.
Rows: one per code, one per parent code with its sub-codes pooled (a unit counts for
the parent when the parent or any sub-code was applied), and one overall row pooling
every code's decisions on every unit.  Adjudicated (consensus) codings are never a coder
here.  See :mod:`workbench.agreement.stats` for the coefficients and the intervals.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

from workbench.facade import Capability
from workbench.agreement import stats
from workbench.agreement.units import UNIT_KINDS, document_units, regions
from workbench.domain import CONSENSUS_CODER, ValidationError
from workbench.i18n import _, percent

#: A code is flagged sparse when fewer than this share of unit ratings apply it: chance
#: corrected coefficients are then unstable (the "kappa paradox").
SPARSE_PREVALENCE = 0.05
OVERALL = "(all codes)"

COLUMNS = ["scope", "code", "code_id", "unit", "units", "documents", "prevalence", "sparse",
           "agreement", "agreement_low", "agreement_high",
           "cohen_kappa", "cohen_kappa_low", "cohen_kappa_high",
           "fleiss_kappa", "fleiss_kappa_low", "fleiss_kappa_high",
           "alpha", "alpha_low", "alpha_high", "note"]


def _ci(pair):
    return (float("nan"), float("nan")) if pair is None else pair


class AgreementAPI(Capability):
    # -- inputs --------------------------------------------------------------------
    def _agreement_coders(self, coders: Sequence[str]) -> dict[str, int]:
        known = {c["name"]: c for c in self.store.list_coders()}
        if not coders:
            coders = [n for n, c in known.items() if c["codings"] and n != CONSENSUS_CODER]
        out = {}
        for name in coders:
            if name not in known:
                raise ValidationError(_("unknown coder {name!r} (known coders: {known})").format(
                    name=name, known=", ".join(sorted(known)) or "—"))
            out[name] = known[name]["id"]
        if len(out) < 2:
            raise ValidationError(_("agreement needs at least two coders (coders with codings: "
                                    "{names})").format(names=", ".join(out) or "—"))
        return out

    def _agreement_inputs(self, coders, documents, unit, include_interviewer,
                          include_private=True):
        if unit not in UNIT_KINDS:
            raise ValidationError(_("unknown unit {unit!r}; expected one of {units}").format(
                unit=unit, units=", ".join(UNIT_KINDS)))
        ids = self._agreement_coders(list(coders))
        names = list(ids)
        private = set() if include_private else {
            int(d) for d, p in zip(*[self.documents()[c] for c in ("id", "private")]) if p}
        rows = [r for r in self.store.find_codings(status="accepted")
                if r["coder_id"] in ids.values() and r["document_id"] not in private]
        by_coder_doc: dict[tuple[int, int], list[dict]] = {}
        for r in rows:
            by_coder_doc.setdefault((r["coder_id"], r["document_id"]), []).append(r)
        if documents is not None:
            docs = sorted({self.document_id(d) for d in documents})
            worked = {(n, d) for n in names for d in docs}
        else:
            worked = {(n, r["document_id"]) for n in names for r in rows
                      if r["coder_id"] == ids[n]}
            docs = sorted(d for d in {d for _n, d in worked}
                          if sum((n, d) in worked for n in names) >= 2)
        if not docs:
            raise ValidationError(_("{coders}: no document coded by at least two of these coders")
                                  .format(coders=", ".join(names)))
        return ids, names, docs, worked, by_coder_doc

    # -- agreement -----------------------------------------------------------------
    def agreement(self, *coders: str, codes: Iterable[int | str] | None = None,
                  unit: str = "turn", documents: Iterable[int | str] | None = None,
                  include_interviewer: bool = False, pooled: bool = True,
                  include_private: bool = True,
                  resamples: int = stats.BOOTSTRAP_RESAMPLES,
                  seed: int = stats.BOOTSTRAP_SEED) -> pd.DataFrame:
        """Inter-coder agreement, one row per code, per parent code (sub-codes pooled)
        and overall, with bootstrap 95 % confidence intervals.

        ``coders``: two or more coder names (default: every coder with codings except
        the consensus; private documents are left out with ``include_private=False``,
        as reports do).  ``unit``: ``turn`` (respondent speaker turns; documents without
        turns use paragraphs), ``sentence``, ``paragraph`` or ``character`` (Krippendorff's
        unitizing α on the coded spans; κ does not apply).  Undefined coefficients are
        NaN with the reason in ``note``; ``sparse`` flags codes applied to fewer than 5 %
        of unit ratings.  The result's ``attrs`` hold the coders, unit, resamples and seed.
        """
        from threadpoolctl import threadpool_limits
        with threadpool_limits(1):      # many small matrix products: threads only contend
            return self._agreement(coders, codes, unit, documents, include_interviewer,
                                   pooled, include_private, resamples, seed)

    def _agreement(self, coders, codes, unit, documents, include_interviewer, pooled,
                   include_private, resamples, seed) -> pd.DataFrame:
        ids, names, docs, worked, by_coder_doc = self._agreement_inputs(
            coders, documents, unit, include_interviewer, include_private)
        paths = self.code_paths()
        used = sorted({r["code_id"] for (cid, d), rs in by_coder_doc.items() if d in docs
                       for r in rs})
        code_ids = [self.code_id(c) for c in codes] if codes is not None else used
        texts = self.store.document_texts(docs)
        if unit == "character":
            out, kinds = self._unitizing_rows(ids, names, docs, worked, by_coder_doc, code_ids,
                                              paths, texts, include_interviewer, pooled,
                                              resamples, seed)
        else:
            out, kinds = self._unit_rows(ids, names, docs, worked, by_coder_doc, code_ids, paths,
                                         texts, unit, include_interviewer, pooled, resamples, seed)
        df = pd.DataFrame(out, columns=COLUMNS + [f"coded: {n}" for n in names])
        df["code_id"] = df["code_id"].astype("Int64")
        if len(names) != 2:
            df = df.drop(columns=["cohen_kappa", "cohen_kappa_low", "cohen_kappa_high"])
        df.attrs.update({"coders": names, "unit": unit, "documents": len(docs),
                         "document_units": kinds, "resamples": resamples, "seed": seed,
                         "confidence": stats.CONFIDENCE,
                         "sparse_prevalence": SPARSE_PREVALENCE})
        return df

    def _unit_rows(self, ids, names, docs, worked, by_coder_doc, code_ids, paths, texts, unit,
                   include_interviewer, pooled, resamples, seed):
        units, kinds = [], {}
        for d in docs:
            us, used = document_units(d, texts[d], self.store.segments(d), unit,
                                      include_interviewer=include_interviewer)
            units.extend(us)
            kinds[d] = used
        if not units:
            raise ValidationError(_("the documents coded by {coders} have no text to compare")
                                  .format(coders=", ".join(names)))
        U = len(units)
        by_doc: dict[int, list[int]] = {}
        for i, u in enumerate(units):
            by_doc.setdefault(u.document_id, []).append(i)
        starts = {d: np.array([units[i].start for i in ix]) for d, ix in by_doc.items()}
        ends = {d: np.array([units[i].end for i in ix]) for d, ix in by_doc.items()}
        base = np.full((len(names), U), np.nan)
        for j, n in enumerate(names):
            for d, ix in by_doc.items():
                if (n, d) in worked:
                    base[j, ix] = 0.0
        col = {c: k for k, c in enumerate(code_ids)}
        hits = np.zeros((len(code_ids), len(names), U), dtype=bool)
        for j, n in enumerate(names):
            for d in docs:
                for r in by_coder_doc.get((ids[n], d), []):
                    k = col.get(r["code_id"])
                    if k is None:
                        continue
                    ix = np.array(by_doc[d])
                    over = (starts[d] < r["end"]) & (ends[d] > r["start"])
                    hits[k, j, ix[over]] = True
        weights = stats.resample_weights(U, resamples, seed)

        def data_of(mask):
            return np.where(np.isnan(base), np.nan, mask.astype(float))

        out = []
        for c, k in col.items():
            out.append(self._row("code", paths.get(c, str(c)), c, unit, data_of(hits[k]), names,
                                 len(docs), weights))
        if pooled:
            for parent in sorted(code_ids, key=lambda c: paths.get(c, "")):
                subs = [col[c] for c in self.store.code_descendants(parent) if c in col]
                if len(subs) > 1:
                    out.append(self._row("pooled", paths.get(parent, str(parent)) + "/*", parent,
                                         unit, data_of(hits[subs].any(axis=0)), names, len(docs),
                                         weights))
        if code_ids:
            stacked = np.concatenate([data_of(hits[k]) for k in range(len(code_ids))], axis=1)
            groups = np.tile(np.arange(U), len(code_ids))
            out.append(self._row("overall", OVERALL, None, unit, stacked, names, len(docs),
                                 weights, groups))
        return out, kinds

    def _row(self, scope, code, code_id, unit, data, names, n_docs, weights,
             groups=None) -> dict:
        rated = ~np.isnan(data)
        ones = np.nansum(data)
        prevalence = float(ones / rated.sum()) if rated.sum() else float("nan")
        coef = stats.coefficients(data, domain=np.array([0.0, 1.0]), weights=weights,
                                  groups=groups)
        note = ""
        if coef.units == 0:
            note = _("no unit coded by two coders")
        elif ones == 0:
            note = _("no coder applied this code: agreement is undefined")
        elif not np.isfinite(coef.alpha):
            note = _("every unit carries this code: agreement is undefined")
        elif prevalence < SPARSE_PREVALENCE and scope != "overall":
            note = _("sparse code (prevalence {p}): coefficients are unstable").format(
                p=percent(prevalence, 1))
        row = {"scope": scope, "code": code, "code_id": code_id, "unit": unit,
               "units": coef.units, "documents": n_docs, "prevalence": prevalence,
               "sparse": bool(scope != "overall" and prevalence < SPARSE_PREVALENCE),
               "agreement": coef.agreement, "fleiss_kappa": coef.fleiss_kappa,
               "alpha": coef.alpha, "note": note}
        row["agreement_low"], row["agreement_high"] = coef.agreement_ci
        row["fleiss_kappa_low"], row["fleiss_kappa_high"] = coef.fleiss_kappa_ci
        row["alpha_low"], row["alpha_high"] = coef.alpha_ci
        row["cohen_kappa"] = float("nan") if coef.cohen_kappa is None else coef.cohen_kappa
        row["cohen_kappa_low"], row["cohen_kappa_high"] = _ci(coef.cohen_kappa_ci)
        for j, n in enumerate(names):
            row[f"coded: {n}"] = int(np.nansum(data[j]))
        return row

    def _unitizing_rows(self, ids, names, docs, worked, by_coder_doc, code_ids, paths, texts,
                        include_interviewer, pooled, resamples, seed):
        # αu has no missing data: only the documents every coder worked on count
        docs = [d for d in docs if all((n, d) in worked for n in names)]
        if not docs:
            raise ValidationError(_("character agreement needs documents coded by every one of "
                                    "{coders}").format(coders=", ".join(names)))
        continua = {d: regions(texts[d], self.store.segments(d),
                               include_interviewer=include_interviewer)[0] for d in docs}
        rng = np.random.default_rng(seed)
        D = len(docs)
        draws = rng.multinomial(D, np.full(D, 1.0 / D), size=resamples) if D > 1 \
            else np.zeros((0, 1))
        ones = np.ones((1, D))

        def spans(code_set, n, d):
            return [(r["start"], r["end"]) for r in by_coder_doc.get((ids[n], d), [])
                    if r["code_id"] in code_set]

        variables = [("code", paths.get(c, str(c)), c, {c}) for c in code_ids]
        if pooled:
            for parent in sorted(code_ids, key=lambda c: paths.get(c, "")):
                subs = {c for c in self.store.code_descendants(parent) if c in code_ids}
                if len(subs) > 1:
                    variables.append(("pooled", paths.get(parent, str(parent)) + "/*", parent, subs))
        nan2 = (float("nan"), float("nan"))
        rows, observed, expected = [], [[], []], [[], []]
        for scope, label, cid, code_set in variables:
            data = stats.UnitizingData(
                [[stats.unitizing_parts([spans(code_set, n, d) for n in names], b, e)
                  for b, e in continua[d]] for d in docs], len(names))
            alpha, d_o, d_e = data.estimate(ones)
            reps, r_o, r_e = data.estimate(draws) if len(draws) else (np.array([]),) * 3
            if scope == "code":
                observed[0].append(d_o)
                expected[0].append(d_e)
                observed[1].append(r_o)
                expected[1].append(r_e)
            L = data.L.sum()
            coded = {n: sum(e - s for d in docs for s, e in stats._merge(spans(code_set, n, d)))
                     for n in names}
            prevalence = sum(coded.values()) / (len(names) * L) if L else float("nan")
            note = ""
            if not any(coded.values()):
                note = _("no coder applied this code: agreement is undefined")
            elif prevalence < SPARSE_PREVALENCE:
                note = _("sparse code (prevalence {p}): coefficients are unstable").format(
                    p=prevalence)
            row = {k: float("nan") for k in COLUMNS}
            row.update({"scope": scope, "code": label, "code_id": cid, "unit": "character",
                        "units": int(L), "documents": D, "prevalence": prevalence,
                        "sparse": bool(prevalence < SPARSE_PREVALENCE),
                        "agreement": data.agreeing.sum() / L if L else float("nan"),
                        "alpha": float(alpha[0]), "note": note})
            row["alpha_low"], row["alpha_high"] = stats.percentile_interval(reps) \
                if len(reps) and np.isfinite(alpha[0]) else nan2
            for n in names:
                row[f"coded: {n}"] = coded[n]
            rows.append(row)
        if observed[0]:
            value = float(stats.pooled_unitizing(observed[0], expected[0])[0])
            reps = stats.pooled_unitizing(observed[1], expected[1]) if len(draws) else np.array([])
            row = {k: float("nan") for k in COLUMNS}
            row.update({"scope": "overall", "code": OVERALL, "code_id": None, "unit": "character",
                        "units": rows[0]["units"], "documents": D, "sparse": False,
                        "alpha": value, "note": ""})
            row["alpha_low"], row["alpha_high"] = stats.percentile_interval(reps) \
                if len(reps) and np.isfinite(value) else nan2
            for n in names:
                row[f"coded: {n}"] = sum(r[f"coded: {n}"] for r in rows if r["scope"] == "code")
            rows.append(row)
        return rows, {d: "character" for d in docs}

    # -- attribute-like codes ----------------------------------------------------------
    def value_agreement(self, parent: int | str, *coders: str, level: str = "nominal",
                        unit: str = "turn", documents: Iterable[int | str] | None = None,
                        include_interviewer: bool = False,
                        resamples: int = stats.BOOTSTRAP_RESAMPLES,
                        seed: int = stats.BOOTSTRAP_SEED) -> pd.DataFrame:
        """Agreement on a code whose sub-codes are values (e.g. ``Satisfaction/1`` …
        ``Satisfaction/5``): each unit's value is the sub-code a coder applied to it.

        ``level``: nominal (values are categories), ordinal (the sub-codes' order in the
        codebook), interval or ratio (the number each sub-code's name starts with).  A
        unit a coder gave no value, or two different values, is missing for that coder."""
        if level not in stats.LEVELS:
            raise ValidationError(_("unknown level {level!r}; expected one of {levels}").format(
                level=level, levels=", ".join(stats.LEVELS)))
        if unit == "character":
            raise ValidationError(_("values are compared on turns, sentences or paragraphs, "
                                    "not characters"))
        pid = self.code_id(parent)
        paths = self.code_paths()
        children = self.store.code_children(pid)
        if len(children) < 2:
            raise ValidationError(_("{code}: a code compared as values needs at least two "
                                    "sub-codes (its values)").format(code=paths[pid]))
        values = {}
        for rank, c in enumerate(children):
            name = self.store.get_code(c)["name"]
            if level in ("interval", "ratio"):
                m = re.match(r"\s*([-+]?\d+(?:[.,]\d+)?)", name)
                if not m:
                    raise ValidationError(_("{code}: sub-code {name!r} does not start with a "
                                            "number, needed for the {level} level").format(
                        code=paths[pid], name=name, level=level))
                values[c] = float(m.group(1).replace(",", "."))
            else:
                values[c] = float(rank)
        ids, names, docs, worked, by_coder_doc = self._agreement_inputs(
            coders, documents, unit, include_interviewer)
        texts = self.store.document_texts(docs)
        units = []
        for d in docs:
            units.extend(document_units(d, texts[d], self.store.segments(d), unit,
                                        include_interviewer=include_interviewer)[0])
        data = np.full((len(names), len(units)), np.nan)
        ambiguous = 0
        for j, n in enumerate(names):
            for i, u in enumerate(units):
                if (n, u.document_id) not in worked:
                    continue
                got = {values[r["code_id"]] for r in by_coder_doc.get((ids[n], u.document_id), [])
                       if r["code_id"] in values and r["start"] < u.end and r["end"] > u.start}
                if len(got) == 1:
                    data[j, i] = got.pop()
                elif len(got) > 1:
                    ambiguous += 1
        domain = np.array(sorted(set(values.values())))
        weights = stats.resample_weights(len(units), resamples, seed)
        coef = stats.coefficients(data, level=level, domain=domain, weights=weights)
        row = {"code": paths[pid], "level": level, "unit": unit, "units": coef.units,
               "values": len(domain), "agreement": coef.agreement,
               "agreement_low": coef.agreement_ci[0], "agreement_high": coef.agreement_ci[1],
               "alpha": coef.alpha, "alpha_low": coef.alpha_ci[0], "alpha_high": coef.alpha_ci[1],
               "ambiguous": ambiguous,
               "note": "" if np.isfinite(coef.alpha) else _("no variation: α is undefined")}
        if len(names) == 2 and level == "nominal":
            assert coef.cohen_kappa_ci is not None          # (two coders, nominal)
            row.update({"cohen_kappa": coef.cohen_kappa, "cohen_kappa_low": coef.cohen_kappa_ci[0],
                        "cohen_kappa_high": coef.cohen_kappa_ci[1]})
        df = pd.DataFrame([row])
        df.attrs.update({"coders": names, "resamples": resamples, "seed": seed})
        return df
