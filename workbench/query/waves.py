"""Following participants across waves: the trajectory view and the change table.

Both read the query engine's codings in scope (:func:`workbench.query.engine.codings_in_scope`:
the chosen coders, merged; the chosen status; interviewer speech left out; private
documents and attributes out) and the same rows as every table (a code with its
sub-codes unless ``descendants=False``, or an evaluation question with its linked codes
and their sub-codes).

**Whose words.**  A participant's words at a wave are the codings that belong to them by
the engine's linking levels (their speaker turns, else the interviews linked to them as
a whole) in the interviews of that wave.

**Has the theme.**  A participant *has* a theme at a wave when at least one passage in
their words, in an interview of that wave, carries one of the theme's codes (a code or
one of its sub-codes).  A participant *interviewed* at a wave is linked to at least one
interview of that wave in scope, coded or not.  The change table's **panel** between
two waves is the participants interviewed at both; each of them is counted once, in
exactly one of *appears* (not at the first wave, at the second), *disappears* (at the
first, not at the second), *persists* (at both), *absent* (at neither).  Participants
interviewed at one of the two waves only are not in the panel (they are counted apart,
``lost`` and ``joined``).
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from workbench.domain import ValidationError
from workbench.i18n import _, ngettext
from workbench.query._types import Coders
from workbench.query.engine import ProjectData, codings_in_scope
from workbench.query.matrices import MISSING, links_frame, row_passages

#: Cell of a wide trajectory when the participant has no interview of that wave
NO_INTERVIEW = "—"


def _wave_of(data: ProjectData, docs: Iterable[int] | pd.Series) -> np.ndarray:
    """Each document's wave name (MISSING when it has none)."""
    w = pd.Series(np.asarray(docs, dtype=np.int64)).map(data.docs["wave"])
    return w.where(w.notna(), MISSING).to_numpy(object)


def resolve_waves(data: ProjectData, names: Iterable[str]) -> list[str]:
    """Wave names as the project spells them, in the order given; unknown (or blank)
    ones are an error listing the project's waves."""
    from workbench.waves.naming import existing_wave
    return [existing_wave(n, data.wave_order) for n in names]


def interviewed(data: ProjectData, where: str | None) -> pd.DataFrame:
    """(participant_id, doc, wave) of every interview in scope each participant is
    linked to (as a speaker or for the whole interview), coded or not."""
    links = links_frame(data, where)
    links = links[links["participant_id"].notna()][["participant_id", "doc"]].drop_duplicates()
    return links.assign(wave=_wave_of(data, links["doc"])).reset_index(drop=True)


def followed(data: ProjectData, where: str | None = None, min_waves: int = 2) -> list[str]:
    """The participants interviewed (coded or not) at ``min_waves`` waves or more."""
    seen = interviewed(data, where)
    seen = seen[seen["wave"] != MISSING]
    n = seen.groupby("participant_id")["wave"].nunique()
    return sorted(n[n >= min_waves].index)


def _participant_codings(data: ProjectData, rows: list[tuple[str, list[int]]],
                         where: str | None, status: str, coders: Coders) -> pd.DataFrame:
    """Each (theme row r, coding, participant) in scope with its passage, document and
    wave: columns r, row, doc, start, end, passage, participant_id, wave."""
    scope = codings_in_scope(data, where, status, coders=coders)
    scope = scope[scope["participant_id"].notna()]
    rp = row_passages(scope, rows)
    e = rp.merge(scope[["row", "doc", "participant_id"]], on=["row", "doc"], how="inner")
    return e.assign(wave=_wave_of(data, e["doc"]))


def trajectory(data: ProjectData, rows: list[tuple[str, list[int]]], *,
               participants: Iterable[object] | None = None, where: str | None = None,
               waves: Iterable[str] | None = None, status: str = "accepted",
               coders: Coders = None, max_chars: int | None = None,
               layout: str = "long") -> pd.DataFrame:
    """What each wave's interview says, for each participant and theme, side by side.

    Long layout: one row per (participant, theme, wave) with ``interviewed`` (linked to an
    interview of the wave in scope), ``documents``, ``interview_date``, ``passages``
    (distinct passages in their words carrying the theme) and ``text`` (the words of
    those passages, in interview order, joined by `` […] ``).  Wide layout: one row per
    (participant, theme), one column per wave holding the text, ``—`` when the
    participant had no interview of that wave and ``(nothing on this theme)`` when the
    interview says nothing of it."""
    if layout not in ("long", "wide"):
        raise ValidationError(_("layout must be 'long' or 'wide'"))
    seen = interviewed(data, where)
    if participants is not None:
        pids = list(dict.fromkeys(str(p) for p in participants))
        unknown = sorted(set(pids) - set(data.store.participant_ids()))
        if unknown:
            raise ValidationError(ngettext("unknown participant ID: {ids}",
                                           "unknown participant IDs: {ids}",
                                           len(unknown)).format(ids=", ".join(unknown)))
    else:
        pids = sorted(seen["participant_id"].unique())
    mine = seen[seen["participant_id"].isin(pids)]
    if waves:
        order = resolve_waves(data, waves)
    else:                   # the project's waves at which one of them was interviewed
        met = set(mine["wave"])
        order = [w for w in data.wave_order if w in met] + ([MISSING] if MISSING in met else [])
    e = _participant_codings(data, rows, where, status, coders)
    e = e[e["participant_id"].isin(pids) & np.isin(e["wave"].to_numpy(object), order)]
    # each passage's extent and words, once
    extent = e.groupby("passage").agg(doc=("doc", "first"), start=("start", "min"),
                                      end=("end", "max")).reset_index()
    texts = dict(zip(extent["passage"], data.store.span_texts(
        zip(extent["doc"], extent["start"], extent["end"])))) if len(extent) else {}
    extent = extent.set_index("passage")
    names, dates = data.docs["name"], data.docs["interview_date"]
    recs = []
    for pid in pids:
        p_docs = mine[mine["participant_id"] == pid]
        p_cod = e[e["participant_id"] == pid]
        for r, (label, _ids) in enumerate(rows):
            r_cod = p_cod[p_cod["r"] == r]
            for w in order:
                docs = sorted(p_docs.loc[p_docs["wave"] == w, "doc"],
                              key=lambda d: (str(dates.get(d) or ""), str(names.get(d))))
                passages = r_cod.loc[r_cod["wave"] == w, "passage"].unique()
                ordered = sorted(passages, key=lambda q: (str(dates.get(extent.at[q, "doc"]) or ""),
                                                          str(names.get(extent.at[q, "doc"])),
                                                          extent.at[q, "start"]))
                words = [" ".join(texts[q].split()) for q in ordered]
                text = " […] ".join(words)
                if max_chars and len(text) > max_chars:
                    text = text[:max_chars - 1].rstrip() + "…"
                recs.append({"participant_id": pid, "theme": label, "wave": w,
                             "interviewed": bool(docs),
                             "documents": ";".join(str(names.get(d)) for d in docs),
                             "interview_date": ";".join(str(dates.get(d)) for d in docs
                                                        if dates.get(d)),
                             "passages": len(passages), "text": text})
    long = pd.DataFrame(recs, columns=["participant_id", "theme", "wave", "interviewed",
                                       "documents", "interview_date", "passages", "text"])
    if layout == "long":
        return long
    wide = []
    nothing = _("(nothing on this theme)")
    for (pid, theme), sub in long.groupby(["participant_id", "theme"], sort=False):
        row = {"participant_id": pid, "theme": theme}
        for rec in sub.itertuples():
            row[rec.wave] = rec.text if rec.passages else (nothing if rec.interviewed
                                                           else NO_INTERVIEW)
        wide.append(row)
    return pd.DataFrame(wide, columns=["participant_id", "theme", *order])


def wave_changes(data: ProjectData, rows: list[tuple[str, list[int]]], first: str,
                 second: str, *, where: str | None = None, status: str = "accepted",
                 coders: Coders = None, who: bool = False) -> pd.DataFrame:
    """For each theme, the participants of the panel (interviewed at both waves) whose
    words carry it at the first wave, at the second, and whether it appears, disappears,
    persists or stays absent between them (see the module docstring).  Columns: theme,
    panel, at_first, at_second, appears, disappears, persists, absent (+ the IDs of
    each, with ``who``).  ``attrs``: panel, lost (interviewed at the first wave only),
    joined (at the second only), first, second."""
    first, second = resolve_waves(data, [first, second])
    if first == second:
        raise ValidationError(_("compare two different waves"))
    seen = interviewed(data, where)
    at1 = set(seen.loc[seen["wave"] == first, "participant_id"])
    at2 = set(seen.loc[seen["wave"] == second, "participant_id"])
    panel = at1 & at2
    e = _participant_codings(data, rows, where, status, coders)
    e = e[e["participant_id"].isin(panel)]
    recs = []
    for r, (label, _ids) in enumerate(rows):
        sub = e[e["r"] == r]
        has1 = set(sub.loc[sub["wave"] == first, "participant_id"])
        has2 = set(sub.loc[sub["wave"] == second, "participant_id"])
        groups = {"appears": has2 - has1, "disappears": has1 - has2, "persists": has1 & has2,
                  "absent": panel - has1 - has2}
        rec = {"theme": label, "panel": len(panel), "at_first": len(has1),
               "at_second": len(has2), **{k: len(v) for k, v in groups.items()}}
        if who:
            rec.update({f"{k}_who": ";".join(sorted(v)) for k, v in groups.items()})
        recs.append(rec)
    cols = ["theme", "panel", "at_first", "at_second", "appears", "disappears", "persists",
            "absent"]
    if who:
        cols += ["appears_who", "disappears_who", "persists_who", "absent_who"]
    out = pd.DataFrame(recs, columns=cols)
    out.attrs.update(first=first, second=second, panel=len(panel), lost=len(at1 - at2),
                     joined=len(at2 - at1))
    return out


def change_definition(first: str, second: str, panel: int, lost: int, joined: int, *,
                      descendants: bool = True) -> str:
    """The sentence every change table carries: what "has the theme" means and who is
    in the panel."""
    what = _("the code or one of its sub-codes") if descendants else _("the code itself")
    has = _("A participant has a theme at a wave when at least one passage in their own "
            "words (their speaker turns, or interviews linked to them as a whole; "
            "interviewer speech left out) in an interview of that wave carries {what}.")
    who = ngettext("Panel: the {panel} participant interviewed at both {first} and {second}; "
                   "{lost} interviewed at {first} only and {joined} at {second} only are not "
                   "counted.",
                   "Panel: the {panel} participants interviewed at both {first} and {second}; "
                   "{lost} interviewed at {first} only and {joined} at {second} only are not "
                   "counted.", panel)
    return has.format(what=what) + " " + who.format(panel=panel, first=first, second=second,
                                                     lost=lost, joined=joined)
