"""Cases (sites, organisations) in the query engine: which cases a unit belongs to.

A unit (a coding, a passage, a link of an interview) belongs to the cases of one kind
(``site``, ``organisation``...) found at the first of these levels that has any:

  (a) the cases linked to the **speaker** of its turn (a trainer's words belong to the
      training body the trainer is linked to: ``document_cases`` with that speaker),
  (b) the cases linked to its **participant** (``participant_cases``: a trainee's site),
  (c) the cases linked to the whole **document** (``document_cases`` with speaker '').

At each level a linked case counts for its own kind and, through its parents
(``cases.parent_id``), for the kinds of its ancestors: a trainer linked to a training
body whose parent is the site of Évreux speaks, for ``site.region``, from Évreux.  A
unit may belong to several cases of a kind (a participant linked to two sites); a filter
keeps it when one of them passes, a matrix counts it in each of their columns.

Private case fields are left out of the snapshot unless ``include_private``; links of
private documents are dropped with the documents.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import numpy as np
import pandas as pd

from workbench.domain import Attribute

if TYPE_CHECKING:
    from workbench.store import Store

#: Pseudo-fields every case has (they cannot be the names of case fields)
CASE_KEYS = ("id", "name")
#: Column names of a case table that are not typed fields
CASE_COLUMNS = ("name", "parent", "description")
#: Words a case kind cannot be (the query language's prefixes and document metadata)
RESERVED_KINDS = {"p", "participant", "participants", "doc", "document", "documents", "code",
                  "wave", "waves", "case", "cases", "speaker", "coder"}


class CaseData:
    """The project's cases, their links and typed fields, for one engine snapshot."""

    def __init__(self, store: Store, doc_ids: Iterable[int], include_private: bool = False):
        rows = store.case_rows()
        self.kind = {r["id"]: r["kind"] for r in rows}
        self.name = {r["id"]: (r["name"] or r["id"]) for r in rows}
        self.parent = {r["id"]: r["parent_id"] for r in rows if r["parent_id"]}
        self.kinds = sorted(set(self.kind.values()))
        known_docs = set(int(d) for d in doc_ids)
        links = [(int(d), c, s or "") for d, c, s in store.document_case_links()
                 if int(d) in known_docs]
        self.doc_links = pd.DataFrame(links, columns=["doc", "case", "speaker"])
        self.doc_links["doc"] = self.doc_links["doc"].astype(np.int64)
        self.participant_links = pd.DataFrame(store.participant_case_links(),
                                              columns=["participant_id", "case"])
        defs = store.field_defs("case")
        self.private_fields = {a.name.casefold() for a in defs if a.private} \
            if not include_private else set()
        self.fields: dict[str, Attribute] = {a.name: a for a in defs
                                             if include_private or not a.private}
        self._store = store
        self._values: dict[str, pd.DataFrame] = {}
        self._lineage: dict[str, pd.DataFrame] = {}

    # -- names --------------------------------------------------------------------------
    def kind_named(self, name: str) -> str | None:
        """The case kind spelled ``name`` (case aside), or None."""
        low = name.casefold()
        return next((k for k in self.kinds if k.casefold() == low), None)

    def field_named(self, name: str) -> str | None:
        low = name.casefold()
        return next((f for f in self.fields if f.casefold() == low), None)

    def values(self, field: str) -> pd.DataFrame:
        """Case-id-indexed frame with 'value' and 'num' for one case field."""
        if field not in self._values:
            rows = self._store.field_value_rows("case", field)
            df = pd.DataFrame(rows, columns=["owner", "field", "value", "num"])
            self._values[field] = df.set_index("owner")[["value", "num"]]
        return self._values[field]

    def labels(self, kind: str, key: str) -> pd.Series:
        """Each case of ``kind`` -> its id, name, or the text of one field."""
        ids = [c for c, k in self.kind.items() if k == kind]
        if key == "id":
            return pd.Series(ids, index=ids, dtype=object)
        if key == "name":
            return pd.Series([self.name[c] for c in ids], index=ids, dtype=object)
        return self.values(key)["value"].reindex(ids)

    # -- which cases a unit belongs to --------------------------------------------------
    def lineage(self, kind: str) -> pd.DataFrame:
        """(case, target): every case with itself and its ancestors that are of ``kind``."""
        if kind not in self._lineage:
            pairs = []
            for cid in self.kind:
                seen, cur = set(), cid
                while cur is not None and cur not in seen:
                    seen.add(cur)
                    if self.kind.get(cur) == kind:
                        pairs.append((cid, cur))
                    cur = self.parent.get(cur)
            self._lineage[kind] = pd.DataFrame(pairs, columns=["case", "target"])
        return self._lineage[kind]

    def resolve(self, kind: str, frame: pd.DataFrame) -> pd.DataFrame:
        """For the rows of ``frame`` (columns doc, speaker, participant_id): one row per
        (row position ``i``, case of ``kind`` it belongs to), by the levels of the module
        docstring.  Rows that belong to none are absent."""
        lin = self.lineage(kind)
        empty = pd.DataFrame({"i": np.zeros(0, dtype=np.int64), "target": []})
        if lin.empty or frame.empty:
            return empty
        speaker = frame["speaker"].to_numpy(object) if "speaker" in frame else \
            np.full(len(frame), None, dtype=object)
        base = pd.DataFrame({
            "i": np.arange(len(frame), dtype=np.int64),
            "doc": frame["doc"].to_numpy(np.int64),
            "speaker": [s if isinstance(s, str) else "" for s in speaker],
            "participant_id": frame["participant_id"].to_numpy(object)})
        dl = self.doc_links
        found = []
        taken = np.zeros(len(frame), dtype=bool)
        # (a) the speaker's cases
        sp = dl[dl["speaker"] != ""]
        if len(sp):
            a = base[base["speaker"] != ""].merge(sp, on=["doc", "speaker"]) \
                .merge(lin, on="case")[["i", "target"]]
            found.append(a)
            taken[a["i"].to_numpy(np.int64)] = True
        # (b) the participant's cases
        if len(self.participant_links):
            b = base[base["participant_id"].notna() & ~taken] \
                .merge(self.participant_links, on="participant_id") \
                .merge(lin, on="case")[["i", "target"]]
            found.append(b)
            taken[b["i"].to_numpy(np.int64)] = True
        # (c) the document's cases
        whole = dl[dl["speaker"] == ""][["doc", "case"]]
        if len(whole):
            c = base[~taken].merge(whole, on="doc").merge(lin, on="case")[["i", "target"]]
            found.append(c)
        if not found:
            return empty
        out = pd.concat(found, ignore_index=True).drop_duplicates()
        return out.sort_values(["i", "target"], kind="stable").reset_index(drop=True)
