"""WorkbenchApp: opens one project, navigates between screens, shows errors in one
dialog, runs long work in cancellable workers, and refreshes when another process
(the CLI, a second TUI) changes the project."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import get_current_worker

from workbench.domain import WorkbenchError
from workbench.tui import i18n
from workbench.tui.i18n import t
from workbench.tui.screens.dialogs import (CodeChoice, CodePicker, ErrorDialog, ImportDialog,
                                           ProgressDialog)

POLL_SECONDS = 2.0
SECTIONS = ("home", "documents", "codebook", "retrieval", "memos", "participants", "queries",
            "topics")


class WorkbenchApp(App):
    CSS_PATH = "workbench.tcss"
    TITLE = "Workbench"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("f1,question_mark", "help", t("key.help")),
        Binding("f2", "goto('home')", t("key.home"), show=False),
        Binding("f3", "goto('documents')", t("key.documents"), show=False),
        Binding("f4", "goto('codebook')", t("key.codebook"), show=False),
        Binding("f5", "goto('retrieval')", t("key.retrieval"), show=False),
        Binding("f6", "goto('memos')", t("key.memos"), show=False),
        Binding("f7", "goto('participants')", t("key.participants"), show=False),
        Binding("f8", "goto('queries')", t("key.queries"), show=False),
        Binding("f9", "goto('topics')", t("key.topics"), show=False),
        Binding("f10", "goto('analysis')", t("key.analysis"), show=False),
        Binding("f11", "goto('questions')", t("key.questions"), show=False),
        Binding("ctrl+l", "toggle_language", t("key.language"), show=False),
    ]

    def __init__(self, path: str | Path | None = None, *, project=None, coder: str | None = None,
                 poll: bool = True):
        super().__init__()
        from workbench.project import Project
        self._owns_project = project is None
        self.project = project if project is not None else Project.open(path, coder=coder)
        self.poll = poll
        self.recent_codes: list[int] = []
        self.ok = True               # did the last attempt()/change() succeed?
        self._data_version = None
        self.sub_title = self.project.name
        # an export of a project that is not pseudonymised says so in a notification
        self.project.on_warning = self.privacy_warning

    def privacy_warning(self, message: str) -> None:
        """Shown from any thread (exports run in workers)."""
        try:
            self.call_from_thread(self.notify, message, severity="warning", timeout=12)
        except RuntimeError:            # called on the app's own thread
            self.notify(message, severity="warning", timeout=12)

    # -- lifecycle ----------------------------------------------------------------------
    def on_mount(self) -> None:
        from workbench.tui.screens.home import HomeScreen
        self._seed_recent_codes()
        self.mark_synced()
        self.push_screen(HomeScreen())
        if self.project.needs_coder_name():
            from workbench.tui.screens.team import ask_coder_name
            ask_coder_name(self)
        if self.poll:
            self.set_interval(POLL_SECONDS, self.check_for_changes)

    def on_unmount(self) -> None:
        if self._owns_project:
            self.project.close()

    # -- data version polling -------------------------------------------------------------
    def mark_synced(self) -> None:
        """Our own writes are already on screen: remember the version they produced."""
        try:
            self._data_version = self.project.data_version()
        except Exception:
            self._data_version = None

    def check_for_changes(self) -> bool:
        """Refresh the screen when another process changed the project."""
        try:
            version = self.project.data_version()
        except Exception:
            return False
        if version == self._data_version:
            return False
        self._data_version = version
        for screen in self.screen_stack:
            if hasattr(screen, "stale"):
                screen.stale = True
        screen = self.screen
        if getattr(screen, "stale", False) and hasattr(screen, "refresh_data"):
            screen.stale = False
            self.attempt(screen.refresh_data)
        return True

    catch_errors = False     # run_tui sets it: an unexpected error becomes a dialog

    def _handle_exception(self, error: Exception) -> None:
        if self.catch_errors and isinstance(error, Exception) and self.is_running:
            try:
                self.show_error(error)
                return
            except Exception:
                pass
        super()._handle_exception(error)

    # -- errors -------------------------------------------------------------------------
    def show_error(self, exc: BaseException) -> None:
        if isinstance(exc, WorkbenchError):
            title = getattr(exc, "title", t("dlg.error"))
            title = {"Error": t("dlg.error"),
                     "Query error": t("queries.error_title")}.get(title, title)
            self.push_screen(ErrorDialog(title, str(exc)))
        else:
            self.log.error(repr(exc))
            self.push_screen(ErrorDialog(t("dlg.unexpected"), f"{type(exc).__name__}: {exc}"))

    def attempt(self, fn: Callable, *args, **kwargs):
        """Call ``fn``; a failure shows the error dialog and returns None."""
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:  # one place where every error becomes a dialog
            self.ok = False
            self.show_error(exc)
            return None
        self.ok = True
        return result

    def change(self, fn: Callable, *args, **kwargs):
        """A data change through the facade: committed when it returns, then synced."""
        result = self.attempt(fn, *args, **kwargs)
        self.mark_synced()
        for screen in self.screen_stack[:-1]:
            if hasattr(screen, "stale"):
                screen.stale = True
        return result

    # -- long work ------------------------------------------------------------------------
    def run_long(self, label: str, fn: Callable, on_done: Callable | None = None) -> None:
        """Run ``fn(progress, cancelled)`` in a thread with a progress dialog."""
        dialog = ProgressDialog(label)
        self.push_screen(dialog)
        dialog.worker = self._long_worker(label, fn, dialog, on_done)

    @work(thread=True, exclusive=True, exit_on_error=False, group="long")
    def _long_worker(self, label, fn, dialog, on_done):
        worker = get_current_worker()

        def progress(done, total=None, what=""):
            self.call_from_thread(dialog.update_progress, done, total, str(what or ""))

        def cancelled() -> bool:
            return worker.is_cancelled

        try:
            result = fn(progress, cancelled)
        except Exception as exc:
            self.call_from_thread(self._long_finished, dialog, None, exc, on_done)
            return
        self.call_from_thread(self._long_finished, dialog, result, None, on_done)

    def _long_finished(self, dialog, result, exc, on_done) -> None:
        if dialog in self.screen_stack:
            dialog.dismiss()
        self.mark_synced()
        for screen in self.screen_stack:
            if hasattr(screen, "stale"):
                screen.stale = True
        if exc is not None:
            self.show_error(exc)
            return
        if on_done:
            self.attempt(on_done, result)
        if getattr(self.screen, "stale", False) and hasattr(self.screen, "refresh_data"):
            self.screen.stale = False
            self.attempt(self.screen.refresh_data)

    def action_import(self) -> None:
        progs = self.project.known_programmes()

        def go(values):
            if not values:
                return

            def job(progress, cancelled):
                return self.project.import_files(
                    values["paths"], programme=values["programme"],
                    new_programme=values.get("new_programme", False),
                    actor_type=values["actor_type"], manifest=values.get("manifest"),
                    columns=values.get("columns"),
                    tags_as_codes=bool(values.get("tags_as_codes")),
                    progress=lambda d, n, what="": progress(d, n, what),
                    cancelled=cancelled)

            def done(report):
                failed = len(getattr(report, "failed", []) or [])
                ok = len([r for r in report.results if r.status == "imported"])
                self.notify(t("import.done", n=ok, f=failed))
                for note in report.notes:
                    self.notify(note)
                if failed:
                    self.push_screen(ErrorDialog(t("import.label"), "\n".join(
                        r.message for r in report.failed)))

            self.run_long(t("import.label"), job, done)

        self.push_screen(ImportDialog(progs), go)

    # -- codes (shared by the coder, the codebook and retrieval) ---------------------------
    def code_choices(self) -> list[CodeChoice]:
        df = self.project.codes()
        from workbench.tui.screens.base import cell
        return [CodeChoice(int(r.id), r.path, r.name, cell(r.short), cell(r.definition),
                           cell(r.colour), int(r.codings))
                for r in df.itertuples(index=False)]

    def pick_code(self, callback: Callable[[int | None], None], *, title: str | None = None,
                  allow_create: bool = True, extra=(), programme: str | None = None) -> None:
        def create(path: str):
            cid = self.change(self.project.create_code, path)
            if cid is not None:
                self.notify(t("picker.created", path=self.project.code_paths().get(cid, path)))
            return cid

        preferred = self.project.codes_for_programme(programme) if programme else None
        self.push_screen(CodePicker(self.code_choices(), title=title, recent=self.recent_codes,
                                    allow_create=allow_create, create=create, extra=extra,
                                    preferred=preferred),
                         callback)

    def remember_code(self, code_id: int) -> None:
        if code_id in self.recent_codes:
            self.recent_codes.remove(code_id)
        self.recent_codes.insert(0, code_id)
        del self.recent_codes[9:]

    def _seed_recent_codes(self) -> None:
        """Recent codes survive restarts: read back from the change log."""
        try:
            existing = set(self.project.code_paths())
            for entry in self.project.history(200, "coding.apply"):
                if entry.get("coder") != self.project.coder:
                    continue
                cid = (entry.get("details") or {}).get("code")
                if cid in existing and cid not in self.recent_codes:
                    self.recent_codes.append(cid)
                if len(self.recent_codes) >= 9:
                    break
        except Exception:
            self.recent_codes = []

    # -- navigation -------------------------------------------------------------------------
    def make_screen(self, name: str, **kwargs) -> Screen:
        if name == "team":
            from workbench.tui.screens.team import TeamScreen
            return TeamScreen(**kwargs)
        if name in ("analysis", "questions"):
            from workbench.tui.screens import analysis, questions
            return {"analysis": analysis.AnalysisScreen,
                    "questions": questions.QuestionsScreen}[name](**kwargs)
        if name in ("autocode", "review"):
            from workbench.tui.screens import autocode, review
            return {"autocode": autocode.AutocodeScreen,
                    "review": review.ReviewScreen}[name](**kwargs)
        from workbench.tui.screens import (codebook, documents, home, memos, participants,
                                           queries, retrieval, topics)
        return {"home": home.HomeScreen, "documents": documents.DocumentsScreen,
                "codebook": codebook.CodebookScreen, "retrieval": retrieval.RetrievalScreen,
                "memos": memos.MemosScreen, "participants": participants.ParticipantsScreen,
                "queries": queries.QueriesScreen, "topics": topics.TopicsScreen}[name](**kwargs)

    def action_goto(self, name: str, **kwargs) -> None:
        while len(self.screen_stack) > 2 and not isinstance(self.screen, _modal_types()):
            self.pop_screen()
        if isinstance(self.screen, _modal_types()):
            return
        if name == "home":
            return
        self.push_screen(self.make_screen(name, **kwargs))

    def open_document(self, doc_id: int, offset: int | None = None,
                      select: tuple[int, int] | None = None) -> None:
        from workbench.tui.screens.coder import CoderScreen
        screen = self.attempt(CoderScreen, doc_id, offset=offset, select=select)
        if screen is not None:
            self.push_screen(screen)

    def action_export(self) -> None:
        from workbench.tui.screens.export import start_export
        start_export(self)

    def action_import_qdpx(self) -> None:
        from workbench.tui.screens.export import start_import_qdpx
        start_import_qdpx(self)

    def action_help(self) -> None:
        from workbench.tui.screens.help import HelpScreen
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_language(self) -> None:
        i18n.toggle_language()
        self.notify(t("lang.switched"))
        for screen in self.screen_stack:
            if hasattr(screen, "relabel"):
                self.attempt(screen.relabel)
        from workbench.tui.localise import localise_tree
        localise_tree(self)
        self.refresh_bindings()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for name in SECTIONS:
            yield SystemCommand(t(f"screen.{name}"), t(f"screen.{name}"),
                                lambda n=name: self.action_goto(n))
        yield SystemCommand(t("key.import"), t("import.prompt"), self.action_import)
        yield SystemCommand(t("key.language"), "Français / English", self.action_toggle_language)
        yield SystemCommand(t("key.help"), t("help.title"), self.action_help)
        from workbench.tui.screens.codebook_io import palette_commands as _coding_commands
        yield from _coding_commands(self)
        from workbench.tui.screens.export import palette_commands as _analysis_commands
        yield from _analysis_commands(self)
        if hasattr(screen, "palette_commands"):
            yield from screen.palette_commands()
        yield from super().get_system_commands(screen)


def _modal_types():
    from textual.screen import ModalScreen
    return (ModalScreen,)
