"""Word reports (python-docx), in French, with Word's built-in styles.

Headings use ``Heading 1..3`` (so Word's table of contents and restyling work),
quotes ``Quote``, source lines ``Caption``, tables a built-in table style.  A user
template (.docx or .dotx saved as .docx) gives its styles: its body is emptied and
the report written with its styles.  Everything comes from
:class:`workbench.export.data.ReportData`, which never holds private items.
"""
from __future__ import annotations

import datetime as _dt
import io
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pandas as pd
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from workbench.domain import programme_label
from workbench.export import charts
from workbench.export.data import (ACTOR_LABELS_FR, ReportData, code_by, cooccurrence,
                                   joint_display, shareable_where, _short)

SECTIONS = ("summary", "codebook", "questions", "excerpts", "matrices", "charts", "methods")
SIDE_FR = {"beneficiaries": "bénéficiaires", "ecosystem": "écosystème",
           "training_bodies": "organismes de formation", "trainers": "formateurs"}
ProgressFn = Callable[[int, int, str], None]


def _ts(seconds) -> str:
    if seconds is None or seconds != seconds:
        return ""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


class _Writer:
    def __init__(self, template: str | Path | None):
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
        self._styles: dict[str, object] = {}

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
        """A paragraph with a style object (set by id: python-docx's name lookup is slow)."""
        p = self.doc.add_paragraph(text)
        if st is not None:
            p._p.style = st.style_id
        return p

    def heading(self, text: str, level: int):
        st = self.style(f"Heading {level}")
        if st is not None:
            return self.add(text, st)
        p = self.doc.add_paragraph()
        p.add_run(text).bold = True
        return p

    def para(self, text: str = "", style: str | None = None, *fallbacks: str):
        st = self.style(style, *fallbacks) if style else None
        return self.add(text, st)

    def labelled(self, label: str, value: str):
        if not value:
            return
        p = self.doc.add_paragraph()
        p.add_run(f"{label} : ").bold = True
        p.add_run(value)

    def table(self, df: pd.DataFrame, *, widths: Sequence[float] | None = None,
              font_size: float = 8.5, caption: str | None = None):
        if caption:
            self.para(caption, "Caption")
        if df is None or not len(df):
            self.para("(aucune donnée)")
            return None
        cols = [str(c) for c in df.columns]
        t = self.doc.add_table(rows=len(df) + 1, cols=len(cols))
        st = self.style("Light Grid Accent 1", "Table Grid")
        if st is not None:
            t.style = st
        values = [cols] + [["" if v is None or (isinstance(v, float) and v != v) else
                            (f"{v:g}" if isinstance(v, float) else str(v)) for v in row]
                           for row in df.itertuples(index=False)]
        for row, vals in zip(t.rows, values):
            for cell, v in zip(row.cells, vals):
                p = cell.paragraphs[0]
                run = p.add_run(v)
                run.font.size = Pt(font_size)
        for cell in t.rows[0].cells:
            for run in cell.paragraphs[0].runs:
                run.bold = True
        if not widths:
            n = len(cols)
            first = min(7.0, max(4.0, 16.5 - 2.2 * (n - 1))) if n > 1 else 16.5
            widths = [first] + [(16.5 - first) / (n - 1)] * (n - 1) if n > 1 else [first]
        t.autofit = False
        for col, w_ in zip(t.columns, widths):
            col.width = Cm(w_)
        if widths:
            for row in t.rows:
                for cell, w in zip(row.cells, widths):
                    cell.width = Cm(w)
        self.doc.add_paragraph()
        return t

    def picture(self, png: bytes | None, caption: str, width_cm: float = 16):
        if not png:
            return
        self.doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
        self.para(caption, "Caption")

    def toc(self):
        """A Word TOC field (levels 1-2); Word/LibreOffice fill it on update."""
        p = self.doc.add_paragraph()
        run = p.add_run()
        begin = OxmlElement("w:fldChar")
        begin.set(qn("w:fldCharType"), "begin")
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = 'TOC \\o "1-2" \\h \\z \\u'
        sep = OxmlElement("w:fldChar")
        sep.set(qn("w:fldCharType"), "separate")
        placeholder = OxmlElement("w:t")
        placeholder.text = ("Table des matières : clic droit puis « Mettre à jour les champs » "
                            "(F9) pour l'afficher.")
        end = OxmlElement("w:fldChar")
        end.set(qn("w:fldCharType"), "end")
        for el in (begin, instr, sep, placeholder, end):
            run._r.append(el)
        settings = self.doc.settings.element
        if settings.find(qn("w:updateFields")) is None:
            upd = OxmlElement("w:updateFields")
            upd.set(qn("w:val"), "true")
            settings.append(upd)

    def page_break(self):
        self.doc.add_page_break()

    def save(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part.docx")
        self.doc.save(str(tmp))
        tmp.replace(path)


# -- sections ------------------------------------------------------------------------
def _source_line(r, attributes: dict[str, dict], shown: Sequence[str]) -> str:
    parts = [str(r.document)]
    if r.speaker:
        who = str(r.speaker)
        if r.actor_type:
            who += f" ({ACTOR_LABELS_FR.get(r.actor_type, r.actor_type)})"
        parts.append(who)
    elif r.actor_type:
        parts.append(ACTOR_LABELS_FR.get(r.actor_type, r.actor_type))
    if r.programme:
        parts.append(programme_label(str(r.programme)))
    ts = _ts(r.timestamp)
    if ts:
        parts.append(ts)
    for pid in (r.participants.split(";") if r.participants else []):
        vals = attributes.get(pid, {})
        extra = [f"{a} : {vals[a]}" for a in shown if vals.get(a) not in (None, "")
                 and vals.get(a) == vals.get(a)]
        parts.append(pid + (f" ({' ; '.join(extra)})" if extra else ""))
    parts.append(f"codé par {r.coder}")
    return "— " + " · ".join(parts)


def _excerpt_block(w: _Writer, rows: pd.DataFrame, attributes: dict, shown: Sequence[str]):
    quote = w.style("Quote", "Intense Quote")
    caption = w.style("Caption")
    for r in rows.itertuples():
        w.add("« " + " ".join(str(r.text).split()) + " »", quote)
        w.add(_source_line(r, attributes, shown), caption)


def _codebook(w: _Writer, data: ReportData, level: int = 1):
    w.heading("Grille de codage", level)
    codes = data.codes
    w.para(f"{len(codes)} codes ; les effectifs comptent les codages validés et les documents "
           "où le code apparaît (documents privés exclus).")
    table = pd.DataFrame({
        "Code": ["    " * d + n for d, n in zip(codes["depth"], codes["name"])],
        "Questions évaluatives": codes["questions"].str.replace(";", ", "),
        "Codages": codes["codings"], "Documents": codes["documents"]})
    w.table(table, widths=(9, 4, 1.8, 1.8), caption="Tableau — Codes et effectifs")
    for r in codes.itertuples():
        if not (r.definition or r.when_to_use or r.example or r.short):
            continue
        w.heading(r.path, min(level + 2, 3) if r.depth else level + 1)
        w.labelled("Résumé", r.short)
        w.labelled("Définition", r.definition)
        w.labelled("Quand l'utiliser", r.when_to_use)
        w.labelled("Quand ne pas l'utiliser", r.when_not_to_use)
        w.labelled("Exemple", r.example)
        w.labelled("Questions évaluatives", r.questions.replace(";", ", "))
        w.labelled("Effectifs", f"{r.codings} codage(s) dans {r.documents} document(s)")


def _participant_attrs(data: ReportData) -> dict[str, dict]:
    p = data.participants
    if not len(p):
        return {}
    return {row["participant_id"]: row for row in p.to_dict("records")}


def _question_codes(data: ReportData, qid: str) -> list[int]:
    row = data.questions[data.questions["id"] == qid]
    return list(row["codes"].iloc[0]) if len(row) else []


def _descendant_paths(data: ReportData, ids: Iterable[int]) -> list[str]:
    paths = [p for i, p in zip(data.codes["id"], data.codes["path"]) if i in set(ids)]
    out = []
    for p in data.codes["path"]:
        if any(p == q or p.startswith(q + "/") for q in paths):
            out.append(p)
    return out


def _dossier(w: _Writer, project, data: ReportData, attrs, shown, per_code: int, progress,
            cancelled, where: str | None):
    w.heading("Dossier par question évaluative", 1)
    qs = data.questions
    if not len(qs):
        w.para("Aucune question évaluative dans ce projet.")
        return
    for i, q in enumerate(qs.itertuples()):
        if cancelled():
            raise _Cancelled()
        w.heading(f"{q.id} — {_short(q.text, 150)}", 2)
        bits = [b for b in (programme_label(q.programme), SIDE_FR.get(q.side, q.side), q.source)
                if b]
        if bits:
            w.para(" · ".join(bits))
        paths = _descendant_paths(data, q.codes)
        if not paths:
            w.para("Aucun code ne sert encore cette question.")
            continue
        ex = data.excerpts[data.excerpts["path"].isin(paths)]
        table = code_by(project, "actor_type", codes=paths, where=where)
        w.table(table, caption=f"Tableau — Codages par type d'acteur ({q.id})")
        w.para(f"{len(ex)} extrait(s) dans {ex['document_id'].nunique()} document(s), "
               f"{len({p for s in ex['participants'] for p in s.split(';') if p})} participant(s).")
        if per_code and len(ex):
            sample = ex.groupby("path", sort=False).head(per_code)
            _excerpt_block(w, sample, attrs, shown)
        progress(i + 1, len(qs), q.id)


class _Cancelled(Exception):
    pass


def _excerpts(w: _Writer, data: ReportData, attrs, shown, by: str, progress, cancelled,
              limit: int | None):
    ex = data.excerpts
    w.heading("Extraits codés" + (" par question évaluative" if by == "question" else " par code"),
              1)
    if not len(ex):
        w.para("Aucun extrait codé.")
        return
    groups: list[tuple[str, int, pd.DataFrame]] = []
    if by == "question":
        for q in data.questions.itertuples():
            paths = _descendant_paths(data, q.codes)
            groups.append((f"{q.id} — {_short(q.text, 150)}", 2, pd.DataFrame()))
            for p in paths:
                sub = ex[ex["path"] == p]
                if len(sub):
                    groups.append((p, 3, sub))
    else:
        by_path = dict(tuple(ex.groupby("path", sort=False)))
        for p in data.codes["path"]:
            if p in by_path:
                groups.append((p, 2, by_path[p]))
    done, total = 0, len(ex)
    for title, level, sub in groups:
        if cancelled():
            raise _Cancelled()
        w.heading(title, level)
        if not len(sub):
            continue
        rows = sub.head(limit) if limit else sub
        w.para(f"{len(sub)} extrait(s)" + (f", {len(rows)} montrés" if len(rows) < len(sub) else ""))
        _excerpt_block(w, rows, attrs, shown)
        done += len(sub)
        progress(min(done, total), total, title)


def _matrices(w: _Writer, project, joint_attributes: Sequence[str], tables_extra,
              where: str | None):
    w.heading("Matrices et présentations conjointes", 1)
    w.heading("Codes × types d'acteurs", 2)
    w.table(code_by(project, "actor_type", where=where),
            caption="Tableau — Nombre de codages par type d'acteur")
    w.heading("Codes × programmes", 2)
    w.table(code_by(project, "programme", unit="documents", where=where),
            caption="Tableau — Nombre de documents par programme")
    for attr in joint_attributes:
        w.heading(f"Présentation conjointe : {attr}", 2)
        w.table(joint_display(project, attr, where=where),
                caption=f"Tableau — Participants et exemple d'extrait par modalité de « {attr} »")
    for title, df in (tables_extra or {}).items():
        w.heading(title, 2)
        w.table(df.reset_index() if not isinstance(df.index, pd.RangeIndex) else df,
                caption=f"Tableau — {title}")


def _charts(w: _Writer, project, data: ReportData, where: str | None):
    w.heading("Graphiques", 1)
    w.picture(charts.frequency_chart(code_by(project, "actor_type", where=where),
                                     "Codes les plus fréquents, par type d'acteur"),
              "Figure — Fréquence des codes par type d'acteur")
    w.picture(charts.frequency_chart(code_by(project, "programme", where=where),
                                     "Codes les plus fréquents, par programme"),
              "Figure — Fréquence des codes par programme")
    w.picture(charts.heatmap(cooccurrence(project, data, top=20, where=where),
                             "Co-occurrences des codes (documents)"),
              "Figure — Carte de chaleur des co-occurrences (nombre de documents où deux codes "
              "se chevauchent)", width_cm=15)


def _methods(w: _Writer, project, data: ReportData):
    w.heading("Annexe méthodologique", 1)
    w.heading("Corpus", 2)
    docs = data.documents
    w.para(f"{len(docs)} document(s), {int(docs['word_count'].sum()) if len(docs) else 0} mots, "
           f"{len(data.participants)} participant(s) de l'enquête quantitative.")
    if len(docs):
        t = (docs.assign(programme=docs["programme"].fillna("—"),
                         actor_type=docs["actor_type"].map(lambda a: ACTOR_LABELS_FR.get(a, a or "—")))
             .groupby(["programme", "actor_type"]).agg(documents=("id", "count"),
                                                        mots=("word_count", "sum"))
             .reset_index().rename(columns={"programme": "Programme",
                                            "actor_type": "Type d'acteur"}))
        w.table(t, caption="Tableau — Corpus par programme et type d'acteur")
    w.heading("Codeurs", 2)
    w.table(data.coders[["name", "codings"]].rename(columns={"name": "Codeur",
                                                             "codings": "Codages"}))
    w.heading("Grille de codage", 2)
    books = ", ".join(data.codebooks) or "grille propre au projet"
    w.para(f"Grilles : {books}. {len(data.codes)} codes, {len(data.questions)} questions "
           f"évaluatives. Version du projet : schéma {project.store.schema_version()}, "
           f"état au {_dt.date.today().strftime('%d/%m/%Y')}.")
    w.heading("Requêtes enregistrées", 2)
    if data.saved_queries:
        w.table(pd.DataFrame([{"Nom": q["name"], "Type": q["kind"],
                               "Définition": q["expression"]} for q in data.saved_queries]))
    else:
        w.para("Aucune requête enregistrée.")
    w.heading("Confidentialité", 2)
    pr = data.private
    w.para(f"Éléments marqués privés et exclus de ce rapport : {pr.get('documents', 0)} "
           f"document(s), {pr.get('memos', 0)} mémo(s), {pr.get('attributes', 0)} attribut(s).")
    for line in project.privacy_summary_lines():      # pseudonymisation (workbench.privacy)
        w.para(line)


# -- entry points --------------------------------------------------------------------
def build_report(project, data: ReportData, path: str | Path, *,
                 sections: Sequence[str] = SECTIONS, by: str = "code",
                 attributes: Sequence[str] = (), joint_attributes: Sequence[str] = (),
                 title: str | None = None, template: str | Path | None = None,
                 excerpts_per_code: int | None = None, dossier_quotes: int = 3,
                 tables: dict[str, pd.DataFrame] | None = None,
                 progress: ProgressFn | None = None,
                 cancelled: Callable[[], bool] | None = None) -> Path:
    """Write a Word report with the chosen ``sections`` (see :data:`SECTIONS`)."""
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown report section(s): {', '.join(sorted(unknown))}")
    step = progress or (lambda *a: None)
    stop = cancelled or (lambda: False)
    path = Path(path)
    w = _Writer(template)
    attrs = _participant_attrs(data)
    shown = [a for a in attributes if a in data.participants.columns]
    where = shareable_where(project)         # counts leave private documents out
    w.para(title or f"Rapport d'analyse qualitative — {data.project_name}", "Title")
    w.para(f"Projet {data.project_name} · généré par Workbench le "
           f"{_dt.date.today().strftime('%d/%m/%Y')}", "Subtitle")
    w.toc()
    w.page_break()
    try:
        for s in sections:
            if s == "summary":
                w.heading("Synthèse du corpus", 1)
                ex = data.excerpts
                w.para(f"{len(data.documents)} documents, {len(data.codes)} codes, {len(ex)} "
                       f"codages par {ex['coder'].nunique() if len(ex) else 0} codeur(s), "
                       f"{len(data.questions)} questions évaluatives.")
            elif s == "codebook":
                _codebook(w, data)
            elif s == "questions":
                _dossier(w, project, data, attrs, shown, dossier_quotes, step, stop, where)
            elif s == "excerpts":
                _excerpts(w, data, attrs, shown, by, step, stop, excerpts_per_code)
            elif s == "matrices":
                _matrices(w, project, joint_attributes, tables, where)
            elif s == "charts":
                _charts(w, project, data, where)
            elif s == "methods":
                _methods(w, project, data)
    except _Cancelled:
        from workbench.domain import WorkbenchError
        raise WorkbenchError("report cancelled: no file written") from None
    w.save(path)
    return path


def convert_to_pdf(docx: str | Path, outdir: str | Path, timeout: int = 180) -> Path | None:
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
