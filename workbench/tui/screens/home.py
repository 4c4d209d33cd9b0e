"""Project home: counts, documents by programme and actor type, recent activity,
and what is still uncoded."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Label, Static

from workbench.domain import programme_label
from workbench.tui.i18n import actor, t
from workbench.tui.screens.base import BaseScreen, cell

ACTIVITY = {
    "fr": {"coding.apply": "codage", "coding.apply_segments": "codage", "coding.remove": "décodage",
           "memo.add": "mémo", "memo.update": "mémo modifié", "code.create": "code créé",
           "code.rename": "code renommé", "code.merge": "codes fusionnés", "code.move": "code déplacé",
           "code.delete": "code supprimé", "document.import": "import", "undo": "annulation",
           "redo": "rétablissement", "participants.import": "participants importés"},
}


class HomeScreen(BaseScreen):
    section = "home"
    BINDINGS = [
        Binding("q", "back", t("key.quit")),
        Binding("d,g", "app.goto('documents')", t("key.documents")),
        Binding("b", "app.goto('codebook')", t("key.codebook")),
        Binding("r", "app.goto('retrieval')", t("key.retrieval")),
        Binding("m", "app.goto('memos')", t("key.memos")),
        Binding("p", "app.goto('participants')", t("key.participants")),
        Binding("i", "app.import", t("key.import")),
        Binding("a", "app.goto('analysis')", t("key.analysis")),
        Binding("v", "app.goto('questions')", t("key.questions")),
        Binding("e", "app.export", t("key.export")),
        Binding("t", "app.goto('team')", "Team", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="home-counts")
        with Horizontal(id="home-main"):
            with Vertical(id="home-left"):
                yield Label(t("home.by_programme"), classes="section-title", id="lbl-programme")
                yield DataTable(id="by-programme", cursor_type="row", zebra_stripes=True)
                yield Label(t("home.activity"), classes="section-title", id="lbl-activity")
                yield DataTable(id="activity", cursor_type="row")
            with Vertical(id="home-right"):
                yield Label(t("home.uncoded"), classes="section-title", id="lbl-uncoded")
                yield DataTable(id="uncoded", cursor_type="row", zebra_stripes=True)
        yield Static(t("home.menu"), id="home-menu")
        yield Footer()

    def on_mount(self) -> None:
        self.title = t("screen.home")
        self.refresh_data()
        self.query_one("#uncoded").focus()

    def relabel(self) -> None:
        self.query_one("#lbl-programme", Label).update(t("home.by_programme"))
        self.query_one("#lbl-activity", Label).update(t("home.activity"))
        self.query_one("#lbl-uncoded", Label).update(t("home.uncoded"))
        self.query_one("#home-menu", Static).update(t("home.menu"))
        super().relabel()

    def refresh_data(self) -> None:
        p = self.project
        info = p.info()
        self.app.sub_title = p.name
        counts = [("home.documents", info["documents"]), ("home.codes", info["codes"]),
                  ("home.codings", info["codings"]), ("home.coders", info["coders"]),
                  ("home.memos", info["memos"]), ("home.participants", info["participants"])]
        text = "   ".join(f"[b]{n}[/b] {t(k)}" for k, n in counts)
        text += f"   [dim]· {info['words']:,} {t('home.words')} · {p.path.name}[/dim]".replace(",", " ")
        self.query_one("#home-counts", Static).update(text)

        table = self.query_one("#by-programme", DataTable)
        table.clear(columns=True)
        table.add_columns(t("home.programme"), t("home.actor_type"), t("home.count"))
        for row in info["by_programme"]:
            table.add_row(programme_label(row["programme"]) or "—", actor(row["actor_type"]) or "—",
                          row["documents"])

        act = self.query_one("#activity", DataTable)
        act.clear(columns=True)
        act.add_columns("", "", "", "")
        labels = ACTIVITY.get(__import__("workbench.tui.i18n", fromlist=["language"]).language(), {})
        for entry in p.history(30):
            details = entry.get("details") or {}
            what = details.get("name") or details.get("label") or details.get("to") or ""
            act.add_row(cell(entry["at"])[:16].replace("T", " "), cell(entry.get("coder")),
                        labels.get(entry["action"], entry["action"]), cell(what, 40))

        un = self.query_one("#uncoded", DataTable)
        un.clear(columns=True)
        un.add_columns(t("docs.name"), t("home.programme"), t("home.actor_type"), t("docs.words"))
        docs = p.documents(coded=False)
        for r in docs.itertuples(index=False):
            un.add_row(r.name, programme_label(cell(r.programme)), actor(r.actor_type), r.word_count,
                       key=str(r.id))
        if not len(docs):
            un.add_row(t("home.nothing_uncoded"), "", "", "")

    @on(DataTable.RowSelected, "#uncoded")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value and event.row_key.value.isdigit():
            self.app.open_document(int(event.row_key.value))
