"""The sampling frame: who was interviewed against who was sampled.

The participant table (the quantitative study's sample) is the frame.  A participant is
**sampled** when they are a row of it (and pass the frame's filter, which may name
participant attributes only), **interviewed** when they are linked -- as a speaker or
for the whole interview -- to at least one interview the outputs may show (private
interviews never count), coded or not.

By stratum (a participant attribute; numbers and dates in quantile bins over the
frame; ``a*b`` crosses two attributes), the table gives:

* ``sampled`` and ``sampled_pct`` -- the stratum's share of the frame (%);
* ``interviewed`` and ``interviewed_pct`` -- its share of the interviewees (%);
* ``coverage_pct`` -- interviewed / sampled within the stratum (%);
* ``gap_points`` -- ``interviewed_pct - sampled_pct``, in percentage points: positive
  when the stratum weighs more among the interviewees than in the frame (over-
  represented), negative when it weighs less.

``scope`` (a query-language filter on interviews, e.g. a report's programmes and dates)
narrows what counts as an interview: a participant is then interviewed when linked to
an interview passing it.

By wave, one row per (stratum, value, wave): ``interviewed`` at that wave,
``coverage_pct``, ``followed`` (also interviewed at the previous wave) and ``lost``
(interviewed at the previous wave, not at this one).  :func:`losses` lists who was lost.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Iterator, Sequence

import pandas as pd

from workbench.domain import ValidationError
from workbench.i18n import _
from workbench.query.engine import Filter, ProjectData
from workbench.query.language import (Comparison, CondAnd, CondNot, CondOr, Condition,
                                      parse_condition)
from workbench.query.matrices import MISSING, attribute_groups, participants_in_scope
from workbench.query.waves import interviewed as interviewed_links

TOTAL = "(total)"


def _comparisons(cond: Condition | None) -> Iterator[Comparison]:
    if isinstance(cond, (CondAnd, CondOr)):
        yield from _comparisons(cond.left)
        yield from _comparisons(cond.right)
    elif isinstance(cond, CondNot):
        yield from _comparisons(cond.operand)
    elif isinstance(cond, Comparison):
        yield cond


def _participant_fields(cond: Condition, attributes: set[str]) -> Condition:
    """The condition with bare names of participant attributes written ``p.NAME``: in the
    frame, ``programme`` is the participant's programme, not an interview's."""
    if isinstance(cond, (CondAnd, CondOr)):
        return replace(cond, left=_participant_fields(cond.left, attributes),
                       right=_participant_fields(cond.right, attributes))
    if isinstance(cond, CondNot):
        return replace(cond, operand=_participant_fields(cond.operand, attributes))
    folded = {a.casefold(): a for a in attributes}
    if isinstance(cond, Comparison) and "." not in cond.field and \
            cond.field.casefold() in folded:
        return replace(cond, field="p." + folded[cond.field.casefold()])
    return cond


def frame_participants(data: ProjectData, where: str | None = None) -> list[str]:
    """The sampled participants: every row of the participant table, or those passing
    ``where`` (a filter on participant attributes only)."""
    pids = sorted(data.store.participant_ids())
    if not where:
        return pids
    q = parse_condition(where)
    if q.where is not None:
        q = replace(q, where=_participant_fields(q.where, set(data.attributes)))
    flt = Filter(data, q)
    for c in _comparisons(q.where):
        kind, _name = flt._field(c)
        if kind != "attr":
            raise ValidationError(_("the sampling frame's filter takes participant "
                                    "attributes only, not {field!r}").format(field=c.field))
    frame = pd.DataFrame({"doc": -1, "participant_id": pids, "speaker": None, "seg": -1})
    return [p for p, keep in zip(pids, flt.mask(frame)) if keep]


def stratum_labels(data: ProjectData, stratum: str, pids: list[str],
                   bins: int = 4) -> tuple[pd.Series, list[str]]:
    """Each participant's value of a stratum (``a*b``: both, joined by `` × ``) and the
    values in display order."""
    parts = [s.strip() for s in stratum.split("*") if s.strip()]
    if not parts:
        raise ValidationError(_("empty stratum"))
    labels: pd.Series | None = None
    order = [""]
    for name in parts:
        lab, o = attribute_groups(data, name, pids, bins)
        lab = lab.reindex(pids).fillna(MISSING)
        if MISSING not in o and (lab == MISSING).any():
            o = o + [MISSING]
        labels = lab if labels is None else labels + " × " + lab
        order = [f"{a} × {b}" if a else b for a in order for b in o]
    assert labels is not None                    # (parts is not empty)
    present = set(labels)
    return labels, [v for v in order if v in present]


def _pct(a: int, b: int) -> float | None:
    return round(100 * a / b, 1) if b else None


def sampling_frame(data: ProjectData, strata: str | Sequence[str], *, where: str | None = None,
                   bins: int = 4, scope: str | None = None) -> pd.DataFrame:
    """Sampled vs interviewed by stratum (see the module docstring): columns stratum,
    value, sampled, sampled_pct, interviewed, interviewed_pct, coverage_pct,
    gap_points; a ``(total)`` row closes each stratum."""
    strata = [strata] if isinstance(strata, str) else list(strata)
    if not strata:
        raise ValidationError(_("name at least one stratum (a participant attribute)"))
    pids = frame_participants(data, where)
    seen = set(participants_in_scope(data, scope)) & set(pids)
    n_sampled, n_seen = len(pids), len(seen)
    recs = []
    for stratum in strata:
        labels, order = stratum_labels(data, stratum, pids, bins)
        for value in order:
            members = set(labels.index[labels == value])
            s, i = len(members), len(members & seen)
            sp, ip = _pct(s, n_sampled), _pct(i, n_seen)
            recs.append({"stratum": stratum, "value": value, "sampled": s, "sampled_pct": sp,
                         "interviewed": i, "interviewed_pct": ip, "coverage_pct": _pct(i, s),
                         "gap_points": None if sp is None or ip is None else round(ip - sp, 1)})
        recs.append({"stratum": stratum, "value": TOTAL, "sampled": n_sampled,
                     "sampled_pct": 100.0 if n_sampled else None, "interviewed": n_seen,
                     "interviewed_pct": 100.0 if n_seen else None,
                     "coverage_pct": _pct(n_seen, n_sampled), "gap_points": 0.0})
    return pd.DataFrame(recs, columns=["stratum", "value", "sampled", "sampled_pct",
                                       "interviewed", "interviewed_pct", "coverage_pct",
                                       "gap_points"])


def _wave_sets(data: ProjectData, pids: Iterable[str],
               scope: str | None = None) -> dict[str, set[str]]:
    seen = interviewed_links(data, scope)
    seen = seen[seen["participant_id"].isin(set(pids))]
    return {w: set(seen.loc[seen["wave"] == w, "participant_id"]) for w in data.wave_order}


def sampling_by_wave(data: ProjectData, strata: str | Sequence[str], *, where: str | None = None,
                     bins: int = 4, scope: str | None = None) -> pd.DataFrame:
    """One row per (stratum, value, wave): sampled, interviewed at the wave,
    coverage_pct, followed (interviewed at the previous wave too), lost (interviewed at
    the previous wave, not at this one); a ``(total)`` value closes each stratum."""
    strata = [strata] if isinstance(strata, str) else list(strata)
    if not strata:
        raise ValidationError(_("name at least one stratum (a participant attribute)"))
    if not data.wave_order:
        raise ValidationError(_("the project has no waves: define them first (workbench "
                                "waves set)"))
    pids = frame_participants(data, where)
    at = _wave_sets(data, pids, scope)
    recs = []
    for stratum in strata:
        labels, order = stratum_labels(data, stratum, pids, bins)
        for value in order + [TOTAL]:
            members = set(pids) if value == TOTAL else set(labels.index[labels == value])
            prev = None
            for w in data.wave_order:
                here = at[w] & members
                recs.append({"stratum": stratum, "value": value, "wave": w,
                             "sampled": len(members), "interviewed": len(here),
                             "coverage_pct": _pct(len(here), len(members)),
                             "followed": None if prev is None else len(prev & here),
                             "lost": None if prev is None else len(prev - here)})
                prev = here
    out = pd.DataFrame(recs, columns=["stratum", "value", "wave", "sampled", "interviewed",
                                      "coverage_pct", "followed", "lost"])
    return out.astype({"followed": "Int64", "lost": "Int64"})


def losses(data: ProjectData, *, where: str | None = None,
           scope: str | None = None) -> pd.DataFrame:
    """Who was lost between waves: each sampled participant interviewed at a wave and
    not at a later one -- participant_id, waves (interviewed at, in order), last_wave
    (the last wave they were interviewed at), missing (later waves without an
    interview)."""
    pids = frame_participants(data, where)
    at = _wave_sets(data, pids, scope)
    recs = []
    for pid in pids:
        waves = [w for w in data.wave_order if pid in at[w]]
        if not waves:
            continue
        first = data.wave_order.index(waves[0])
        missing = [w for w in data.wave_order[first:] if pid not in at[w]]
        if missing:
            recs.append({"participant_id": pid, "waves": ";".join(waves),
                         "last_wave": waves[-1], "missing": ";".join(missing)})
    return pd.DataFrame(recs, columns=["participant_id", "waves", "last_wave", "missing"])
