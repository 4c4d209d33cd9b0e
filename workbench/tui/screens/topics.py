"""Topics: topic-model runs, their topics and representative excerpts (when the topic
module exists); fits run in a cancellable worker."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from workbench.tui.i18n import t
from workbench.tui.screens.base import BaseScreen, cell


class TopicsScreen(BaseScreen):
    section = "topics"
    BINDINGS = [Binding("q", "back", t("key.back"))]

    def __init__(self, **kwargs) -> None:
        super().__init__()
        self.available = callable(getattr(self.app.project, "topic_runs", None))

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(classes="list-status", id="topic-status")
        yield DataTable(id="topic-table", cursor_type="row", zebra_stripes=True, classes="list")
        yield Footer()

    def on_mount(self) -> None:
        self.title = t("screen.topics")
        if not self.available:
            self.query_one("#topic-status", Static).update(t("topics.none"))
            return
        self.refresh_data()

    def refresh_data(self) -> None:
        if not self.available:
            return
        df = self.project.topic_runs()
        table = self.query_one("#topic-table", DataTable)
        table.clear(columns=True)
        table.add_columns(*[str(c) for c in df.columns])
        for r in df.itertuples(index=False):
            table.add_row(*[cell(v, 60) for v in r])
        self.query_one("#topic-status", Static).update(t("topics.runs"))
