"""Shared by the queries, analysis, evaluation-question and export screens: a
read-only computation in a thread worker (progress dialog + Cancel), readable code
paths, and an excerpt list whose enter opens the excerpt in context."""
from __future__ import annotations

from typing import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static
from textual.worker import get_current_worker

from workbench.i18n import N_, _, decimal, percent
from workbench.labels import actor_label
from workbench.tui.lang import Localised
from workbench.tui.screens.base import cell
from workbench.tui.screens.dialogs import ProgressDialog
from workbench.tui.widgets.rowlist import RowList


def run_read(app, label: str, fn: Callable[[], object], on_done: Callable[[object], None]) -> None:
    """Run ``fn()`` (a read through the facade) in a thread worker behind a progress
    dialog; Cancel discards the result; an error shows in the error dialog.  Unlike
    ``app.run_long`` nothing is marked stale: reads change no data."""
    dialog = ProgressDialog(label)
    app.push_screen(dialog)

    def job():
        worker = get_current_worker()
        app.call_from_thread(dialog.update_progress, 0, None, label)
        try:
            result = fn()
        except Exception as exc:  # shown in the error dialog, never a traceback
            app.call_from_thread(_finished, app, dialog, None, exc, on_done, False)
            return
        app.call_from_thread(_finished, app, dialog, result, None, on_done, worker.is_cancelled)

    dialog.worker = app.run_worker(job, thread=True, exit_on_error=False, group="read",
                                   description=label)


def _finished(app, dialog, result, exc, on_done, cancelled: bool) -> None:
    if dialog in app.screen_stack:
        dialog.dismiss()
    owner = getattr(on_done, "__self__", None)
    if isinstance(owner, Screen) and owner not in app.screen_stack:
        return                          # the screen that asked was closed meanwhile
    if cancelled:
        app.notify(_("Cancelled"))
        return
    if exc is not None:
        app.show_error(exc)
        return
    app.attempt(on_done, result)


class CodeLabels:
    """Code path → an indented short label (``  Mobilité`` under ``Freins``)."""

    def __init__(self, project) -> None:
        self.depth: dict[str, int] = {}
        self.name: dict[str, str] = {}
        self.ids: dict[str, int] = {}
        for r in project.codes().itertuples(index=False):
            self.depth[r.path] = int(r.depth)
            self.name[r.path] = r.name
            self.ids[r.path] = int(r.id)

    def label(self, path, width: int = 48) -> str:
        path = cell(path)
        if path not in self.name:
            return middle(path, width)
        text = "  " * self.depth[path] + self.name[path]
        return middle(text, width)

    def short(self, path, width: int = 16) -> str:
        path = cell(path)
        return middle(self.name.get(path, path), width)


def middle(text: str, width: int) -> str:
    """Cut the middle of a long text: ``Analyse des…positionnement``."""
    if len(text) <= width:
        return text
    keep = width - 1
    head = keep // 2
    return text[:head] + "…" + text[len(text) - (keep - head):]


def number(value, digits: int = 1) -> str:
    """A count or a share for a table cell (``12``, ``16.7``, in French ``16,7``; blank
    when missing)."""
    v = cell(value)
    if v == "" or isinstance(value, (bool, str)):
        return v
    try:
        f = float(value)
    except (TypeError, ValueError):
        return v
    if f in (float("inf"), float("-inf")):
        return "∞" if f > 0 else "-∞"
    if f.is_integer():
        return str(int(f))
    return decimal(f, digits)


def share_text(value, digits: int = 1) -> str:
    """A share already in percent (``16.7``) with its sign as the language writes it
    (``16,7 %`` in French, ``16.7%`` in English); blank when missing."""
    v = number(value, digits)
    if v == "":
        return ""
    return percent(float(value) / 100, None if float(value).is_integer() else digits)


def excerpt_rows(records: list[dict]) -> tuple[list[tuple[str, ...]], list[dict]]:
    """Rows for an excerpt RowList, grouped by actor type (in the order given)."""
    rows = []
    for r in records:
        rows.append((actor_label(cell(r.get("actor_type"))), cell(r.get("document")),
                     cell(r.get("speaker")), cell(r.get("participant_id")),
                     cell(r.get("text")), short_codes(r.get("codes"))))
    return rows, records


def short_codes(codes) -> str:
    """``Freins/Mobilité; Orientation`` → ``Mobilité; Orientation`` (full paths in the preview)."""
    return "; ".join(c.strip().rsplit("/", 1)[-1] for c in cell(codes).split(";") if c.strip())


def excerpt_columns() -> list[tuple[str, int | None]]:
    return [(_("Actor"), 12), (_("Document"), 16), (_("Speaker"), 10),
            (_("Participant"), 11), (_("Excerpt"), None), (_("Codes"), 28)]


def open_record(app, r: dict) -> None:
    s, e = int(r["start"]), int(r["end"])
    app.open_document(int(r["document_id"]), offset=s, select=(s, e))


class ExcerptsDialog(Localised, ModalScreen[None]):
    """Excerpts (grouped by actor type) with a header text (e.g. exemplar quotes);
    enter opens the highlighted excerpt in the coder."""

    BINDINGS = [Binding("escape,q", "close", N_("Close"))]

    def __init__(self, title: str, header: str, records: list[dict]) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.header, self.records = title, header, records

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog excerpts-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(Content(self.header), id="excerpts-header")
            yield RowList(id="excerpts-list")
            yield Static(id="excerpts-preview")

    def on_mount(self) -> None:
        rows, _records = excerpt_rows(self.records)
        lst = self.query_one(RowList)
        lst.set_data(excerpt_columns(), rows)
        if not rows:
            self.query_one("#excerpts-preview", Static).update(_("No excerpt"))
        lst.focus()

    @on(RowList.Highlighted, "#excerpts-list")
    def _highlighted(self, event: RowList.Highlighted) -> None:
        if isinstance(event, RowList.Selected) or not (0 <= event.index < len(self.records)):
            return
        r = self.records[event.index]
        self.query_one("#excerpts-preview", Static).update(Content.assemble(
            (cell(r.get("document")), "bold"),
            (f" · {cell(r.get('speaker'))} · {actor_label(cell(r.get('actor_type')))} · "
             f"{cell(r.get('codes'))}\n", "dim"), (cell(r.get("text")), "")))

    @on(RowList.Selected, "#excerpts-list")
    def _open(self, event: RowList.Selected) -> None:
        r = self.records[event.index]
        self.dismiss(None)
        open_record(self.app, r)

    def action_close(self) -> None:
        self.dismiss(None)
