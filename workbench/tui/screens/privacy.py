"""Privacy: review what detection found (grouped by entity), decide, and write the
pseudonymised copy — the same review as ``workbench privacy`` (see docs/privacy.md).

One row per entity (a person, a place, an e-mail address...): its written forms, its
category, the decision (to review / accepted / rejected) and what will happen to it
(replaced / kept, from the decision and the category's action).  The pane below shows
where the highlighted entity occurs, in context.  Every decision is written to the
project when the key is pressed.
"""
from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Footer, Header, Input, Label, Select, Static

from workbench.i18n import N_, _, ngettext, pgettext
from workbench.labels import privacy_category_label as category_name
from workbench.tui.fuzzy import fold
from workbench.tui.lang import Localised, TrButton, TrInput, TrLabel, TrSelect
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, FormDialog
from workbench.tui.widgets.rowlist import RowList

STATUSES = (None, "pending", "accepted", "rejected")


def status_name(status: str | None) -> str:
    return {"pending": pgettext("privacy", "pending"),
            "accepted": pgettext("privacy", "accepted"),
            "rejected": pgettext("privacy", "rejected")}.get(status or "",
                                                             pgettext("privacy", "all"))


def sources_name(sources: str) -> str:
    """Where a candidate was found, in words."""
    names = {"list": pgettext("privacy source", "team's lists"),
             "pattern": pgettext("privacy source", "patterns"),
             "speaker": pgettext("privacy source", "speaker label"),
             "participant": pgettext("privacy source", "participant table"),
             "metadata": pgettext("privacy source", "document metadata"),
             "manual": pgettext("privacy source", "added by hand"),
             "form": pgettext("privacy source", "name forms"),
             "ner": pgettext("privacy source", "NER"),
             "lexicon": pgettext("privacy source", "first names"),
             "institution": pgettext("privacy source", "public services")}
    return ", ".join(names.get(x, x) for x in sources.split(",") if x)


def action_name(action: str) -> str:
    return pgettext("privacy", "replaced") if action == "replace" else \
        pgettext("privacy", "kept")


class PrivacyScreen(BaseScreen):
    DEFAULT_CSS = """
    PrivacyScreen #privacy-preview { height: 5; border-top: hkey $primary; padding: 0 1; }
    PrivacyScreen .section-title { margin-top: 0; }
    """
    TITLE = N_("Privacy")
    BINDINGS = [
        # the footer shows the first ones on a narrow terminal: detect, decide, write
        Binding("q", "back", N_("Back")),
        Binding("d", "detect", N_("detect")),
        Binding("a", "decide('accepted')", N_("accept")),
        Binding("x", "decide('rejected')", N_("reject")),
        Binding("w", "write", N_("write the copy")),
        Binding("u", "decide('pending')", N_("to review"), show=False),
        Binding("A", "decide_shown('accepted')", N_("accept all shown"), show=False),
        Binding("X", "decide_shown('rejected')", N_("reject all shown"), show=False),
        Binding("space", "mark", N_("mark"), show=False),
        Binding("m", "merge", N_("merge")),
        Binding("s", "split", N_("split"), show=False),
        Binding("n", "add", N_("add a term")),
        Binding("c", "category", N_("category"), show=False),
        Binding("p", "policies", N_("categories")),
        Binding("f", "status_filter", N_("status"), show=False),
        Binding("v", "preview", N_("pseudonym"), show=False),
        Binding("slash", "filter", N_("Filter"), show=False),
        Binding("escape", "clear_filter", N_("clear the filter"), show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self._keys: list[int] = []
        self.status: str | None = None
        self.marked: set[int] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="privacy-title", classes="section-title")
        yield TrInput(placeholder=N_("Filter (written form, category, status)…"),
                      id="privacy-filter")
        yield Static(classes="list-status", id="privacy-status")
        yield RowList(id="privacy-table", classes="list")
        yield Static(id="privacy-preview")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.app.attempt(self.refresh_data)
        self.query_one("#privacy-table").focus()

    # -- data ---------------------------------------------------------------------------
    def refresh_data(self) -> None:
        df = self.project.privacy_candidates(status=self.status)
        self.rows = df.to_dict("records")
        present = {r["id"] for r in self.rows}
        self.marked &= present
        self._fill(keep=self.query_one("#privacy-table", RowList).cursor)   # language switch

    def _fill(self, keep: int | None = None) -> None:
        words = fold(self.query_one("#privacy-filter", Input).value.strip()).split()
        rows, keys = [], []
        for i, r in enumerate(self.rows):
            values = ("•" if r["id"] in self.marked else " ", str(r["id"]),
                      category_name(r["category"]), cell(r["variants"]),
                      status_name(r["status"]), action_name(r["action"]),
                      str(r["occurrences"]))
            if words and not all(w in fold(" ".join(values) + " " + r["category"])
                                 for w in words):
                continue
            rows.append(values)
            keys.append(i)
        self._keys = keys
        table = self.query_one("#privacy-table", RowList)
        table.set_data([("", 1), ("#", 4), (_("Category"), 14), (_("Written forms"), None),
                        (_("Decision"), 10), (_("Action"), 9), (_("Occ."), 5)], rows, keys)
        if keep is not None and keys:
            table.move_cursor(min(keep, len(keys) - 1))
        n = len(self.rows)
        pending = sum(1 for r in self.rows if r["status"] == "pending")
        settings = self.project.privacy_settings()
        title = ngettext("{n} candidate", "{n} candidates", n).format(n=n)
        if self.status:
            title += f" ({status_name(self.status)})"
        else:
            title += " · " + ngettext("{n} to review", "{n} to review", pending).format(n=pending)
        title += " · " + (_("pseudonyms: tags") if settings["style"] == "tags"
                          else _("pseudonyms: realistic"))
        self.query_one("#privacy-title", Static).update(Content(title))
        self.query_one("#privacy-status", Static).update(Content(_(
            "{shown}/{n} shown · enter: every occurrence · f status · space mark · "
            "? all keys").format(shown=len(rows), n=n)))
        self._preview(table.cursor if keys else None)

    def current(self) -> dict | None:
        table = self.query_one("#privacy-table", RowList)
        if not self._keys or not (0 <= table.cursor < len(self._keys)):
            return None
        return self.rows[self._keys[table.cursor]]

    def _preview(self, index: int | None) -> None:
        box = self.query_one("#privacy-preview", Static)
        if index is None or not (0 <= index < len(self._keys)):
            box.update(_("No candidate: press d to detect names, places and contact details.")
                       if not self.rows else "")
            return
        r = self.rows[self._keys[index]]
        occ = self.app.attempt(self.project.privacy_occurrences, r["id"], context=50, limit=3)
        parts: list = [(cell(r["label"]), "bold"),
                       (" · " + category_name(r["category"]) + " · " +
                        sources_name(r["sources"]), "dim")]
        if occ is not None:
            for o in occ.itertuples():
                parts.extend([("\n" + cell(o.document) + " ", "dim"), ("…" + o.before + " ", ""),
                              (o.text, "reverse"), (" " + o.after + "…", "")])
        box.update(Content.assemble(*parts))

    @on(RowList.Highlighted, "#privacy-table")
    def _highlighted(self, event: RowList.Highlighted) -> None:
        if not isinstance(event, RowList.Selected):
            self._preview(event.index)

    @on(RowList.Selected, "#privacy-table")
    def _open(self, event: RowList.Selected) -> None:
        r = self.current()
        if r is None:
            return
        occ = self.app.attempt(self.project.privacy_occurrences, r["id"], context=40)
        if occ is None or occ.empty:
            self.notify(_("No occurrence in the documents (found in the metadata or the "
                          "participant table)."))
            return

        def go(choice) -> None:
            if choice:
                doc_id = self.project.document_id(choice[0])
                self.app.open_document(doc_id, offset=choice[1], select=(choice[1], choice[2]))

        self.app.push_screen(OccurrencesDialog(r["label"], occ.to_dict("records")), go)

    # -- filter and status --------------------------------------------------------------
    @on(Input.Changed, "#privacy-filter")
    def _filter_changed(self) -> None:
        self._fill()

    @on(Input.Submitted, "#privacy-filter")
    def _filter_done(self) -> None:
        self.query_one("#privacy-table").focus()

    def action_filter(self) -> None:
        self.query_one("#privacy-filter").focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#privacy-filter", Input)
        if box.value:
            box.value = ""
        self.query_one("#privacy-table").focus()

    def action_status_filter(self) -> None:
        self.status = STATUSES[(STATUSES.index(self.status) + 1) % len(STATUSES)]
        self.app.attempt(self.refresh_data)

    # -- decisions ------------------------------------------------------------------------
    def _changed(self, keep: int | None = None) -> None:
        self.app.mark_synced()
        cursor = self.query_one("#privacy-table", RowList).cursor if keep is None else keep
        df = self.project.privacy_candidates(status=self.status)
        self.rows = df.to_dict("records")
        self._fill(keep=cursor)

    def action_decide(self, status: str) -> None:
        r = self.current()
        if r is None:
            return
        if self.app.change(self.project.privacy_decide, [r["id"]], status) is not None:
            cursor = self.query_one("#privacy-table", RowList).cursor
            self._changed(cursor + (1 if self.status is None else 0))

    def action_decide_shown(self, status: str) -> None:
        ids = [self.rows[i]["id"] for i in self._keys]
        if not ids:
            return
        message = ngettext("{status}: {n} candidate shown?", "{status}: {n} candidates shown?",
                           len(ids)).format(status=status_name(status), n=len(ids))

        def go(ok: bool | None) -> None:
            if ok and self.app.change(self.project.privacy_decide, ids, status) is not None:
                self._changed(0)

        self.app.push_screen(ConfirmDialog(message), go)

    def action_mark(self) -> None:
        r = self.current()
        if r is None:
            return
        self.marked ^= {r["id"]}
        cursor = self.query_one("#privacy-table", RowList).cursor
        self._fill(keep=cursor + 1)

    def action_merge(self) -> None:
        r = self.current()
        if r is None:
            return
        others = sorted(self.marked - {r["id"]})
        if not others:
            self.notify(_("Mark the candidates to merge (space), then press m on the one they "
                          "join."), severity="warning")
            return
        if self.app.change(self.project.privacy_merge, r["id"], others) is not None:
            self.marked.clear()
            self._changed()
            self.notify(ngettext("{n} candidate merged into {label}",
                                 "{n} candidates merged into {label}", len(others)).format(
                                     n=len(others), label=r["label"]))

    def action_split(self) -> None:
        r = self.current()
        if r is None:
            return
        forms = r["variants"].split(" | ")
        if len(forms) < 2:
            self.notify(_("This candidate has one written form only."), severity="warning")
            return

        def go(form) -> None:
            if form and self.app.change(self.project.privacy_split, form) is not None:
                self._changed()

        self.app.push_screen(ChoiceDialog(_("Written form to separate"),
                                          [(f, f) for f in forms]), go)

    def action_category(self) -> None:
        r = self.current()
        if r is None:
            return
        cats = self.project.privacy_categories()

        def go(category) -> None:
            if category and self.app.change(self.project.privacy_set_category, r["id"],
                                            category) is not None:
                self._changed()

        self.app.push_screen(ChoiceDialog(_("Category of {label}").format(label=r["label"]),
                                          [(category_name(c), c) for c in cats]), go)

    def action_add(self) -> None:
        r = self.current()

        def go(values) -> None:
            if not values:
                return
            eid = self.app.change(self.project.privacy_add_term, values["text"],
                                  values["category"], to=r["id"] if values["to"] and r else None,
                                  ignore_case=values["ignore_case"])
            if eid is not None:
                self._changed()
                self.notify(_("Added: {text}").format(text=values["text"]))

        self.app.push_screen(AddTermDialog(self.project.privacy_categories(),
                                           r["label"] if r else None), go)

    def action_preview(self) -> None:
        r = self.current()
        if r is None:
            return
        forms = self.app.attempt(self.project.privacy_preview, r["id"])
        if forms:
            self.notify(" · ".join(f"{k} → {v}" for k, v in forms.items()), timeout=10)
        elif forms is not None:
            self.notify(_("Kept as it is (rejected, or its category is kept)."))

    def action_policies(self) -> None:
        def go(_result) -> None:
            self._changed()

        self.app.push_screen(PoliciesDialog(self.project), go)

    # -- long work ------------------------------------------------------------------------
    def action_detect(self) -> None:
        def go(values) -> None:
            if not values:
                return

            def job(progress, cancelled):
                return self.project.detect_personal_data(
                    lists=values["lists"] or None, use_ner=values["ner"],
                    rescan=values["rescan"], progress=progress, cancelled=cancelled)

            def done(report) -> None:
                self._changed(0)
                self.notify(self.project.privacy_detection_line(report), timeout=10)

            self.app.run_long(_("Detection"), job, done)

        self.app.push_screen(DetectDialog(), go)

    def action_write(self) -> None:
        def go(values) -> None:
            if not values:
                return
            if values["style"] != self.project.privacy_settings()["style"]:
                self.app.change(self.project.set_privacy_settings, style=values["style"])

            def job(progress, cancelled):
                return self.project.pseudonymise(
                    values["out"], values["key"], passphrase=values["passphrase"],
                    require_review=values["require_review"], overwrite=values["overwrite"],
                    progress=progress, cancelled=cancelled)

            def done(summary) -> None:
                self.app.last_pseudonymised = summary
                self._changed()
                total = sum(summary.get("replacements", {}).values())
                self.notify(_("Written: {out} ({n} replacements). The key: {key}").format(
                    out=summary["out"], n=total, key=summary["key"]), timeout=15)

            self.app.run_long(_("Pseudonymisation"), job, done)

        self.app.push_screen(WriteDialog(self.project), go)


def _tail(text: str, width: int) -> str:
    """The end of ``text`` (the words just before a name), cut at the left."""
    return text if len(text) < width else "…" + text[-(width - 2):]


class OccurrencesDialog(Localised, ModalScreen):
    """Every occurrence of an entity, in context; enter opens the document there."""

    BINDINGS = [Binding("escape,q", "close", N_("Close"))]

    def __init__(self, label: str, occurrences: list[dict]) -> None:
        super().__init__(classes="dialog-screen")
        self.label, self.occurrences = label, occurrences

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Label(ngettext("{label}: {n} occurrence", "{label}: {n} occurrences",
                                 len(self.occurrences)).format(label=self.label,
                                                               n=len(self.occurrences)),
                        classes="dialog-title")
            yield RowList(id="occurrences", classes="list")
            yield TrLabel(N_("enter: open the document there · escape: close"),
                          classes="dialog-hint")

    def on_mount(self) -> None:
        table = self.query_one(RowList)
        width = max(12, (self.app.size.width - 50) // 2)
        table.set_data([(_("Document"), 12), (_("Before"), width), (_("Written"), 16),
                        (_("After"), None)],
                       [(cell(o["document"]), _tail(o["before"], width), o["text"],
                         o["after"]) for o in self.occurrences])
        table.focus()

    @on(RowList.Selected)
    def _selected(self, event: RowList.Selected) -> None:
        o = self.occurrences[event.index]
        self.dismiss((o["document"], int(o["start"]), int(o["end"])))

    def action_close(self) -> None:
        self.dismiss(None)


class AddTermDialog(FormDialog):
    """A term detection missed: text, category, ignore case, or another written form of
    the highlighted candidate."""

    DEFAULT_CSS = """
    AddTermDialog Input, AddTermDialog Select, AddTermDialog Checkbox { margin-bottom: 1; }
    """

    def __init__(self, categories: dict, current: str | None) -> None:
        super().__init__(classes="dialog-screen")
        self.categories, self.current = categories, current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog text-dialog"):
            yield TrLabel(N_("Add a term detection missed"), classes="dialog-title")
            yield TrInput(placeholder=N_("The term as written (Torigny-les-Villes)"),
                          id="term-text", compact=True)
            yield Select([(category_name(c), c) for c in self.categories], value="person",
                         allow_blank=False, id="term-category", compact=True)
            yield Checkbox(_("Also in lower or upper case"), id="term-fold", compact=True)
            if self.current:
                yield Checkbox(_("Another written form of {label}").format(label=self.current),
                               id="term-to", compact=True)
            with Horizontal(classes="dialog-buttons"):
                yield TrButton(N_("Add"), variant="primary", id="ok", compact=True)
                yield TrButton(N_("Cancel"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#term-text").focus()

    def submit(self) -> None:
        text = self.query_one("#term-text", Input).value.strip()
        if not text:
            self.notify(_("Give the term"), severity="warning")
            return
        to = self.query("#term-to")
        self.dismiss({"text": text, "category": self.query_one("#term-category", Select).value,
                      "ignore_case": self.query_one("#term-fold", Checkbox).value,
                      "to": bool(to) and to.first(Checkbox).value})


class PoliciesDialog(Localised, ModalScreen):
    """What happens to each category: replaced or kept (enter or space switches)."""

    BINDINGS = [Binding("escape,q", "close", N_("Close")),
                Binding("space", "toggle", N_("replace / keep"))]

    def __init__(self, project) -> None:
        super().__init__(classes="dialog-screen")
        self.project = project
        self.names: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield TrLabel(N_("What happens to each category"), classes="dialog-title")
            yield RowList(id="policies", classes="list")
            yield TrLabel(N_("enter or space: replace / keep · escape: close"),
                          classes="dialog-hint")

    def on_mount(self) -> None:
        self._fill()
        self.query_one(RowList).focus()

    def _fill(self, keep: int = 0) -> None:
        cats = self.project.privacy_categories()
        self.names = list(cats)
        table = self.query_one(RowList)
        table.set_data([(_("Category"), 18), (_("Tag"), 22), (_("Action"), 10),
                        (_("What"), None)],
                       [(category_name(c.name),
                         c.example_tag,
                         action_name(c.action), _(c.title) if c.title else "")
                        for c in cats.values()])
        table.move_cursor(min(keep, len(self.names) - 1))

    def action_toggle(self) -> None:
        table = self.query_one(RowList)
        name = self.names[table.cursor]
        cat = self.project.privacy_categories()[name]
        new = "keep" if cat.action == "replace" else "replace"
        if self.app.change(self.project.set_privacy_policy, name, new) is not None:
            self._fill(keep=table.cursor)

    @on(RowList.Selected)
    def _selected(self) -> None:
        self.action_toggle()

    def action_close(self) -> None:
        self.dismiss(None)


class DetectDialog(FormDialog):
    DEFAULT_CSS = """
    DetectDialog Input, DetectDialog Checkbox { margin-bottom: 1; }
    """

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog text-dialog"):
            yield TrLabel(N_("Detect names, places and contact details"), classes="dialog-title")
            yield TrInput(placeholder=N_("The team's lists (YAML file, optional)"),
                          id="detect-lists", compact=True)
            yield Checkbox(_("With spaCy's named-entity recogniser (slower)"), value=True,
                           id="detect-ner", compact=True)
            yield Checkbox(_("Read every document again (not only new ones)"),
                           id="detect-rescan", compact=True)
            with Horizontal(classes="dialog-buttons"):
                yield TrButton(N_("Detect"), variant="primary", id="ok", compact=True)
                yield TrButton(N_("Cancel"), id="cancel", compact=True)

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")

    def on_mount(self) -> None:
        self.query_one("#ok").focus()

    def submit(self) -> None:
        self.dismiss({"lists": self.query_one("#detect-lists", Input).value.strip(),
                      "ner": self.query_one("#detect-ner", Checkbox).value,
                      "rescan": self.query_one("#detect-rescan", Checkbox).value})


class WriteDialog(FormDialog):
    """Where to write the pseudonymised copy and the key, which pseudonyms, and the key's
    passphrase (typed twice)."""

    DEFAULT_CSS = """
    WriteDialog .write-dialog { width: 90; }
    WriteDialog .write-dialog Input, WriteDialog .write-dialog Select,
    WriteDialog .write-dialog Checkbox { margin-bottom: 1; }
    """

    def __init__(self, project) -> None:
        super().__init__(classes="dialog-screen")
        self.project = project

    def compose(self) -> ComposeResult:
        stem = self.project.path.stem
        out = self.project.path.with_name(f"{stem}-pseudo.wbproj")
        key = Path.home() / f"{stem}-cle.key"
        style = self.project.privacy_settings()["style"]
        with VerticalScroll(classes="dialog text-dialog write-dialog"):
            yield TrLabel(N_("Write the pseudonymised copy"), classes="dialog-title")
            yield TrLabel(N_("Pseudonymised project (a new file)"), classes="dialog-hint")
            yield Input(str(out), id="write-out", compact=True)
            yield TrLabel(N_("The key (original ↔ pseudonym): a file kept apart from the data"),
                          classes="dialog-hint")
            yield Input(str(key), id="write-key", compact=True)
            yield TrSelect([(N_("tags: [Prénom 12], [Ville 3]"), "tags"),
                            (N_("realistic French substitutes"), "realistic")],
                         value=style, allow_blank=False, id="write-style", compact=True)
            yield Checkbox(_("Encrypt the key with a passphrase"), value=True,
                           id="write-encrypt", compact=True)
            yield TrInput(placeholder=N_("Passphrase"), password=True, id="write-pass",
                          compact=True)
            yield TrInput(placeholder=N_("Passphrase again"), password=True, id="write-pass2",
                          compact=True)
            yield Checkbox(_("Refuse while candidates are to review"), id="write-review",
                           compact=True)
            yield Checkbox(_("Replace these files if they exist (a copy written earlier)"),
                           id="write-overwrite", compact=True)
            with Horizontal(classes="dialog-buttons"):
                yield TrButton(N_("Write"), variant="primary", id="ok", compact=True)
                yield TrButton(N_("Cancel"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#write-out").focus()

    def submit(self) -> None:
        get = lambda wid: self.query_one(wid, Input).value.strip()  # noqa: E731
        out, key = get("#write-out"), get("#write-key")
        if not out or not key:
            self.notify(_("Give both files: the copy and the key"), severity="warning")
            return
        passphrase = None
        if self.query_one("#write-encrypt", Checkbox).value:
            passphrase = self.query_one("#write-pass", Input).value
            if not passphrase:
                self.notify(_("Give the key's passphrase (or do not encrypt it)"),
                            severity="warning")
                self.query_one("#write-pass").focus()
                return
            if passphrase != self.query_one("#write-pass2", Input).value:
                self.notify(_("The two passphrases differ"), severity="warning")
                self.query_one("#write-pass2").focus()
                return
        self.dismiss({"out": out, "key": key, "passphrase": passphrase,
                      "style": self.query_one("#write-style", Select).value,
                      "require_review": self.query_one("#write-review", Checkbox).value,
                      "overwrite": self.query_one("#write-overwrite", Checkbox).value})
