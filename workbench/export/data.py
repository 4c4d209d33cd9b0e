"""The privacy-filtered data every report and table is built from.

One read of the store (:func:`collect`) gives pandas tables of what may leave the
project; the counted tables (matrices, joint displays, co-occurrences, participant ×
code matrix) come from the query engine (``workbench.query``) with private documents
filtered out, so reports and `workbench matrix` / `joint` agree.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

if TYPE_CHECKING:
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    pd = lazy_module("pandas")

from workbench.domain import ACTOR_TYPES, programme_label
from workbench.labels import actor_label
from workbench.export.qdpx import code_tree



@dataclass
class ReportData:
    project_name: str
    documents: pd.DataFrame          # id, name, programme, actor_type, ... word_count
    codes: pd.DataFrame              # id, parent_id, path, depth, name, fields, passages,
    #                                  codings, documents (each code with its sub-codes)
    excerpts: pd.DataFrame           # one row per coding, with source and text ("codages")
    participants: pd.DataFrame       # participant_id + non-private attributes
    questions: pd.DataFrame          # id, programme, side, text, codes (list of code ids)
    coders: pd.DataFrame
    memos: pd.DataFrame
    saved_queries: list = field(default_factory=list)
    private: dict = field(default_factory=dict)
    codebooks: list = field(default_factory=list)


def collect(project, *, status: str = "accepted") -> ReportData:
    store = project.store
    docs = store.export_documents()
    doc_by_id = {d["id"]: d for d in docs}
    paths = project.code_paths()
    tree = code_tree(store.codes())
    qmap = defaultdict(list)
    for cq in store.export_code_questions():
        qmap[cq["question_id"]].append(cq["code_id"])
    codings = store.export_codings(status)
    # participants linked to each document: speaker -> ids ('' = whole document)
    links: defaultdict[int, defaultdict[str, list[str]]] = defaultdict(
        lambda: defaultdict(list))
    for lk in store.export_participant_links():
        links[lk["document_id"]][lk["speaker"] or ""].append(lk["participant_id"])
    rows = []
    quotes = store.span_texts((k["document_id"], k["start"], k["end"]) for k in codings)
    for k, quote in zip(codings, quotes):
        d = doc_by_id[k["document_id"]]
        by_speaker: dict[str, list[str]] = links.get(k["document_id"], {})
        pids = list(by_speaker.get(k["speaker"] or "", [])) if k["speaker"] else []
        if not pids:
            pids = list(by_speaker.get("", []))
        rows.append(dict(coding_id=k["id"], code_id=k["code_id"], path=paths[k["code_id"]],
                         document_id=k["document_id"], document=d["name"],
                         programme=d["programme"], actor_type=d["actor_type"],
                         speaker=k["speaker"], timestamp=k["timestamp"],
                         participants=";".join(dict.fromkeys(pids)), start=k["start"],
                         end=k["end"], text=quote, coder=k["coder"],
                         origin=k["origin"]))
    excerpts = pd.DataFrame(rows, columns=["coding_id", "code_id", "path", "document_id",
                                           "document", "programme", "actor_type", "speaker",
                                           "timestamp", "participants", "start", "end", "text",
                                           "coder", "origin"])
    # counts of each code with its sub-codes, from the query engine (private documents
    # and interviewer speech left out; passages merge overlapping codings)
    totals = {}
    for unit in ("passages", "codings", "documents"):
        m = project.matrix("actor_type", count=unit, status=status)
        totals[unit] = m[m["code"] != "(total)"].set_index("code")["total"]
    code_rows = []
    for r in tree:
        code_rows.append(dict(
            id=r["id"], parent_id=r["parent_id"], path=paths[r["id"]],
            depth=paths[r["id"]].count("/"), name=r["name"], short=r["short"] or "",
            definition=r["definition"] or "", when_to_use=r["when_to_use"] or "",
            when_not_to_use=r["when_not_to_use"] or "", example=r["example"] or "",
            colour=r["colour"] or "", codebook=r["codebook"] or "",
            questions=";".join(sorted((r["questions"] or "").split(";"))).strip(";"),
            passages=int(totals["passages"].get(paths[r["id"]], 0)),
            codings=int(totals["codings"].get(paths[r["id"]], 0)),
            documents=int(totals["documents"].get(paths[r["id"]], 0))))
    codes = pd.DataFrame(code_rows, columns=["id", "parent_id", "path", "depth", "name", "short",
                                             "definition", "when_to_use", "when_not_to_use",
                                             "example", "colour", "codebook", "questions",
                                             "passages", "codings", "documents"])
    attrs = store.export_attributes()
    wide: defaultdict[str, dict] = defaultdict(dict)
    for v in store.export_participant_values():
        wide[v["participant_id"]][v["attribute"]] = v
    types = {a["name"]: a["type"] for a in attrs}
    prow = []
    for pid in sorted(store.participant_ids()):
        row = {"participant_id": pid}
        for a in attrs:
            v = wide[pid].get(a["name"])
            if v is None:
                row[a["name"]] = None
            elif types[a["name"]] == "numeric":
                row[a["name"]] = v["num"]
            elif types[a["name"]] == "boolean":
                row[a["name"]] = None if v["num"] is None else bool(v["num"])
            else:
                row[a["name"]] = v["value"]
        prow.append(row)
    participants = pd.DataFrame(prow, columns=["participant_id"] + [a["name"] for a in attrs])
    for a in attrs:
        if a["type"] == "date":
            participants[a["name"]] = pd.to_datetime(participants[a["name"]], errors="coerce",
                                                    format="ISO8601")
    questions = pd.DataFrame(
        [dict(id=q["id"], programme=q["programme"] or "", side=q["side"] or "", text=q["text"],
              source=q["source"] or "", codebook=q["codebook"] or "", codes=qmap.get(q["id"], []))
         for q in store.evaluation_questions()],
        columns=["id", "programme", "side", "text", "source", "codebook", "codes"])
    documents = pd.DataFrame([{k: v for k, v in d.items() if k != "text"} for d in docs],
                             columns=["id", "name", "programme", "actor_type", "interview_date",
                                      "interviewer", "site", "language", "source_file",
                                      "source_format", "word_count", "imported_at", "extra"])
    memos = pd.DataFrame(store.export_memos(),
                         columns=["id", "target_type", "target_id", "title", "text", "coder",
                                  "created_at", "updated_at"])
    return ReportData(
        project_name=project.name, documents=documents, codes=codes, excerpts=excerpts,
        participants=participants, questions=questions,
        coders=pd.DataFrame(store.list_coders(), columns=["id", "name", "created_at", "codings"]),
        memos=memos, saved_queries=store.saved_queries(), private=store.private_counts(),
        codebooks=sorted({c for c in codes["codebook"] if c}))


# -- derived tables -------------------------------------------------------------------
# Counting is the query engine's job (``workbench.query``): the tables here only pick
# its results, leave private documents out and put French labels on them, so that a
# report says exactly what `workbench matrix` / `workbench joint` say.
def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def shareable_where(project) -> str | None:
    """A query-language condition leaving out private documents (None: none private)."""
    docs = project.documents()
    private = docs.loc[docs["private"].astype(bool), "name"]
    if private.empty:
        return None
    return "document NOT IN (" + ", ".join(_quote(n) for n in private) + ")"


def code_by(project, column: str, *, unit: str = "passages", codes=None,
            where: str | None = None) -> pd.DataFrame:
    """Codes × a document column (actor_type, programme): each code's passages (or
    codings, documents), with its sub-codes; codes without any are left out."""
    table = project.matrix(column, codes=codes, count=unit, where=where)
    table = table[(table["code"] != "(total)") & (table["total"] > 0)]
    if column == "actor_type":
        table = table.rename(columns={a: actor_label(a) for a in ACTOR_TYPES})
    elif column == "programme":
        table = table.rename(columns={c: programme_label(c) for c in table.columns
                                      if c not in ("code", "total")})
    return table.reset_index(drop=True)


def joint_display(project, attribute: str, *, where: str | None = None,
                  max_quote: int = 160) -> pd.DataFrame:
    """Codes × the groups of a participant attribute: participants and one quote."""
    long = project.joint_display(attribute, exemplars=1, descendants=False, where=where)
    long = long[long["participants"] > 0]
    if long.empty:
        return pd.DataFrame(columns=["code"])
    groups = list(dict.fromkeys(long["group"]))
    out = []
    for code, sub in long.groupby("column", sort=False):
        row = {"code": code}
        for g in groups:
            cell = sub[sub["group"] == g]
            if len(cell):
                quote = _short(str(cell["exemplars"].iloc[0]).split("\n")[0], max_quote)
                row[g] = f"{int(cell['participants'].iloc[0])} part. — {quote}"
            else:
                row[g] = ""
        out.append(row)
    return pd.DataFrame(out, columns=["code"] + groups)


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def variable_name(path: str, index: int, taken: set[str]) -> str:
    """A column name valid in R, Stata and pandas (ASCII, ≤ 32 characters)."""
    leaf = unicodedata.normalize("NFKD", path.split("/")[-1])
    leaf = "".join(c for c in leaf if not unicodedata.combining(c)).lower()
    leaf = re.sub(r"[^a-z0-9]+", "_", leaf).strip("_")
    name = f"c{index:03d}_{leaf}"[:32].rstrip("_")
    while name in taken:
        name = name[:28] + f"_{len(taken) % 1000:03d}"
    taken.add(name)
    return name


def participant_code_matrix(project, data: ReportData, *, binary: bool = False,
                            with_attributes: bool = False,
                            where: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per participant, one integer column per code (the passages -- or 0/1 --
    of the code with its sub-codes in the participant's speech, or in their documents
    when no speaker is linked), with column names valid in R, Stata and pandas.  Returns (matrix, dictionary of the columns:
    variable, code path)."""
    table = project.participant_code_matrix(binary=binary, where=where, all_participants=True)
    taken: set[str] = {"participant_id"}
    names = {path: variable_name(path, i + 1, taken)
             for i, path in enumerate(c for c in table.columns if c != "participant_id")}
    matrix = table.rename(columns=names)
    for var in names.values():
        matrix[var] = matrix[var].fillna(0).astype("int64")
    if with_attributes:          # only the attributes that are not private
        matrix = data.participants.merge(matrix, on="participant_id", how="left")
    dictionary = pd.DataFrame({"variable": list(names.values()), "code": list(names)})
    return matrix, dictionary


def cooccurrence(project, data: ReportData, *, top: int = 25,
                 where: str | None = None) -> pd.DataFrame:
    """Documents where two of the ``top`` most used codes overlap (square table)."""
    codes = data.codes[data.codes["codings"] > 0]
    if codes.empty:              # (an empty column has no numeric dtype for nlargest)
        return pd.DataFrame()
    codes = codes.nlargest(top, "codings")
    table = project.cooccurrence(list(codes["path"]), mode="overlap", count="documents",
                                 where=where)
    return table.set_index("code")


def passages_table(project, scope=None, attributes=()) -> pd.DataFrame:
    """One row per passage in scope (overlapping codings merged, see
    :mod:`workbench.export.evidence`): source, codes, words; participant attributes
    (non-private) as extra columns."""
    from workbench.export.evidence import ReportScope, collect_evidence
    ev = collect_evidence(project, scope or ReportScope())
    p = ev.passages
    data = project.query_data()
    out = pd.DataFrame({
        "document": p["document"], "programme": p["programme"], "actor_type": p["actor_type"],
        "interview_date": p["interview_date"], "speaker": p["speaker"],
        "participants": [";".join(x) for x in p["participants"]],
        "timecode": p["timestamp"], "start": p["start"], "end": p["end"],
        "codes": [";".join(data.code_path[c] for c in cs) for cs in p["codes"]],
        "codings": [len(x) for x in p["coding_ids"]], "text": p["text"]})
    if attributes:
        people = project._shareable_participants().set_index("participant_id")
        for a in attributes:
            out[a] = [";".join(str(people[a].get(x, "")) for x in pids) for pids in p["participants"]]
    return out


def named_tables(project, data: ReportData) -> dict[str, pd.DataFrame]:
    """Every table the exports know, by name (sheet names of the full workbook):
    ``extraits`` has one row per passage, ``codages`` one per coding."""
    where = shareable_where(project)
    matrix, dictionary = participant_code_matrix(project, data, where=where)
    ex = data.excerpts.drop(columns=["code_id", "document_id"])
    q = data.questions.assign(codes=[";".join(str(c) for c in cs) for cs in data.questions["codes"]])
    return {
        "codes": data.codes.drop(columns=["parent_id"]),
        "extraits": passages_table(project),
        "codages": ex,
        "documents": data.documents.assign(extra=[json.dumps(e, ensure_ascii=False)
                                                  if isinstance(e, dict) else e
                                                  for e in data.documents["extra"]]),
        "participants": data.participants,
        "participants_x_codes": matrix,
        "variables_codes": dictionary,
        "codes_x_acteurs": code_by(project, "actor_type", where=where),
        "codes_x_programmes": code_by(project, "programme", where=where),
        "questions": q,
        "cooccurrences": cooccurrence(project, data, where=where).reset_index(),
        "memos": data.memos,
        "codeurs": data.coders,
    }
