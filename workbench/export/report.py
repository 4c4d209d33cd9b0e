"""Word reports (python-docx) fit to submit as an evaluation's evidence annex.

Built-in styles only (``Title``, ``Heading 1-3``, ``Quote``, ``Caption``, a built-in
table style), so Word's table of contents and restyling work and a user template
(``--template``) restyles everything.  What a funder reads:

* A4 (Letter where the locale asks for it), document properties (title, author = the
  team), a real table-of-contents field and lists of tables and figures (``TOC \\c``
  over the captions' ``SEQ`` fields), numbered captions, table header rows repeated on
  every page, no internal names.
* Filters (:class:`workbench.export.evidence.ReportScope`): programmes, evaluation
  questions, coders or the consensus, interview date range; a report for one
  programme is that programme's report.
* Every passage in scope is quoted **once**: in the dossier of the first evaluation
  question it serves (up to ``dossier_quotes`` per question, each dossier saying how
  many passages exist and how many are shown), the rest in the excerpts annex under
  their first code.  A quote is the words only, then document, speaker, actor type,
  participant ID with chosen attributes, interview date and time code.  Coder names
  appear only in the methods annex, with the coding procedure and the agreement
  results (:func:`agreement_section`).
* Every table says what it counts (:func:`workbench.query.scope.describe`).

The report is written in the interface language (French in a French locale) unless
``language`` is given; every word exists in French and English (``report.po``).
"""
from __future__ import annotations

import datetime as _dt
import io
import os
import re
from pathlib import Path
from html import escape as _escape
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    pd = lazy_module("pandas")
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph
from docx.shared import Cm, Mm, Pt

from workbench import i18n
from workbench.domain import programme_label
from workbench.export import charts
from workbench.safety.files import atomic_output
from workbench.safety.text import xml_safe
from workbench.export.evidence import Evidence, ReportScope, collect_evidence
from workbench.i18n import _, ngettext, percent
from workbench.labels import value_text

SECTIONS = ("summary", "codebook", "questions", "excerpts", "matrices", "trajectories", "charts",
            "methods")
ProgressFn = Callable[[int, int, str], None]
# territories that print on US Letter (CLDR paper size "US-Letter")
LETTER_TERRITORIES = {"US", "CA", "MX", "PH", "CL", "CO", "VE", "GT", "PR", "CR", "PA",
                      "SV", "NI", "DO", "BZ"}


def paper_for_locale(environ=None) -> str:
    """``"letter"`` when the locale's territory prints on Letter (en_US, fr_CA, ...),
    else ``"a4"``.  LC_PAPER first, then LC_ALL and LANG."""
    env = os.environ if environ is None else environ
    for var in ("LC_PAPER", "LC_ALL", "LANG"):
        value = env.get(var) or ""
        if "_" in value:
            territory = value.split("_", 1)[1][:2].upper()
            return "letter" if territory in LETTER_TERRITORIES else "a4"
    return "a4"


def actor_label(actor) -> str:
    return {"beneficiary": _("beneficiary"), "trainer": _("trainer"),
            "operator": _("operator"), "other": _("other"),
            "interviewer": _("interviewer")}.get(actor, actor or "—")


def side_label(side) -> str:
    return {"beneficiaries": _("beneficiaries"), "ecosystem": _("ecosystem"),
            "training_bodies": _("training bodies"), "trainers": _("trainers")}.get(side, side or "")


def fmt_date(value) -> str:
    if not value or value != value:
        return ""
    try:
        d = _dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return d.strftime("%d/%m/%Y") if i18n.language() == "fr" else d.isoformat()


def fmt_time(seconds) -> str:
    if seconds is None or seconds != seconds:
        return ""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _field(paragraph, instruction: str, result: str = ""):
    """A complex field (``begin``/``instrText``/``separate``/result/``end``) in a paragraph."""
    def char(kind):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el
    r1 = paragraph.add_run()
    r1._r.append(char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    r1._r.append(instr)
    r1._r.append(char("separate"))
    paragraph.add_run(xml_safe(result))
    r3 = paragraph.add_run()
    r3._r.append(char("end"))


_SECT_PR = qn("w:sectPr")
_RUN_BREAKS = re.compile(r"([\t\r\n])")


def _paragraph_xml(text: str, style_id: str | None) -> str:
    """``<w:p>`` with ``style_id`` and ``text`` in one run, as python-docx writes it
    (``Paragraph.add_run``: a tab is ``w:tab``, CR and LF are ``w:br``, ``w:t`` keeps
    its spaces with ``xml:space="preserve"`` where it starts or ends with one)."""
    ppr = f'<w:pPr><w:pStyle w:val="{_escape(style_id)}"/></w:pPr>' if style_id else ""
    run = []
    for part in _RUN_BREAKS.split(text) if text else ():
        if part == "\t":
            run.append("<w:tab/>")
        elif part in ("\r", "\n"):
            run.append("<w:br/>")
        elif part:
            space = ' xml:space="preserve"' if len(part.strip()) < len(part) else ""
            run.append(f"<w:t{space}>{_escape(part, quote=False)}</w:t>")
    runs = f"<w:r>{''.join(run)}</w:r>" if text else ""
    return f"<w:p {nsdecls('w')}>{ppr}{runs}</w:p>"


class _Writer:
    def __init__(self, template: str | Path | None, paper: str):
        if template:
            self.doc = Document(str(template))
            body = self.doc.element.body
            for child in list(body):
                if child.tag != qn("w:sectPr"):
                    body.remove(child)
        else:
            self.doc = Document()
            normal = self.doc.styles["Normal"]
            normal.font.name = "Calibri"
            normal.font.size = Pt(11)
        if paper in ("a4", "letter") and not template or paper in ("a4!", "letter!"):
            self.page(paper.rstrip("!"))
        self._styles: dict[str, object] = {}
        self.numbers = {"table": 0, "figure": 0}
        self.captions: dict[str, list[str]] = {"table": [], "figure": []}
        self.headings: list[tuple[int, str]] = []
        self._lists: list = []
        self._toc = None

    def page(self, paper: str):
        for section in self.doc.sections:
            section.orientation = WD_ORIENT.PORTRAIT
            if paper == "letter":
                section.page_width, section.page_height = Mm(215.9), Mm(279.4)
            else:
                section.page_width, section.page_height = Mm(210), Mm(297)
            section.left_margin = section.right_margin = Cm(2.2)
            section.top_margin = section.bottom_margin = Cm(2.2)

    @property
    def text_width_cm(self) -> float:
        s = self.doc.sections[0]
        width, left, right = s.page_width, s.left_margin, s.right_margin
        assert width is not None and left is not None and right is not None
        return (width - left - right) / 360000

    def style(self, *names: str):
        for name in names:
            if name in self._styles:
                return self._styles[name]
            try:
                st = self.doc.styles[name]
            except KeyError:
                continue
            self._styles[name] = st
            return st
        return None

    def add(self, text: str, st=None):
        """A paragraph of ``text`` (style ``st``) at the end of the body: what
        ``doc.add_paragraph(text)`` writes (tabs as ``w:tab``, line breaks as ``w:br``),
        built as one XML fragment and put before the section properties directly --
        python-docx's per-character run writer and its search for ``w:sectPr`` among
        every paragraph made a 2,600-excerpt annex take seconds."""
        p = parse_xml(_paragraph_xml(xml_safe(text),
                                     st.style_id if st is not None else None))
        body = self.doc.element.body
        last = body[-1] if len(body) else None
        if last is not None and last.tag == _SECT_PR:
            last.addprevious(p)
        else:
            body.append(p)
        return Paragraph(p, self.doc._body)

    def heading(self, text: str, level: int):
        self.headings.append((level, text))
        st = self.style(f"Heading {level}")
        if st is not None:
            return self.add(text, st)
        p = self.doc.add_paragraph()
        p.add_run(xml_safe(text)).bold = True
        return p

    def para(self, text: str = "", style: str | None = None, *fallbacks: str):
        st = self.style(style, *fallbacks) if style else None
        return self.add(text, st)

    def labelled(self, label: str, value: str):
        if not value:
            return
        p = self.doc.add_paragraph()
        p.add_run(xml_safe(label + _(": "))).bold = True
        p.add_run(xml_safe(value))

    def caption(self, kind: str, text: str):
        """``Tableau 3 — text`` with a Word SEQ field (the number), style Caption."""
        self.numbers[kind] += 1
        label = _("Table") if kind == "table" else _("Figure")
        p = self.para("", "Caption")
        p.add_run(label + " ")
        _field(p, f"SEQ {label} \\* ARABIC", str(self.numbers[kind]))
        p.add_run(xml_safe(" — " + text))
        self.captions[kind].append(f"{label} {self.numbers[kind]} — {text}")
        return p

    def note(self, text: str):
        p = self.para(text)
        for run in p.runs:
            run.italic = True
            run.font.size = Pt(8.5)
        return p

    def table(self, df: pd.DataFrame, *, caption: str | None = None, note: str | None = None,
              widths: Sequence[float] | None = None, font_size: float = 8.5):
        if caption:
            self.caption("table", caption)
        if df is None or not len(df):
            self.para(_("(no data)"))
            return None
        cols = [str(c) for c in df.columns]
        t = self.doc.add_table(rows=len(df) + 1, cols=len(cols))
        st = self.style("Light Grid Accent 1", "Table Grid")
        if st is not None:
            t.style = st
        values = [cols] + [[value_text(v) for v in row] for row in df.itertuples(index=False)]
        for i, (row, vals) in enumerate(zip(t.rows, values)):
            tr_pr = row._tr.get_or_add_trPr()
            no_split = OxmlElement("w:cantSplit")
            tr_pr.append(no_split)
            if i == 0:                       # the header row repeats on every page
                header = OxmlElement("w:tblHeader")
                header.set(qn("w:val"), "true")
                tr_pr.append(header)
            for cell, v in zip(row.cells, vals):
                run = cell.paragraphs[0].add_run(xml_safe(v))
                run.font.size = Pt(font_size)
                run.bold = i == 0
        full = self.text_width_cm
        if not widths:
            n = len(cols)
            first = min(0.45 * full, max(0.25 * full, full - 2.0 * (n - 1))) if n > 1 else full
            widths = [first] + [(full - first) / (n - 1)] * (n - 1) if n > 1 else [first]
        t.autofit = False
        for col, w in zip(t.columns, widths):          # the grid (LibreOffice reads it)
            col.width = Cm(w)
        for row in t.rows:                               # and each cell (Word reads these)
            for cell, w in zip(row.cells, widths):
                cell.width = Cm(w)
        if note:
            self.note(note)
        self.doc.add_paragraph()
        return t

    def picture(self, png: bytes | None, caption: str, width_cm: float | None = None):
        if not png:
            return
        self.doc.add_picture(io.BytesIO(png), width=Cm(min(width_cm or 99, self.text_width_cm)))
        self.caption("figure", caption)

    def toc_field(self, instruction: str, title: str):
        """A TOC field whose result is filled at the end (:meth:`finish`) with the
        entries, so the document reads right before Word updates the fields."""
        self.para(title, "TOC Heading", "Heading 1") if False else self.heading_plain(title)
        p = self.doc.add_paragraph()
        self._lists.append((p, instruction))

    def heading_plain(self, title: str):
        p = self.para(title, "Subtitle")
        for r in p.runs:
            r.bold = True
        return p

    def finish(self):
        """Fill the TOC fields' results (headings, table and figure captions) and ask
        Word to update every field on opening."""
        for p, instruction in self._lists:
            if "\\c" in instruction:
                table_word = _("Table")
                kind = "table" if f'"{table_word}"' in instruction else "figure"
                entries = self.captions[kind]
            else:
                entries = [("    " * (lvl - 1)) + text for lvl, text in self.headings if lvl <= 2]
            _field(p, instruction, "\n".join(entries) if entries else _("(none)"))
            # line breaks inside the result
            runs = p.runs
            result = runs[1]
            lines = result.text.split("\n")
            result.text = lines[0]
            for line in lines[1:]:
                result._r.append(OxmlElement("w:br"))
                t = OxmlElement("w:t")
                t.set(qn("xml:space"), "preserve")
                t.text = xml_safe(line)
                result._r.append(t)
        settings = self.doc.settings.element
        if settings.find(qn("w:updateFields")) is None:
            upd = OxmlElement("w:updateFields")
            upd.set(qn("w:val"), "true")
            settings.append(upd)

    def page_break(self):
        self.doc.add_page_break()

    def save(self, path: Path):
        with atomic_output(path) as fh:      # whole or absent, no leftover on failure
            self.doc.save(fh)


class _Cancelled(Exception):
    pass


# -- what the report knows ------------------------------------------------------------
class _Report:
    #: waves and cases (build_report sets them; :mod:`workbench.export.report_waves`)
    dossiers_by: str | None = None
    trajectories: tuple[tuple[str, str], ...] = ()
    trajectory_participants: Sequence[str] | None = None
    sampling: tuple[str, ...] = ()
    saturation: tuple[str, ...] | None = None

    def __init__(self, project, w: _Writer, ev: Evidence, scope: ReportScope,
                 attributes: Sequence[str], dossier_quotes: int | None, by: str,
                 progress: ProgressFn, cancelled):
        self.p, self.w, self.ev, self.scope = project, w, ev, scope
        self.attributes = list(attributes)
        self.dossier_quotes = dossier_quotes
        self.by = by
        self.progress, self.cancelled = progress, cancelled
        self.shown: set[int] = set()
        self.where = ev.where
        participants = project._shareable_participants()
        self.people = {r["participant_id"]: r for r in participants.to_dict("records")}
        memos = pd.DataFrame(project.store.export_memos(),
                             columns=["id", "target_type", "target_id", "title", "text",
                                      "coder_id", "private", "created_at", "updated_at",
                                      "guid", "coder"])
        self.memos = memos
        data = project.query_data()
        self.data = data
        self.questions = self._questions()
        q_codes: dict[str, list[int]] = {}
        for cid, qid in project.store.query_code_questions():
            q_codes.setdefault(qid, []).append(cid)
        self.q_codes = q_codes
        self.code_rows = ev.codes.set_index("id")

    def counting(self, count: str = "passages", descendants: bool = True,
                 short: bool = True) -> str:
        """What a table counts (short: the document's scope section states the rest)."""
        from workbench.query.scope import describe
        return describe(count=count, coders=self.scope.coders, status=self.scope.status,
                        descendants=descendants, short=short)

    def _questions(self) -> list[dict]:
        qs = self.p.store.query_questions()
        if self.scope.questions:
            wanted = list(self.scope.questions)
            by_id = {q["id"]: q for q in qs}
            return [by_id[q] for q in wanted if q in by_id]
        if self.scope.programmes:
            keep = set(self.scope.programmes) | {"transversal", "", None}
            qs = [q for q in qs if q["programme"] in keep]
        return qs

    def codes_in_report(self) -> pd.DataFrame:
        """The codebook of the report: for a programme, the codes of its codebooks and
        every code with passages in scope; else every code."""
        codes = self.ev.codes
        if not self.scope.programmes and not self.scope.questions:
            return codes
        wanted: set[int] = set()
        for prog in self.scope.programmes:
            wanted |= self.p.codes_for_programme(prog)
        for q in self.questions:
            for cid in self.q_codes.get(q["id"], []):
                wanted |= set(self.data.descendants(cid))
        used = set(codes.loc[codes["passages"] > 0, "id"])
        return codes[codes["id"].isin(wanted | used)]

    # -- quotes ----------------------------------------------------------------------
    def source_line(self, r) -> str:
        parts = [str(r.document)]
        who = str(r.speaker) if isinstance(r.speaker, str) and r.speaker else ""
        actor = actor_label(r.actor_type) if r.actor_type else ""
        if who and actor:
            parts.append(f"{who} ({actor})")
        elif who or actor:
            parts.append(who or actor)
        for pid in r.participants:
            row = self.people.get(pid, {})
            extra = []
            for a in self.attributes:
                v = row.get(a)
                if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
                    continue
                if hasattr(v, "date"):
                    v = fmt_date(v.date().isoformat())
                extra.append(a + _(": ") + _value(v))
            parts.append(pid + (f" ({_sep().join(extra)})" if extra else ""))
        date = fmt_date(r.interview_date)
        if date:
            parts.append(_("interview of {date}").format(date=date))
        time = fmt_time(r.timestamp)
        if time:
            parts.append(time)
        return "— " + " · ".join(parts)

    def quote(self, r, codes_line: bool = True):
        w = self.w
        w.add("« " + " ".join(str(r.text).split()) + " »", w.style("Quote", "Intense Quote"))
        line = self.source_line(r)
        if codes_line:
            paths = [self.data.code_path[c] for c in r.codes if c in self.data.code_path]
            line += "\n" + _("Codes: {codes}").format(codes=_sep().join(paths))
        w.add(line, w.style("Caption"))
        for text in self.coding_notes(r.coding_ids):
            self.w.labelled(_("Analysis note"), " ".join(str(text).split()))
        self.shown.add(int(r.passage))

    def coding_notes(self, coding_ids) -> list[str]:
        """The memos on these codings, in the memo table's order (indexed once: a
        DataFrame filter per quote cost 4 ms each)."""
        index = self.__dict__.get("_coding_notes")
        if index is None:
            m = self.memos[self.memos["target_type"] == "coding"]
            index = {}
            for pos, (target, text) in enumerate(zip(m["target_id"], m["text"])):
                index.setdefault(str(target), []).append((pos, text))
            self.__dict__["_coding_notes"] = index
        found = sorted(n for i in {str(c) for c in coding_ids} for n in index.get(i, []))
        return [text for _pos, text in found]

    def passages_of(self, code_ids) -> pd.DataFrame:
        ids = set(code_ids)
        p = self.ev.passages
        return p[p["codes"].map(lambda cs: bool(ids & set(cs)))]


# -- sections ---------------------------------------------------------------------------
def _summary(r: _Report):
    w, ev = r.w, r.ev
    w.heading(_("Scope and corpus"), 1)
    w.para(_scope_sentence(r))
    docs = ev.documents
    people = set(p for ps in ev.passages["participants"] for p in ps)
    w.para(_("{docs} interviews in scope, {passages} coded passages ({codings} codings) from "
             "{people} interviewed participants; {questions} evaluation questions.").format(
        docs=len(docs), passages=len(ev.passages),
        codings=sum(len(c) for c in ev.passages["coding_ids"]), people=len(people),
        questions=len(r.questions)))
    w.note(r.counting(short=False))


def _sep() -> str:
    return _("; ")


def _value(v) -> str:
    return value_text(v)


def _scope_sentence(r: _Report) -> str:
    s = r.scope
    bits = []
    if s.programmes:
        bits.append(ngettext("programme: {names}", "programmes: {names}",
                             len(s.programmes)).format(
            names=", ".join(programme_label(p) for p in s.programmes)))
    else:
        bits.append(_("every programme"))
    if s.questions:
        bits.append(ngettext("evaluation question: {ids}", "evaluation questions: {ids}",
                             len(s.questions)).format(ids=", ".join(s.questions)))
    if s.date_from or s.date_to:
        bits.append(_("interviews from {start} to {end}").format(
            start=fmt_date(s.date_from) or "…", end=fmt_date(s.date_to) or "…"))
    if s.waves:
        bits.append(ngettext("wave: {names}", "waves: {names}", len(s.waves)).format(
            names=", ".join(s.waves)))
    from workbench.query.scope import coders_phrase
    bits.append(coders_phrase(s.coders) if not (isinstance(s.coders, (list, tuple)) and s.coders)
                else _("the codings of the coders named in the methods annex"))
    return _("This report covers: {what}.").format(what=_sep().join(bits))


def _codebook(r: _Report):
    w = r.w
    w.heading(_("Codebook"), 1)
    codes = r.codes_in_report()
    used = codes[codes["passages"] > 0]
    unused = codes[codes["passages"] == 0]
    w.para(_("{used} codes carry passages in this scope; {unused} have none (listed after "
             "the table).").format(used=len(used), unused=len(unused)))
    rows = r.p.codes().set_index("id")
    table = pd.DataFrame({
        _("Code"): ["    " * d + p.split("/")[-1] for d, p in zip(used["depth"], used["path"])],
        _("Evaluation questions"): [str(rows.at[i, "questions"] or "").replace(";", ", ")
                                    if i in rows.index else "" for i in used["id"]],
        _("Passages"): used["passages"].to_numpy(), _("Documents"): used["documents"].to_numpy(),
        _("Participants"): used["participants"].to_numpy()})
    full = w.text_width_cm
    w.table(table, caption=_("Codes and their evidence (each code with its sub-codes)"),
            note=r.counting(), widths=(0.42 * full, 0.22 * full) + (0.12 * full,) * 3)
    if len(unused):
        w.labelled(_("Codes without passages in this scope"),
                   ", ".join(unused["path"]) + ".")
    defined = [(i, rows.loc[i]) for i in used["id"] if i in rows.index and
               (rows.at[i, "definition"] or rows.at[i, "when_to_use"])]
    if defined:
        table = pd.DataFrame({
            _("Code"): [r.data.code_path[i] for i, _row in defined],
            _("Definition"): [_row["definition"] or _row["short"] or "" for _i, _row in defined],
            _("When to use it"): [_row["when_to_use"] or "" for _i, _row in defined]})
        w.table(table, caption=_("Definitions of the codes used"),
                widths=(0.3 * full, 0.4 * full, 0.3 * full))


def _code_memos(r: _Report, code_ids):
    m = r.memos[(r.memos["target_type"] == "code")
                & r.memos["target_id"].isin([str(c) for c in code_ids])]
    for row in m.itertuples():
        path = r.data.code_path.get(int(row.target_id), row.target_id)
        r.w.labelled(_("Memo on {code}").format(code=path), " ".join(str(row.text).split()))


def _dossiers(r: _Report):
    w = r.w
    w.heading(_("Evaluation questions"), 1)
    if not r.questions:
        w.para(_("No evaluation question in this scope."))
        return
    empty = []
    for i, q in enumerate(r.questions):
        if r.cancelled():
            raise _Cancelled()
        linked = r.q_codes.get(q["id"], [])
        ids = sorted({c for cid in linked for c in r.data.descendants(cid)})
        quotes = r.passages_of(ids)
        if not len(quotes):
            empty.append(q)
            continue
        w.heading(f"{q['id']} — {q['text']}", 2)
        bits = [b for b in (programme_label(q["programme"]), side_label(q["side"]), q["source"]) if b]
        if bits:
            w.para(" · ".join(bits))
        for m in r.memos[(r.memos["target_type"] == "question")
                         & (r.memos["target_id"] == q["id"])].itertuples():
            w.labelled(_("Question memo"), " ".join(str(m.text).split()))
        d = r.p.question_dossier(q["id"], where=r.where, coders=r.scope.coders,
                                 status=r.scope.status, exemplars=0)
        n = len(d.excerpts)
        tri = d.triangulation.iloc[0] if len(d.triangulation) else None
        codes = d.codes.rename(columns={"code": _("Code"), "passages": _("Passages"),
                                        "codings": _("Codings"), "documents": _("Documents"),
                                        "participants": _("Participants")})
        full = w.text_width_cm
        w.table(codes, caption=_("Evidence on {id} by code").format(id=q["id"]),
                note=r.counting(), widths=(0.4 * full,) + (0.15 * full,) * 4)
        _code_memos(r, linked)
        if tri is not None:
            w.para(_("Who speaks of it: {summary}.").format(summary=_triangulation_words(tri)))
        fresh = quotes[~quotes["passage"].isin(r.shown)]
        limit = r.dossier_quotes
        picked = _pick(fresh, limit)
        earlier = len(quotes) - len(fresh)
        rest = len(fresh) - len(picked)
        w.para(ngettext("{n} passage on this question", "{n} passages on this question", n)
               .format(n=n) + _(" (in {k} quoted extracts): {shown} shown below, {earlier} "
                                "quoted under an earlier question, {rest} in the excerpts "
                                "annex.").format(k=len(quotes), shown=len(picked),
                                                 earlier=earlier, rest=rest))
        if r.dossiers_by:                        # grouped by site, organisation...
            from workbench.export.report_waves import quotes_by_case
            quotes_by_case(r, picked)
        else:
            for row in picked.itertuples():
                r.quote(row)
        r.progress(i + 1, len(r.questions), q["id"])
    if empty:
        w.heading(_("Questions without evidence in this scope"), 2)
        for q in empty:
            w.para(f"{q['id']} — {q['text']}", "List Bullet")


def _pick(df: pd.DataFrame, limit: int | None) -> pd.DataFrame:
    """Up to ``limit`` passages, spread over documents (document order kept)."""
    if limit is None or len(df) <= limit:
        return df
    ranked = df.assign(_k=df.groupby("document").cumcount())
    return ranked.sort_values(["_k", "document", "start"], kind="stable").head(limit) \
        .sort_values(["document", "start"], kind="stable").drop(columns="_k")


def _triangulation_words(row) -> str:
    out = []
    for a in ("beneficiary", "trainer", "operator"):
        share = row.get(f"{a}_share")
        if share is None or share != share:
            continue
        docs = int(row.get(f"{a}_documents", 0))
        out.append(ngettext("{actor}: {docs} interview, {share} of the interviews",
                            "{actor}: {docs} interviews, {share} of the interviews",
                            docs).format(actor=actor_label(a), docs=docs,
                                         share=percent(share / 100, None)))
    return _sep().join(out) or _("no interview")


def _excerpts(r: _Report):
    w = r.w
    w.heading(_("Excerpts annex"), 1)
    rest = r.ev.passages[~r.ev.passages["passage"].isin(r.shown)]
    w.para(_("Every passage in scope not quoted above, once, under its first code; the codes "
             "line lists all its codes. {n} passages.").format(n=len(rest)))
    if not len(rest):
        return
    first: dict[int, list] = {}
    order = {cid: i for i, cid in enumerate(r.ev.codes["id"])}
    for row in rest.itertuples():
        cid = min(row.codes, key=lambda c: order.get(c, 1 << 30))
        first.setdefault(cid, []).append(row)
    done, total = 0, len(rest)
    for cid in r.ev.codes["id"]:
        rows = first.get(cid)
        if not rows:
            continue
        if r.cancelled():
            raise _Cancelled()
        w.heading(r.data.code_path[cid], 2)
        count = int(r.code_rows.at[cid, "passages"]) if cid in r.code_rows.index else len(rows)
        w.para(ngettext("{n} passage quoted here", "{n} passages quoted here", len(rows))
               .format(n=len(rows)) + _(" (the code has {n} with its sub-codes).").format(n=count))
        for row in rows:
            r.quote(row)
        done += len(rows)
        r.progress(done, total, r.data.code_path[cid])


def _matrix_table(r: _Report, by: str, count: str) -> pd.DataFrame:
    m = r.p.matrix(by, count=count, where=r.where, coders=r.scope.coders, status=r.scope.status)
    body = m[(m["code"] != "(total)") & (m["total"] > 0)]
    codes = set(r.codes_in_report()["path"])
    body = body[body["code"].isin(codes)]
    base = m[m["code"] == "(total)"]
    out = pd.concat([body, base.assign(code=_("Total"))])
    if by == "actor_type":
        out = out.rename(columns={c: actor_label(c) for c in out.columns if c not in ("code", "total")})
    elif by == "programme":
        out = out.rename(columns={c: programme_label(c) for c in out.columns
                                  if c not in ("code", "total")})
    return out.rename(columns={"code": _("Code"), "total": _("Total")}).reset_index(drop=True)


def _matrices(r: _Report, joint_attributes: Sequence[str], tables_extra):
    w = r.w
    w.heading(_("Matrices and joint displays"), 1)
    w.heading(_("Codes by actor type"), 2)
    w.table(_matrix_table(r, "actor_type", "passages"),
            caption=_("Passages by actor type (each code with its sub-codes)"),
            note=r.counting() + " " + _("Last row: all the passages of each actor type."))
    if len(r.scope.programmes) != 1:
        w.heading(_("Codes by programme"), 2)
        w.table(_matrix_table(r, "programme", "documents"),
                caption=_("Interviews by programme (each code with its sub-codes)"),
                note=r.counting("documents") + " " + _("Last row: interviews in scope."))
    for attr in joint_attributes:
        w.heading(_("Joint display: {attribute}").format(attribute=attr), 2)
        table = _joint_table(r, attr)
        w.table(table, caption=_("Participants whose words carry each code, by « {attribute} » "
                                 "(n = group size)").format(attribute=attr),
                note=r.counting("participants"))
    for title, df in (tables_extra or {}).items():
        w.heading(title, 2)
        w.table(df.reset_index() if not isinstance(df.index, pd.RangeIndex) else df,
                caption=title)


def _joint_table(r: _Report, attr: str) -> pd.DataFrame:
    codes = r.codes_in_report()
    paths = list(codes.loc[codes["passages"] > 0, "path"])
    if not paths:
        return pd.DataFrame()
    long = r.p.joint_display(attr, codes=paths, exemplars=0, where=r.where,
                             coders=r.scope.coders, status=r.scope.status)
    long = long[long.groupby("column")["participants"].transform("sum") > 0]
    groups = list(dict.fromkeys(long["group"]))
    sizes = long.drop_duplicates("group").set_index("group")["n_participants"]
    out = []
    for code, sub in long.groupby("column", sort=False):
        row = {_("Code"): code}
        for g in groups:
            cell = sub[sub["group"] == g]
            k = int(cell["participants"].iloc[0]) if len(cell) else 0
            share = cell["share"].iloc[0] if len(cell) else None
            row[f"{g} (n = {int(sizes.get(g, 0))})"] = \
                f"{k} ({percent(share / 100, None)})" if share is not None and share == share \
                else str(k)
        out.append(row)
    return pd.DataFrame(out)


def _charts(r: _Report):
    w = r.w
    w.heading(_("Charts"), 1)
    table = _matrix_table(r, "actor_type", "passages")
    table = table[table[_("Code")] != _("Total")].rename(columns={_("Code"): "code",
                                                                  _("Total"): "total"})
    w.picture(charts.frequency_chart(table, _("Most frequent codes, by actor type"),
                                     xlabel=_("Passages")),
              _("Passages of the most frequent codes, by actor type (each code with its "
                "sub-codes)"))
    codes = r.codes_in_report()
    top = codes[codes["passages"] > 0].nlargest(15, "passages")
    if len(top) >= 2:
        co = r.p.cooccurrence(list(top["path"]), count="documents", where=r.where,
                              coders=r.scope.coders, status=r.scope.status).set_index("code")
        w.picture(charts.heatmap(co, _("Codes that overlap, by interview"), unit=_("interviews")),
                  _("Interviews where two codes overlap (each code alone; diagonal: interviews "
                    "with the code)"))


def agreement_section(project):
    """The inter-coder agreement results for the methods annex, from the team's
    ``workbench.agreement.report.methods_agreement(project)`` (an object with ``title``,
    ``paragraphs``, ``table``, ``caption``; None when fewer than two coders share a
    document); None when that function is not available."""
    try:
        from workbench.agreement.report import methods_agreement
    except ImportError:
        return None
    return methods_agreement(project)


def _methods(r: _Report):
    w, p = r.w, r.p
    w.heading(_("Methods annex"), 1)
    w.heading(_("Corpus"), 2)
    docs = r.ev.documents
    if len(docs):
        t = (docs.assign(programme=docs["programme"].map(lambda x: programme_label(x) or "—"),
                         actor=docs["actor_type"].map(actor_label))
             .groupby(["programme", "actor"]).size().reset_index(name="n")
             .rename(columns={"programme": _("Programme"), "actor": _("Actor type"),
                              "n": _("Interviews")}))
        w.table(t, caption=_("Interviews in scope by programme and actor type"))
    if r.sampling:
        from workbench.export.report_waves import sampling
        sampling(r)
    if r.saturation:
        from workbench.export.report_waves import saturation
        saturation(r)
    w.heading(_("Coding procedure"), 2)
    books = sorted({c for c in p.codes()["codebook"].dropna() if c})
    n_coders = len(_coders(r))
    w.para(ngettext(
        "Codebooks: {books}. Coding by {n} coder; the counts in this report take {who}; "
        "a passage is a stretch of text coded once or more (overlapping codings in one "
        "interview merged), interviewer speech is left out, and a code counts its sub-codes.",
        "Codebooks: {books}. Coding by {n} coders; the counts in this report take {who}; "
        "a passage is a stretch of text coded once or more (overlapping codings in one "
        "interview merged), interviewer speech is left out, and a code counts its sub-codes.",
        n_coders).format(books=", ".join(books) or _("the project's own codebook"),
                         n=n_coders, who=_coders_words(r.scope)))
    coders = _coders(r)
    if len(coders):
        w.table(coders, caption=_("Coders and their codings in this scope"))
    sec = agreement_section(p)
    if sec is None:
        w.heading(_("Inter-coder agreement"), 2)
        w.para(_("No agreement results: fewer than two coders coded the same interviews."))
    else:
        w.heading(sec.title, 2)
        for line in sec.paragraphs:
            w.para(line)
        if sec.table is not None and len(sec.table):
            w.table(sec.table, caption=sec.caption)
    w.heading(_("Saved queries"), 2)
    shown, withheld = _saved_queries(p)
    if len(shown):
        w.table(shown, caption=_("Saved queries behind this analysis"))
    else:
        w.para(_("No saved query."))
    if withheld:
        w.para(ngettext("{n} saved query names a private document or attribute and is not shown.",
                        "{n} saved queries name a private document or attribute and are not shown.",
                        withheld).format(n=withheld))
    w.heading(_("Confidentiality"), 2)
    pr = p.store.private_counts()
    d, m, a = pr.get("documents", 0), pr.get("memos", 0), pr.get("attributes", 0)
    w.para(_("Items marked private and left out of this report: {items}.").format(items=", ".join([
        ngettext("{n} document", "{n} documents", d).format(n=d),
        ngettext("{n} memo", "{n} memos", m).format(n=m),
        ngettext("{n} participant attribute", "{n} participant attributes", a).format(n=a)])))
    for line in p.privacy_summary_lines():      # pseudonymisation (workbench.privacy)
        w.para(line)


def _coders_words(scope: ReportScope) -> str:
    from workbench.query.scope import coders_phrase
    return coders_phrase(scope.coders)


def _coders(r: _Report) -> pd.DataFrame:
    """The coders whose codings count in this report, with their codings in scope."""
    c = r.ev.coders
    return pd.DataFrame({_("Coder"): list(c["coder"]), _("Codings"): list(c["codings"])})


def _saved_queries(p) -> tuple[pd.DataFrame, int]:
    kinds = {"query": _("passages"), "matrix": _("matrix"), "cooccurrence": _("co-occurrence"),
             "participants": _("participants × codes"), "triangulation": _("triangulation"),
             "joint": _("joint display"), "outcome": _("outcome test"),
             "dossier": _("question dossier")}
    shown = []
    withheld = 0
    for q in p.shareable_saved_queries():
        if q is None:
            withheld += 1
            continue
        shown.append({_("Name"): q["name"], _("Kind"): kinds.get(q["kind"], q["kind"]),
                      _("Definition"): q["expression"]})
    return pd.DataFrame(shown), withheld


# -- entry points --------------------------------------------------------------------
def build_report(project, path: str | Path, *, scope: ReportScope | None = None,
                 sections: Sequence[str] = SECTIONS, by: str = "code",
                 attributes: Sequence[str] = (), joint_attributes: Sequence[str] = (),
                 title: str | None = None, author: str | None = None,
                 template: str | Path | None = None, dossier_quotes: int | None = 5,
                 tables: dict[str, pd.DataFrame] | None = None, language: str | None = None,
                 paper: str | None = None, progress: ProgressFn | None = None,
                 cancelled: Callable[[], bool] | None = None, dossiers_by: str | None = None,
                 trajectories: Sequence[tuple[str, str]] = (),
                 trajectory_participants: Sequence[str] | None = None,
                 sampling: Sequence[str] = (), saturation: Sequence[str] | None = None) -> Path:
    """Write a Word report with the chosen ``sections`` (see :data:`SECTIONS`); waves and
    cases: :mod:`workbench.export.report_waves`."""
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValueError(ngettext("unknown report section: {names}", "unknown report sections: {names}",
                                  len(unknown)).format(names=", ".join(sorted(unknown))))
    scope = scope or ReportScope()
    step = progress or (lambda *a: None)
    stop = cancelled or (lambda: False)
    path = Path(path)
    with i18n.using_language(language):
        chosen = (paper or paper_for_locale())
        w = _Writer(template, chosen + ("!" if paper else ""))
        ev = collect_evidence(project, scope)
        r = _Report(project, w, ev, scope, attributes, dossier_quotes, by, step, stop)
        r.dossiers_by, r.trajectories = dossiers_by, tuple(trajectories)
        r.trajectory_participants, r.sampling = trajectory_participants, tuple(sampling)
        r.saturation = None if saturation is None else tuple(saturation)
        name = project.name
        heading = title or (_("Qualitative evidence — {programme}").format(
            programme=", ".join(programme_label(x) for x in scope.programmes))
            if scope.programmes else _("Qualitative evidence — {project}").format(project=name))
        w.para(heading, "Title")
        w.para(_("Project {project} · {date}").format(
            project=name, date=fmt_date(_dt.date.today().isoformat())), "Subtitle")
        w.para(_scope_sentence(r))
        w.toc_field('TOC \\o "1-2" \\h \\z \\u', _("Contents"))
        table_word, figure_word = _("Table"), _("Figure")
        w.toc_field(f'TOC \\h \\z \\c "{table_word}"', _("List of tables"))
        w.toc_field(f'TOC \\h \\z \\c "{figure_word}"', _("List of figures"))
        w.page_break()
        try:
            for s in sections:
                if s == "summary":
                    _summary(r)
                elif s == "codebook":
                    _codebook(r)
                elif s == "questions":
                    _dossiers(r)
                elif s == "excerpts":
                    _excerpts(r)
                elif s == "matrices":
                    _matrices(r, joint_attributes, tables)
                elif s == "trajectories" and r.trajectories:
                    from workbench.export.report_waves import trajectories as _trajectories
                    _trajectories(r)
                elif s == "charts":
                    _charts(r)
                elif s == "methods":
                    _methods(r)
        except _Cancelled:
            from workbench.domain import WorkbenchError
            raise WorkbenchError(_("report cancelled: no file written")) from None
        w.finish()
        props = w.doc.core_properties
        props.title = heading
        props.author = author or project.team_name()
        props.last_modified_by = props.author
        props.subject = _scope_sentence(r)
        props.comments = _("Made with Workbench")
        props.keywords = ", ".join(scope.programmes) or name
        props.language = language or i18n.language()
        w.save(path)
    return path


def convert_to_pdf(docx: str | Path, outdir: str | Path, timeout: int = 300) -> Path | None:
    """Convert with LibreOffice (``soffice --headless --convert-to pdf``); None when
    LibreOffice is not installed."""
    import shutil
    import subprocess
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        return None
    outdir = Path(outdir)
    profile = outdir / ".lo-profile"
    subprocess.run([exe, f"-env:UserInstallation=file://{profile.resolve()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(outdir), str(docx)],
                   check=True, capture_output=True, timeout=timeout)
    pdf = outdir / (Path(docx).stem + ".pdf")
    return pdf if pdf.is_file() else None
