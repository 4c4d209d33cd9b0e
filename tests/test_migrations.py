"""Upgrading a project made by an older version: pending migrations apply on open and
the data survives (FTS index rebuilt with prefix indexes, later tables created)."""
import sqlite3

import sqlite_utils

from workbench.project import Project
from workbench.store.schema import migrations


def test_project_at_schema_0001_upgrades_on_open(tmp_path, interview_txt):
    path = tmp_path / "old.wbproj"
    con = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(con)
    migrations.apply(db, stop_before="0002_speed")          # as an older Workbench left it
    applied = [m.name for m in migrations.applied(db)]
    assert applied == ["0001_initial"]
    con.execute("INSERT INTO documents(id, name, text, imported_at) VALUES "
                "(1, 'ancien', 'ENQ : Et la crèche ?\nLéa : La crèche était pleine.', '2024-01-01')")
    con.execute("INSERT INTO segments(document_id, position, kind, speaker, start, end) "
                "VALUES (1, 0, 'turn', 'ENQ', 0, 19), (1, 1, 'turn', 'Léa', 20, 49)")
    con.execute("INSERT INTO segments_fts(rowid, text) SELECT id, substr("
                "(SELECT text FROM documents WHERE id = 1), start + 1, end - start) FROM segments")
    con.close()

    with Project.open(path) as p:
        assert "0002_speed" in p.store.migrations_applied
        assert p.store.migrations_applied[-1] == migrations._migrations[-1].name
        hits = p.search("creche")                            # the old index was carried over
        assert set(hits["speaker"]) == {"ENQ", "Léa"}
        assert len(p.search("crè*")) == 2                    # prefix search on the new index
        assert p.search("Léa").empty                         # 0011: the words only, no label
        p.import_files([interview_txt])                      # and the project works as new
        assert len(p.documents()) == 2
    with Project.open(path) as p:
        assert p.store.migrations_applied == []              # nothing left to apply


def test_migration_names_from_files_are_the_registered_ones():
    """Opening a project checks for pending migrations from the file names alone
    (without importing sqlite-utils, pandas and numpy): they must be the registered list."""
    from workbench.store.db import migration_names
    from workbench.store.schema import migrations
    assert migration_names() == [m.name for m in migrations._migrations]


def test_word_counts_of_old_projects_become_the_words_of_the_turns(tmp_path):
    """0140: a project whose word counts took labels and timestamps in is recounted from
    its turns: "ENQ : Et la crèche ?" (3 words said) + "Léa : La crèche était pleine."
    (4) = 7, where the whole text counts 9."""
    path = tmp_path / "old.wbproj"
    con = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(con)
    migrations.apply(db, stop_before="0140_turn_word_count")
    con.execute("INSERT INTO documents(id, name, text, imported_at, word_count) VALUES "
                "(1, 'ancien', 'ENQ : Et la crèche ?\nLéa : La crèche était pleine.', "
                "'2024-01-01', 9)")
    con.execute("INSERT INTO segments(document_id, position, kind, speaker, start, end, "
                "body_start) VALUES (1, 0, 'turn', 'ENQ', 0, 19, 6), (1, 1, 'turn', 'Léa', "
                "20, 49, 26)")
    con.close()
    with Project.open(path) as p:
        assert "0140_turn_word_count" in p.store.migrations_applied
        assert p.document("ancien").word_count == 7
