"""Waves and cases: the project's waves with their interviews, the sites and organisations,
the sampling frame (who was interviewed against who was sampled, by stratum and by wave),
saturation, and, for a code, the trajectory of each participant across waves and the
change table between two waves.

Every table is computed by the facade (``waves``, ``cases``, ``sampling_frame``,
``saturation``, ``trajectory``, ``wave_changes``: the counting rules of the query engine)
in a thread worker; ``e`` writes the table shown to .xlsx (``export_tables``, with the
sentence saying what it counts)."""
from __future__ import annotations

import pandas as pd
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Footer, Header, Static

from workbench.i18n import N_, _, colon, decimal, ngettext
from workbench.tui.screens.analysis_common import run_read
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import ChoiceDialog
from workbench.tui.widgets.rowlist import RowList

#: The views (keys 1–6) and their names
VIEWS = {"waves": N_("Waves"), "cases": N_("Sites and organisations"),
         "sampling": N_("Sampling frame"), "saturation": N_("Saturation"),
         "trajectory": N_("Trajectories"), "changes": N_("Change between two waves")}
#: Sheet names of the .xlsx export (French names, like the other exported tables)
SHEETS = {"waves": "vagues", "cases": "cas", "sampling": "base_de_sondage",
          "saturation": "saturation", "trajectory": "trajectoires", "changes": "evolution"}
TOTAL = "(total)"
MISSING = "(missing)"


def _number(value, digits: int = 1) -> str:
    if value is None or value is pd.NA or value != value:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return decimal(value, digits)
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return cell(value)


def _value(value) -> str:
    """A typed case field's value as shown ("" when missing)."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return "" if value != value else _number(value)
    return cell(value).replace("<NA>", "")


def _fit(columns: list[tuple[str, int | None]], width: int) -> list[tuple[str, int | None]]:
    """Fixed columns widened to their header when the screen has room for every header
    (and 24 cells for the text columns); else as asked (headers cut)."""
    wide = [(label, max(w, len(label)) if w else w) for label, w in columns]
    needed = sum(w + 1 for _label, w in wide if w) + 24 * sum(1 for _l, w in wide if not w)
    return wide if needed <= width else columns


class WavesScreen(BaseScreen):
    """Waves, cases, sampling frame, saturation, trajectories and change tables."""

    TITLE = N_("Waves and cases")
    DEFAULT_CSS = """
    WavesScreen #waves-table { height: 1fr; }
    WavesScreen #waves-detail { height: auto; max-height: 20%; padding: 0 1; }
    WavesScreen #waves-menu { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("q", "back", N_("Back")),
        Binding("1", "view('waves')", N_("waves"), show=False),
        Binding("2", "view('cases')", N_("cases"), show=False),
        Binding("3", "view('sampling')", N_("sampling"), show=False),
        Binding("4", "view('saturation')", N_("saturation"), show=False),
        Binding("5", "view('trajectory')", N_("trajectory"), show=False),
        Binding("6", "view('changes')", N_("change"), show=False),
        Binding("c", "pick_code", N_("choose a code")),
        Binding("s", "pick_stratum", N_("stratum")),
        Binding("w", "pick_waves", N_("waves")),
        Binding("b", "by_wave", N_("by wave")),
        Binding("a", "everyone", N_("all / followed")),
        Binding("e", "export", N_("export .xlsx")),
        Binding("r", "report", N_("Word report")),
    ]

    def __init__(self, view: str = "waves", **kwargs) -> None:
        super().__init__()
        self.view = view if view in VIEWS else "waves"
        self.code: str | None = None          # path of the code of trajectories and changes
        self.stratum: str | None = None
        self.by_wave = False
        self.everyone = False                 # trajectories: every interviewee, not only
        self.pair: tuple[str, str] | None = None     # those followed across waves
        self.df: pd.DataFrame | None = None   # the table shown, as computed
        self.note = ""                        # what it counts (the .xlsx notes sheet)
        self.details: list[str] = []          # one detail text per row

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="waves-title", classes="section-title")
        yield RowList(id="waves-table", classes="list")
        yield Static(id="waves-detail")
        yield Static(id="waves-menu")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _(self.TITLE)
        self.refresh_data()
        self.query_one("#waves-table").focus()

    # -- views -------------------------------------------------------------------------
    def action_view(self, view: str) -> None:
        self.view = view
        if view in ("trajectory", "changes") and not self.code:
            self.action_pick_code()
            return
        self.refresh_data()

    def refresh_data(self) -> None:
        self.query_one("#waves-menu", Static).update(Content(_(
            "1 waves  2 cases  3 sampling frame  4 saturation  5 trajectories  "
            "6 change")))
        view = self.view
        label = _("Computing: {view}").format(view=_(VIEWS[view]))
        if view in ("trajectory", "changes") and not self.code:
            self._show(pd.DataFrame(), [], [], _("Choose a code (c)."))
            return
        run_read(self.app, label, getattr(self, f"_compute_{view}"), self._computed)

    def _computed(self, result) -> None:
        df, columns, rows, details, note, title = result
        self.df, self.note, self.details = df, note, details
        self._show(df, columns, rows, title)

    def _show(self, df, columns, rows, title: str) -> None:
        self.query_one("#waves-title", Static).update(Content(title))
        table = self.query_one("#waves-table", RowList)
        table.set_data(_fit(columns, table.size.width or self.app.size.width), rows)
        if not rows:
            self.query_one("#waves-detail", Static).update(Content(self.note or ""))

    @on(RowList.Highlighted, "#waves-table")
    def _highlighted(self, event: RowList.Highlighted) -> None:
        text = self.details[event.index] if 0 <= event.index < len(self.details) else ""
        self.query_one("#waves-detail", Static).update(Content(text or self.note))

    # -- computations (in a worker: facade reads only) ------------------------------------
    def _compute_waves(self):
        p = self.project
        waves = p.waves()
        docs = p.documents()
        rows, details = [], []
        for w in waves.itertuples(index=False):
            names = sorted(docs.loc[docs["wave"] == w.name, "name"])
            rows.append((cell(w.name), str(int(w.documents)), cell(w.description)))
            details.append(_("Interviews of {wave}: {names}").format(
                wave=w.name, names=", ".join(names) or "—"))
        none = int(docs["wave"].isna().sum())
        if none:
            rows.append((_("(no wave)"), str(none), ""))
            details.append(_("Interviews in no wave (trainers, operators…), set with "
                             "workbench docs set --wave."))
        title = ngettext("{n} wave, in order", "{n} waves, in order", len(waves)).format(
            n=len(waves))
        if not len(waves):
            title = _("No wave yet: workbench waves set PROJECT entrée sortie \"6 mois\"")
        columns = [(_("Wave"), 16), (_("Interviews"), 10), (_("Description"), None)]
        out = waves.rename(columns={"documents": "interviews"})
        return out, columns, rows, details, "", title

    def _compute_cases(self):
        p = self.project
        df = p.cases()
        fixed = {"case_id", "kind", "name", "parent", "description", "documents",
                 "participants"}
        fields = [c for c in df.columns if c not in fixed]
        rows, details = [], []
        for r in df.to_dict("records"):
            rows.append((cell(r["kind"]), cell(r["case_id"]), cell(r["name"]),
                         cell(r["parent"]), str(int(r["documents"] or 0)),
                         str(int(r["participants"] or 0))))
            values = [f"{colon(f)} {_value(r[f])}" for f in fields if _value(r[f])]
            details.append(" · ".join(values + ([cell(r["description"])]
                                                if cell(r["description"]) else [])))
        kinds = sorted(set(df["kind"])) if len(df) else []
        title = ngettext("{n} case ({kinds})", "{n} cases ({kinds})", len(df)).format(
            n=len(df), kinds=", ".join(kinds)) if len(df) else \
            _("No site or organisation yet: workbench cases import PROJECT sites.csv --kind site")
        columns = [(_("Kind"), 12), (_("ID"), 8), (_("Name"), None), (_("Belongs to"), 8),
                   (_("Interviews"), 10), (_("Participants"), 12)]
        return df, columns, rows, details, "", title

    def _strata(self) -> list[str]:
        attrs = self.project.attributes()
        return list(attrs.loc[~attrs["private"].astype(bool), "name"])

    def _compute_sampling(self):
        p = self.project
        strata = self._strata()
        if not strata:
            return (pd.DataFrame(), [], [], [], "",
                    _("No participant table: the sampling frame is the participant table "
                      "(workbench participants import)."))
        stratum = self.stratum if self.stratum in strata else \
            next((s for s in ("programme", "groupe") if s in strata), strata[0])
        self.stratum = stratum
        by_wave = self.by_wave and bool(p.wave_names())
        df = p.sampling_frame([stratum], by_wave=by_wave)
        note = _("The participant table is the frame. Sampled: its rows; interviewed: linked "
                 "to at least one interview (private ones left out), coded or not. Coverage: "
                 "interviewed / sampled in the stratum; gap: the stratum's share among the "
                 "interviewed minus its share of the frame, in percentage points.")
        rows, details = [], []
        for r in df.to_dict("records"):
            value = _("Total") if r["value"] == TOTAL else cell(r["value"])
            if by_wave:
                rows.append((value, cell(r["wave"]), _number(r["sampled"]),
                             _number(r["interviewed"]), _number(r["coverage_pct"]),
                             _number(r["followed"]), _number(r["lost"])))
            else:
                rows.append((value, _number(r["sampled"]), _number(r["sampled_pct"]),
                             _number(r["interviewed"]), _number(r["interviewed_pct"]),
                             _number(r["coverage_pct"]), _number(r["gap_points"])))
            details.append("")
        if by_wave:
            columns = [(stratum, None), (_("Wave"), 10), (_("Sampled"), 9),
                       (_("Interviewed"), 10), (_("Coverage %"), 10), (_("Followed"), 7),
                       (_("Lost"), 7)]
            lost = p.sampling_losses()
            note += " " + ngettext(
                "{n} participant interviewed at a wave was not interviewed at a later one.",
                "{n} participants interviewed at a wave were not interviewed at a later one.",
                len(lost)).format(n=len(lost))
            title = _("Interviewed against sampled, by {stratum} and wave (s: stratum, b: "
                      "totals)").format(stratum=stratum)
        else:
            columns = [(stratum, None), (_("Sampled"), 9), (_("% of frame"), 10),
                       (_("Interviewed"), 10), (_("% of interviewed"), 10),
                       (_("Coverage %"), 10), (_("Gap (points)"), 10)]
            title = _("Interviewed against sampled, by {stratum} (s: stratum, b: by "
                      "wave)").format(stratum=stratum)
        details = [note] * len(rows)
        return df, columns, rows, details, note, title

    def _compute_saturation(self):
        p = self.project
        df = p.saturation(("programme", "actor_type"))
        note = _("New codes per interview in interview-date order, per programme and actor "
                 "type: a code is new in the first interview of the group that carries it "
                 "(a sub-code makes its parent present); cumulative % of the codes the group "
                 "carries.")
        rows, details = [], []
        for r in df.to_dict("records"):
            rows.append((cell(r["group"]), str(int(r["rank"])), cell(r["document"]),
                         cell(r["interview_date"])[:10], str(int(r["new_codes"])),
                         str(int(r["new_subcodes"])), str(int(r["cumulative"])),
                         _number(r["cumulative_pct"])))
            new = cell(r["new_paths"])
            details.append(_("New here: {paths}").format(paths=new.replace(";", " · "))
                           if new else _("Nothing new in this interview."))
        columns = [(_("Group"), None), ("#", 3), (_("Interview"), 13), (_("Date"), 10),
                   (_("New codes"), 7), (_("New sub-codes"), 7), (_("Cumulative"), 7),
                   (_("Cumulative %"), 7)]
        title = _("Saturation: new codes per successive interview")
        return df, columns, rows, details, note, title

    def _followed(self) -> list[str] | None:
        """Participants interviewed at two waves or more (None: everyone interviewed)."""
        if self.everyone:
            return None
        return self.project.followed_participants() or None

    def _compute_trajectory(self):
        p = self.project
        people = self._followed()
        df = p.trajectory([self.code], participants=people, layout="wide")
        waves = [c for c in df.columns if c not in ("participant_id", "theme")]
        rows, details = [], []
        for r in df.to_dict("records"):
            rows.append((cell(r["participant_id"]), *[cell(r[w]) for w in waves]))
            details.append("\n".join(f"{colon(w)} {cell(r[w])}" for w in waves))
        columns = [(_("Participant"), 11)] + [(_("(no wave)") if w == MISSING else w, None)
                                               for w in waves]
        who = _("participants interviewed at two waves or more (a: everyone)") \
            if people else _("every interviewed participant (a: only those followed)")
        title = _("Trajectories on {code} — {who}").format(code=self.code, who=who)
        note = _("Each cell: the participant's own coded words on the code (with its "
                 "sub-codes) in that wave's interview; — no interview at that wave.")
        return df, columns, rows, details, note, title

    def _compute_changes(self):
        p = self.project
        names = p.wave_names()
        if len(names) < 2:
            return (pd.DataFrame(), [], [], [], "",
                    _("A change table needs two waves (the project has {n}).").format(
                        n=len(names)))
        first, second = self.pair if self.pair and set(self.pair) <= set(names) else \
            (names[0], names[1])
        self.pair = (first, second)
        children = [path for path in p.codes()["path"]
                    if path.startswith(self.code + "/") and "/" not in path[len(self.code) + 1:]]
        df = p.wave_changes(first, second, [self.code] + children, who=True)
        rows, details = [], []
        for r in df.to_dict("records"):
            theme = cell(r["theme"])
            if theme != self.code:           # a sub-code: its own name under the code
                theme = "  └ " + theme[len(self.code) + 1:]
            rows.append((theme, str(int(r["panel"])), str(int(r["at_first"])),
                         str(int(r["at_second"])), str(int(r["appears"])),
                         str(int(r["disappears"])), str(int(r["persists"])),
                         str(int(r["absent"]))))
            details.append(" · ".join(
                _("{label}: {who}").format(label=label,
                                           who=cell(r[key]).replace(";", ", ") or "—")
                for label, key in (
                    (_("Appears"), "appears_who"), (_("Disappears"), "disappears_who"),
                    (_("Persists"), "persists_who"), (_("Absent"), "absent_who"))))
        columns = [(_("Theme"), None), (_("Panel"), 6), (first, 8), (second, 8),
                   (_("Appears"), 9), (_("Disappears"), 10), (_("Persists"), 9),
                   (_("Absent"), 7)]
        note = df.attrs["definition"]
        details = [f"{d}\n{note}" for d in details]
        title = _("From {first} to {second}: {code} and its sub-codes (w: waves, c: code)") \
            .format(first=first, second=second, code=self.code)
        return df, columns, rows, details, note, title

    # -- choices -----------------------------------------------------------------------
    def action_pick_code(self) -> None:
        def chosen(code_id):
            if code_id is None:
                return
            self.code = self.project.code_paths().get(code_id)
            if self.view not in ("trajectory", "changes"):
                self.view = "trajectory"
            self.refresh_data()
        self.app.pick_code(chosen, title=_("Code to follow across waves"), allow_create=False)

    def action_pick_stratum(self) -> None:
        strata = self._strata()
        if not strata:
            self.notify(_("No participant attribute to use as a stratum."), severity="warning")
            return

        def chosen(name):
            if name:
                self.stratum, self.view = name, "sampling"
                self.refresh_data()
        self.app.push_screen(ChoiceDialog(_("Stratum (participant attribute)"),
                                          [(s, s) for s in strata]), chosen)

    def action_by_wave(self) -> None:
        self.by_wave = not self.by_wave
        self.view = "sampling"
        self.refresh_data()

    def action_everyone(self) -> None:
        self.everyone = not self.everyone
        if self.view == "trajectory":
            self.refresh_data()

    def action_pick_waves(self) -> None:
        names = self.project.wave_names()
        if len(names) < 2:
            self.notify(_("A change table needs two waves (the project has {n}).").format(
                n=len(names)), severity="warning")
            return

        def second_chosen(first, second):
            if second:
                self.pair, self.view = (first, second), "changes"
                if not self.code:
                    self.action_pick_code()
                    return
                self.refresh_data()

        def first_chosen(first):
            if first:
                later = [(w, w) for w in names if w != first]
                self.app.push_screen(ChoiceDialog(_("Second wave"), later),
                                     lambda second: second_chosen(first, second))
        self.app.push_screen(ChoiceDialog(_("First wave"), [(w, w) for w in names]),
                             first_chosen)

    def action_report(self) -> None:
        """A Word report with, when asked here, the trajectories on the chosen code (and the
        change between successive waves), the sampling frame by the chosen stratum and the
        saturation curve in the methods annex, and each question's quotes grouped by site."""
        p = self.project
        strata = self._strata()
        stratum = self.stratum if self.stratum in strata else \
            next((s for s in ("programme", "groupe") if s in strata), None)
        kinds = p.case_kinds()
        options = dict(trajectories=[self.code] if self.code and p.wave_names() else [],
                       sampling=[stratum] if stratum else [],
                       dossiers_by="site" if "site" in kinds else None,
                       saturation=("programme", "actor_type"))
        path = p.export_path("rapport-vagues", ".docx")

        def job(progress, cancelled):
            return p.export_report(path, progress=progress, cancelled=cancelled, **options)

        def done(result):
            if result:
                self.notify(_("Written: {path}").format(path=result))
        what = [_("trajectories on {code}").format(code=self.code)] if options["trajectories"] \
            else []
        what += [_("sampling frame by {stratum}").format(stratum=stratum)] if stratum else []
        what += [_("quotes grouped by site")] if options["dossiers_by"] else []
        what += [_("saturation")]
        self.notify(_("Word report with: {what}").format(what=", ".join(what) or "—"))
        self.app.run_long(_("Writing {path}").format(path=path.name), job, done)

    def action_export(self) -> None:
        if self.df is None or not len(self.df):
            self.notify(_("Nothing to export in this view."), severity="warning")
            return
        p, df, note, sheet = self.project, self.df, self.note, SHEETS[self.view]
        path = p.export_path(sheet, ".xlsx")

        def job():
            return p.export_tables(path, frames={sheet: df}, notes={sheet: note} if note else None)

        def done(paths):
            if paths:
                self.notify(_("Written: {path}").format(path=paths[0]))
        run_read(self.app, _("Writing {path}").format(path=path.name), job, done)
