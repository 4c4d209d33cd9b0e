"""Export dialog (Word report, excerpts, codebook, tables, participant × code matrix,
REFI-QDA) and the REFI-QDA import; both run in a worker with progress and Cancel."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select

from workbench.i18n import N_, _, ngettext
from workbench.tui.lang import TrButton, TrLabel, TrSelect
from workbench.tui.screens.dialogs import FormDialog

# what → (name shown, default file kind, suffix)
EXPORTS = {
    "report": (N_("Word report (whole, by code)"), "rapport", ".docx"),
    "report_q": (N_("Word report (by evaluation question)"), "rapport-questions", ".docx"),
    "excerpts_docx": (N_("Coded excerpts (.docx)"), "extraits", ".docx"),
    "excerpts_xlsx": (N_("Coded excerpts (.xlsx)"), "extraits", ".xlsx"),
    "excerpts_csv": (N_("Coded excerpts (.csv)"), "extraits", ".csv"),
    "codebook": (N_("Codebook (.docx)"), "grille", ".docx"),
    "tables": (N_("All tables (.xlsx)"), "tableaux", ".xlsx"),
    "matrix_csv": (N_("Participant × code matrix (.csv)"), "participants_x_codes", ".csv"),
    "matrix_xlsx": (N_("Participant × code matrix (.xlsx)"), "participants_x_codes", ".xlsx"),
    "qdpx": (N_("REFI-QDA project (.qdpx)"), "projet", ".qdpx"),
}

class ExportDialog(FormDialog):
    """Choose what to export and where; dismisses with {"what", "path"}."""


    def __init__(self, project, what: str = "report") -> None:
        super().__init__(classes="dialog-screen")
        self.project, self.what = project, what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog text-dialog export-dialog"):
            yield TrLabel(N_("Export"), classes="dialog-title")
            yield TrLabel(N_("What"), classes="dialog-hint")
            yield TrSelect([(name, w) for w, (name, _kind, _suffix) in EXPORTS.items()],
                           value=self.what, allow_blank=False, id="export-what")
            yield TrLabel(N_("Output file"), classes="dialog-hint")
            yield Input(self._default(self.what), id="export-path")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Export"), variant="primary", id="ok")
                yield Button(_("Cancel"), id="cancel")

    def _default(self, what: str) -> str:
        _name, kind, suffix = EXPORTS[what]
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
            self.notify(_("Give an output file"), severity="warning")
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
        n = result.get("documents", 0)
        c = result.get("codes", 0)
        counts = ", ".join((ngettext("{n} document", "{n} documents", n).format(n=n),
                            ngettext("{n} code", "{n} codes", c).format(n=c)))
        return _("Written: {path} ({counts})").format(path=result.get("path", path), counts=counts)
    if isinstance(result, (list, tuple)):
        return _("Written: {path}").format(path=", ".join(str(p) for p in result))
    return _("Written: {path}").format(path=str(result or path))


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

        app.run_long(_("Export: {what}").format(what=_(EXPORTS[what][0])),
                     export_job(app.project, what, path), done)

    app.push_screen(ExportDialog(app.project, what), go)


class QdpxImportDialog(FormDialog):
    """A .qdpx to import and what to do when its values differ from the project's;
    dismisses with {"path", "on_conflict"}."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog text-dialog export-dialog"):
            yield TrLabel(N_("REFI-QDA project to import (.qdpx)"), classes="dialog-title")
            yield Input(placeholder="projet.qdpx", id="qdpx-path")
            yield TrLabel(N_("When the file differs from the project (a participant's value, a "
                             "code's definition...)"), classes="dialog-hint")
            yield TrSelect([(N_("keep the project's values (each difference is reported)"),
                             "keep"),
                            (N_("take the file's values (except one contradicting a type)"),
                             "replace")],
                           value="keep", allow_blank=False, id="qdpx-conflict")
            yield TrLabel(N_("To choose for each difference: Team screen (t), then merge (m)"),
                          classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield TrButton(N_("Import"), variant="primary", id="ok")
                yield TrButton(N_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#qdpx-path").focus()

    def submit(self) -> None:
        path = self.query_one("#qdpx-path", Input).value.strip().strip("'\"")
        if not path:
            self.notify(_("Give the file to import"), severity="warning")
            return
        self.dismiss({"path": path,
                      "on_conflict": self.query_one("#qdpx-conflict", Select).value})


#: What a REFI-QDA import counts, by kind (new and already there)
QDPX_KINDS = {"documents": N_("documents"), "codes": N_("codes"), "codings": N_("codings"),
              "memos": N_("memos"), "participants": N_("participants"), "groups": N_("groups")}


def import_summary(summary: dict) -> str:
    """One line: what is new and what matched the project, by kind."""
    parts = []
    for kind, label in QDPX_KINDS.items():
        new, matched = summary["new"].get(kind, 0), summary["matched"].get(kind, 0)
        if new or matched:
            parts.append(ngettext("{kind}: {new} new, {matched} already there",
                                  "{kind}: {new} new, {matched} already there", new).format(
                kind=_(label), new=new, matched=matched))
    return ", ".join(parts) or _("nothing to import")


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
            app.notify(_("REFI-QDA import finished: {summary}").format(
                summary=import_summary(summary)), timeout=10)
            if summary["conflicts"] or summary["warnings"]:
                n = len(summary["conflicts"])
                app.push_screen(ErrorDialog(
                    ngettext("REFI-QDA import: {n} conflict, warnings",
                             "REFI-QDA import: {n} conflicts, warnings", n).format(n=n),
                    "\n".join(summary["warnings"])))

        app.run_long(_("REFI-QDA import"), job, done)

    app.push_screen(QdpxImportDialog(classes="dialog-screen"), go)


def palette_commands(app):
    """Command-palette entries: analysis, evaluation questions, export, REFI-QDA import."""
    from textual.app import SystemCommand
    yield SystemCommand(_("Matrices / Analysis"),
                        _("Codes × actor type") + " · " + _("Triangulation by code"),
                        lambda: app.action_goto("analysis"))
    yield SystemCommand(_("Evaluation questions"), _("Linked codes") + " · " + _("Triangulation"),
                        lambda: app.action_goto("questions"))
    yield SystemCommand(_("Export"), _("Word report, excerpts, tables, REFI-QDA project"),
                        app.action_export)
    yield SystemCommand(_("Import a REFI-QDA project (.qdpx)"),
                        _("NVivo, MAXQDA, ATLAS.ti, QualCoder…"), app.action_import_qdpx)
