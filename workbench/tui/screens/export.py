"""Export dialog (Word report, excerpts, codebook, tables, participant × code matrix,
REFI-QDA) and the REFI-QDA import; both run in a worker with progress and Cancel."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select

from workbench.tui.i18n import t
from workbench.tui.screens.dialogs import FormDialog

# what → (default file kind, suffix)
EXPORTS = {
    "report": ("rapport", ".docx"), "report_q": ("rapport-questions", ".docx"),
    "excerpts_docx": ("extraits", ".docx"), "excerpts_xlsx": ("extraits", ".xlsx"),
    "excerpts_csv": ("extraits", ".csv"), "codebook": ("grille", ".docx"),
    "tables": ("tableaux", ".xlsx"), "matrix_csv": ("participants_x_codes", ".csv"),
    "matrix_xlsx": ("participants_x_codes", ".xlsx"), "qdpx": ("projet", ".qdpx"),
}


class ExportDialog(FormDialog):
    """Choose what to export and where; dismisses with {"what", "path"}."""


    def __init__(self, project, what: str = "report") -> None:
        super().__init__(classes="dialog-screen")
        self.project, self.what = project, what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog text-dialog export-dialog"):
            yield Label(t("exp.title"), classes="dialog-title")
            yield Label(t("exp.what"), classes="dialog-hint")
            yield Select([(t(f"exp.{w}"), w) for w in EXPORTS], value=self.what,
                         allow_blank=False, id="export-what")
            yield Label(t("exp.path"), classes="dialog-hint")
            yield Input(self._default(self.what), id="export-path")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("exp.go"), variant="primary", id="ok")
                yield Button(t("dlg.cancel"), id="cancel")

    def _default(self, what: str) -> str:
        kind, suffix = EXPORTS[what]
        return str(self.project.export_path(kind, suffix))

    def on_mount(self) -> None:
        self.query_one("#export-what").focus()

    @on(Select.Changed, "#export-what")
    def _what(self, event: Select.Changed) -> None:
        if event.value is Select.NULL or event.value == self.what:
            return
        self.what = event.value
        self.query_one("#export-path", Input).value = self._default(self.what)

    def submit(self) -> None:
        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            self.notify(t("exp.no_path"), severity="warning")
            return
        self.dismiss({"what": self.what, "path": path})


def export_job(project, what: str, path: str):
    """The facade call for one export, as a ``job(progress, cancelled)`` for run_long."""
    def job(progress, cancelled):
        if what in ("report", "report_q"):
            return project.export_report(path, by="question" if what == "report_q" else "code",
                                         progress=progress, cancelled=cancelled)
        if what.startswith("excerpts"):
            return project.export_excerpts(path, progress=progress, cancelled=cancelled)
        if what == "codebook":
            return project.export_codebook_report(path)
        if what == "tables":
            return project.export_tables(path, progress=progress)
        if what.startswith("matrix"):
            return project.export_participant_matrix(path, with_attributes=True)
        if what == "qdpx":
            return project.export_qdpx(path, progress=progress, cancelled=cancelled)
        raise ValueError(what)
    return job


def written(result, path: str) -> str:
    """A notification for what an export returned (a path, paths, or a summary)."""
    if isinstance(result, dict):
        n = result.get("documents", "?")
        c = result.get("codes", "?")
        return t("exp.done_qdpx", path=result.get("path", path), n=n, c=c)
    if isinstance(result, (list, tuple)):
        return t("exp.done", path=", ".join(str(p) for p in result))
    return t("exp.done", path=str(result or path))


def start_export(app, what: str = "report") -> None:
    """Open the export dialog, then run the export in a worker (progress + Cancel)."""
    def go(choice):
        if not choice:
            return
        what, path = choice["what"], choice["path"]
        app.last_export = None

        def done(result):
            app.last_export = result
            app.notify(written(result, path), timeout=10)

        app.run_long(t("exp.running", what=t(f"exp.{what}")), export_job(app.project, what, path),
                     done)

    app.push_screen(ExportDialog(app.project, what), go)


class QdpxImportDialog(FormDialog):
    """A .qdpx to import and what to do when its values differ from the project's;
    dismisses with {"path", "on_conflict"}."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog text-dialog export-dialog"):
            yield Label(t("imp.qdpx_prompt"), classes="dialog-title")
            yield Input(placeholder="projet.qdpx", id="qdpx-path")
            yield Label(t("imp.qdpx_conflicts"), classes="dialog-hint")
            yield Select([(t("imp.qdpx_keep"), "keep"), (t("imp.qdpx_replace"), "replace")],
                         value="keep", allow_blank=False, id="qdpx-conflict")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("imp.qdpx_go"), variant="primary", id="ok")
                yield Button(t("dlg.cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#qdpx-path").focus()

    def submit(self) -> None:
        path = self.query_one("#qdpx-path", Input).value.strip()
        if not path:
            self.notify(t("exp.no_path"), severity="warning")
            return
        self.dismiss({"path": path,
                      "on_conflict": self.query_one("#qdpx-conflict", Select).value})


def import_summary(summary: dict) -> str:
    """One line: what is new and what matched the project, by kind."""
    parts = []
    for kind in ("documents", "codes", "codings", "memos", "participants", "groups"):
        new, matched = summary["new"].get(kind, 0), summary["matched"].get(kind, 0)
        if new or matched:
            parts.append(t("imp.qdpx_count", kind=t(f"imp.kind_{kind}"), new=new,
                           matched=matched))
    return ", ".join(parts) or t("imp.qdpx_nothing")


def start_import_qdpx(app) -> None:
    """Ask for a .qdpx file and the conflict choice, import it in a worker (all or
    nothing), then say what is new and list the conflicts and warnings."""
    from workbench.tui.screens.dialogs import ErrorDialog

    def go(choice):
        if not choice:
            return

        def job(progress, cancelled):
            return app.project.import_qdpx(choice["path"], on_conflict=choice["on_conflict"],
                                           progress=progress, cancelled=cancelled)

        def done(summary):
            app.last_import = summary
            app.notify(t("imp.qdpx_done", summary=import_summary(summary)), timeout=10)
            if summary["conflicts"] or summary["warnings"]:
                n = len(summary["conflicts"])
                app.push_screen(ErrorDialog(t("imp.qdpx_report", n=n),
                                            "\n".join(summary["warnings"])))

        app.run_long(t("imp.qdpx_running"), job, done)

    app.push_screen(QdpxImportDialog(classes="dialog-screen"), go)


def palette_commands(app):
    """Command-palette entries: analysis, evaluation questions, export, REFI-QDA import."""
    from textual.app import SystemCommand
    yield SystemCommand(t("screen.analysis"), t("an.matrix_actor") + " · " + t("an.tri_codes"),
                        lambda: app.action_goto("analysis"))
    yield SystemCommand(t("screen.questions"), t("eq.codes") + " · " + t("eq.triangulation"),
                        lambda: app.action_goto("questions"))
    yield SystemCommand(t("exp.title"), t("exp.report") + " · " + t("exp.qdpx"), app.action_export)
    yield SystemCommand(t("key.import_qdpx"), t("imp.qdpx_prompt"), app.action_import_qdpx)
