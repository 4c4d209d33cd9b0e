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

from workbench.coding.engine import ConfirmationRequired
from workbench.tui.i18n import t
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import ConfirmDialog, TextInputDialog


class CodebookScreen(BaseScreen):
    section = "codebook"
    BINDINGS = [
        Binding("q", "back", t("key.back")),
        Binding("n", "new", t("cb.new")),
        Binding("N", "new_child", t("cb.new_child")),
        Binding("r", "rename", t("cb.rename")),
        Binding("M", "move", t("cb.move")),
        Binding("f", "merge", t("cb.merge")),
        Binding("e", "edit", t("cb.edit")),
        Binding("delete", "delete", t("cb.delete")),
        Binding("o", "excerpts", t("cb.excerpts")),
        Binding("A", "autocode", t("cb.autocode")),
        Binding("v", "review", t("cb.review")),
        Binding("I", "import_codebook", t("cb.import")),
        Binding("E", "export_codebook", t("cb.export")),
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
        self.title = t("screen.codebook")
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
            label = Text.assemble(("■ ", cell(r["colour"]) or "white"), (r["name"], "bold"),
                                  (f"  {r['codings']}", "dim"),
                                  (f" · {r['documents']} docs" if r["documents"] else "", "dim"),
                                  (f"  [{r['questions']}]" if r["questions"] else "", "italic dim"))
            node = (parent or tree.root).add(label, data=cid, expand=True)
            nodes[cid] = node
            if cid == keep:
                target = node
        if not self._rows:
            self.query_one("#code-detail-text", Static).update(t("cb.empty"))
        self.query_one("#codebook-status", Static).update(Content(t("cb.total", n=len(self._rows))))
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
            box.update(t("cb.empty") if not self._rows else "")
            return
        r = self._rows[cid]
        parts = [(r["path"] + "\n", "bold"),
                 (f"{t('cb.codings')}: {r['codings']} · {t('cb.docs')}: {r['documents']}\n\n", "dim")]
        for key, field in (("cb.short", "short"), ("cb.definition", "definition"),
                           ("cb.when_to_use", "when_to_use"), ("cb.when_not", "when_not_to_use"),
                           ("cb.example", "example"), ("cb.questions", "questions")):
            value = cell(r.get(field))
            parts += [(t(key) + "\n", "bold $accent"), ((value or t("cb.none")) + "\n\n", "")]
        box.update(Content.assemble(*parts))

    # -- actions ----------------------------------------------------------------------
    def _path(self, cid: int) -> str:
        return self._rows.get(cid, {}).get("path", str(cid))

    def action_new(self, parent: int | None = None) -> None:
        prompt = t("cb.child_prompt", parent=self._path(parent)) if parent else t("cb.new_prompt")

        def done(name):
            if not name or not name.strip():
                return
            cid = self.app.change(self.project.create_code, name.strip(), parent)
            if self.app.ok:
                self.refresh_data(select=cid)
                self.notify(t("cb.created", path=self.project.code_paths().get(cid, name)))
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
                self.notify(t("cb.renamed", old=old, new=name.strip()))
        self.app.push_screen(TextInputDialog(t("cb.rename_prompt", code=self._path(cid)), old), done)

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
                self.notify(t("cb.moved", code=self._path(cid),
                              parent=self._path(new_parent) if new_parent else t("picker.root")))
        self.app.pick_code(done, title=t("picker.choose_parent"), allow_create=False,
                           extra=[(t("picker.root"), "/")])

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
                    self.notify(t("cb.merged", source=src, target=tgt, n=n))
            self.app.push_screen(ConfirmDialog(t("cb.merge_confirm", source=src, target=tgt)),
                                 confirmed)
        self.app.pick_code(chosen, title=t("picker.choose_target"), allow_create=False)

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
                self.notify(t("cb.updated", code=self._path(cid)))
        self.app.push_screen(TextInputDialog(t("cb.definition_prompt", code=self._path(cid)),
                                             current, multiline=True), done)

    def action_delete(self) -> None:
        cid = self.selected_code()
        if cid is None:
            return
        path = self._path(cid)

        def delete(force: bool) -> None:
            try:
                self.project.delete_code(cid, force=force)
            except ConfirmationRequired as exc:
                self.app.push_screen(ConfirmDialog(str(exc)),
                                     lambda yes: yes and delete(True))
                return
            except Exception as exc:
                self.app.show_error(exc)
                return
            self.app.mark_synced()
            self.refresh_data()
            self.notify(t("cb.deleted", code=path))

        self.app.push_screen(ConfirmDialog(f"{t('cb.delete')} « {path} » ?"),
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
