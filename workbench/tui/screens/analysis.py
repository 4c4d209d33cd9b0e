"""Matrices and analysis: code × actor type / programme / attribute, co-occurrence,
triangulation (by code or evaluation question), joint display by an attribute and a
binary outcome × code (Fisher).  Every table is computed by the facade in a worker;
enter on a row lists its excerpts (grouped by actor type) and opens one in context."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

from workbench.i18n import N_, _, colon, ngettext
from workbench.labels import actor_label, attribute_type_label, triangulation_status_label
from workbench.tui.lang import Localised, TrInput
from workbench.tui.screens.analysis_common import (CodeLabels, ExcerptsDialog, middle, number,
                                                   run_read, share_text)
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import ChoiceDialog

#: The views of the screen (keys 1–8) and their names.
DISPLAYS = {"matrix_actor": N_("Codes × actor type"), "matrix_programme": N_("Codes × programme"),
            "matrix_attribute": N_("Codes × attribute"), "cooccurrence": N_("Code co-occurrence"),
            "tri_codes": N_("Triangulation by code"),
            "tri_questions": N_("Triangulation by question"),
            "joint": N_("Joint display (attribute)"),
            "outcome": N_("Binary outcome × code (Fisher)")}
#: What a matrix counts
COUNTS = {"passages": N_("passages"), "codings": N_("codings"), "documents": N_("documents"),
          "participants": N_("participants")}
PERCENTS = {"none": N_("counts"), "row": N_("row %"), "column": N_("column %")}
MODES = {"overlap": N_("overlap"), "turn": N_("same turn")}
COLUMNS = {"codes": N_("codes"), "questions": N_("evaluation questions")}
ACTOR_ORDER = ("beneficiary", "trainer", "operator", "other")
TOTAL = "(total)"


def status_label(value) -> str:
    """convergent / more / less / silence / no data, translated."""
    return triangulation_status_label(cell(value))


class _Sheet:
    """Columns and rows gathered first, then put in the DataTable with their widths
    given: a DataTable left to size columns itself while it redraws after a change of
    view keeps the label column at its header's width (four characters)."""

    MAX_WIDTH = 60

    def __init__(self) -> None:
        self.labels: list[str] = []
        self.rows: list[tuple[list, str]] = []

    def add_columns(self, *labels) -> None:
        self.labels.extend(str(label) for label in labels)

    def add_row(self, *values, key: str) -> None:
        self.rows.append((list(values), key))

    def fill(self, table: DataTable) -> None:
        widths = [len(label) for label in self.labels]
        for values, _key in self.rows:
            for i, value in enumerate(values[:len(widths)]):
                longest = max((len(part) for part in str(value).split("\n")), default=0)
                widths[i] = max(widths[i], longest)
        for label, width in zip(self.labels, widths):
            table.add_column(label, width=min(width, self.MAX_WIDTH))
        for values, key in self.rows:
            table.add_row(*values, key=key)


class AnalysisScreen(BaseScreen):
    TITLE = N_("Matrices / Analysis")
    BINDINGS = [
        Binding("q", "back", N_("Back")),
        *[Binding(str(i + 1), f"display('{d}')", N_("show that view"), show=False)
          for i, d in enumerate(DISPLAYS)],
        Binding("A", "choose_attribute", N_("Attribute")),
        Binding("c", "cycle('count')", N_("Count")),
        Binding("percent_sign,P", "cycle('percent')", N_("Percent")),
        Binding("o", "cycle('mode')", N_("Co-occurrence")),
        Binding("z", "toggle_empty", N_("empty rows")),
        Binding("slash", "focus_filter", N_("filter")),
        Binding("f5,ctrl+r", "recompute", N_("Refresh"), show=False),
    ]

    def __init__(self, display: str = "matrix_actor", attribute: str | None = None,
                 **kwargs) -> None:
        super().__init__()
        self.view_name = display if display in DISPLAYS else "matrix_actor"
        self.attribute = attribute
        self.count, self.percent, self.mode, self.columns = "passages", "none", "overlap", "codes"
        self.show_empty = False
        self.where: str | None = None       # a query-language filter (WHERE part)
        self.rows: list[dict] = []          # one per table row: kind, key, label, detail
        self.frame = None
        self._last = None
        self._labels: CodeLabels | None = None
        self.question_texts = {q.id: q.text for q in
                               self.app.project.evaluation_questions().itertuples(index=False)}
        attrs = self.app.project.attributes()
        self.attributes = [(r.name, r.type) for r in attrs.itertuples(index=False)]
        if self.attribute is None and self.attributes:
            booleans = [n for n, kind in self.attributes if kind == "boolean"]
            self.attribute = booleans[0] if booleans else self.attributes[0][0]

    # -- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="filters", id="an-controls"):
            for sel_id, (options, value) in self._options().items():
                yield Select(options, value=value if value is not None else Select.NULL,
                             allow_blank=sel_id == "an-attribute", id=sel_id,
                             prompt=_("Attribute"))
        yield TrInput(placeholder=N_("Filter, then Enter (e.g. programme = avenir AND "
                                     "emploi_6m = \"non\")"), id="an-where")
        yield Static(classes="list-status", id="an-status")
        yield DataTable(id="an-table", cursor_type="row", zebra_stripes=True, classes="list")
        yield Static(id="an-detail")
        yield Footer()

    def on_mount(self) -> None:
        self._sync_visibility()
        self.query_one("#an-table").focus()
        self.compute()

    def _options(self) -> dict[str, tuple[list, object]]:
        return {
            "an-display": ([(f"{i + 1} {_(name)}", d) for i, (d, name) in enumerate(DISPLAYS.items())],
                           self.view_name),
            "an-attribute": ([(n, n) for n, _kind in self.attributes], self.attribute),
            "an-count": ([(_(c), k) for k, c in COUNTS.items()], self.count),
            "an-percent": ([(_(m), k) for k, m in PERCENTS.items()], self.percent),
            "an-mode": ([(_(m), k) for k, m in MODES.items()], self.mode),
            "an-columns": ([(_(m), k) for k, m in COLUMNS.items()], self.columns),
        }

    def _fill_selects(self) -> None:
        for sel_id, (options, value) in self._options().items():
            sel = self.query_one(f"#{sel_id}", Select)
            with sel.prevent(Select.Changed):
                sel.set_options(options)
                if value is not None:
                    sel.value = value

    def _sync_visibility(self) -> None:
        d = self.view_name
        show = {"#an-attribute": d in ("matrix_attribute", "joint", "outcome"),
                "#an-count": d.startswith("matrix"),
                "#an-percent": d.startswith("matrix"),
                "#an-mode": d == "cooccurrence",
                "#an-columns": d in ("joint", "outcome")}
        for sel_id, visible in show.items():
            self.query_one(sel_id).set_class(not visible, "hidden")

    def relabel(self) -> None:
        Localised.relabel(self)
        self.query_one("#an-attribute", Select).prompt = _("Attribute")
        self._fill_selects()
        if self.frame is not None:
            self.show(self.frame)

    def refresh_data(self) -> None:
        self._labels = None
        self._last = None
        self.compute()

    # -- controls ----------------------------------------------------------------------
    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        value = event.value
        if value is Select.NULL or value is None:
            return
        name = {"an-display": "view_name", "an-attribute": "attribute", "an-count": "count",
                "an-percent": "percent", "an-mode": "mode", "an-columns": "columns"}.get(
            event.select.id or "")
        if name and getattr(self, name) != value:
            setattr(self, name, value)
            self._sync_visibility()
            self.compute()

    @on(Input.Submitted, "#an-where")
    def _where(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text.upper().startswith("WHERE "):
            text = text[6:].strip()
        self.where = text or None
        self.compute()
        self.query_one("#an-table").focus()

    def action_focus_filter(self) -> None:
        self.query_one("#an-where", Input).focus()

    def action_display(self, display: str) -> None:
        self.view_name = display
        self._fill_selects()
        self._sync_visibility()
        self.compute()

    def action_cycle(self, what: str) -> None:
        options = list({"count": COUNTS, "percent": PERCENTS, "mode": MODES}[what])
        current = getattr(self, what)
        setattr(self, what, options[(options.index(current) + 1) % len(options)])
        self._fill_selects()
        self.compute()

    def action_choose_attribute(self) -> None:
        def chosen(name):
            if name:
                self.attribute = name
                if self.view_name not in ("matrix_attribute", "joint", "outcome"):
                    self.view_name = "joint"
                self._fill_selects()
                self._sync_visibility()
                self.compute()
        self.app.push_screen(ChoiceDialog(_("Attribute"), [(f"{n} ({attribute_type_label(kind)})", n)
                                                           for n, kind in self.attributes]),
                             chosen)

    def action_toggle_empty(self) -> None:
        self.show_empty = not self.show_empty
        if self.frame is not None:
            self.show(self.frame)

    def action_recompute(self) -> None:
        self._last = None
        self.compute()

    # -- computing -----------------------------------------------------------------------
    def params(self) -> tuple:
        d = self.view_name
        return (d, self.attribute if d in ("matrix_attribute", "joint", "outcome") else None,
                self.count if d.startswith("matrix") else None,
                self.percent if d.startswith("matrix") else None,
                self.mode if d == "cooccurrence" else None,
                self.columns if d in ("joint", "outcome") else None, self.where)

    def compute(self) -> None:
        params = self.params()
        if params == self._last:
            return
        d, attribute, count, percent, mode, columns, where = params
        if d in ("matrix_attribute", "joint", "outcome") and not attribute:
            self.notify(_("Choose an attribute"), severity="warning")
            return
        p = self.project
        pct = None if percent == "none" else percent
        qs = "all" if columns == "questions" else None
        fn = {
            "matrix_actor": lambda: p.matrix("actor_type", count=count, percent=pct, where=where),
            "matrix_programme": lambda: p.matrix("programme", count=count, percent=pct,
                                                 where=where),
            "matrix_attribute": lambda: p.matrix(attribute, count=count, percent=pct,
                                                 where=where),
            "cooccurrence": lambda: p.cooccurrence(mode=mode, where=where),
            "tri_codes": lambda: p.triangulate(where=where),
            "tri_questions": lambda: p.triangulate(questions="all", where=where),
            "joint": lambda: p.joint_display(attribute, questions=qs, where=where),
            "outcome": lambda: p.outcome_by_code(attribute, questions=qs, where=where),
        }[d]

        def done(frame):
            self._last = params
            self.show(frame)

        run_read(self.app, _("{what} — computing…").format(what=_(DISPLAYS[d])), fn, done)

    # -- rendering -----------------------------------------------------------------------
    @property
    def labels(self) -> CodeLabels:
        if self._labels is None:
            self._labels = CodeLabels(self.project)
        return self._labels

    _drawing = 0

    def show(self, frame) -> None:
        self.frame = frame
        self._drawing += 1
        table = self.query_one("#an-table", DataTable)
        table.clear(columns=True)
        self.rows = []
        render = {"cooccurrence": self._cooccurrence, "tri_codes": self._triangulation,
                  "tri_questions": self._triangulation, "joint": self._joint,
                  "outcome": self._outcome}.get(self.view_name, self._matrix)
        sheet = _Sheet()
        render(frame, sheet)
        sheet.fill(table)
        what = _(DISPLAYS[self.view_name])
        if self.view_name in ("matrix_attribute", "joint", "outcome"):
            what += f" · {self.attribute}"
        hint = (_("enter: excerpts of the row (open in context)") if self.view_name.startswith("tri")
                else _("enter: excerpts of the code"))
        rows = ngettext("{n} row · {what}", "{n} rows · {what}", len(self.rows)).format(
            n=len(self.rows), what=what)
        keys = _("1–8: views · z: empty rows")
        self.query_one("#an-status", Static).update(Content(f"{rows} · {hint} · {keys}"))
        self._detail(0)

    def _row_label(self, key: str, kind: str) -> str:
        if key == TOTAL:
            return _("(total)")
        return self.labels.label(key) if kind == "code" else key

    def _add(self, table: DataTable, kind: str, key: str, values: list, detail: str = "") -> None:
        self.rows.append({"kind": kind, "key": key, "detail": detail})
        # row keys unique to this drawing: the table must not reuse a previous view's rows
        table.add_row(self._row_label(key, kind), *values,
                      key=f"{self._drawing}:{len(self.rows) - 1}")

    def _matrix(self, frame, table: DataTable) -> None:
        cols = [c for c in frame.columns if c != "code"]
        header = [actor_label(c) if self.view_name == "matrix_actor" else cell(c) for c in cols]
        table.add_columns(_("Code"), *header)
        for r in frame.to_dict("records"):
            if not self.show_empty and r["code"] != TOTAL and not r.get("total"):
                continue
            self._add(table, "code", r["code"], [number(r[c]) for c in cols], r["code"])

    def _cooccurrence(self, frame, table: DataTable) -> None:
        records = frame.to_dict("records")
        cols = [c for c in frame.columns if c != "code"]
        if not self.show_empty:
            used = {r["code"] for r in records
                    if any((r[c] or 0) for c in cols if c != r["code"] and c in r)}
            cols = [c for c in cols if c in used]
            records = [r for r in records if r["code"] in used]
        table.add_columns(_("Code"), *[self.labels.short(c, 14) for c in cols])
        for r in records:
            self._add(table, "code", r["code"], [number(r[c]) for c in cols], r["code"])

    def _actors(self, frame) -> list[str]:
        return [c[: -len("_codings")] for c in frame.columns if c.endswith("_codings")]

    def _triangulation(self, frame, table: DataTable) -> None:
        first = frame.columns[0]
        kind = "question" if first == "question" else "code"
        actors = self._actors(frame)
        header = [_("Question") if kind == "question" else _("Code")]
        for a in actors:
            header += [f"{actor_label(a)} n", "%", _("status")]
        table.add_columns(*header, _("Summary"))
        for r in frame.to_dict("records"):
            if not self.show_empty and not any(r[f"{a}_codings"] for a in actors):
                continue
            values = []
            head = f"{r[first]} — {cell(r['summary'])}"
            if kind == "question":
                head = (f"{r[first]} {self.question_texts.get(r[first], '')}\n"
                        + colon(_("Summary")) + f" {cell(r['summary'])}")
            detail = [head]
            for a in actors:
                values += [number(r[f"{a}_codings"]), number(r[f"{a}_share"]),
                           status_label(r[f"{a}_status"])]
                for quote in str(r.get(f"{a}_exemplars") or "").split("\n"):
                    if quote.strip():
                        detail.append(f"[{actor_label(a)}] {middle(quote, 150)}")
            values.append(cell(r["summary"]))
            self._add(table, kind, r[first], values, "\n".join(detail))

    def _joint(self, frame, table: DataTable) -> None:
        kind = "question" if self.columns == "questions" else "code"
        groups: list[tuple[str, int]] = []
        cells: dict[str, dict[str, str]] = {}
        quotes: dict[str, list[str]] = {}
        order: list[str] = []
        for r in frame.to_dict("records"):
            g = cell(r["group"])
            if (g, r["n_participants"]) not in groups:
                groups.append((g, r["n_participants"]))
            col = cell(r["column"])
            if col not in cells:
                cells[col], quotes[col] = {}, []
                order.append(col)
            cells[col][g] = f"{number(r['participants'])} · {share_text(r['share'])}"
            if r.get("exemplars"):
                quotes[col].append(f"[{g}] {cell(r['exemplars'])}")
            cells[col].setdefault("_n", 0)
            cells[col]["_n"] += int(r["participants"] or 0)
        header = [_("Question") if kind == "question" else _("Code")]
        header += [f"{g} (n={number(n)})" for g, n in groups]
        table.add_columns(*header)
        for col in order:
            if not self.show_empty and not cells[col]["_n"]:
                continue
            self._add(table, kind, col, [cells[col].get(g, "") for g, _n in groups],
                      f"{col}\n" + "\n".join(quotes[col]))

    def _outcome(self, frame, table: DataTable) -> None:
        kind = "question" if self.columns == "questions" else "code"
        table.add_columns(_("Question") if kind == "question" else _("Code"),
                          _("n with"), _("% with"), _("n without"), _("% without"), _("diff."),
                          _("OR"), _("p (Fisher)"), "⚠")
        for r in frame.to_dict("records"):
            if not self.show_empty and not r["n_with"]:
                continue
            warning = cell(r.get("warning"))
            self._add(table, kind, cell(r["column"]),
                      [number(r["n_with"]), number(r["rate_with"]), number(r["n_without"]),
                       number(r["rate_without"]), number(r["difference"]),
                       number(r["odds_ratio"], 2), number(r["p_value"], 3),
                       "⚠" if warning else ""],
                      cell(r["column"]) + "\n" + colon(_("Warning")) + f" {warning}" if warning
                      else cell(r["column"]))

    # -- detail and excerpts -------------------------------------------------------------
    def _detail(self, index: int) -> None:
        box = self.query_one("#an-detail", Static)
        if not (0 <= index < len(self.rows)):
            box.update("")
            return
        box.update(Content(self.rows[index]["detail"]))

    @on(DataTable.RowHighlighted, "#an-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self._detail(int(event.row_key.value.split(":")[1]))

    @on(DataTable.RowSelected, "#an-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is None:
            return
        row = self.rows[int(event.row_key.value.split(":")[1])]
        if row["key"] == TOTAL:
            return
        self.show_excerpts(row)

    def show_excerpts(self, row: dict) -> None:
        p = self.project
        key, kind = row["key"], row["kind"]
        if kind == "question":
            fn = lambda: p.question_dossier(key).excerpts  # noqa: E731
        else:
            cid = self.labels.ids.get(key)
            if cid is None:
                return
            fn = lambda: p.query(str(cid))  # noqa: E731

        def done(df):
            rank = {a: i for i, a in enumerate(ACTOR_ORDER)}
            records = sorted(df.to_dict("records"),
                             key=lambda r: rank.get(cell(r.get("actor_type")), len(rank)))
            self.app.push_screen(ExcerptsDialog(_("Excerpts: {what}").format(what=middle(key, 90)),
                                                row["detail"], records))

        run_read(self.app, _("Computing…"), fn, done)
