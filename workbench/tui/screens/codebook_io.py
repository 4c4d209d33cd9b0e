"""Codebook import and export (YAML or REFI-QDA .qdc) from a path dialog.  A rejected
file lists its problems (file:line) in the error dialog and imports nothing."""
from __future__ import annotations

from pathlib import Path

from workbench.i18n import _, ngettext
from workbench.tui.screens.dialogs import TextInputDialog


def _path(text: str) -> Path:
    return Path(text.strip().strip("'\"")).expanduser()


def import_codebook(app, on_done=None) -> None:
    def go(text):
        if not text or not text.strip():
            return
        stats = app.change(app.project.import_codebook, _path(text))
        if not app.ok or stats is None:
            return
        app.notify(imported_message(stats))
        if on_done:
            on_done(stats)
    app.push_screen(TextInputDialog(_("Codebook to import (.yaml or .qdc)"),
                                    placeholder="codebook.yaml / codebook.qdc"), go)


def imported_message(stats: dict) -> str:
    """"Codebook imported: 3 codes added, 1 updated; 2 questions added, 0 updated"."""
    from workbench.public import describe_import
    return _("Codebook imported: {summary}").format(summary=describe_import(stats))


def export_codebook(app) -> None:
    project_path = Path(app.project.path)
    default = str(project_path.with_name(project_path.stem + "-codebook.yaml"))

    def go(text):
        if not text or not text.strip():
            return
        written = app.attempt(app.project.export_codebook, _path(text))
        app.mark_synced()
        if app.ok and written is not None:
            n = len(app.project.code_paths())
            app.notify(ngettext("Codebook exported ({n} code): {path}",
                                "Codebook exported ({n} codes): {path}", n).format(
                                    path=str(written), n=n))
    app.push_screen(TextInputDialog(_("Export the codebook to (.yaml or .qdc)"), default), go)


def palette_commands(app):
    """Command-palette entries: autocoding, review, codebook import / export."""
    from textual.app import SystemCommand
    yield SystemCommand(_("Autocoding"), _("rule, preview, apply"),
                        lambda: app.action_goto("autocode"))
    yield SystemCommand(_("Review candidate codings"), _("accept or remove"),
                        lambda: app.action_goto("review"))
    yield SystemCommand(_("Import a codebook"), _("YAML or REFI-QDA (.qdc)"),
                        lambda: import_codebook(app, _refresh(app)))
    yield SystemCommand(_("Export the codebook"), _("YAML or REFI-QDA (.qdc)"),
                        lambda: export_codebook(app))


def _refresh(app):
    def done(_stats):
        screen = app.screen
        if hasattr(screen, "refresh_data"):
            app.attempt(screen.refresh_data)
    return done
