"""Reading a ``.qdpx`` completely, one element module at a time, before anything is
written: a file that cannot be imported is refused whole, with the file named."""
from __future__ import annotations

from pathlib import Path

from lxml import etree

from workbench.i18n import _

from . import cases, codes, extras, notes, sets, sources, users, variables
from .archive import Archive
from .common import NS, CancelledFn, ProgressFn, noop, unkept
from .context import Content, ReadCtx


def read_qdpx(path: str | Path, *, progress: ProgressFn | None = None,
              cancelled: CancelledFn | None = None) -> Content:
    """Parse and check a ``.qdpx``; raises :class:`~.common.QdpxError` naming the file
    on anything that would lose data.  Nothing is written."""
    path = Path(path)
    arch = Archive(path)
    root = arch.root()
    content = Content(origin=root.get("origin") or "")
    ctx = ReadCtx(path=path, arch=arch, content=content, step=progress or noop,
                  stop=cancelled or (lambda: False))
    ns = etree.QName(root).namespace or ""
    if ns != NS:
        ctx.warn(_("non-standard namespace {ns!r} read as {standard!r}").format(
            ns=ns or _("(none)"), standard=NS))
    content.project = extras.read_project(root, ctx)
    content.users = users.read(root, ctx)
    content.codes = codes.read(root, ctx)
    content.questions, content.sets = sets.read(root, ctx)
    content.variables = variables.read(root, ctx)
    content.cases = cases.read(root, ctx)
    content.sources = sources.read(root, ctx, {c["key"] for c in content.codes})
    content.notes = notes.read(root, ctx)
    content.objects = extras.read(root, ctx)
    content.warnings.extend(unkept(root))
    return content
