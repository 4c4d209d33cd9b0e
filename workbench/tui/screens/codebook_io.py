"""Codebook import and export (YAML or REFI-QDA .qdc) from a path dialog.  A rejected
file lists its problems (file:line) in the error dialog and imports nothing."""
from __future__ import annotations

from pathlib import Path

from workbench.tui.i18n import t
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
        app.notify(t("cbio.imported", added=stats.get("codes_added", 0),
                     updated=stats.get("codes_updated", 0),
                     qadded=stats.get("questions_added", 0),
                     qupdated=stats.get("questions_updated", 0)))
        if on_done:
            on_done(stats)
    app.push_screen(TextInputDialog(t("cbio.import_prompt"),
                                    placeholder="codebook.yaml / codebook.qdc"), go)


def export_codebook(app) -> None:
    project_path = Path(app.project.path)
    default = str(project_path.with_name(project_path.stem + "-codebook.yaml"))

    def go(text):
        if not text or not text.strip():
            return
        written = app.attempt(app.project.export_codebook, _path(text))
        app.mark_synced()
        if app.ok and written is not None:
            app.notify(t("cbio.exported", path=str(written),
                         n=len(app.project.code_paths())))
    app.push_screen(TextInputDialog(t("cbio.export_prompt"), default), go)


def palette_commands(app):
    """Command-palette entries: autocoding, review, codebook import / export."""
    from textual.app import SystemCommand
    yield SystemCommand(t("palette.autocode"), t("palette.autocode_help"),
                        lambda: app.action_goto("autocode"))
    yield SystemCommand(t("palette.review"), t("palette.review_help"),
                        lambda: app.action_goto("review"))
    yield SystemCommand(t("palette.cb_import"), t("palette.cb_help"),
                        lambda: import_codebook(app, _refresh(app)))
    yield SystemCommand(t("palette.cb_export"), t("palette.cb_help"),
                        lambda: export_codebook(app))


def _refresh(app):
    def done(_stats):
        screen = app.screen
        if hasattr(screen, "refresh_data"):
            app.attempt(screen.refresh_data)
    return done
