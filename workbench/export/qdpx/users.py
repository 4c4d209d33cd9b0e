"""``<Users>``: REFI users are Workbench coders.

Only coders who made something that is exported (a coding, a selection, a memo) or
who came from another tool's file are written: the person who merely imported files
(the local login) never appears as an extra user.
"""
from __future__ import annotations

import unicodedata

from lxml import etree

from workbench.i18n import _
from workbench.identity import guid_key, keep_guid, valid_key

from .common import kid, kids, q
from .context import ImportCtx, ReadCtx, WriteCtx


def read(root, ctx: ReadCtx) -> list[dict]:
    """[{guid, key, name, id}]"""
    out, seen = [], set()
    for u in kids(kid(root, "Users"), "User"):
        g = keep_guid(u.get("guid"))
        if g is None:
            ctx.warn(_("user {name!r} without a valid guid skipped").format(name=u.get("name")))
            continue
        key = valid_key(g)
        if key in seen:
            continue
        seen.add(key)
        name = unicodedata.normalize("NFC", (u.get("name") or u.get("id") or "").strip())
        out.append(dict(guid=g, key=key, name=name or f"utilisateur-{key[:8]}", id=u.get("id")))
    return out


def write(ctx: WriteCtx, authors: set[str]) -> None:
    """Write the users: ``authors`` (coder names of exported items) and the coders
    another tool's file brought (they keep that file's GUID)."""
    store = ctx.store
    known = store.exchange_guids("coder")
    fields = store.exchange_fields("user")
    coders = store.list_coders()
    for c in coders:
        stored = known.get(str(c["id"]))
        if c["name"] in authors or stored:
            ctx.user_guid[c["name"]] = stored or ctx.derived("coder", c["name"])
    if not ctx.user_guid:
        return
    users = etree.SubElement(ctx.root, q("Users"))
    for name, guid in sorted(ctx.user_guid.items()):
        el = etree.SubElement(users, q("User"), guid=guid, name=name)
        extra = fields.get(guid.lower(), {})
        if extra.get("id"):
            el.set("id", extra["id"])
        ctx.exported_guids.add(guid.lower())
    if ctx.project.coder in ctx.user_guid:
        ctx.root.set("creatingUserGUID", ctx.user_guid[ctx.project.coder])


def merge(ctx: ImportCtx) -> None:
    """File users become coders: matched by the GUID a previous import kept, then by
    name; the others are new coders.  (Users of a Workbench project have no GUID of
    their own unless an earlier REFI-QDA import gave one: matched by name.)"""
    store = ctx.store
    ctx.coder_ids = store.coder_ids()
    by_id = {i: n for n, i in ctx.coder_ids.items()}
    owners = store.exchange_guids("coder")
    owner_of = {g.lower(): int(i) for i, g in owners.items()}
    for u in ctx.content.users:
        local = owner_of.get(guid_key(u["guid"]) or "") if u["guid"] else None
        if local in by_id:
            name = by_id[local]
            ctx.report.matched["coders"] += 1
            if name != u["name"]:
                ctx.conflict(f"user:{u['key']}", "user", name, "name", name, u["name"],
                             choices=("ours",), reason=_("coders are renamed with "
                                                          "workbench coders rename"))
        elif u["name"] in ctx.coder_ids:
            name = u["name"]
            ctx.report.matched["coders"] += 1
            if u["guid"] and str(ctx.coder_ids[name]) not in owners:
                store.set_exchange_guid("coder", ctx.coder_ids[name], u["guid"])
        else:
            name = u["name"]
            ctx.coder_ids[name] = store.ensure_coder(name)
            if u["guid"]:
                store.set_exchange_guid("coder", ctx.coder_ids[name], u["guid"])
            ctx.report.add("coders", name)
        ctx.coder_by_user[u["key"]] = name
        ctx.report.map("coder", u["key"], ctx.coder_ids[name])
        if u.get("id"):
            store.set_exchange_fields("user", u["guid"], {"id": u["id"]})
    creator = guid_key(ctx.content.project.get("creatingUserGUID"))
    if creator in ctx.coder_by_user:
        ctx.fallback_coder = ctx.coder_by_user[creator]
