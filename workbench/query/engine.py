"""Evaluating queries: spans, boolean code expressions, filters, linking levels.

The engine works on a :class:`ProjectData` snapshot loaded in a few wide reads
(codes, documents, segments, participant links, codings; participant values on
demand) and does the interval logic with numpy: codings sorted by (document, start)
and searched with ``searchsorted``, so every operator is a vectorised sweep.

Linking levels -- whose words is a coding?  A coding belongs to
  (a) the participants linked to the speaker of the segment that contains the
      coding's start (``document_participants.speaker`` = the segment's speaker), else
  (b) the participants linked to the whole document (speaker ``''``).
Interviewer turns never belong to a participant.

Semantics of the operators (a *hit* is a ``[start, end)`` passage of one document
with the codings that make it up):
  A AND B          passages where a coding of A overlaps a coding of B, extended to
                   cover every overlapping coding (connected overlaps form one hit)
  A AND NOT B      hits of A that overlap no coding of B
  A OR B           hits of A and hits of B (identical spans merged)
  A FOLLOWED BY B  each hit of A with the nearest hit of B starting at or after its end,
                   WITHIN n CHARS (gap) or n TURNS (turn distance); passage = A..B
  TURN(expr)       the unit becomes the speaker turn: a code names the turns it touches,
                   AND / OR / NOT are set operations on turns (NOT: the turns that are
                   neither the interviewer's nor the interview header)
  *                every coding
"""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, NoReturn, Sequence

if TYPE_CHECKING:
    from numpy.typing import ArrayLike
    import numpy as np
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

from workbench.domain import ACTOR_TYPES, CONSENSUS_CODER, Attribute, ValidationError
from workbench.i18n import _
from workbench.labels import actor_label, parse_actor
from workbench.query._types import Coders
from workbench.query.language import (And, AndNot, AnyCode, Code, CondAnd, CondNot, CondOr,
                                      Comparison, Condition, Expr, FollowedBy, Not, Or, Query,
                                      QueryError, TurnScope, parse, parse_condition)
from workbench.i18n import _
from workbench.values import parse_bool, parse_date, parse_number

if TYPE_CHECKING:
    from workbench.query.cases import CaseData
    from workbench.store import Store

SHIFT = 1 << 32          # (document, position) keys: document * SHIFT + position (int64)
# hit-level fields of the WHERE clause (documents, turns, codings)
DOC_FIELDS = {"actor": "actor_type", "actor_type": "actor_type", "programme": "programme",
              "program": "programme", "document": "name", "doc": "name", "site": "site",
              "interviewer": "interviewer", "date": "interview_date",
              "interview_date": "interview_date", "speaker": "speaker", "coder": "coder",
              "participant": "participant_id", "participant_id": "participant_id",
              "wave": "wave"}


def _key(doc: ArrayLike, pos: ArrayLike) -> np.ndarray:
    return np.asarray(doc, dtype=np.int64) * SHIFT + np.asarray(pos, dtype=np.int64)


def unique_ints(x: np.ndarray) -> np.ndarray:
    """``np.unique`` for an integer array (sorted distinct values), by sort and compare:
    several times faster than numpy 2's hash-based ``np.unique`` on 10^5+ values."""
    s = np.sort(np.asarray(x, dtype=np.int64))
    if len(s) == 0:
        return s
    keep = np.empty(len(s), dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def ranges_to_pairs(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with lo[i] <= j < hi[i], vectorised."""
    counts = np.maximum(np.asarray(hi, dtype=np.int64) - np.asarray(lo, dtype=np.int64), 0)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    i = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    offsets = np.cumsum(counts) - counts
    j = np.asarray(lo, dtype=np.int64)[i] + (np.arange(total, dtype=np.int64) - offsets[i])
    return i, j


def passage_ids(group: np.ndarray, doc: np.ndarray, start: np.ndarray,
                end: np.ndarray) -> np.ndarray:
    """The passage each interval belongs to: within one (group, document), intervals
    that share characters -- directly or through a chain of overlaps -- form one
    passage (spans that only touch do not).  Ids are 0..n_passages-1, unique across
    groups, numbered in (group, document, start) order."""
    n = len(doc)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    group = np.asarray(group, dtype=np.int64)
    doc = np.asarray(doc, dtype=np.int64)
    start = np.asarray(start, dtype=np.int64)
    end = np.asarray(end, dtype=np.int64)
    order = np.lexsort((start, doc, group))
    g, d, s, e = group[order], doc[order], start[order], end[order]
    first = np.ones(n, dtype=bool)
    first[1:] = (g[1:] != g[:-1]) | (d[1:] != d[:-1])
    block = np.cumsum(first) - 1
    reach = pd.Series(e).groupby(block).cummax().to_numpy(np.int64)
    new = first.copy()
    new[1:] |= s[1:] >= reach[:-1]
    ids = np.empty(n, dtype=np.int64)
    ids[order] = np.cumsum(new) - 1
    return ids


def sort_order(doc: np.ndarray, pos: np.ndarray, *ties: np.ndarray) -> np.ndarray:
    """The order sorting rows by (doc, pos, *ties) -- what ``np.lexsort`` gives, but
    cheap on the nearly sorted columns an index scan returns: one stable (timsort)
    argsort of the packed (doc, pos) key, then a lexsort of the rows that tie on it."""
    key = _key(doc, pos)
    order = np.argsort(key, kind="stable")
    if ties and len(order) > 1:
        k = key[order]
        eq = k[1:] == k[:-1]
        tie = np.zeros(len(k), dtype=bool)
        tie[1:] |= eq
        tie[:-1] |= eq
        idx = np.nonzero(tie)[0]
        if len(idx):
            sub = order[idx]
            order[idx] = sub[np.lexsort(tuple(t[sub] for t in reversed(ties)) + (k[idx],))]
    return order


# -- the snapshot ----------------------------------------------------------------------------
class ProjectData:
    """What queries read, loaded once per project version.

    ``include_private=False`` (what every output uses) leaves out private documents
    (their turns, codings and participant links) and private participant attributes, so
    that nothing built on this snapshot can show them."""

    def __init__(self, store: Store, include_private: bool = False):
        self.store = store
        self.include_private = include_private
        # codes
        rows = store.query_codes()
        self.code_parent = {r[0]: r[1] for r in rows}
        self.code_name = {r[0]: r[2] for r in rows}
        self.code_order = [r[0] for r in rows]
        self.children: dict[int | None, list[int]] = {}
        for r in rows:
            self.children.setdefault(r[1], []).append(r[0])
        self.code_path: dict[int, str] = {}
        for cid in self.code_order:
            self._path(cid)
        self._by_path = {p.casefold(): cid for cid, p in self.code_path.items()}
        self._by_name: dict[str, list[int]] = {}
        for cid, name in self.code_name.items():
            self._by_name.setdefault(name.casefold(), []).append(cid)
        # documents
        drows = store.query_documents()
        docs = pd.DataFrame(drows, columns=["id", "name", "programme", "actor_type",
                                            "interview_date", "interviewer", "site",
                                            "extra", "private", "wave"]).set_index("id")
        private = docs["private"].astype(bool)
        self.private_documents = set(docs.index[private].tolist())
        if not include_private:
            docs = docs[~private]
        self.docs = docs.drop(columns="private")
        hidden = np.array(sorted(self.private_documents), dtype=np.int64) \
            if not include_private else np.zeros(0, dtype=np.int64)
        # segments (turns), sorted by document and start (integer columns parsed straight
        # into arrays; speakers, needed only by some displays, are read on first use)
        sa = store.query_segment_arrays()
        if len(hidden):
            keep = ~np.isin(sa["doc"], hidden)
            sa = {k: v[keep] for k, v in sa.items()}
        order = sort_order(sa["doc"], sa["start"], sa["position"])
        self.seg_id = sa["id"][order]
        self.seg_doc = sa["doc"][order]
        self.seg_start = sa["start"][order]
        self.seg_end = sa["end"][order]
        self.seg_interviewer = sa["interviewer"][order].astype(bool)
        self.seg_front = sa["front"][order].astype(bool)    # the interview header
        self.seg_key = _key(self.seg_doc, self.seg_start)
        # for each turn, the first turn at or after it that is not the interviewer's
        talk = np.nonzero(~self.seg_interviewer)[0]
        pos = np.searchsorted(talk, np.arange(len(self.seg_id)), "left")
        self._next_talk = np.append(talk, len(self.seg_id))[pos] if len(self.seg_id) \
            else np.zeros(0, dtype=np.int64)
        self._seg_speaker: np.ndarray | None = None
        # participant links
        doc_pids: dict[int, list[str]] = {}
        speaker_pids: dict[tuple[int, str], list[str]] = {}
        for doc, pid, speaker in store.query_links():
            if doc not in self.docs.index:
                continue
            if speaker:
                speaker_pids.setdefault((doc, speaker), []).append(pid)
            else:
                doc_pids.setdefault(doc, []).append(pid)
        self.doc_pids: dict[int, tuple[str, ...]] = {d: tuple(sorted(p))
                                                    for d, p in doc_pids.items()}
        self.speaker_pids = {k: tuple(sorted(p)) for k, p in speaker_pids.items()}
        self.linked_pids = sorted({p for ps in self.doc_pids.values() for p in ps}
                                  | {p for ps in self.speaker_pids.values() for p in ps})
        # codings
        self._hidden = hidden
        self._frames: dict[str, pd.DataFrame] = {}
        self._scoped: dict[tuple, pd.DataFrame] = {}
        self.codings = self.codings_for("accepted")
        self.coders = store.query_coders()
        self._attrs: dict[str, Attribute] | None = None
        self.private_attributes: set[str] = set()
        self._values: dict[str, pd.DataFrame] = {}
        self._doc_fields: dict[str, Attribute] | None = None
        self.private_document_fields: set[str] = set()
        self._doc_values: dict[str, pd.DataFrame] = {}
        self._link_map = None
        self._coding_units: dict[tuple, pd.DataFrame] = {}
        # waves (in the project's order) and cases (sites, organisations), read on first use
        self.wave_order: list[str] = store.wave_names()
        self._cases: CaseData | None = None
        self._has_cases: bool | None = None

    @property
    def cases(self) -> CaseData:
        """The cases, their links and fields (:class:`workbench.query.cases.CaseData`)."""
        if self._cases is None:
            from workbench.query.cases import CaseData
            self._cases = CaseData(self.store, self.docs.index, self.include_private)
        return self._cases

    @property
    def has_cases(self) -> bool:
        """Whether the project has any case (sites, organisations), without reading them."""
        if self._cases is not None:
            return True
        if self._has_cases is None:
            self._has_cases = bool(self.store.case_kinds())
        return self._has_cases

    def wave_position(self, name: object) -> float | None:
        """A wave's rank (1, 2, ...) in the project's order, None when not a wave."""
        if not isinstance(name, str):
            return None
        low = name.casefold()
        for i, w in enumerate(self.wave_order, start=1):
            if w.casefold() == low:
                return float(i)
        return None

    def _path(self, cid: int) -> str:
        if cid not in self.code_path:
            parent = self.code_parent.get(cid)
            name = self.code_name[cid]
            self.code_path[cid] = name if parent is None else self._path(parent) + "/" + name
        return self.code_path[cid]

    def _codings_frame(self, cols: dict[str, np.ndarray]) -> pd.DataFrame:
        """Codings sorted by (document, start, end, id), with the turns holding their
        first and last character, the turn they belong to (``owner``: the first turn
        they touch that is not the interviewer's, else their first turn) and whether they
        lie on interviewer turns only (``interviewer``)."""
        if len(self._hidden):
            keep = ~np.isin(cols["doc"], self._hidden)
            cols = {k: v[keep] for k, v in cols.items()}
        order = sort_order(cols["doc"], cols["start"], cols["end"], cols["id"])
        doc, start, end = cols["doc"][order], cols["start"][order], cols["end"][order]
        status = np.array(["candidate", "accepted"], dtype=object)[cols["accepted"][order]]
        seg = self.segment_of(doc, start)
        last = self.segment_of(doc, np.maximum(end - 1, start))
        last = np.where(last >= seg, last, seg)
        owner, interviewer = self._owner(seg, last)
        return pd.DataFrame({"id": cols["id"][order], "doc": doc, "code": cols["code"][order],
                             "start": start, "end": end, "coder_id": cols["coder_id"][order],
                             "status": status, "seg": seg, "seg_last": last,
                             "owner": owner, "interviewer": interviewer})

    def _owner(self, seg: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(owner turn, interviewer-only) of spans touching turns seg..last (-1: none)."""
        seg = np.asarray(seg, dtype=np.int64)
        last = np.asarray(last, dtype=np.int64)
        inside = seg >= 0
        if not len(self._next_talk):
            return seg.copy(), np.zeros(len(seg), dtype=bool)
        nxt = self._next_talk[np.where(inside, seg, 0)]
        talks = inside & (nxt <= np.maximum(last, seg))
        owner = np.where(talks, nxt, seg)
        return owner, inside & ~talks

    def owner_segment(self, doc: ArrayLike, start: ArrayLike, end: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """For spans [start, end) of documents: (owner turn, interviewer-only)."""
        doc = np.asarray(doc, dtype=np.int64)
        start = np.asarray(start, dtype=np.int64)
        end = np.asarray(end, dtype=np.int64)
        seg = self.segment_of(doc, start)
        last = self.segment_of(doc, np.maximum(end - 1, start))
        return self._owner(seg, np.where(last >= seg, last, seg))

    def _status_frame(self, status: str) -> pd.DataFrame:
        if status not in self._frames:
            if status == "accepted":
                frame = self._codings_frame(self.store.query_coding_arrays("accepted"))
            else:
                if "all" not in self._frames:
                    self._frames["all"] = self._codings_frame(self.store.query_coding_arrays(None))
                df = self._frames["all"]
                frame = df if status == "all" else \
                    df[df["status"] == status].reset_index(drop=True)
            self._frames[status] = frame
        return self._frames[status]

    def coder_ids(self, coders: Coders) -> tuple[int, ...] | None:
        """Coder ids for a coder name, a list of names or CONSENSUS_CODER (None: all
        coders).  Unknown names are an error listing the known ones."""
        if coders is None:
            return None
        names = [coders] if isinstance(coders, str) else list(coders)
        if not names:
            return None
        by_name = {n.casefold(): i for i, n in self.coders.items()}
        out = []
        for name in names:
            cid = by_name.get(str(name).strip().casefold())
            if cid is None:
                if str(name).strip().casefold() == CONSENSUS_CODER:
                    raise ValidationError(_(
                        "no adjudicated (consensus) codings in this project yet: adjudicate "
                        "the coders' disagreements first, or choose coders by name"))
                known = ", ".join(sorted(self.coders.values())) or "—"
                raise ValidationError(_("unknown coder {name!r} (coders: {known})").format(
                    name=name, known=known))
            out.append(cid)
        return tuple(sorted(set(out)))

    def codings_for(self, status: str = "accepted", coders: Coders = None,
                    interviewer: bool = True) -> pd.DataFrame:
        """The codings that count: ``status`` (accepted, candidate, all), ``coders``
        (None: every coder's; a name, names or CONSENSUS_CODER), ``interviewer`` (False:
        leave out codings that lie on interviewer turns only)."""
        ids = self.coder_ids(coders)
        key = (status, ids, interviewer)
        if key not in self._scoped:
            df = self._status_frame(status)
            keep = np.ones(len(df), dtype=bool)
            if ids is not None:
                keep &= np.isin(df["coder_id"].to_numpy(np.int64), np.array(ids, dtype=np.int64))
            if not interviewer:
                keep &= ~df["interviewer"].to_numpy(bool)
            self._scoped[key] = df if keep.all() else df[keep].reset_index(drop=True)
        return self._scoped[key]

    # segments and participants -----------------------------------------------------
    @property
    def seg_speaker(self) -> np.ndarray:
        """Speaker of each segment (object array, None when unset), read on first use."""
        if self._seg_speaker is None:
            ids, speakers = self.store.query_segment_speakers()
            out = np.full(len(self.seg_id), None, dtype=object)
            if len(ids) and len(self.seg_id):
                order = np.argsort(ids, kind="stable")
                sorted_ids = ids[order]
                pos = np.minimum(np.searchsorted(sorted_ids, self.seg_id), len(ids) - 1)
                found = sorted_ids[pos] == self.seg_id
                values = np.empty(len(speakers), dtype=object)
                values[:] = speakers
                out[found] = values[order[pos[found]]]
            self._seg_speaker = out
        return self._seg_speaker

    def segment_of(self, doc: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """Index of the segment containing each position (-1 when none)."""
        if len(self.seg_key) == 0:
            return np.full(len(doc), -1, dtype=np.int64)
        idx = np.searchsorted(self.seg_key, _key(doc, pos), side="right") - 1
        ok = idx >= 0
        safe = np.where(ok, idx, 0)
        ok &= (self.seg_doc[safe] == doc) & (pos < self.seg_end[safe])
        return np.where(ok, idx, -1)

    @property
    def link_map(self) -> pd.DataFrame:
        """key -> participant_id, where key is a segment index (linking level (a), else
        (b); interviewer turns have no row) or -(document id + 1) for positions outside
        any segment (level (b))."""
        if self._link_map is None:
            sp = pd.DataFrame([(d, s, p) for (d, s), ps in self.speaker_pids.items() for p in ps],
                              columns=["doc", "speaker", "participant_id"])
            dp = pd.DataFrame([(d, p) for d, ps in self.doc_pids.items() for p in ps],
                              columns=["doc", "participant_id"])
            segs = pd.DataFrame({"key": np.arange(len(self.seg_doc), dtype=np.int64),
                                 "doc": self.seg_doc, "speaker": self.seg_speaker,
                                 "interviewer": self.seg_interviewer})
            linked_docs = set(sp["doc"]) | set(dp["doc"])
            segs = segs[~segs["interviewer"] & segs["doc"].isin(linked_docs)]
            by_speaker = segs.merge(sp, on=["doc", "speaker"], how="inner")
            rest = segs[~segs["key"].isin(by_speaker["key"])]
            by_doc = rest.merge(dp, on="doc", how="inner")
            outside = dp.assign(key=-(dp["doc"].astype(np.int64) + 1))
            self._link_map = pd.concat([by_speaker[["key", "participant_id"]],
                                        by_doc[["key", "participant_id"]],
                                        outside[["key", "participant_id"]]], ignore_index=True)
        return self._link_map

    def coding_units(self, status: str = "accepted", coders: Coders = None,
                     interviewer: bool = False) -> pd.DataFrame:
        """Every coding that counts with its participants (one row per coding ×
        participant), cached.  Extra columns: code, start, end, coder_id, interviewer."""
        key = (status, self.coder_ids(coders), interviewer)
        if key not in self._coding_units:
            cod = self.codings_for(status, coders, interviewer)
            frame = unit_frame(self, cod["doc"].to_numpy(np.int64),
                               cod["start"].to_numpy(np.int64), seg=cod["owner"].to_numpy(np.int64))
            r = frame["unit"].to_numpy(np.int64)
            frame = frame.rename(columns={"unit": "row"})
            frame["code"] = cod["code"].to_numpy(np.int64)[r]
            frame["start"] = cod["start"].to_numpy(np.int64)[r]
            frame["end"] = cod["end"].to_numpy(np.int64)[r]
            frame["coder_id"] = cod["coder_id"].to_numpy(np.int64)[r]
            frame["interviewer"] = cod["interviewer"].to_numpy(bool)[r]
            self._coding_units[key] = frame
        return self._coding_units[key]

    # codes ---------------------------------------------------------------------------
    def descendants(self, cid: int) -> list[int]:
        out, stack = [], [cid]
        while stack:
            c = stack.pop()
            out.append(c)
            stack.extend(self.children.get(c, ()))
        return out

    def resolve_code(self, ref: str, expression: str = "", pos: int = 0, end: int | None = None) -> int:
        r = str(ref).strip().strip("/")
        if r.isdigit() and int(r) in self.code_name:
            return int(r)
        cid = self._by_path.get("/".join(p.strip() for p in r.split("/")).casefold())
        if cid is not None:
            return cid
        if "/" not in r:
            matches = self._by_name.get(r.casefold(), [])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise QueryError(_("code name {ref!r} is ambiguous: give its path ({paths})").format(
                    ref=ref, paths=", ".join(sorted(self.code_path[m] for m in matches))),
                    expression, pos, end)
        close = difflib.get_close_matches(r, list(self.code_path.values())
                                          + list(self.code_name.values()), n=3, cutoff=0.6)
        if close:
            raise QueryError(_("unknown code {ref!r} (did you mean {names}?)").format(
                ref=ref, names=", ".join(repr(c) for c in dict.fromkeys(close))),
                expression, pos, end)
        raise QueryError(_("unknown code {ref!r}").format(ref=ref), expression, pos, end)

    def code_ids(self, refs: Iterable[int | str], descendants: bool = False) -> list[int]:
        out: list[int] = []
        for ref in refs:
            cid = ref if isinstance(ref, (int, np.integer)) and int(ref) in self.code_name \
                else self.resolve_code(str(ref))
            out.extend(self.descendants(int(cid)) if descendants else [int(cid)])
        return list(dict.fromkeys(out))

    # attributes ----------------------------------------------------------------------
    @property
    def attributes(self) -> dict:
        """Participant attributes by name (private ones only with include_private)."""
        if self._attrs is None:
            attrs = self.store.attributes()
            self.private_attributes = {a.name for a in attrs if a.private}
            self._attrs = {a.name: a for a in attrs
                           if self.include_private or not a.private}
        return self._attrs

    @property
    def document_fields(self) -> dict:
        """Typed document fields (extra manifest columns) by name (private ones only
        with include_private)."""
        if self._doc_fields is None:
            defs = self.store.field_defs("document")
            self.private_document_fields = {a.name.casefold() for a in defs if a.private} \
                if not self.include_private else set()
            self._doc_fields = {a.name: a for a in defs
                                if self.include_private or not a.private}
        return self._doc_fields

    def check_document_key(self, key: str) -> None:
        """Raise when ``doc.KEY`` names a private document field."""
        self.document_fields
        if key.casefold() in self.private_document_fields:
            raise ValidationError(_("document field {key!r} is private: it is never used in "
                                    "outputs").format(key=key))

    def document_values(self, name: str) -> pd.DataFrame:
        """Document-id-indexed frame with 'value' and 'num' for one document field."""
        if name not in self._doc_values:
            rows = self.store.field_value_rows("document", name)
            df = pd.DataFrame(rows, columns=["owner", "field", "value", "num"])
            self._doc_values[name] = df.set_index("owner")[["value", "num"]]
        return self._doc_values[name]

    def unknown_attribute(self, name: str) -> str:
        """The message for an attribute that is unknown (or private) in this snapshot."""
        self.attributes
        if name in self.private_attributes:
            return _("participant attribute {name!r} is private: it is never used in outputs "
                     "(make it exportable with: workbench private PROJECT attribute {name} "
                     "--off)").format(name=name)
        return _("unknown participant attribute {name!r}; known: {known}").format(
            name=name, known=", ".join(self.attributes) or "—")

    def values(self, name: str) -> pd.DataFrame:
        """participant_id-indexed frame with 'value' and 'num' for one attribute."""
        if name not in self._values:
            rows = self.store.query_values([name])
            df = pd.DataFrame(rows, columns=["participant_id", "attribute", "value", "num"])
            self._values[name] = df.set_index("participant_id")[["value", "num"]]
        return self._values[name]


# -- hits ------------------------------------------------------------------------------------
@dataclass
class Hits:
    """Passages [start, end) of documents, each made of codings (rows of the codings frame)."""

    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    m_hit: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    m_coding: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.doc)

    @classmethod
    def empty(cls) -> "Hits":
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, z, z, z)

    @classmethod
    def from_codings(cls, cod: pd.DataFrame, rows: np.ndarray) -> "Hits":
        rows = np.asarray(rows, dtype=np.int64)
        return cls(cod["doc"].to_numpy(np.int64)[rows], cod["start"].to_numpy(np.int64)[rows],
                   cod["end"].to_numpy(np.int64)[rows], np.arange(len(rows), dtype=np.int64), rows)

    def take(self, idx: np.ndarray) -> "Hits":
        idx = np.asarray(idx, dtype=np.int64)
        remap = np.full(len(self), -1, dtype=np.int64)
        remap[idx] = np.arange(len(idx))
        keep = remap[self.m_hit] >= 0 if len(self.m_hit) else np.zeros(0, bool)
        return Hits(self.doc[idx], self.start[idx], self.end[idx], remap[self.m_hit[keep]],
                    self.m_coding[keep]).normalised()

    def normalised(self) -> "Hits":
        """Identical spans merged, sorted by (document, start, end)."""
        if len(self) == 0:
            return Hits.empty()
        order = np.lexsort((self.end, self.start, self.doc))
        d, s, e = self.doc[order], self.start[order], self.end[order]
        new = np.ones(len(order), dtype=bool)
        new[1:] = (d[1:] != d[:-1]) | (s[1:] != s[:-1]) | (e[1:] != e[:-1])
        gid = np.cumsum(new) - 1
        codes = np.empty(len(order), dtype=np.int64)
        codes[order] = gid
        m = pd.DataFrame({"h": codes[self.m_hit] if len(self.m_hit) else self.m_hit,
                          "c": self.m_coding}).drop_duplicates().sort_values(["h", "c"])
        return Hits(d[new], s[new], e[new], m["h"].to_numpy(np.int64),
                    m["c"].to_numpy(np.int64))

    def merged(self) -> "Hits":
        """Overlapping hits of one document merged into one passage (see
        :func:`passage_ids`), members kept, sorted by (document, start, end)."""
        if len(self) == 0:
            return Hits.empty()
        pid = passage_ids(np.zeros(len(self), dtype=np.int64), self.doc, self.start, self.end)
        n = int(pid.max()) + 1
        doc = np.zeros(n, dtype=np.int64)
        doc[pid] = self.doc
        start = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(start, pid, self.start)
        end = np.zeros(n, dtype=np.int64)
        np.maximum.at(end, pid, self.end)
        m_hit = pid[self.m_hit] if len(self.m_hit) else self.m_hit
        return Hits(doc, start, end, m_hit, self.m_coding).normalised()

    @staticmethod
    def concat(parts: list["Hits"]) -> "Hits":
        parts = [p for p in parts if len(p)]
        if not parts:
            return Hits.empty()
        offs = np.cumsum([0] + [len(p) for p in parts[:-1]])
        return Hits(np.concatenate([p.doc for p in parts]),
                    np.concatenate([p.start for p in parts]),
                    np.concatenate([p.end for p in parts]),
                    np.concatenate([p.m_hit + o for p, o in zip(parts, offs)]),
                    np.concatenate([p.m_coding for p in parts])).normalised()


def overlap_pairs(a: Hits, b: Hits) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with a[i] and b[j] overlapping (same document, shared characters)."""
    if len(a) == 0 or len(b) == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z
    ob = np.argsort(_key(b.doc, b.start), kind="stable")
    bkey = _key(b.doc, b.start)[ob]
    lo = np.searchsorted(bkey, _key(a.doc, a.start), "left")
    hi = np.searchsorted(bkey, _key(a.doc, a.end), "left")
    i1, j1 = ranges_to_pairs(lo, hi)
    j1 = ob[j1]
    oa = np.argsort(_key(a.doc, a.start), kind="stable")
    akey = _key(a.doc, a.start)[oa]
    lo = np.searchsorted(akey, _key(b.doc, b.start), "right")
    hi = np.searchsorted(akey, _key(b.doc, b.end), "left")
    j2, i2 = ranges_to_pairs(lo, hi)
    i2 = oa[i2]
    return np.concatenate([i1, i2]), np.concatenate([j1, j2])


def connected_labels(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Connected components of the undirected graph on nodes 0..n-1 with edges (u, v):
    each node's label is the smallest node of its component.  Hook-and-shortcut in
    numpy (a few rounds), which spares loading scipy.sparse (~0.2 s) on first use."""
    label = np.arange(n, dtype=np.int64)
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    while True:
        lu, lv = label[u], label[v]
        diff = lu != lv
        if not diff.any():
            return label
        lu, lv = lu[diff], lv[diff]
        low = np.minimum(lu, lv)
        # hook every root onto the smallest root it is joined to (labels only decrease,
        # so no cycles), then shortcut until every node points at its root
        np.minimum.at(label, lu, low)
        np.minimum.at(label, lv, low)
        while True:
            nxt = label[label]
            if np.array_equal(nxt, label):
                break
            label = nxt


def hits_and(a: Hits, b: Hits) -> Hits:
    ia, ib = overlap_pairs(a, b)
    if len(ia) == 0:
        return Hits.empty()
    n = len(a) + len(b)
    label = connected_labels(n, ia, ib + len(a))
    used = np.zeros(n, dtype=bool)
    used[ia] = True
    used[ib + len(a)] = True
    nodes = np.nonzero(used)[0]
    doc = np.concatenate([a.doc, b.doc])[nodes]
    start = np.concatenate([a.start, b.start])[nodes]
    end = np.concatenate([a.end, b.end])[nodes]
    comp = pd.DataFrame({"label": label[nodes], "doc": doc, "start": start, "end": end})
    agg = comp.groupby("label", sort=True).agg(doc=("doc", "first"), start=("start", "min"),
                                              end=("end", "max"))
    pos = pd.Series(np.arange(len(agg)), index=agg.index)
    node_m_hit = np.concatenate([a.m_hit, b.m_hit + len(a)])
    node_m_cod = np.concatenate([a.m_coding, b.m_coding])
    keep = used[node_m_hit]
    m_hit = pos.reindex(label[node_m_hit[keep]]).to_numpy(np.int64)
    return Hits(agg["doc"].to_numpy(np.int64), agg["start"].to_numpy(np.int64),
                agg["end"].to_numpy(np.int64), m_hit, node_m_cod[keep]).normalised()


def hits_and_not(a: Hits, b: Hits) -> Hits:
    ia, _ib = overlap_pairs(a, b)
    keep = np.ones(len(a), dtype=bool)
    keep[ia] = False
    return a.take(np.nonzero(keep)[0])


def hits_followed(a: Hits, b: Hits, distance: int | None, unit: str, data: ProjectData) -> Hits:
    if len(a) == 0 or len(b) == 0:
        return Hits.empty()
    ob = np.argsort(_key(b.doc, b.start), kind="stable")
    bkey = _key(b.doc, b.start)[ob]
    j = np.searchsorted(bkey, _key(a.doc, a.end), "left")
    ok = j < len(b)
    jj = ob[np.where(ok, j, 0)]
    ok &= b.doc[jj] == a.doc
    if distance is not None:
        if unit == "chars":
            ok &= (b.start[jj] - a.end) <= distance
        else:
            sa = data.segment_of(a.doc, np.maximum(a.end - 1, a.start))
            sb = data.segment_of(b.doc[jj], b.start[jj])
            ok &= (sa >= 0) & (sb >= 0) & ((sb - sa) <= distance)
    ia = np.nonzero(ok)[0]
    jb = jj[ia]
    new = Hits(a.doc[ia], a.start[ia], np.maximum(b.end[jb], a.end[ia]))
    # members: those of the A hit and of the B hit
    am = pd.DataFrame({"h": a.m_hit, "c": a.m_coding})
    bm = pd.DataFrame({"h": b.m_hit, "c": b.m_coding})
    pa = pd.DataFrame({"new": np.arange(len(ia)), "h": ia}).merge(am, on="h")
    pb = pd.DataFrame({"new": np.arange(len(ia)), "h": jb}).merge(bm, on="h")
    members = pd.concat([pa, pb])
    new.m_hit = members["new"].to_numpy(np.int64)
    new.m_coding = members["c"].to_numpy(np.int64)
    return new.normalised()


# turn scope: sets of turns ------------------------------------------------------------------
def _turn_pairs(data: ProjectData, cod: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    seg = cod["seg"].to_numpy(np.int64)[rows]
    last = cod["seg_last"].to_numpy(np.int64)[rows]
    ok = seg >= 0
    last = np.where(last >= seg, last, seg)
    i, s = ranges_to_pairs(np.where(ok, seg, 0), np.where(ok, last + 1, 0))
    return pd.DataFrame({"seg": s, "c": rows[i]})


def _turns_to_hits(data: ProjectData, pairs: pd.DataFrame, segs: np.ndarray) -> Hits:
    segs = unique_ints(segs)
    pos = pd.Series(np.arange(len(segs)), index=segs)
    p = pairs[pairs["seg"].isin(segs) & (pairs["c"] >= 0)]
    return Hits(data.seg_doc[segs], data.seg_start[segs], data.seg_end[segs],
                pos.reindex(p["seg"]).to_numpy(np.int64), p["c"].to_numpy(np.int64)).normalised()


# -- compiling and evaluating a query --------------------------------------------------------
class Evaluator:
    def __init__(self, data: ProjectData, query: Query, *, descendants: bool = True,
                 status: str = "accepted", coders: Coders = None, interviewer: bool = False):
        self.data = data
        self.q = query
        self.default_desc = descendants
        self.cod = data.codings_for(status, coders, interviewer)
        self._code_col = self.cod["code"].to_numpy(np.int64)

    def _rows_for(self, node: Code | AnyCode) -> np.ndarray:
        if isinstance(node, AnyCode):
            return np.arange(len(self.cod), dtype=np.int64)
        cid = self.data.resolve_code(node.ref, self.q.text, node.pos, node.end)
        desc = self.default_desc if node.descendants is None else node.descendants
        ids = self.data.descendants(cid) if desc else [cid]
        return np.nonzero(np.isin(self._code_col, ids))[0]

    def check(self, node: Expr | None = None, in_turn: bool = False) -> None:
        """Resolve every code and check operator placement (errors point at the node)."""
        node = self.q.expr if node is None else node
        if isinstance(node, Code):
            self.data.resolve_code(node.ref, self.q.text, node.pos, node.end)
        elif isinstance(node, Not) and not in_turn:
            raise QueryError(_("NOT on its own needs a scope: write A AND NOT B, "
                               "or TURN(NOT B) for turns without B"), self.q.text, node.pos,
                             node.end)
        elif isinstance(node, FollowedBy) and in_turn:
            raise QueryError(_("FOLLOWED BY cannot be used inside TURN(...)"), self.q.text,
                             node.pos, node.end)
        if isinstance(node, TurnScope):
            self.check(node.expr, True)
        for name in ("left", "right", "operand"):
            sub = getattr(node, name, None)
            if sub is not None:
                self.check(sub, in_turn)

    def hits(self) -> Hits:
        if self.q.expr is None:
            return Hits.from_codings(self.cod, np.arange(len(self.cod))).merged()
        self.check()
        return self._eval(self.q.expr)

    def _eval(self, node: Expr) -> Hits:
        if isinstance(node, (Code, AnyCode)):
            return Hits.from_codings(self.cod, self._rows_for(node)).merged()
        if isinstance(node, Or):
            return Hits.concat([self._eval(node.left), self._eval(node.right)]).merged()
        if isinstance(node, And):
            return hits_and(self._eval(node.left), self._eval(node.right))
        if isinstance(node, AndNot):
            return hits_and_not(self._eval(node.left), self._eval(node.right))
        if isinstance(node, FollowedBy):
            return hits_followed(self._eval(node.left), self._eval(node.right), node.distance,
                                 node.unit, self.data)
        if isinstance(node, TurnScope):
            pairs = self._turns(node.expr)
            return _turns_to_hits(self.data, pairs, pairs["seg"].to_numpy())
        raise QueryError(_("unsupported expression"), self.q.text, getattr(node, "pos", 0))

    def _turns(self, node: Expr) -> pd.DataFrame:
        """(seg, c) pairs: the turns selected, with their member codings (c = -1: none)."""
        d = self.data
        if isinstance(node, (Code, AnyCode)):
            return _turn_pairs(d, self.cod, self._rows_for(node))
        if isinstance(node, TurnScope):
            return self._turns(node.expr)
        if isinstance(node, Not):
            inner = self._turns(node.operand)
            all_turns = np.nonzero(~d.seg_interviewer & ~d.seg_front)[0]
            segs = np.setdiff1d(all_turns, inner["seg"].to_numpy())
            return pd.DataFrame({"seg": segs, "c": np.full(len(segs), -1, dtype=np.int64)})
        left, right = self._turns(node.left), self._turns(node.right)
        if isinstance(node, Or):
            return pd.concat([left, right]).drop_duplicates()
        if isinstance(node, And):
            both = np.intersect1d(left["seg"].to_numpy(), right["seg"].to_numpy())
            out = pd.concat([left, right])
            return out[out["seg"].isin(both)].drop_duplicates()
        if isinstance(node, AndNot):
            return left[~left["seg"].isin(right["seg"])]
        raise QueryError(_("unsupported expression inside TURN(...)"), self.q.text, node.pos)


# -- filters (WHERE) -------------------------------------------------------------------------
class Filter:
    """A compiled WHERE condition, evaluated on a frame with one row per
    (unit, participant): columns doc, participant_id, speaker, coders (set)."""

    def __init__(self, data: ProjectData, query: Query):
        self.data = data
        self.q = query
        self.cond = query.where
        self.attributes_used: list[str] = []
        self.uses_coder = False
        if self.cond is not None:
            self._check(self.cond)

    def _err(self, message: str, pos: int, end: int | None = None) -> NoReturn:
        raise QueryError(message, self.q.text, pos, end)

    def _field(self, c: Comparison) -> tuple[str, Any]:
        """('doc', column) | ('docfield', name) | ('extra', key) | ('attr', name) |
        ('case', (kind, field))."""
        name = c.field
        low = name.casefold()
        attrs = self.data.attributes
        for prefix in ("p.", "participant."):
            if low.startswith(prefix):
                attr = name[len(prefix):]
                if attr not in attrs:
                    self._unknown(attr, c)
                return "attr", attr
        if low.startswith("doc.") or low.startswith("document."):
            key = name.split(".", 1)[1]
            if key.casefold() in DOC_FIELDS:
                return "doc", DOC_FIELDS[key.casefold()]
            typed = {f.casefold(): f for f in self.data.document_fields}
            if key.casefold() in typed:
                return "docfield", typed[key.casefold()]
            try:
                self.data.check_document_key(key)
            except ValidationError as exc:
                self._err(str(exc), c.pos, c.pos + len(name))
            return "extra", key
        if "." in name:
            found = self._case_field(c)
            if found is not None:
                return "case", found
        if low in DOC_FIELDS:
            return "doc", DOC_FIELDS[low]
        if name in attrs:
            return "attr", name
        folded = {a.casefold(): a for a in attrs}
        if low in folded:
            return "attr", folded[low]
        self._unknown(name, c)

    def _case_field(self, c: Comparison) -> tuple[str, str] | None:
        """(kind, field) of ``KIND.FIELD`` (a case attribute, or ``id`` / ``name``), None
        when the prefix is no case kind of the project."""
        from workbench.query.cases import CASE_KEYS
        prefix, key = c.field.split(".", 1)
        cases = self.data.cases
        kind = cases.kind_named(prefix)
        if kind is None:
            return None
        if key.casefold() in CASE_KEYS:
            return kind, key.casefold()
        field = cases.field_named(key)
        if field is None:
            where = (c.pos, c.pos + len(c.field))
            if key.casefold() in cases.private_fields:
                self._err(_("case field {name!r} is private: it is never used in outputs")
                          .format(name=key), *where)
            close = difflib.get_close_matches(key, list(cases.fields) + list(CASE_KEYS), n=3,
                                              cutoff=0.6)
            hint = _(" (did you mean {names}?)").format(names=", ".join(close)) if close else ""
            self._err(_("unknown field {name!r} of {kind} cases{hint}; case fields: {known}")
                      .format(name=key, kind=kind, hint=hint,
                              known=", ".join(["id", "name", *cases.fields])), *where)
        return kind, field

    def _case_attribute(self, kind: str, key: str) -> Attribute:
        from workbench.domain import Attribute
        if key in ("id", "name"):
            return Attribute(f"{kind}.{key}", "nominal")
        return self.data.cases.fields[key]

    def _wave_values(self, c: Comparison) -> list[float]:
        """The wave ranks named by a comparison's values (unknown waves are an error)."""
        out = []
        for v in c.values:
            rank = self.data.wave_position(str(v.value if v.kind != "NUMBER" else v.text))
            if rank is None:
                known = self.data.wave_order
                close = difflib.get_close_matches(str(v.value), known, n=1, cutoff=0.6)
                hint = _(" (did you mean {names}?)").format(names=close[0]) if close else ""
                self._err(_("unknown wave {name!r}{hint}; the project's waves: {known}").format(
                    name=str(v.value), hint=hint, known=", ".join(known) or _("none")),
                    v.pos, v.end)
            out.append(rank)
        return out

    def _unknown(self, name: str, c: Comparison) -> NoReturn:
        if name in self.data.private_attributes:
            self._err(self.data.unknown_attribute(name), c.pos, c.pos + len(name))
        known = list(self.data.attributes) + sorted(set(DOC_FIELDS))
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        known_attributes = ", ".join(self.data.attributes) or "—"
        if close:
            self._err(_("unknown attribute or field {name!r} (did you mean {names}?); "
                        "participant attributes: {known}").format(
                            name=name, names=", ".join(close), known=known_attributes),
                      c.pos, c.pos + len(name))
        self._err(_("unknown attribute or field {name!r}; participant attributes: {known}").format(
            name=name, known=known_attributes), c.pos, c.pos + len(name))

    def _check(self, cond: Condition) -> None:
        if isinstance(cond, (CondAnd, CondOr)):
            self._check(cond.left)
            self._check(cond.right)
        elif isinstance(cond, CondNot):
            self._check(cond.operand)
        else:
            kind, name = self._field(cond)
            if kind == "attr":
                self.attributes_used.append(name)
                self._typed_values(cond, self.data.attributes[name])
            elif kind == "docfield":
                self._typed_values(cond, self.data.document_fields[name])
            elif kind == "doc" and name == "actor_type":
                self._actor_values(cond)
            elif kind == "doc" and name == "coder":
                self.uses_coder = True
            elif kind == "doc" and name == "wave":
                self._wave_values(cond)
            elif kind == "case":
                self._typed_values(cond, self._case_attribute(*name))

    # typed operands ------------------------------------------------------------------
    def _actor_values(self, c: Comparison) -> list[str]:
        if c.op not in ("=", "!=", "in", "notin", "missing", "notmissing"):
            self._err(_("actor types are not ordered: use =, != or IN"), c.pos, c.end)
        out: list[str] = []
        for v in c.values:
            a = parse_actor(str(v.value))      # the one list of actor words (labels)
            if a is None:
                self._err(_("unknown actor type {value!r}; expected one of {types}").format(
                    value=v.value, types=", ".join(actor_label(a) for a in ACTOR_TYPES)),
                    v.pos, v.end)
            out.append(a)
        return out

    def _typed_values(self, c: Comparison, attr: Attribute) -> list[float | str]:
        """Values converted to the attribute's type: floats for numeric, ordinal, date,
        boolean; casefolded strings for nominal.  Errors point at the value."""
        t = attr.type
        if t == "nominal" and c.op in ("<", "<=", ">", ">="):
            self._err(_("{name} is nominal: use =, != or IN (ordering needs a numeric, "
                        "ordinal or date attribute)").format(name=attr.name), c.pos, c.end)
        if t == "boolean" and c.op in ("<", "<=", ">", ">="):
            self._err(_("{name} is yes/no: use = or !=").format(name=attr.name), c.pos, c.end)
        out: list[float | str] = []
        for v in c.values:
            raw = str(v.value) if v.kind != "NUMBER" else v.text
            if t == "numeric":
                num = parse_number(raw)
                if num is None:
                    self._err(_("{name} is numeric: {value} is not a number").format(
                        name=attr.name, value=v.text), v.pos, v.end)
                out.append(num)
            elif t == "boolean":
                flag = parse_bool(raw)
                if flag is None:
                    self._err(_("{name} is yes/no: {value} is not oui/non/true/false").format(
                        name=attr.name, value=v.text), v.pos, v.end)
                out.append(float(flag))
            elif t == "date":
                d = parse_date(raw)
                if d is None:
                    self._err(_("{name} is a date: {value} is not a date (YYYY-MM-DD)").format(
                        name=attr.name, value=v.text), v.pos, v.end)
                out.append(d.number())
            elif t == "ordinal":
                levels = [lvl.casefold() for lvl in attr.levels]
                if raw.casefold() not in levels:
                    self._err(_("{name} is ordinal: {value} is not one of its levels "
                                "({levels})").format(name=attr.name, value=v.text,
                                                     levels=", ".join(attr.levels)),
                              v.pos, v.end)
                out.append(float(levels.index(raw.casefold()) + 1))
            else:
                out.append(raw.casefold())
        return out

    # evaluation ----------------------------------------------------------------------
    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        if self.cond is None:
            return np.ones(len(frame), dtype=bool)
        return self._eval(self.cond, frame)

    def _eval(self, cond: Condition, frame: pd.DataFrame) -> np.ndarray:
        if isinstance(cond, CondAnd):
            return self._eval(cond.left, frame) & self._eval(cond.right, frame)
        if isinstance(cond, CondOr):
            return self._eval(cond.left, frame) | self._eval(cond.right, frame)
        if isinstance(cond, CondNot):
            return ~self._eval(cond.operand, frame)
        kind, name = self._field(cond)
        op = cond.op
        if kind == "attr":
            attr = self.data.attributes[name]
            vals = self.data.values(name)
            pids = frame["participant_id"]
            if attr.type == "nominal":
                col = pids.map(vals["value"].str.casefold())
            else:
                col = pids.map(vals["num"])
            return self._compare(col, op, self._typed_values(cond, attr))
        if kind == "docfield":
            attr = self.data.document_fields[name]
            vals = self.data.document_values(name)
            col = frame["doc"].map(vals["value"].str.casefold() if attr.type == "nominal"
                                   else vals["num"])
            return self._compare(col, op, self._typed_values(cond, attr))
        if kind == "extra":
            extra = self.data.docs["extra"].map(lambda e: json.loads(e or "{}").get(name))
            col = frame["doc"].map(extra).map(lambda v: None if v is None else str(v).casefold())
            return self._compare(col, op, [str(v.value).casefold() for v in cond.values])
        if name == "coder":
            wanted = {str(v.value).casefold() for v in cond.values}
            hit = frame["coders"].map(lambda s: bool({x.casefold() for x in s} & wanted))
            res = hit.to_numpy(bool)
            if op in ("=", "in"):
                return res
            if op in ("!=", "notin"):
                return ~res
            self._err(_("coder: use =, != or IN"), cond.pos, cond.end)
        if kind == "case":
            return self._case_mask(cond, frame, *name)
        if name == "wave":
            col = frame["doc"].map(self.data.docs["wave"]).map(self.data.wave_position)
            return self._compare(col, op, self._wave_values(cond))
        if name in ("speaker", "participant_id"):
            col = frame[name].map(lambda v: None if v is None or v == "" else str(v).casefold())
        elif name == "actor_type":
            col = frame["doc"].map(self.data.docs["actor_type"])
            return self._compare(col, op, self._actor_values(cond))
        else:
            col = frame["doc"].map(self.data.docs[name]).map(
                lambda v: None if v is None else str(v).casefold())
        values = [str(v.value if v.kind != "NUMBER" else v.text).casefold() for v in cond.values]
        return self._compare(col, op, values)

    def _case_mask(self, cond: Comparison, frame: pd.DataFrame, kind: str,
                   key: str) -> np.ndarray:
        """A comparison on the cases of ``kind`` each row belongs to (see
        :mod:`workbench.query.cases`): true when one of them passes; ``IS MISSING`` when
        none has a value."""
        cases = self.data.cases
        attr = self._case_attribute(kind, key)
        long = cases.resolve(kind, frame)
        target = long["target"]
        if key in ("id", "name"):
            col = cases.labels(kind, key).reindex(target).str.casefold()
        elif attr.type == "nominal":
            col = target.map(cases.values(key)["value"].str.casefold())
        else:
            col = target.map(cases.values(key)["num"])
        col = pd.Series(col.to_numpy(object), index=long.index)
        i = long["i"].to_numpy(np.int64)
        out = np.zeros(len(frame), dtype=bool)
        if cond.op in ("missing", "notmissing"):
            out[i[col.notna().to_numpy(bool)]] = True
            return ~out if cond.op == "missing" else out
        passed = self._compare(col, cond.op, self._typed_values(cond, attr))
        out[i[passed]] = True
        return out

    @staticmethod
    def _compare(col: pd.Series, op: str, values: list) -> np.ndarray:
        present = col.notna().to_numpy(bool)
        if op == "missing":
            return ~present
        if op == "notmissing":
            return present
        if op in ("in", "notin"):
            res = col.isin(values).to_numpy(bool)
            return res if op == "in" else (present & ~res)
        v = values[0]
        ops: dict[str, Callable] = {"=": lambda a: a == v, "!=": lambda a: a != v,
                                    "<": lambda a: a < v, "<=": lambda a: a <= v,
                                    ">": lambda a: a > v, ">=": lambda a: a >= v}
        res = np.zeros(len(col), dtype=bool)
        if present.any():
            res[present] = np.asarray(ops[op](col[present]), dtype=bool)
        return res


# -- units with their participants -----------------------------------------------------------
def unit_frame(data: ProjectData, doc: np.ndarray, start: np.ndarray,
               coders: list | None = None, seg: np.ndarray | None = None,
               end: np.ndarray | None = None) -> pd.DataFrame:
    """One row per (unit, participant) -- units without a participant keep one row with
    participant_id None.  ``seg``: each unit's owner turn (else computed from ``start``
    and ``end``: the first turn it touches that is not the interviewer's).  Columns:
    unit, doc, seg, speaker, participant_id[, coders]."""
    doc = np.asarray(doc, dtype=np.int64)
    if seg is None:
        start = np.asarray(start, dtype=np.int64)
        seg = data.owner_segment(doc, start, start + 1 if end is None else end)[0]
    key = np.where(seg >= 0, seg, -(doc + 1))
    units = pd.DataFrame({"unit": np.arange(len(doc), dtype=np.int64), "key": key})
    m = units.merge(data.link_map, on="key", how="left", sort=False)
    m = m.sort_values("unit", kind="stable")
    u = m["unit"].to_numpy(np.int64)
    s = seg[u]
    if len(data.seg_speaker):
        speaker = np.where(s >= 0, data.seg_speaker[np.where(s >= 0, s, 0)], None)  # type: ignore[call-overload]
    else:
        speaker = np.full(len(u), None, dtype=object)
    pid = m["participant_id"].to_numpy(object)
    pid = np.where(pd.isna(pid), None, pid)
    frame = pd.DataFrame({"unit": u, "doc": doc[u], "seg": s, "speaker": speaker,
                          "participant_id": pid})
    if coders is not None:
        frame["coders"] = [coders[i] for i in u]
    return frame


def codings_in_scope(data: ProjectData, where: str | None, status: str = "accepted",
                     code_rows: np.ndarray | None = None, *, coders: Coders = None,
                     interviewer: bool = False) -> pd.DataFrame:
    """Codings that count (rows of ``data.codings_for(status, coders, interviewer)``)
    with their participants, filtered by a WHERE condition.  One row per (coding,
    participant); participant_id None when the coding belongs to nobody (interviewer
    turn, unlinked document).  Columns: row, doc, seg, speaker, participant_id, code,
    start, end, coder_id, interviewer."""
    frame = data.coding_units(status, coders, interviewer)
    if code_rows is not None:
        frame = frame[np.isin(frame["row"].to_numpy(np.int64), np.asarray(code_rows))]
    if where:
        flt = Filter(data, parse_condition(where))
        if flt.uses_coder:
            frame = frame.assign(coders=[frozenset([data.coders.get(int(c), "")])
                                         for c in frame["coder_id"]])
        frame = frame[flt.mask(frame)]
    return frame


# -- retrieval -------------------------------------------------------------------------------
RETRIEVAL_COLUMNS = ["document", "programme", "actor_type", "speaker", "participant_id",
                     "start", "end", "text", "codes", "coder"]


def retrieve(data: ProjectData, text: str | Query, *, where: str | None = None,
             attributes: Sequence[str] = (), descendants: bool = True,
             status: str = "accepted", limit: int | None = None, with_text: bool = True,
             coders: Coders = None,
             interviewer: bool = False) -> pd.DataFrame:
    """Coded passages matching a query: one row per hit (see the module docstring)."""
    q = text if isinstance(text, Query) else parse(text)
    ev = Evaluator(data, q, descendants=descendants, status=status, coders=coders,
                   interviewer=interviewer)
    flt = Filter(data, q)
    extra = Filter(data, parse_condition(where)) if where else None
    attrs = list(dict.fromkeys(attributes))
    unknown = [a for a in attrs if a not in data.attributes]
    if unknown:
        raise QueryError(data.unknown_attribute(unknown[0]))
    hits = ev.hits()
    cod = ev.cod
    uses_coder = flt.uses_coder or (extra is not None and extra.uses_coder)
    hit_coders = None
    if uses_coder:
        cs: dict[int, set] = {}
        for h, c in zip(hits.m_hit.tolist(), cod["coder_id"].to_numpy(np.int64)[hits.m_coding].tolist()):
            cs.setdefault(h, set()).add(data.coders.get(c, ""))
        hit_coders = [frozenset(cs.get(i, ())) for i in range(len(hits))]
    frame = unit_frame(data, hits.doc, hits.start, hit_coders, end=hits.end)
    keep = flt.mask(frame)
    if extra is not None:
        keep &= extra.mask(frame)
    frame = frame[keep]
    if frame.empty:
        return pd.DataFrame(columns=RETRIEVAL_COLUMNS + attrs + ["document_id", "coding_ids"])
    first = ~frame["unit"].duplicated().to_numpy()
    units = frame["unit"].to_numpy(np.int64)[first]
    pid_lists: dict[int, list[str]] = {}
    for u, pid in zip(frame["unit"].tolist(), frame["participant_id"].tolist()):
        if isinstance(pid, str):
            pid_lists.setdefault(u, []).append(pid)
    # member codes, coders and coding ids of the kept hits only
    kept = np.isin(hits.m_hit, units)
    mh = hits.m_hit[kept]
    mc = hits.m_coding[kept]
    code_of = cod["code"].to_numpy(np.int64)[mc].tolist()
    coder_of = cod["coder_id"].to_numpy(np.int64)[mc].tolist()
    id_of = cod["id"].to_numpy(np.int64)[mc].tolist()
    codes_by: dict[int, set] = {}
    coders_by: dict[int, set] = {}
    ids_by: dict[int, list] = {}
    paths, names = data.code_path, data.coders
    for h, c, k, i in zip(mh.tolist(), code_of, coder_of, id_of):
        codes_by.setdefault(h, set()).add(paths[c])
        coders_by.setdefault(h, set()).add(names.get(k, ""))
        ids_by.setdefault(h, []).append(i)
    docs = data.docs
    ul = units.tolist()
    out = pd.DataFrame({
        "document": docs["name"].reindex(hits.doc[units]).to_numpy(object),
        "programme": docs["programme"].reindex(hits.doc[units]).to_numpy(object),
        "actor_type": docs["actor_type"].reindex(hits.doc[units]).to_numpy(object),
        "speaker": frame["speaker"].to_numpy(object)[first],
        "participant_id": [";".join(sorted(set(pid_lists.get(u, ())))) for u in ul],
        "start": hits.start[units], "end": hits.end[units],
        "codes": [";".join(sorted(codes_by.get(u, ()))) for u in ul],
        "coder": [";".join(sorted(coders_by.get(u, ()))) for u in ul],
        "document_id": hits.doc[units],
        "coding_ids": [";".join(str(i) for i in sorted(set(ids_by.get(u, ())))) for u in ul],
    })
    out = out.sort_values(["document", "start", "end"], kind="stable").reset_index(drop=True)
    if limit is not None:
        out = out.head(limit).reset_index(drop=True)
    texts = data.store.span_texts(zip(out["document_id"], out["start"], out["end"])) \
        if with_text else [""] * len(out)
    out.insert(7, "text", texts)
    for a in attrs:
        vals = data.values(a)["value"]
        out[a] = [";".join(str(vals.get(p, "")) for p in pids.split(";") if p) if pids else None
                  for pids in out["participant_id"]]
    cols = RETRIEVAL_COLUMNS + attrs + ["document_id", "coding_ids"]
    return out[cols]
