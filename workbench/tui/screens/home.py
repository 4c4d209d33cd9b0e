"""Project home: counts, documents by programme and actor type, recent activity,
and what is still uncoded."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from rich.text import Text
from textual.widgets import DataTable, Footer, Header, Static

from workbench.i18n import N_, _, integer, ngettext
from workbench.labels import activity_label, actor_label
from workbench.tui.lang import TrLabel, TrStatic
from workbench.tui.screens.base import BaseScreen, cell


def thousands(n: int) -> str:
    """``12 345`` in French (a no-break thin space), ``12,345`` in English."""
    return integer(n)


class HomeScreen(BaseScreen):
    TITLE = N_("Home")
    BINDINGS = [
        Binding("q", "back", N_("Quit")),
        Binding("d,g", "app.goto('documents')", N_("Documents")),
        Binding("b", "app.goto('codebook')", N_("Codes")),
        Binding("r", "app.goto('retrieval')", N_("Excerpts")),
        Binding("m", "app.goto('memos')", N_("Memos")),
        Binding("p", "app.goto('participants')", N_("Participants")),
        Binding("i", "app.import", N_("Import")),
        Binding("a", "app.goto('analysis')", N_("Analysis")),
        Binding("v", "app.goto('questions')", N_("Questions")),
        Binding("e", "app.export", N_("Export")),
        Binding("t", "app.goto('team')", N_("Team"), show=False),
        Binding("c", "app.goto('privacy')", N_("Privacy")),
        Binding("w", "app.goto('waves')", N_("Waves and cases"), show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="home-counts")
        with Horizontal(id="home-main"):
            with Vertical(id="home-left"):
                yield TrLabel(N_("Documents by programme and actor type"), classes="section-title")
                yield DataTable(id="by-programme", cursor_type="row", zebra_stripes=True)
                yield TrLabel(N_("Recent activity"), classes="section-title", id="lbl-activity")
                yield DataTable(id="activity", cursor_type="row")
            with Vertical(id="home-right"):
                yield TrLabel(N_("Uncoded documents"), classes="section-title")
                yield DataTable(id="uncoded", cursor_type="row", zebra_stripes=True)
        yield TrStatic(N_("d documents · b codebook · r excerpts · m memos · "
                          "p participants · i import · a analysis · v questions · "
                          "w waves and cases · t team · e export · c privacy · ? help · "
                          "ctrl+p commands"), id="home-menu")
        yield Footer()

    def _show_counts(self) -> None:
        """The counts on as many lines as the width needs, never "300" on one line and
        "participants" on the next."""
        box = self.query_one("#home-counts", Static)
        width = box.content_region.width or self.app.size.width - 4
        lines: list[list[str]] = [[]]
        used = 0
        for item in getattr(self, "_counts", []):
            size = Text.from_markup(item).cell_len
            if lines[-1] and used + 3 + size > width:
                lines.append([])
                used = 0
            used += size + (3 if lines[-1] else 0)
            lines[-1].append(item)
        box.update("\n".join("   ".join(line) for line in lines))

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_counts)      # once the box has its new width

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one("#uncoded").focus()

    def refresh_data(self) -> None:
        p = self.project
        info = p.info()
        self.app.sub_title = p.name
        counts = [
            ngettext("{n} document", "{n} documents", info["documents"]),
            ngettext("{n} code", "{n} codes", info["codes"]),
            ngettext("{n} coding", "{n} codings", info["codings"]),
            ngettext("{n} coder", "{n} coders", info["coders"]),
            ngettext("{n} memo", "{n} memos", info["memos"]),
            ngettext("{n} participant", "{n} participants", info["participants"]),
        ]
        values = (info["documents"], info["codes"], info["codings"], info["coders"],
                  info["memos"], info["participants"])
        words = ngettext("{n} word", "{n} words", info["words"]).format(n=thousands(info["words"]))
        self._counts = [c.format(n=f"[b]{thousands(v)}[/b]") for c, v in zip(counts, values)]
        self._counts += [f"[dim]· {words}[/dim]", f"[dim]· {p.path.name}[/dim]"]
        self._show_counts()

        # the count first: it stays visible however narrow the column is
        table = self.query_one("#by-programme", DataTable)
        table.clear(columns=True)
        table.add_columns(_("Docs"), _("Programme"), _("Actor type"))
        for row in info["by_programme"]:        # (the table has half the screen)
            table.add_row(row["documents"], self.programme(row["programme"], 40) or "—",
                          actor_label(row["actor_type"]) or "—")

        act = self.query_one("#activity", DataTable)
        act.clear(columns=True)
        act.add_columns("", "", "", "")
        for entry in p.history(30):
            details = entry.get("details") or {}
            what = details.get("name") or details.get("label") or details.get("to") or ""
            if entry["action"] in ("undo", "redo") and what:
                what = activity_label(what)
            act.add_row(cell(entry["at"])[:16].replace("T", " "), cell(entry.get("coder")),
                        activity_label(entry["action"]), cell(what, 40))

        un = self.query_one("#uncoded", DataTable)
        un.clear(columns=True)
        un.add_columns(_("Document"), _("Programme"), _("Actor type"), _("Words"))
        docs = p.documents(coded=False)
        for r in docs.itertuples(index=False):
            un.add_row(r.name, self.programme(r.programme), actor_label(r.actor_type),
                       r.word_count, key=str(r.id))
        if not len(docs):
            un.add_row(_("Every document is coded."), "", "", "")

    @on(DataTable.RowSelected, "#uncoded")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value and event.row_key.value.isdigit():
            self.app.open_document(int(event.row_key.value))
