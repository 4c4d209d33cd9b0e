"""The report's parts on waves and cases (:mod:`workbench.export.report`): dossiers grouped
by case, trajectories across waves with the change tables, and the sampling frame in the
methods annex.  Every number comes from the query engine through the facade
(``trajectory``, ``wave_changes``, ``sampling_frame``), in the report's scope."""
from __future__ import annotations

import pandas as pd

from workbench.i18n import _, ngettext
from workbench.query.matrices import MISSING

#: characters of a trajectory cell before it is cut (the excerpts annex has every passage)
CELL_CHARS = 400


# -- dossiers by case ----------------------------------------------------------------------
def passage_cases(r, passages: pd.DataFrame, kind: str) -> list[list[str]]:
    """The names of the cases of ``kind`` each passage belongs to (through its speaker,
    its participants or its interview: :mod:`workbench.query.cases`)."""
    data = r.data
    rows = []
    for i, p in enumerate(passages.itertuples()):
        for pid in (p.participants or [None]):
            rows.append((i, int(p.document_id), p.speaker, pid))
    frame = pd.DataFrame(rows, columns=["passage", "doc", "speaker", "participant_id"])
    long = data.cases.resolve(kind, frame)
    names = data.cases.name
    out: list[set] = [set() for _i in range(len(passages))]
    for i, target in zip(long["i"], long["target"]):
        out[int(frame.at[int(i), "passage"])].add(names.get(target, target))
    return [sorted(s) for s in out]


def quotes_by_case(r, picked: pd.DataFrame) -> None:
    """Quote a dossier's passages under one heading per case of ``r.dossiers_by`` (a
    passage of two sites under the first; one without any under "no site")."""
    kind = r.dossiers_by
    cases = passage_cases(r, picked, kind)
    none = _("(no {kind})").format(kind=kind)
    groups: dict[str, list] = {}
    for row, names in zip(picked.itertuples(), cases):
        groups.setdefault(names[0] if names else none, []).append(row)
    order = sorted(g for g in groups if g != none) + ([none] if none in groups else [])
    for name in order:
        rows = groups[name]
        r.w.heading(_("{kind}: {name}").format(kind=kind, name=name), 3)
        r.w.para(ngettext("{n} passage", "{n} passages", len(rows)).format(n=len(rows)))
        for row in rows:
            r.quote(row)


# -- trajectories ------------------------------------------------------------------------------
def trajectories(r) -> None:
    """One part per theme: the participants' trajectory table (one column per wave) and
    the change table between each pair of successive waves."""
    w, p = r.w, r.p
    w.heading(_("Trajectories across waves"), 1)
    data = r.data
    if not data.wave_order:
        w.para(_("The project has no waves: interviews are not placed in time."))
        return
    seen = _followed(r)
    people = list(r.trajectory_participants) if r.trajectory_participants else seen
    w.para(_("For each theme, what each participant's interview of each wave says, side by "
             "side (— : no interview at that wave; cells cut after {n} characters, every "
             "passage is in the excerpts annex), then the change between successive waves.")
           .format(n=CELL_CHARS))
    if not people:
        w.para(_("No participant was interviewed at two waves in this scope."))
        return
    for kind, theme in r.trajectories:
        codes, questions = ([theme], None) if kind == "code" else (None, [theme])
        title = theme if kind == "code" else _question_title(r, theme)
        w.heading(title, 2)
        t = p.trajectory(codes, questions=questions, participants=people, where=r.where,
                         layout="wide", status=r.scope.status, coders=r.scope.coders,
                         max_chars=CELL_CHARS)
        t = t.drop(columns=["theme"]).rename(columns={"participant_id": _("Participant"),
                                                      MISSING: _("(no wave)")})
        w.table(t, caption=_("Trajectories: {theme}").format(theme=title),
                note=r.counting())
        order = [x for x in data.wave_order if x in t.columns]
        for first, second in zip(order, order[1:]):
            c = p.wave_changes(first, second, codes, questions=questions, where=r.where,
                               status=r.scope.status, coders=r.scope.coders)
            if not c.attrs["panel"]:
                continue
            w.table(change_table(c), caption=_("From {first} to {second}: {theme}").format(
                first=first, second=second, theme=title), note=c.attrs["definition"])


def change_table(c: pd.DataFrame) -> pd.DataFrame:
    cols = {"theme": _("Theme"), "panel": _("Panel"), "at_first": c.attrs["first"],
            "at_second": c.attrs["second"], "appears": _("Appears"),
            "disappears": _("Disappears"), "persists": _("Persists"), "absent": _("Absent")}
    return c[list(cols)].rename(columns=cols)


def _followed(r) -> list[str]:
    """Participants interviewed at two waves or more in the report's scope."""
    from workbench.query.waves import followed
    return followed(r.data, r.where)


def _question_title(r, qid: str) -> str:
    for q in r.p.store.query_questions():
        if q["id"] == qid:
            return f"{qid} — {q['text']}"
    return qid


# -- sampling frame ------------------------------------------------------------------------------
def frame_filter(r) -> str | None:
    """In a report on some programmes, the frame is the participants whose ``programme``
    attribute names one of them (when the participant table has that attribute)."""
    programmes = r.scope.programmes
    if not programmes or "programme" not in set(r.p.attributes()["name"]):
        return None
    return "programme IN (" + ", ".join('"' + x.replace('"', '') + '"'
                                        for x in programmes) + ")"


def sampling(r) -> None:
    """The methods annex's sampling frame: interviewed against sampled by stratum, and by
    wave with who was followed and lost."""
    w, p = r.w, r.p
    w.heading(_("Sampling frame"), 2)
    w.para(_("The participant table is the frame. Sampled: its rows; interviewed: linked to "
             "at least one interview the report may quote, coded or not. Coverage: "
             "interviewed / sampled in the stratum; gap: the stratum's share among the "
             "interviewed minus its share of the frame, in percentage points."))
    where, scope = frame_filter(r), r.where
    if where:
        w.para(_("This report covers {programmes}: the frame is the participants of the "
                 "table whose programme is one of them, and only the report's interviews "
                 "count.").format(programmes=", ".join(r.scope.programmes)))
    frame = p.sampling_frame(list(r.sampling), where=where, scope=scope)
    cols = {"value": "", "sampled": _("Sampled"), "sampled_pct": _("% of frame"),
            "interviewed": _("Interviewed"), "interviewed_pct": _("% of interviewed"),
            "coverage_pct": _("Coverage %"), "gap_points": _("Gap (points)")}
    for stratum, sub in frame.groupby("stratum", sort=False):
        table = sub[list(cols)].rename(columns={**cols, "value": stratum})
        table[stratum] = table[stratum].replace({"(total)": _("Total")})
        w.table(table.reset_index(drop=True),
                caption=_("Interviewed against sampled, by {stratum}").format(stratum=stratum))
    if not r.data.wave_order:
        return
    by_wave = p.sampling_frame(list(r.sampling)[:1], by_wave=True, where=where, scope=scope)
    total = by_wave[by_wave["value"] == "(total)"]
    t = pd.DataFrame({_("Wave"): total["wave"], _("Sampled"): total["sampled"],
                      _("Interviewed"): total["interviewed"],
                      _("Coverage %"): total["coverage_pct"],
                      _("Followed from the previous wave"):
                          total["followed"].astype(object).where(total["followed"].notna(), "—"),
                      _("Lost since the previous wave"):
                          total["lost"].astype(object).where(total["lost"].notna(), "—")})
    w.table(t.reset_index(drop=True), caption=_("Interviews by wave: who was followed and lost"))
    lost = p.sampling_losses(where=where, scope=scope)
    w.para(ngettext("{n} participant interviewed at a wave was not interviewed at a later one.",
                    "{n} participants interviewed at a wave were not interviewed at a later "
                    "one.", len(lost)).format(n=len(lost)))


# -- saturation ------------------------------------------------------------------------------------
def _group_label(group: str, by) -> str:
    """A saturation group in the report's words: programme and actor type labelled."""
    from workbench.domain import programme_label
    from workbench.labels import actor_label
    parts = str(group).split(" × ")
    if len(parts) != len(by):
        return str(group)
    shown = {"programme": programme_label, "actor_type": actor_label}
    return " × ".join(shown.get(b, str)(v) or v for b, v in zip(by, parts))


def saturation(r) -> None:
    """The methods annex's saturation: the curve of distinct codes met per successive
    interview (groups of two interviews or more) and its table."""
    from workbench.export import charts
    w, p = r.w, r.p
    w.heading(_("Saturation"), 2)
    df = p.saturation(list(r.saturation), where=r.where, status=r.scope.status,
                      coders=r.scope.coders)
    sizes = df.groupby("group")["rank"].transform("max")
    df = df[sizes >= 2].assign(group=lambda d: d["group"].map(
        lambda g: _group_label(g, r.saturation)))
    w.para(_("Interviews in interview-date order within each group ({groups}); an interview "
             "carries a code when one of the codings this report counts is of that code or "
             "of one of its sub-codes, and the code is new in the first interview of the "
             "group that carries it. A curve that flattens shows interviews that no longer "
             "bring new codes. Groups of a single interview are left out.").format(
        groups=" × ".join(r.saturation) or _("one group")))
    if not len(df):
        w.para(_("No group has two interviews in this scope."))
        return
    w.picture(charts.saturation_chart(df, _("Distinct codes met, interview after interview")),
              _("Saturation: distinct codes met so far, per group"))
    table = pd.DataFrame({_("Group"): df["group"], "#": df["rank"],
                          _("Interview"): df["document"],
                          _("Date"): df["interview_date"].fillna("").astype(str).str[:10],
                          _("New codes"): df["new_codes"], _("New sub-codes"): df["new_subcodes"],
                          _("Cumulative"): df["cumulative"],
                          _("Cumulative %"): df["cumulative_pct"]})
    w.table(table.reset_index(drop=True), caption=_("New codes per successive interview"),
            note=r.counting())
