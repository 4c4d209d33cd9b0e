"""Working as a team, as a mixin of the Project facade: coders, copies for colleagues
(blind double coding), merging their work back, and adjudication.

See docs/user-guide.md, "Working as a team".
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    pd = lazy_module("pandas")

from workbench.facade import Capability
from workbench.domain import CONSENSUS_CODER, NotFoundError, ValidationError
from workbench.i18n import _
from workbench.identity import new_guid
from workbench.store import now

DECISIONS = ("a", "b", "both", "neither")


# ------------------------------------------------------------------ remembered coder

def _config_file() -> Path:
    base = os.environ.get("WORKBENCH_HOME")
    if base:
        return Path(base) / "coders.json"
    xdg = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(xdg) / "workbench" / "coders.json"


def _read_config() -> dict:
    try:
        data = json.loads(_config_file().read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def remembered_coder(project_guid: str | None) -> str | None:
    """The name this user gave for this project (kept in their own config file, so
    several people sharing one project file on a server each keep theirs)."""
    if not project_guid:
        return None
    return _read_config().get(project_guid) or None


def remember_coder(project_guid: str, name: str) -> None:
    path = _config_file()
    data = _read_config()
    data[project_guid] = name
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _check_coder_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("a coder name cannot be empty"))
    if name.casefold() == CONSENSUS_CODER.casefold():
        raise ValidationError(_("{name!r} is reserved for adjudicated codings").format(name=name))
    return name


class TeamAPI(Capability):
    # -- coder identity ------------------------------------------------------------------
    def set_coder(self, name: str, *, remember: bool = True) -> str:
        """Work as ``name`` from now on (registered if new; remembered for this user and
        this project unless ``remember`` is False)."""
        name = _check_coder_name(name)
        self.store.ensure_coder(name)
        self.coder = name
        self.coder_source = "chosen"
        if remember:
            remember_coder(self.store.project_guid(), name)
        return name

    def needs_coder_name(self) -> bool:
        """True when nobody said who is coding: the interface must ask (never use the
        login name silently)."""
        return getattr(self, "coder_source", "login") == "login"

    def rename_coder(self, old: str, new: str) -> None:
        """Rename a coder everywhere (codings, memos and history keep pointing to them)."""
        new = _check_coder_name(new)
        if self.store.coder_id(old) is None:
            raise NotFoundError(_("unknown coder {name!r}").format(name=old))
        if old == CONSENSUS_CODER:
            raise ValidationError(_("the consensus coder cannot be renamed"))
        if self.store.coder_id(new) is not None:
            raise ValidationError(_("a coder named {name!r} already exists").format(name=new))
        self.store.rename_coder(old, new, coder=self.coder)
        if self.coder == old:
            self.coder = new

    # -- blind double coding ---------------------------------------------------------------
    def share(self, out: str | Path, coder: str, *, blind: bool = False) -> dict:
        """Write a copy of the project for a colleague: same documents, codebook and
        participants.  With ``blind``, none of the other coders' codings or the memos on
        them (nor the undo and change history that would show them).  The copy records
        where it came from and for whom."""
        out = Path(out)
        coder = _check_coder_name(coder)
        if out.exists():
            raise ValidationError(_("{path}: a file already exists there").format(path=out))
        if out.suffix.lower() != ".wbproj":
            raise ValidationError(_("{path}: a shared copy is a .wbproj file").format(path=out))
        guid = self.store.project_guid()
        tmp = out.with_name("." + out.name + ".part")
        tmp.unlink(missing_ok=True)
        from workbench.store import Store
        self.store.backup_to(tmp)
        removed = {"codings": 0, "memos": 0}
        try:
            copy = Store(tmp)
            try:
                copy.ensure_coder(coder)
                if blind:
                    removed = copy.strip_for_blind_copy(coder)
                copy.set_meta("shared_from", json.dumps({
                    "project_guid": guid, "name": self.name, "path": str(self.path),
                    "by": self.coder, "for": coder, "blind": blind, "at": now()},
                    ensure_ascii=False))
                copy.set_meta("coder_hint", coder)
            finally:
                copy.close()
            for suffix in ("-wal", "-shm"):
                Path(str(tmp) + suffix).unlink(missing_ok=True)
            os.replace(tmp, out)
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(str(tmp) + suffix).unlink(missing_ok=True)
        self.store.log_change(self.coder, "project.share", "project", None,
                              {"path": str(out), "for": coder, "blind": blind})
        return {"path": str(out), "coder": coder, "blind": blind,
                "codings_removed": removed["codings"], "memos_removed": removed["memos"]}

    def coder_hint(self) -> str:
        """The coder a shared copy was made for ("" otherwise): offered, never assumed."""
        return self.store.get_meta("coder_hint") or ""

    def shared_from(self) -> dict | None:
        """Where this copy came from (None for an original project)."""
        raw = self.store.get_meta("shared_from")
        return json.loads(raw) if raw else None

    # -- merge -------------------------------------------------------------------------
    def merge(self, other: str | Path, *, choices: dict[str, str] | None = None,
              prefer: str | None = None, preview: bool = False, progress=None,
              cancelled=None):
        """Bring in another coder's work from a ``.wbproj`` or a ``.qdpx`` (see
        :mod:`workbench.exchange`: one implementation with :meth:`import_qdpx`).
        Conflicts need a choice (``choices`` by conflict id, or ``prefer`` for all;
        choices made before are remembered); without one,
        :class:`~workbench.team.merge.MergeConflicts` is raised and nothing is written.
        ``preview`` reports what would happen, writing nothing.  One undoable step."""
        from workbench.exchange.engine import bring_in
        return bring_in(self, other, mode="merge", choices=choices, prefer=prefer,
                        preview=preview, progress=progress, cancelled=cancelled)

    # -- comparison and adjudication ---------------------------------------------------------
    def comparison(self, doc: int | str, coder_a: str, coder_b: str, *,
                   codes: Iterable[int | str] | None = None) -> pd.DataFrame:
        """Where two coders agree and differ in a document, per code: overlapping codings
        of the two are grouped; a group is ``agree`` when both coded exactly the same
        spans, else ``a_only``, ``b_only`` or ``differ``.  ``decision`` shows an earlier
        adjudication of the same place."""
        from workbench.team.adjudication import compare_codings
        doc_id = self.document_id(doc)
        for name in (coder_a, coder_b):
            if self.store.coder_id(name) is None:
                raise NotFoundError(_("unknown coder {name!r}").format(name=name))
        wanted = None if codes is None else {self.code_id(c) for c in codes}
        rows = [r for r in self.store.document_codings(doc_id) if wanted is None or
                r["code_id"] in wanted]
        paths = self.code_paths()
        done = {(a["code_id"], a["start"], a["end"], a["coder_a"], a["coder_b"]): a
                for a in self.store.adjudications(doc_id)}
        out = []
        for g in compare_codings(rows, coder_a, coder_b):
            d = done.get((g["code_id"], g["start"], g["end"], coder_a, coder_b))
            out.append({**g, "code": paths.get(g["code_id"], ""),
                        "decision": d["decision"] if d else "",
                        "decided_by": d["decided_by"] if d else ""})
        cols = ["code_id", "code", "start", "end", "status", "a_spans", "b_spans", "decision",
                "decided_by"]
        return pd.DataFrame(out, columns=cols)

    def adjudicate(self, doc: int | str, code: int | str, start: int, end: int,
                   decision: str, coder_a: str, coder_b: str, *,
                   memo: str | None = None) -> list[int]:
        """Settle one place where two coders differ: keep A's codings (``a``), B's
        (``b``), both (``both``: their union) or ``neither``.  The kept spans become
        codings of the consensus coder; who decided, when, and the optional memo are
        recorded.  One undoable step; returns the consensus codings' ids."""
        if decision not in DECISIONS:
            raise ValidationError(_("decision must be one of {choices}").format(
                choices=", ".join(DECISIONS)))
        doc_id, code_id = self.document_id(doc), self.code_id(code)
        group = self.comparison(doc_id, coder_a, coder_b, codes=[code_id])
        group = group[(group["start"] == start) & (group["end"] == end)]
        if group.empty:
            raise NotFoundError(_("no place coded by {a} or {b} with this code at "
                                  "[{start}, {end})").format(a=coder_a, b=coder_b,
                                                            start=start, end=end))
        row = group.iloc[0]
        spans = {"a": row["a_spans"], "b": row["b_spans"], "neither": [],
                 "both": _union(row["a_spans"] + row["b_spans"])}[decision]
        consensus = self.store.ensure_coder(CONSENSUS_CODER)
        stamp = now()

        def do(rec):
            existing = [k for k in self.store.find_codings(document_id=doc_id, code_ids=[code_id],
                                                           coder_id=consensus)
                        if k["start"] < end and k["end"] > start]
            for k in existing:                        # a new decision replaces the old one
                for m in self.store.memos("coding", k["id"]):
                    rec.delete("memos", {"id": m["id"]})
                rec.delete("codings", {"id": k["id"]})
            for a in self.store.adjudications(doc_id):
                if (a["code_id"], a["start"], a["end"], a["coder_a"], a["coder_b"]) == \
                        (code_id, start, end, coder_a, coder_b):
                    rec.delete("adjudications", {"id": a["id"]})
            ids = []
            for s, e in spans:
                ids.append(rec.insert("codings", {
                    "document_id": doc_id, "code_id": code_id, "start": s, "end": e,
                    "coder_id": consensus, "origin": "manual", "status": "accepted",
                    "guid": new_guid(), "created_at": stamp}))
            rec.insert("adjudications", {
                "document_id": doc_id, "code_id": code_id, "start": start, "end": end,
                "decision": decision, "coder_a": coder_a, "coder_b": coder_b,
                "decided_by": self.coder, "decided_at": stamp, "memo": memo,
                "codings": json.dumps(ids)})
            if memo:
                for cid in ids:
                    rec.insert("memos", {
                        "target_type": "coding", "target_id": str(cid),
                        "title": _("Adjudication"), "text": memo,
                        "coder_id": self.store.ensure_coder(self.coder), "private": 0,
                        "created_at": stamp, "updated_at": stamp, "guid": new_guid()})
            return ids

        return self.store.action("adjudicate", self.coder, do,
                                 details={"document": doc_id, "code": code_id,
                                          "decision": decision})

    def accept_agreements(self, doc: int | str, coder_a: str, coder_b: str) -> int:
        """Copy every place where the two coders agree exactly into the consensus (one
        undoable step); returns how many places."""
        doc_id = self.document_id(doc)
        cmp = self.comparison(doc_id, coder_a, coder_b)
        todo = cmp[(cmp["status"] == "agree") & (cmp["decision"] == "")]
        if todo.empty:
            return 0
        with self.store.grouped("adjudicate.agreements", self.coder):
            for _i, r in todo.iterrows():
                self.adjudicate(doc_id, int(r["code_id"]), int(r["start"]), int(r["end"]), "both",
                                coder_a, coder_b)
        return len(todo)

    def adjudications(self, doc: int | str | None = None) -> pd.DataFrame:
        rows = self.store.adjudications(None if doc is None else self.document_id(doc))
        paths = self.code_paths()
        for r in rows:
            r["code"] = paths.get(r["code_id"], "")
        cols = ["id", "document_id", "code_id", "code", "start", "end", "decision", "coder_a",
                "coder_b", "decided_by", "decided_at", "memo"]
        return pd.DataFrame(rows, columns=cols)


def _union(spans: Sequence) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(tuple(x) for x in spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
