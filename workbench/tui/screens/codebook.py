"""The codebook panel: the code tree with counts and definitions; create, rename,
move, merge, delete; open the excerpts of a code."""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, Static, Tree

from workbench.i18n import N_, _, ngettext
from workbench.public import ConfirmationRequired
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import ConfirmDialog, TextInputDialog


#: The fields of a code shown beside the tree, with their labels (msgids).
DETAIL_FIELDS = ((N_("Short description"), "short"), (N_("Definition"), "definition"),
                 (N_("Inclusion criteria"), "when_to_use"),
                 (N_("Exclusion criteria"), "when_not_to_use"), (N_("Example"), "example"),
                 (N_("Evaluation questions"), "questions"))


class CodebookScreen(BaseScreen):
    TITLE = N_("Codebook")
    BINDINGS = [
        Binding("q", "back", N_("Back")),
        Binding("n", "new", N_("new")),
        Binding("N", "new_child", N_("sub-code")),
        Binding("r", "rename", N_("rename")),
        Binding("M", "move", N_("move")),
        Binding("f", "merge", N_("merge")),
        Binding("e", "edit", N_("definition")),
        Binding("delete", "delete", N_("delete")),
        Binding("o", "excerpts", N_("excerpts")),
        Binding("A", "autocode", N_("autocode")),
        Binding("v", "review", N_("review")),
        Binding("I", "import_codebook", N_("import")),
        Binding("E", "export_codebook", N_("export")),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__()
        self._rows: dict[int, dict] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="codebook-main"):
            tree: Tree = Tree("codes", id="code-tree")
            tree.show_root = False
            yield tree
            with VerticalScroll(id="code-detail"):
                yield Static(id="code-detail-text")
        yield Static(classes="list-status", id="codebook-status")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one(Tree).focus()

    @property
    def tree(self) -> Tree:
        return self.query_one("#code-tree", Tree)

    def selected_code(self) -> int | None:
        node = self.tree.cursor_node
        return None if node is None else node.data

    def refresh_data(self, select: int | None = None) -> None:
        keep = select if select is not None else self.selected_code()
        df = self.project.codes()
        tree = self.tree
        tree.clear()
        nodes = {}
        self._rows = {}
        target = None
        for r in df.to_dict("records"):
            cid = int(r["id"])
            self._rows[cid] = r
            parent = nodes.get(int(r["parent_id"])) if r["parent_id"] is not None and \
                r["parent_id"] == r["parent_id"] else None
            # the count first: it stays visible however narrow the tree is
            label = Text.assemble(("■ ", cell(r["colour"]) or "white"),
                                  (f"{r['codings']:>3} ", "dim"), (r["name"], "bold"),
                                  (" · " + ngettext("{n} doc.", "{n} docs", r["documents"]).format(
                                      n=r["documents"]) if r["documents"] else "", "dim"),
                                  (f"  [{r['questions']}]" if r["questions"] else "", "italic dim"))
            node = (parent or tree.root).add(label, data=cid, expand=True)
            nodes[cid] = node
            if cid == keep:
                target = node
        for node in nodes.values():         # a code without sub-codes shows no ▼ to open
            if not node.children:
                node.allow_expand = False
        if not self._rows:
            self.query_one("#code-detail-text", Static).update(
                _("No codes yet. Press n to create one."))
        status = ngettext("{n} code", "{n} codes", len(self._rows)).format(n=len(self._rows))
        if "own_codings" in df.columns:       # the core counts a code with its sub-codes
            status += " · " + _("counts include the sub-codes")
        self.query_one("#codebook-status", Static).update(Content(status))
        if target is None and nodes:
            target = next(iter(nodes.values()))
            keep = target.data
        if target is not None:
            self.call_after_refresh(tree.move_cursor, target)
        self._show_detail(keep if keep in self._rows else None)

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        self._show_detail(event.node.data)

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected) -> None:
        if event.node.data is not None:
            self.app.action_goto("retrieval", code=event.node.data)

    def _show_detail(self, cid: int | None) -> None:
        box = self.query_one("#code-detail-text", Static)
        if cid is None or cid not in self._rows:
            box.update(_("No codes yet. Press n to create one.") if not self._rows else "")
            return
        r = self._rows[cid]
        n, own = int(r["codings"]), int(r.get("own_codings", r["codings"]))
        codings = ngettext("{n} coding", "{n} codings", n).format(n=n)
        if own != n:
            codings += " " + _("({own} on this code, {sub} on its sub-codes)").format(
                own=own, sub=n - own)
        counts = " · ".join((codings, ngettext("{n} document", "{n} documents",
                                               r["documents"]).format(n=r["documents"])))
        parts = [(r["path"] + "\n", "bold"), (counts + "\n\n", "dim")]
        for label, field in DETAIL_FIELDS:
            value = cell(r.get(field))
            parts += [(_(label) + "\n", "bold $accent"), ((value or "—") + "\n\n", "")]
        box.update(Content.assemble(*parts))

    # -- actions ----------------------------------------------------------------------
    def _path(self, cid: int) -> str:
        return self._rows.get(cid, {}).get("path", str(cid))

    def action_new(self, parent: int | None = None) -> None:
        prompt = (_("Name of the sub-code of {parent}").format(parent=self._path(parent)) if parent
                  else _("Name of the new code (Parent/Child accepted)"))

        def done(name):
            if not name or not name.strip():
                return
            cid = self.app.change(self.project.create_code, name.strip(), parent)
            if self.app.ok:
                self.refresh_data(select=cid)
                self.notify(_("Code created: {path}").format(
                    path=self.project.code_paths().get(cid, name)))
        self.app.push_screen(TextInputDialog(prompt), done)

    def action_new_child(self) -> None:
        cid = self.selected_code()
        self.action_new(cid) if cid is not None else self.action_new()

    def action_rename(self) -> None:
        cid = self.selected_code()
        if cid is None:
            return
        old = self._rows[cid]["name"]

        def done(name):
            if not name or name.strip() == old:
                return
            self.app.change(self.project.rename_code, cid, name.strip())
            if self.app.ok:
                self.refresh_data(select=cid)
                self.notify(_("Renamed: {old} → {new}").format(old=old, new=name.strip()))
        self.app.push_screen(TextInputDialog(_("New name for {code}").format(code=self._path(cid)),
                                             old), done)

    def action_move(self) -> None:
        cid = self.selected_code()
        if cid is None:
            return

        def done(parent):
            if parent is None:
                return
            new_parent = None if parent == "/" else parent
            self.app.change(self.project.move_code, cid, new_parent)
            if self.app.ok:
                self.refresh_data(select=cid)
                self.notify(_("Moved: {code} → {parent}").format(
                    code=self._path(cid),
                    parent=self._path(new_parent) if new_parent else _("(top level)")))
        self.app.pick_code(done, title=_("New parent (empty = top level)"), allow_create=False,
                           extra=[(_("(top level)"), "/")])

    def action_merge(self) -> None:
        source = self.selected_code()
        if source is None:
            return

        def chosen(target):
            if target is None or target == source:
                return
            src, tgt = self._path(source), self._path(target)

            def confirmed(yes):
                if not yes:
                    return
                n = self.app.change(self.project.merge_codes, source, target)
                if self.app.ok:
                    self.refresh_data(select=target)
                    self.notify(ngettext("Merged: {source} → {target} ({n} coding moved)",
                                         "Merged: {source} → {target} ({n} codings moved)",
                                         n).format(source=src, target=tgt, n=n))
            self.app.push_screen(ConfirmDialog(_(
                "Merge “{source}” into “{target}”? Its codings, sub-codes and memos move.").format(
                    source=src, target=tgt)), confirmed)
        self.app.pick_code(chosen, title=_("Merge into…"), allow_create=False)

    def action_edit(self) -> None:
        cid = self.selected_code()
        if cid is None:
            return
        current = cell(self._rows[cid].get("definition"))

        def done(text):
            if text is None:
                return
            self.app.change(self.project.update_code, cid, definition=text.strip() or None)
            if self.app.ok:
                self.refresh_data(select=cid)
                self.notify(_("Definition saved: {code}").format(code=self._path(cid)))
        self.app.push_screen(TextInputDialog(_("Definition of {code}").format(code=self._path(cid)),
                                             current, multiline=True), done)

    def action_delete(self) -> None:
        cid = self.selected_code()
        if cid is None:
            return
        path = self._path(cid)

        def deleted(force: bool):
            try:
                return self.project.delete_code(cid, force=force)
            except ConfirmationRequired as exc:     # (asked before anything is written)
                return exc

        def delete(force: bool) -> None:
            # a change like any other: behind another program's write it waits in a
            # long job instead of freezing the screen
            outcome = self.app.change(deleted, force)
            if isinstance(outcome, ConfirmationRequired):
                self.app.push_screen(ConfirmDialog(str(outcome)),
                                     lambda yes: yes and delete(True))
                return
            if not self.app.ok:      # an error shown, or waiting (the screens refresh then)
                return
            self.refresh_data()
            self.notify(_("Deleted: {code}").format(code=path))

        self.app.push_screen(ConfirmDialog(_("Delete the code “{code}”?").format(code=path)),
                             lambda yes: yes and delete(False))

    def action_excerpts(self) -> None:
        cid = self.selected_code()
        if cid is not None:
            self.app.action_goto("retrieval", code=cid)

    # -- autocoding, review, codebook files (screens/autocode.py, review.py, codebook_io.py)
    def action_autocode(self) -> None:
        self.app.push_screen(self.app.make_screen("autocode", code=self.selected_code()))

    def action_review(self) -> None:
        self.app.push_screen(self.app.make_screen("review", code=self.selected_code()))

    def action_import_codebook(self) -> None:
        from workbench.tui.screens.codebook_io import import_codebook
        import_codebook(self.app, lambda stats: self.refresh_data())

    def action_export_codebook(self) -> None:
        from workbench.tui.screens.codebook_io import export_codebook
        export_codebook(self.app)
