"""Every column of the schema has a pseudonymisation rule, and every offset column is
remapped: a new offset column cannot be forgotten silently."""
import sqlite3

import pytest

from workbench.domain import WorkbenchError
from workbench.privacy.remap import OffsetMap
from workbench.project import Project
from workbench.store.privacy import (COLUMN_RULES, END, OFFSET_TABLES, START, TABLE_RULES,
                                     schema_columns, unclassified_columns,
                                     unruled_offset_columns)


def test_every_offset_like_column_has_a_rule(project):
    assert unruled_offset_columns(project.store.conn) == []


def test_unruled_columns_are_free_text_only(project):
    # a column without a rule is scanned for names if it holds text, kept otherwise;
    # listing them here makes a new one visible in review
    loose = unclassified_columns(project.store.conn)
    assert all("TEXT" in ty or "CHAR" in ty for _t, _c, ty in loose), loose


def test_rules_name_columns_that_exist(project):
    existing = {(t, c) for t, c, _ty in schema_columns(project.store.conn)}
    tables = {t for t, _c in existing} | {"segments_fts"}
    assert [k for k in COLUMN_RULES if k not in existing] == []
    assert [t for t in TABLE_RULES if t not in tables] == []
    offsets = {t for (t, _c), rule in COLUMN_RULES.items() if rule in (START, END)}
    assert offsets <= set(OFFSET_TABLES)


def _independent_expectation(old: str, s: int, e: int, spans):
    """The words a span covers after replacement, computed without OffsetMap: widen the
    span to the names it cuts, then replace the names inside it."""
    for a, b, _t in spans:
        if a < s < b:
            s = a
        if a < e < b:
            e = b
    out, pos = [], s
    for a, b, t in spans:
        if a >= s and b <= e:
            out.append(old[pos:a])
            out.append(t)
            pos = b
    out.append(old[pos:e])
    return "".join(out)


def test_a_new_offset_column_stops_the_copy(tmp_path, interview_txt):
    path = tmp_path / "p.wbproj"
    with Project.create(path) as p:
        p.import_files([interview_txt])
    con = sqlite3.connect(path)
    con.execute("ALTER TABLE codings ADD COLUMN anchor_start INTEGER")
    con.close()
    with Project.open(path) as p:
        p.detect_personal_data(use_ner=False)
        with pytest.raises(WorkbenchError, match="codings.anchor_start"):
            p.pseudonymise(tmp_path / "q.wbproj", tmp_path / "k.json")
    assert not (tmp_path / "q.wbproj").exists() and not (tmp_path / "k.json").exists()


def test_every_offset_column_is_remapped(tmp_path, interview_txt):
    path = tmp_path / "p.wbproj"
    with Project.create(path) as p:
        p.import_files([interview_txt])
        p.create_code("Accueil")
        text = p.text(1)
        for word in ("Karima : Ben", "ma conseillère", "arima : Alors l'imm"):
            s = text.index(word)
            p.apply_code(1, "Accueil", s, s + len(word))
        p.detect_personal_data(use_ner=False)
    # a topic unit on Karima's second turn (topic tables are filled by the topic service)
    con = sqlite3.connect(path)
    s = text.index("Karima : Alors")
    con.execute("INSERT INTO topic_runs(id, backend, seed, unit, created_at) "
                "VALUES (1, 'lda', 1, 'turn', 'now')")
    con.execute("INSERT INTO topics(run_id, topic) VALUES (1, 0)")
    con.execute("INSERT INTO topic_units(run_id, unit, document_id, start, end, topic, "
                "probability) VALUES (1, 0, 1, ?, ?, 0, 1.0)", [s + 3, s + 40])
    con.commit()
    old_rows = {t: con.execute(f"SELECT rowid, * FROM {t} ORDER BY rowid").fetchall()
                for t in OFFSET_TABLES if TABLE_RULES.get(t) is None}
    cols = {t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")] for t in old_rows}
    con.close()
    with Project.open(path) as p:
        plan_spans = []
        from workbench.privacy.apply import build_plan
        plan = build_plan(p, style="tags")
        plan_spans = [(a, b, t) for a, b, t, _v in plan.spans(text)]
        assert plan_spans, "the fixture has names"
        p.pseudonymise(tmp_path / "q.wbproj", tmp_path / "k.json")
    new_text = OffsetMap(plan_spans).apply(text)
    con = sqlite3.connect(tmp_path / "q.wbproj")
    checked = 0
    for table, rows in old_rows.items():
        new_rows = {r[0]: r for r in con.execute(f"SELECT rowid, * FROM {table}")}
        offset_cols = [(c, COLUMN_RULES[(table, c)]) for c in cols[table]
                       if COLUMN_RULES.get((table, c)) in (START, END)]
        assert offset_cols, table
        starts = [c for c, r in offset_cols if r == START]
        ends = [c for c, r in offset_cols if r == END]
        for row in rows:
            old = dict(zip(["rowid"] + cols[table], row))
            new = dict(zip(["rowid"] + cols[table], new_rows[row[0]]))
            for sc, ec in zip(starts, ends):
                expected = _independent_expectation(text, old[sc], old[ec], plan_spans)
                assert new_text[new[sc]:new[ec]] == expected, (table, sc, ec)
                checked += 1
    con.close()
    assert len(old_rows["codings"]) == 3 and len(old_rows["topic_units"]) == 1
    assert checked == sum(len(rows) for rows in old_rows.values())
