"""Working as a team: coders, sharing a copy, merging a colleague's work, agreement, and
the comparison screen where disagreements are adjudicated (keep A, keep B, both or
neither, recorded as consensus codings)."""
from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Header, Static

from workbench.domain import CONSENSUS_CODER
from workbench.i18n import N_, _, colon, decimal, ngettext, percent
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, TextInputDialog
from workbench.tui.widgets.rowlist import RowList

#: Coder A and coder B, wherever they are shown (text on a coloured background).
COLOUR_A = "black on #8EC5EB"
COLOUR_B = "black on #F5B971"
STATUS = {"agree": N_("agree"), "a_only": N_("A only"), "b_only": N_("B only"),
          "differ": N_("differ")}
DECISION = {"a": N_("kept A"), "b": N_("kept B"), "both": N_("kept both"),
            "neither": N_("neither"), "": ""}


def _label(table: dict, key: str) -> str:
    """A status or decision in the interface language ("" for none)."""
    msgid = table.get(key) or ""
    return _(msgid) if msgid else ""


def ask_coder_name(app, then=None) -> None:
    """Ask who is coding (first use of a project): never the login name silently."""
    project = app.project
    hint = project.coder_hint()

    def done(value):
        if value and value.strip():
            name = app.change(project.set_coder, value)
            if name:
                app.notify(_("You code as {name} in this project.").format(name=name))
        elif project.needs_coder_name():
            app.notify(_("No name given: your changes are recorded as {login} until you "
                         "give one (team screen, n).").format(login=project.coder),
                       severity="warning", timeout=8)
        if then:
            then()

    app.push_screen(TextInputDialog(_("Who is coding? Your name in this project"), hint,
                                    placeholder=_("First name Last name")), done)


def _non_consensus(project) -> list[str]:
    return [c for c, n in zip(project.coders()["name"], project.coders()["codings"])
            if c != CONSENSUS_CODER and n]


class TeamScreen(BaseScreen):
    """Coders of the project and the team actions."""

    TITLE = N_("Team")
    DEFAULT_CSS = """
    TeamScreen #team-coders { height: 1fr; }
    """
    BINDINGS = [
        Binding("q", "back", N_("Back")),
        Binding("a", "agreement", N_("agreement")),
        Binding("c", "compare", N_("compare")),
        Binding("m", "merge", N_("merge")),
        Binding("s", "share", N_("share")),
        Binding("n", "name", N_("my name")),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="team-title", classes="section-title")
        yield RowList(id="team-coders", classes="list")
        yield Static(id="team-origin")
        yield Static(Content(_("a agreement · c compare and adjudicate · m merge a colleague's "
                               "file · s share a copy · n my name")), id="team-menu")
        yield Footer()

    def on_mount(self) -> None:
        self.app.attempt(self.refresh_data)
        self.query_one("#team-coders").focus()

    def refresh_data(self) -> None:
        p = self.project
        df = p.coders()
        rows = [(cell(r.name) + (" ★" if r.name == p.coder else ""), str(int(r.codings)))
                for r in df.itertuples(index=False)]
        self.query_one("#team-coders", RowList).set_data(
            [(_("Coder"), 30), (_("Codings"), 10)], rows)
        self.query_one("#team-title", Static).update(Content(
            _("You code as {name}").format(name=p.coder)
            + (" " + _("(login name: give yours with n)") if p.needs_coder_name() else "")))
        origin = p.shared_from()
        text = ""
        if origin:
            text = _("Copy of {name} made for {coder}{blind} on {date}.").format(
                name=origin.get("name", ""), coder=origin.get("for", ""),
                blind=" " + _("(blind)") if origin.get("blind") else "",
                date=str(origin.get("at", ""))[:10])
        self.query_one("#team-origin", Static).update(Content(text))

    # -- actions -----------------------------------------------------------------------
    def action_name(self) -> None:
        ask_coder_name(self.app, lambda: self.app.attempt(self.refresh_data))

    def action_agreement(self) -> None:
        self.app.push_screen(AgreementScreen())

    def action_compare(self) -> None:
        p = self.project
        coders = _non_consensus(p)
        if len(coders) < 2:
            self.notify(_("Comparing needs two coders with codings."), severity="warning")
            return
        docs = p.documents()
        choices = [(f"{r.name}", int(r.id)) for r in docs.itertuples(index=False)
                   if len(set(p.codings(int(r.id))["coder"]) & set(coders)) >= 2]
        if not choices:
            self.notify(_("No document is coded by two coders yet."), severity="warning")
            return

        def pick_b(doc_id, a):
            left = [(c, c) for c in coders if c != a]
            if len(left) == 1:
                self.app.push_screen(ComparisonScreen(doc_id, a, left[0][1]))
                return
            self.app.push_screen(ChoiceDialog(_("Compare {a} with…").format(a=a), left),
                                 lambda b: b and self.app.push_screen(
                                     ComparisonScreen(doc_id, a, b)))

        def pick_a(doc_id):
            if doc_id is None:
                return
            here = [c for c in coders if c in set(p.codings(doc_id)["coder"])]
            if len(here) == 2:
                self.app.push_screen(ComparisonScreen(doc_id, here[0], here[1]))
                return
            self.app.push_screen(ChoiceDialog(_("Coder A"), [(c, c) for c in here]),
                                 lambda a: a and pick_b(doc_id, a))

        self.app.push_screen(ChoiceDialog(_("Document to compare"), choices), pick_a)

    def action_share(self) -> None:
        p = self.project

        def with_name(name):
            if not name or not name.strip():
                return
            default = str(p.path.with_name(f"{p.path.stem}-{name.strip().split()[0].lower()}"
                                           f".wbproj"))

            def with_path(path):
                if not path:
                    return

                def blind(yes):
                    info = self.app.attempt(p.share, path, name, blind=bool(yes))
                    if info:
                        self.notify(_("Copy written for {coder}: {path}").format(
                            coder=info["coder"], path=info["path"]))
                self.app.push_screen(ConfirmDialog(
                    _("Blind copy: leave out everyone else's codings and coding memos?"),
                    _("Share a copy")), blind)

            self.app.push_screen(TextInputDialog(_("Write the copy to"), default), with_path)

        self.app.push_screen(TextInputDialog(_("Share a copy with (colleague's name)")),
                             with_name)

    def action_merge(self) -> None:
        def with_path(path):
            if path and path.strip():
                start_merge(self.app, path.strip(), on_done=lambda: self.app.attempt(
                    self.refresh_data))
        self.app.push_screen(TextInputDialog(_("Merge the work in (a .wbproj or .qdpx file)"),
                                             placeholder="collegue.wbproj"), with_path)


def start_merge(app, path: str, choices: dict | None = None, on_done=None) -> None:
    """Preview, ask each conflict's choice, confirm, then merge (one undoable step)."""
    from workbench.public import MergeConflicts
    choices = dict(choices or {})
    project = app.project

    def preview(progress, cancelled):
        return project.merge(path, choices=choices, preview=True, progress=progress,
                             cancelled=cancelled)

    def previewed(report):
        pending = [c for c in report.conflicts if c.choice is None]
        if pending:
            c = pending[0]
            labels = {"ours": _("ours: {v}").format(v=c.ours), "theirs": _("theirs: {v}").format(
                v=c.theirs), "both": _("both"), "skip": _("leave theirs out"),
                "add": _("add theirs under another name")}
            app.push_screen(ChoiceDialog(f"{c.title()} ({c.id[:24]}…)",
                                         [(labels.get(ch, ch), ch) for ch in c.choices]),
                            lambda ch: ch and start_merge(app, path, {**choices, c.id: ch},
                                                          on_done))
            return
        summary = "\n".join(report.summary())
        if not report.changed:
            app.notify(_("Nothing to merge: everything in {path} is already here.").format(
                path=Path(path).name))
            return

        def confirmed(yes):
            if not yes:
                return

            def job(progress, cancelled):
                return project.merge(path, choices=choices, progress=progress,
                                     cancelled=cancelled)

            def merged(rep):
                app.notify(_("Merged {path}: {n} codings added (one undoable step)").format(
                    path=Path(path).name, n=rep.codings_added))
                if on_done:
                    on_done()
            app.run_long(_("Merging"), job, merged)

        app.push_screen(ConfirmDialog(summary, _("Merge {path}?").format(path=Path(path).name)),
                        confirmed)

    def failed_ok(report):
        try:
            previewed(report)
        except MergeConflicts as exc:      # pragma: no cover - preview never raises it
            app.show_error(exc)

    app.run_long(_("Reading {path}").format(path=Path(path).name), preview, failed_ok)


class AgreementScreen(BaseScreen):
    """Agreement per code, per parent code and overall, with 95 % intervals."""

    TITLE = N_("Agreement")
    DEFAULT_CSS = """
    AgreementScreen #agreement-table { height: 1fr; }
    AgreementScreen #agreement-detail { height: 4; }
    """
    BINDINGS = [Binding("q", "back", N_("Back")),
                Binding("u", "unit", N_("unit")),
                Binding("r", "measure", N_("measure again"))]
    UNITS = ("turn", "sentence", "paragraph", "character")

    def __init__(self, **kwargs) -> None:
        super().__init__()
        self.unit = "turn"
        self.df = None
        self._computed: tuple | None = None      # (unit, data version) of self.df

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="agreement-title", classes="section-title")
        yield RowList(id="agreement-table", classes="list")
        yield Static(id="agreement-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one("#agreement-table").focus()

    def refresh_data(self) -> None:
        """Measuring takes seconds: done on opening, on a change of unit, and on ``r``;
        when others change the project meanwhile, the title says so."""
        if self.df is None:
            self.measure()
        else:
            self._fill()

    def action_measure(self) -> None:
        self.measure()

    def measure(self) -> None:
        key = (self.unit, self.project.data_version())
        unit = self.unit

        def job(progress, cancelled):
            return self.project.agreement(unit=unit)

        def done(df):
            self.df = df
            self._computed = key
            self._fill()
        self.app.run_long(_("Measuring agreement"), job, done)

    def _fill(self) -> None:
        df = self.df
        two = "cohen_kappa" in df.columns
        kappa = "cohen_kappa" if two else "fleiss_kappa"

        def value(r, col):
            v = r[col]
            if v != v:
                return _("undefined")
            lo, hi = r.get(f"{col}_low"), r.get(f"{col}_high")
            text = decimal(v, 2)
            if lo == lo and hi == hi and lo is not None:
                text += f" [{decimal(lo, 2)}–{decimal(hi, 2)}]"
            return text

        rows, order = [], []
        ordered = df.sort_values(["scope"], key=lambda s: s.map({"overall": 0, "pooled": 1,
                                                                  "code": 2}), kind="stable")
        for i, r in ordered.iterrows():
            label = _("All codes") if r["scope"] == "overall" else r["code"]
            rows.append((label, str(int(r["units"])),
                         "" if r["prevalence"] != r["prevalence"] else percent(r["prevalence"], 1),
                         value(r, "agreement"), value(r, kappa) if r["unit"] != "character" else "",
                         value(r, "alpha"), "!" if r["sparse"] else ""))
            order.append(i)
        self._order = order
        k_label = _("Cohen's κ") if two else _("Fleiss' κ")
        self.query_one("#agreement-table", RowList).set_data(
            [(_("Code"), 34), (_("Units"), 7), (_("Prev."), 6), (_("Agreement"), 17),
             (k_label, 18), (_("α"), 18), ("", 2)], rows, order)
        a = df.attrs
        title = _("Agreement between {coders} · unit: {unit} (u to change) · 95% intervals, {n} "
                  "bootstrap resamples").format(coders=", ".join(a["coders"]),
                                                unit=_(self._unit()), n=a["resamples"])
        if self._computed and self._computed[1] != self.project.data_version():
            title += " · " + _("the project changed since: r to measure again")
        self.query_one("#agreement-title", Static).update(Content(title))

    def _unit(self) -> str:
        from workbench.public import UNIT_LABELS
        return UNIT_LABELS[self.unit]

    @on(RowList.Highlighted, "#agreement-table")
    def _detail(self, event: RowList.Highlighted) -> None:
        if self.df is None or not (0 <= event.index < len(self._order)):
            return
        r = self.df.loc[self._order[event.index]]
        coded = " · ".join(f"{colon(c[7:])} {int(r[c])}" for c in self.df.columns
                           if c.startswith("coded: "))
        self.query_one("#agreement-detail", Static).update(Content(
            f"{r['code']}\n{coded}" + (f"\n{r['note']}" if r["note"] else "")))

    def action_unit(self) -> None:
        self.unit = self.UNITS[(self.UNITS.index(self.unit) + 1) % len(self.UNITS)]
        self.measure()


class ComparisonScreen(BaseScreen):
    """One document, two coders: every place where either coded, side by side in each
    coder's colour; jump from disagreement to disagreement and settle each."""

    TITLE = N_("Compare and adjudicate")
    DEFAULT_CSS = """
    ComparisonScreen #compare-places { height: 1fr; }
    ComparisonScreen #compare-sides { height: 45%; }
    ComparisonScreen .compare-side { width: 1fr; padding: 0 1; }
    ComparisonScreen #compare-a, ComparisonScreen #compare-b { height: 1fr; overflow-y: auto; }
    """
    BINDINGS = [
        Binding("q", "back", N_("Back")),
        Binding("n", "jump(1)", N_("next difference")),
        Binding("p", "jump(-1)", N_("previous difference")),
        Binding("a", "decide('a')", N_("keep A")),
        Binding("b", "decide('b')", N_("keep B")),
        Binding("plus", "decide('both')", N_("keep both")),
        Binding("minus", "decide('neither')", N_("neither")),
        Binding("m", "memo", N_("memo")),
        Binding("g", "agreements", N_("accept agreements")),
    ]

    def __init__(self, doc_id: int, coder_a: str, coder_b: str, **kwargs) -> None:
        super().__init__()
        self.doc_id, self.coder_a, self.coder_b = doc_id, coder_a, coder_b
        self.places: list[dict] = []
        self.memo: tuple[int, str] | None = None
        self.text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="compare-title", classes="section-title")
        yield RowList(id="compare-places", classes="list")
        with Horizontal(id="compare-sides"):
            with Vertical(classes="compare-side"):
                yield Static(id="compare-a-title")
                yield Static(id="compare-a")
            with Vertical(classes="compare-side"):
                yield Static(id="compare-b-title")
                yield Static(id="compare-b")
        yield Footer()

    def on_mount(self) -> None:
        self.app.attempt(self.refresh_data)
        self.query_one("#compare-places").focus()

    def refresh_data(self, keep: int | None = None) -> None:
        p = self.project
        table = self.query_one("#compare-places", RowList)
        keep = table.cursor if keep is None else keep
        self.text = p.text(self.doc_id)
        df = p.comparison(self.doc_id, self.coder_a, self.coder_b)
        self.places = df.to_dict("records")
        rows = []
        words = p.spans_words((self.doc_id, r["start"], r["end"]) for r in self.places)
        for r, quote in zip(self.places, words):
            excerpt = " ".join(quote.split())       # the words, as quoted: no label
            rows.append((_label(STATUS, r["status"]), cell(r["code"], 40),
                         _label(DECISION, r["decision"]), excerpt))
        table.set_data([(_("Status"), 9), (_("Code"), 28), (_("Decision"), 11),
                        (_("Text"), None)], rows)
        if rows:
            table.move_cursor(min(keep, len(rows) - 1))
        todo = sum(1 for r in self.places if r["status"] != "agree" and not r["decision"])
        differ = sum(1 for r in self.places if r["status"] != "agree")
        name = p.document(self.doc_id).name
        self.query_one("#compare-title", Static).update(Content.assemble(
            (f"{name} · ", "bold"), (f" A {self.coder_a} ", COLOUR_A), " ",
            (f" B {self.coder_b} ", COLOUR_B), " · ",
            ngettext("{n} place", "{n} places", len(rows)).format(n=len(rows)), " · ",
            ngettext("{n} difference", "{n} differences", differ).format(n=differ), " · ",
            ngettext("{n} to settle", "{n} to settle", todo).format(n=todo)))
        self.query_one("#compare-a-title", Static).update(Content.assemble(
            ("A ", "bold"), (f" {self.coder_a} ", COLOUR_A)))
        self.query_one("#compare-b-title", Static).update(Content.assemble(
            ("B ", "bold"), (f" {self.coder_b} ", COLOUR_B)))
        self._show(table.cursor if rows else None)

    def _side(self, place: dict, spans, style: str) -> Content:
        lo = max(0, place["start"] - 80)
        hi = min(len(self.text), place["end"] + 80)
        parts, pos = [], lo
        for s, e in sorted(tuple(x) for x in spans):
            s, e = max(s, lo), min(e, hi)
            if s > pos:
                parts.append((self.text[pos:s], "dim"))
            if e > max(s, pos):
                parts.append((self.text[max(s, pos):e], style))
            pos = max(pos, e)
        parts.append((self.text[pos:hi], "dim"))
        if not spans:
            parts.insert(0, (_("(not coded)") + "\n", "italic"))
        return Content.assemble(*[(" ".join(t.split("\n")), st) for t, st in parts])

    def _show(self, index: int | None) -> None:
        a, b = self.query_one("#compare-a", Static), self.query_one("#compare-b", Static)
        if index is None or not (0 <= index < len(self.places)):
            a.update(_("Neither coder coded this document."))
            b.update("")
            return
        place = self.places[index]
        a.update(self._side(place, place["a_spans"], COLOUR_A))
        b.update(self._side(place, place["b_spans"], COLOUR_B))

    @on(RowList.Highlighted, "#compare-places")
    def _highlighted(self, event: RowList.Highlighted) -> None:
        self._show(event.index)

    def _current(self) -> tuple[int, dict] | None:
        table = self.query_one("#compare-places", RowList)
        if not self.places:
            return None
        return table.cursor, self.places[table.cursor]

    def action_jump(self, step: int) -> None:
        table = self.query_one("#compare-places", RowList)
        n = len(self.places)
        for k in range(1, n + 1):
            i = (table.cursor + step * k) % n
            if self.places[i]["status"] != "agree" and not self.places[i]["decision"]:
                table.move_cursor(i)
                return
        self.notify(_("No difference left to settle."))

    def action_decide(self, decision: str) -> None:
        cur = self._current()
        if cur is None:
            return
        i, place = cur
        memo = self.memo[1] if self.memo and self.memo[0] == i else None
        ids = self.app.change(self.project.adjudicate, self.doc_id, int(place["code_id"]),
                              int(place["start"]), int(place["end"]), decision, self.coder_a,
                              self.coder_b, memo=memo)
        if self.app.ok:
            self.memo = None
            self.refresh_data(keep=i)
            self.notify(ngettext("{decision}: {n} consensus coding", "{decision}: {n} consensus codings",
                                 len(ids or [])).format(
                decision=_label(DECISION, decision), n=len(ids or [])))
            self.action_jump(1) if any(r["status"] != "agree" and not r["decision"]
                                       for r in self.places) else None

    def action_memo(self) -> None:
        cur = self._current()
        if cur is None:
            return

        def done(text):
            if text and text.strip():
                self.memo = (cur[0], text.strip())
                self.notify(_("The memo goes with the decision on this place."))
        self.app.push_screen(TextInputDialog(_("Why (memo kept with the decision)"),
                                             multiline=True), done)

    def action_agreements(self) -> None:
        n = self.app.change(self.project.accept_agreements, self.doc_id, self.coder_a,
                            self.coder_b)
        if self.app.ok:
            self.refresh_data()
            n = n or 0
            self.notify(ngettext("{n} agreed place copied to the consensus",
                                 "{n} agreed places copied to the consensus", n).format(n=n))
