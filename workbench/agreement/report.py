"""The agreement section of the Word report's methods annex (the report calls
:func:`methods_agreement`; it builds nothing itself)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import dataclass

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

from workbench.agreement import stats
from workbench.agreement.api import SPARSE_PREVALENCE
from workbench.domain import CONSENSUS_CODER, WorkbenchError
from workbench.i18n import _, decimal, integer, interval, ngettext, percent


@dataclass
class AgreementSection:
    title: str
    paragraphs: list[str]
    table: pd.DataFrame
    caption: str


def _fmt(value, low=None, high=None) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return _("undefined")
    text = decimal(value, 2)
    if low is not None and high is not None and not (np.isnan(low) or np.isnan(high)):
        text += " " + interval(low, high, 2)
    return text


def methods_agreement(project, *, unit: str = "turn", max_codes: int = 40,
                      resamples: int = stats.BOOTSTRAP_RESAMPLES,
                      seed: int = stats.BOOTSTRAP_SEED) -> AgreementSection | None:
    """Inter-coder agreement for the methods annex: every coder with codings except the
    consensus, on the non-private documents at least two of them coded; None when
    there is no such pair of coders.  The table lists the overall row, then the codes
    (most used first, at most ``max_codes``), with Krippendorff's α and its 95 %
    interval, percent agreement and prevalence; undefined values are written
    "undefined", sparse codes are marked."""
    coders = [c["name"] for c in project.store.list_coders()
              if c["codings"] and c["name"] != CONSENSUS_CODER]
    if len(coders) < 2:
        return None
    try:
        df = project.agreement(*coders, unit=unit, include_private=False,
                               resamples=resamples, seed=seed)
    except WorkbenchError:
        return None
    overall = df[df["scope"] == "overall"]
    codes = df[df["scope"] == "code"].copy()
    codes["used"] = codes[[c for c in codes.columns if c.startswith("coded: ")]].sum(axis=1)
    codes = codes.sort_values(["used", "code"], ascending=[False, True]).head(max_codes)
    rows = []
    for _i, r in pd.concat([overall, codes]).iterrows():
        rows.append({
            _("Code"): _("All codes") if r["scope"] == "overall" else r["code"],
            _("Units"): int(r["units"]),
            _("Prevalence"): "" if pd.isna(r["prevalence"]) else percent(r["prevalence"], 1),
            _("Agreement"): _fmt(r["agreement"]),
            _("Krippendorff's α [95 % CI]"): _fmt(r["alpha"], r["alpha_low"], r["alpha_high"]),
            _("Note"): (_("sparse") if r["sparse"] else "") if not r["note"] or r["sparse"]
            else r["note"],
        })
    a = df.attrs
    first = overall.iloc[0] if len(overall) else None
    paragraphs = [
        ngettext("{n} coders ({names}) coded {docs} document independently. Agreement is "
                 "measured per {unit} on the documents at least two of them coded; a coder's "
                 "data are missing on documents they did not code.",
                 "{n} coders ({names}) coded {docs} documents independently. Agreement is "
                 "measured per {unit} on the documents at least two of them coded; a coder's "
                 "data are missing on documents they did not code.", a["documents"]).format(
            n=len(a["coders"]), names=", ".join(a["coders"]), docs=a["documents"],
            unit=_(stats_unit_label(a["unit"]))),
        _("Confidence intervals: {level} percentile bootstrap over {n} resamples of units "
          "(seed {seed}). Undefined coefficients (a code nobody or everybody applied) are "
          "reported as such; codes applied to fewer than {sparse} of unit ratings are marked "
          "sparse.").format(level=percent(a["confidence"]), n=integer(a["resamples"]),
                            seed=a["seed"], sparse=percent(SPARSE_PREVALENCE)),
    ]
    if first is not None:
        paragraphs.append(_("Overall (all codes pooled): Krippendorff's α = {alpha}, "
                            "percent agreement = {agreement}.").format(
            alpha=_fmt(first["alpha"], first["alpha_low"], first["alpha_high"]),
            agreement=_fmt(first["agreement"])))
    return AgreementSection(_("Inter-coder agreement"), paragraphs, pd.DataFrame(rows),
                            _("Table — Inter-coder agreement per code"))


def stats_unit_label(unit: str) -> str:
    from workbench.agreement.units import UNIT_LABELS
    return UNIT_LABELS.get(unit, unit)
