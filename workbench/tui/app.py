"""WorkbenchApp: opens one project, navigates between screens, shows errors in one
dialog, runs long work in cancellable workers, and refreshes when another process
(the CLI, a second TUI) changes the project."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import get_current_worker

from workbench.domain import WorkbenchError
from workbench.i18n import N_, _, ngettext, percent
from workbench.public import WouldWait, as_user_error
from workbench.tui.lang import builtin_commands, key_display, switch_language
from workbench.tui.screens.dialogs import CodeChoice, CodePicker, ErrorDialog, ProgressDialog

POLL_SECONDS = 2.0
#: The screens the palette and the F keys go to, with their titles (msgids).
SECTIONS = {"home": N_("Home"), "documents": N_("Documents"), "codebook": N_("Codebook"),
            "retrieval": N_("Excerpts"), "memos": N_("Memos"), "participants": N_("Participants"),
            "queries": N_("Queries"), "topics": N_("Topics"), "analysis": N_("Analysis"),
            "questions": N_("Evaluation questions"), "privacy": N_("Privacy"),
            "waves": N_("Waves and cases")}


class WorkbenchApp(App):
    CSS_PATH = "workbench.tcss"
    TITLE = "Workbench"
    ENABLE_COMMAND_PALETTE = True
    # screens take the class -narrow under 100 columns and -short under 30 rows (80×24)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    BINDINGS = [
        Binding("f1,question_mark", "help", N_("Help")),
        Binding("f2", "goto('home')", N_("Home"), show=False),
        Binding("f3", "goto('documents')", N_("Documents"), show=False),
        Binding("f4", "goto('codebook')", N_("Codes"), show=False),
        Binding("f5", "goto('retrieval')", N_("Excerpts"), show=False),
        Binding("f6", "goto('memos')", N_("Memos"), show=False),
        Binding("f7", "goto('participants')", N_("Participants"), show=False),
        Binding("f8", "goto('queries')", N_("Queries"), show=False),
        Binding("f9", "goto('topics')", N_("Topics"), show=False),
        Binding("f10", "goto('analysis')", N_("Analysis"), show=False),
        Binding("f11", "goto('questions')", N_("Questions"), show=False),
        Binding("f12", "goto('privacy')", N_("Privacy"), show=False),
        # TRANSLATORS: the key switching the interface to the other language
        Binding("ctrl+l", "toggle_language", N_("Français"), show=False),
    ]

    def __init__(self, path: str | Path | None = None, *, project=None, coder: str | None = None,
                 poll: bool = True):
        super().__init__()
        from workbench.project import Project
        self._owns_project = project is None
        self.project = project if project is not None else Project.open(path, coder=coder)
        self.project.on_wait = self._notify_waiting
        self.poll = poll
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

    def _notify_waiting(self, message: str) -> None:
        """A write waits for another program: say so (from any thread)."""
        try:
            if threading.get_ident() == self._thread_id:
                self.notify(message, timeout=3)
            else:
                self.call_from_thread(self.notify, message, timeout=3)
        except Exception:
            pass

    # -- lifecycle ----------------------------------------------------------------------
    def on_mount(self) -> None:
        from workbench.tui.screens.home import HomeScreen
        self._seed_code_slots()
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
            self._data_version = self.project.data_version() or self._data_version
        except Exception:
            self._data_version = None

    def check_for_changes(self) -> bool:
        """Refresh the screen when another process changed the project."""
        try:
            version = self.project.data_version()
        except Exception:
            return False
        if version is None or version == self._data_version:
            return False            # None: a worker of ours is writing; look again later
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
        exc = as_user_error(exc, self.project.path)
        if isinstance(exc, WorkbenchError):
            self.push_screen(ErrorDialog(_(getattr(exc, "title", N_("Error"))), str(exc)))
        else:
            self.log.error(repr(exc))
            self.push_screen(ErrorDialog(_("Unexpected error"), f"{type(exc).__name__}: {exc}"))

    def attempt(self, fn: Callable, *args, **kwargs):
        """Call ``fn``; a failure shows the error dialog and returns None."""
        try:
            result = fn(*args, **kwargs)
        except WouldWait:         # change() runs it again as a long job
            raise
        except Exception as exc:  # one place where every error becomes a dialog
            self.ok = False
            self.show_error(exc)
            return None
        self.ok = True
        return result

    def change(self, fn: Callable, *args, **kwargs):
        """A data change through the facade: committed when it returns, then synced.
        While a long job writes in the background, a change would wait for it: it is
        refused with a message instead, so the interface never freezes."""
        if self.long_job is not None:
            self.ok = False
            self.notify(_("{label} is still running: changes wait until it has finished "
                          "(ctrl+p to cancel it)").format(label=self.long_job["label"]),
                        severity="warning")
            return None
        try:
            with self.project.first_write(wait=threading.get_ident() != self._thread_id):
                result = self.attempt(fn, *args, **kwargs)
        except WouldWait:
            self._change_when_free(fn, args, kwargs)
            return None
        self.mark_synced()
        for screen in self.screen_stack[:-1]:
            if hasattr(screen, "stale"):
                screen.stale = True
        return result

    def _change_when_free(self, fn: Callable, args, kwargs) -> None:
        """Another program holds the write lock: rather than freeze until it has
        finished, the change (nothing of it written yet) runs as a long job whose dialog
        says that it waits; it can be cancelled while it waits (nothing is changed then)
        and the screens show it once it is written.  Meanwhile other changes are refused
        with a message, so changes stay in order."""
        self.ok = False
        project = self.project

        def job(progress, cancelled):
            with project.first_write(cancelled=cancelled):
                return fn(*args, **kwargs)

        def done(_result):
            self.notify(_("Saved: the other program has finished writing"))

        self.run_long(_("Another program is writing to the project: your change waits "
                        "for it to finish…"), job, done)

    # -- long work ------------------------------------------------------------------------
    long_job: dict | None = None     # the running long job: label, worker, progress, shown

    def run_long(self, label: str, fn: Callable, on_done: Callable | None = None) -> None:
        """Run ``fn(progress, cancelled)`` in a thread with a progress dialog; the dialog
        can send it to the background (b), where its progress shows in the title line and
        the interface stays usable for reading."""
        dialog = ProgressDialog(label)
        self.push_screen(dialog)
        self.long_job = {"label": label, "worker": None, "done": 0, "total": None,
                         "dialog": dialog}
        dialog.worker = self.long_job["worker"] = self._long_worker(label, fn, dialog, on_done)

    @work(thread=True, exclusive=True, exit_on_error=False, group="long")
    def _long_worker(self, label, fn, dialog, on_done):
        worker = get_current_worker()

        def progress(done, total=None, what=""):
            self.call_from_thread(self._long_progress, dialog, done, total, str(what or ""))

        def cancelled() -> bool:
            return worker.is_cancelled

        try:
            result = fn(progress, cancelled)
        except Exception as exc:
            self.call_from_thread(self._long_finished, dialog, None, exc, on_done)
            return
        self.call_from_thread(self._long_finished, dialog, result, None, on_done)

    def _long_progress(self, dialog, done, total, what) -> None:
        if dialog in self.screen_stack:
            dialog.update_progress(done, total, what)
        job = self.long_job
        if job is not None and job["dialog"] is dialog:
            job["done"], job["total"] = done, total
            if dialog not in self.screen_stack:
                self._show_background()

    def to_background(self, dialog) -> None:
        """The progress dialog steps aside; the job goes on."""
        if dialog in self.screen_stack:
            dialog.dismiss()
        self._show_background()
        self.notify(_("{label} goes on in the background; ctrl+p to cancel it").format(
            label=dialog.label))

    def background_status(self) -> str:
        """``Importing interviews 42 %`` for a long job running in the background."""
        job = self.long_job
        if job is None or job["dialog"] in self.screen_stack:
            return ""
        if job["total"]:
            return f"{job['label']} {percent(job['done'] / job['total'])}"
        return job["label"] + "…"

    def _show_background(self) -> None:
        status = self.background_status()
        self.sub_title = f"{self.project.name} · {status}" if status else self.project.name
        show = getattr(self.screen, "show_background", None)
        if callable(show):
            show(status)

    def cancel_long_job(self) -> None:
        if self.long_job is not None and self.long_job["worker"] is not None:
            self.long_job["worker"].cancel()
            self.notify(_("Cancelling: {label}").format(label=self.long_job["label"]))

    def _long_finished(self, dialog, result, exc, on_done) -> None:
        if dialog in self.screen_stack:
            dialog.dismiss()
        if self.long_job is not None and self.long_job["dialog"] is dialog:
            self.long_job = None
            self._show_background()
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
        from workbench.tui.screens.importing import ImportDialog

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
                self.notify(ngettext("{n} document imported", "{n} documents imported",
                                     ok).format(n=ok)
                            + (" · " + ngettext("{n} failure", "{n} failures", failed).format(
                                n=failed) if failed else ""))
                for note in report.notes:
                    self.notify(note)
                if failed:
                    self.push_screen(ErrorDialog(_("Files not imported"), "\n".join(
                        r.message for r in report.failed)))

            self.run_long(_("Importing interviews"), job, done)

        root = Path(self.project.path).parent
        self.push_screen(ImportDialog(self.project.known_programmes(), root=root), go)

    # -- codes (shared by the coder, the codebook and retrieval) ---------------------------
    def code_choices(self) -> list[CodeChoice]:
        df = self.project.codes()
        from workbench.tui.screens.base import cell
        books = df["codebook"] if "codebook" in df.columns else [None] * len(df)
        return [CodeChoice(int(r.id), r.path, r.name, cell(r.short), cell(r.definition),
                           cell(r.colour), int(r.codings), cell(book))
                for r, book in zip(df.itertuples(index=False), books)]

    def pick_code(self, callback: Callable[[int | None], None], *, title: str | None = None,
                  allow_create: bool = True, extra=(), programme: str | None = None) -> None:
        """The code picker; with ``programme``, the codes of that programme's codebook
        (and the project's own) are offered, the others behind tab."""
        def create(path: str):
            cid = self.change(self.project.create_code, path)
            if cid is not None:
                self.notify(_("Code created: {path}").format(
                    path=self.project.code_paths().get(cid, path)))
            return cid

        preferred = self.project.codes_for_programme(programme) if programme else None
        slots = {entry["code"]: slot for slot, entry in self.code_slots().items()}
        self.push_screen(CodePicker(self.code_choices(), title=title, slots=slots,
                                    allow_create=allow_create, create=create, extra=extra,
                                    preferred=preferred, programme=programme),
                         callback)

    # -- code slots (keys 1–9 of the coding screen) ------------------------------------------
    def code_slots(self) -> dict[int, dict]:
        """The coder's slots: slot → {"code", "pinned"} (empty when unreadable)."""
        try:
            return self.project.code_slots()
        except Exception:
            return {}

    def _seed_code_slots(self) -> None:
        """A coder's first session with slots: the codes they applied most recently take
        slots 1, 2, … (read from the change log), so the keys are useful at once."""
        try:
            if self.project.code_slots():
                return
            existing = set(self.project.code_paths())
            seen: list[int] = []
            for entry in self.project.history(200, "coding.apply"):
                if entry.get("coder") != self.project.coder:
                    continue
                cid = (entry.get("details") or {}).get("code")
                if cid in existing and cid not in seen:
                    seen.append(cid)
                if len(seen) >= 9:
                    break
            with self.project.first_write(wait=False):   # another program writing: next time
                for cid in seen:
                    self.project.use_code_slot(cid)
        except Exception as exc:       # a read-only project still opens
            self.log.warning(f"code slots not seeded: {exc!r}")

    # -- navigation -------------------------------------------------------------------------
    def make_screen(self, name: str, **kwargs) -> Screen:
        if name == "team":
            from workbench.tui.screens.team import TeamScreen
            return TeamScreen(**kwargs)
        if name == "waves":
            from workbench.tui.screens.waves import WavesScreen
            return WavesScreen(**kwargs)
        if name in ("analysis", "questions"):
            from workbench.tui.screens import analysis, questions
            return {"analysis": analysis.AnalysisScreen,
                    "questions": questions.QuestionsScreen}[name](**kwargs)
        if name == "privacy":
            from workbench.tui.screens.privacy import PrivacyScreen
            return PrivacyScreen(**kwargs)
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

    def notify(self, message, *, title: str = "", severity: str = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """On the coding screen a message goes to its status line, under the transcript;
        elsewhere it is a notification in the corner."""
        show = getattr(self.screen, "show_message", None) if self.screen_stack else None
        if callable(show):
            show(str(message), severity, timeout)
            return
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def get_key_display(self, binding: Binding) -> str:
        """Keys in the footer as the user's keyboard names them (``suppr``, ``échap``)."""
        if binding.key_display:
            return binding.key_display
        return key_display(binding.key.split(",")[0])

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette",
                                            placeholder=_("Search for commands…")))

    def action_help(self) -> None:
        from workbench.tui.screens.help import HelpScreen
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_language(self) -> None:
        switch_language(self)
        # TRANSLATORS: said after switching to the language of this catalogue
        self.notify(_("Interface in English"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for name, title in SECTIONS.items():
            yield SystemCommand(_(title), _("Go to this screen"), lambda n=name: self.action_goto(n))
        yield SystemCommand(_("Import"), _("Interview files or a folder, with a correspondence file if you have one"),
                            self.action_import)
        yield SystemCommand(_("Français"), _("Switch the interface to French"),
                            self.action_toggle_language)
        yield SystemCommand(_("Help"), _("Every key of every screen"), self.action_help)
        if self.long_job is not None:
            yield SystemCommand(_("Cancel: {label}").format(label=self.long_job["label"]),
                                _("Stop the job running in the background"),
                                self.cancel_long_job)
        from workbench.tui.screens.codebook_io import palette_commands as _coding_commands
        yield from _coding_commands(self)
        from workbench.tui.screens.export import palette_commands as _analysis_commands
        yield from _analysis_commands(self)
        if hasattr(screen, "palette_commands"):
            yield from screen.palette_commands()
        yield from builtin_commands(self, screen)


def _modal_types():
    from textual.screen import ModalScreen
    return (ModalScreen,)
