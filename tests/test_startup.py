"""What a command loads at start: counted, never timed (issue #17's read commands).

A read command is a whole process: its time is mostly what it imports.  These tests run
the real CLI in a fresh interpreter and look at ``sys.modules`` afterwards.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.project import Project

ROOT = Path(__file__).resolve().parent.parent

#: libraries a read command of the project's counts never needs
HEAVY = ("pandas", "numpy", "scipy", "yaml", "lxml", "docx", "openpyxl", "textual", "rich",
         "spacy", "multiprocessing", "striprtf")
#: Workbench's own parts that only importing, querying or topic modelling need
ENGINES = ("workbench.ingest.parsers", "workbench.ingest.speakers", "workbench.ingest.manifest",
           "workbench.query.engine", "workbench.query.language", "workbench.query.matrices",
           "workbench.topics._interruptible", "workbench.privacy.pseudonyms",
           "workbench.export.qdpx", "workbench.export.report")

PROBE = """
import json, sys
from workbench.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print("\\nMODULES " + json.dumps(sorted(sys.modules)))
"""


def _loaded(*args: str, lang: str = "en", home: Path | None = None) -> tuple[set[str], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WORKBENCH_LANG": lang}
    if home is not None:
        env.update(WORKBENCH_HOME=str(home), XDG_CACHE_HOME=str(home / "xdg"))
    out = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    text, _sep, modules = out.stdout.rpartition("\nMODULES ")
    return set(json.loads(modules)), text


def _top(modules: set[str], names) -> list[str]:
    return sorted(n for n in names if n in modules or any(m.startswith(n + ".") for m in modules))


@pytest.fixture
def small_project(tmp_path):
    path = tmp_path / "p.wbproj"
    doc = tmp_path / "AV-BEN-01.txt"
    doc.write_text("ENQ : Comment êtes-vous arrivée ?\nKarima : Par ma conseillère.\n",
                   encoding="utf-8")
    with Project.create(path, coder="testeur") as p:
        p.import_files([doc], programme="avenir", actor_type="beneficiary")
        p.create_code("Freins")
        p.apply_code("AV-BEN-01", "Freins", 40, 60)
    return path


def test_info_loads_no_engine_and_no_heavy_library(small_project):
    modules, text = _loaded("info", str(small_project))
    assert "Codings" in text and "Documents" in text      # it did its work
    assert _top(modules, HEAVY) == []
    assert _top(modules, ENGINES) == []


def test_info_in_french_loads_no_babel_once_its_catalogues_are_compiled(small_project,
                                                                        tmp_path):
    """A French command reads the compiled catalogues (click's messages, the merged
    .po files) from the cache: Babel only compiles them, the first time."""
    _loaded("info", str(small_project), lang="fr", home=tmp_path)
    modules, text = _loaded("info", str(small_project), lang="fr", home=tmp_path)
    assert "Codages" in text
    assert _top(modules, HEAVY + ("babel",)) == []


def test_info_in_json_loads_no_heavy_library(small_project):
    modules, text = _loaded("info", str(small_project), "--format", "json")
    assert json.loads(text)["codings"] == 1
    assert _top(modules, HEAVY) == []


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_codings_of_a_code_load_no_pandas_and_print_what_pandas_printed(small_project, fmt):
    modules, text = _loaded("codings", str(small_project), "--code", "Freins", "--format", fmt)
    assert _top(modules, HEAVY) == []
    assert "Par ma conseill" in text and "Freins" in text


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_plain_rows_print_as_the_dataframe_of_them_prints(fmt, capsys):
    """emit_rows (no pandas) writes what emit writes for the DataFrame of the same rows:
    numbers, missing values, commas and quotes, line breaks, accents, actor labels."""
    import io

    import pandas as pd

    from workbench.cli._base import emit, emit_rows
    columns = ["coding_id", "document", "actor_type", "speaker", "timestamp", "text"]
    rows = [{"coding_id": 7, "document": "AV-BEN-01", "actor_type": "beneficiary",
             "speaker": None, "timestamp": 2694.0, "text": 'Elle a dit : "oui", voilà'},
            {"coding_id": 12, "document": "AV-FOR-02", "actor_type": "trainer",
             "speaker": "Karima", "timestamp": 83.5, "text": "deux\nlignes"}]
    plain, framed = io.StringIO(), io.StringIO()
    emit_rows(rows, fmt, columns, out=plain)
    emit(pd.DataFrame(rows, columns=columns), fmt, out=framed)
    assert plain.getvalue() == framed.getvalue()
    plain, framed = io.StringIO(), io.StringIO()
    emit_rows([], fmt, columns, out=plain)
    emit(pd.DataFrame([], columns=columns), fmt, out=framed)
    assert plain.getvalue() == framed.getvalue()


def test_a_query_still_loads_its_engine_when_it_runs(small_project):
    """The facade's engines load on first use (the lazy imports are not lost)."""
    modules, text = _loaded("matrix", str(small_project))
    assert "Freins" in text
    assert "workbench.query.engine" in modules and "pandas" in modules


def test_the_merged_catalogue_is_cached_and_follows_its_files(tmp_path, monkeypatch):
    """A French command does not parse every .po file at start: the merged catalogue
    is read back from the user's cache folder, and remade when a .po file changes."""
    from workbench import i18n
    folder = tmp_path / "locale" / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "area.po"
    po.write_text('msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
                  'msgid "Codes"\nmsgstr "Codes (fr)"\n\n'
                  'msgid "{n} coding"\nmsgid_plural "{n} codings"\n'
                  'msgstr[0] "{n} codage"\nmsgstr[1] "{n} codages"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    first = i18n._merged_catalogue("fr")
    assert first["Codes"] == ["Codes (fr)"] and i18n.plural_of("{n} coding") == "{n} codings"
    assert len(list((tmp_path / "home" / "cache" / "i18n").glob("fr-*.marshal"))) == 1

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")
    monkeypatch.setattr(i18n, "read_po", no_parsing)
    assert i18n._merged_catalogue("fr") == first                  # from the cache
    monkeypatch.undo()
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "Memos"\nmsgstr "Mémos"\n',
                  encoding="utf-8")
    assert i18n._merged_catalogue("fr")["Memos"] == ["Mémos"]     # the file changed
    assert len(list((tmp_path / "home" / "cache" / "i18n").glob("fr-*.marshal"))) == 1


def test_applying_a_coding_by_name_runs_few_statements_and_never_reads_the_text(tmp_path):
    """Applying one coding by code name: resolve and check with index look-ups (the span
    check asks the last turn's end, not the transcript's length), then one transaction."""
    from workbench.domain import ValidationError
    doc = tmp_path / "AV-BEN-01.txt"
    doc.write_text("ENQ : Comment êtes-vous arrivée ?\nKarima : Par ma conseillère.\n",
                   encoding="utf-8")
    with Project.create(tmp_path / "p.wbproj", coder="testeur") as p:
        p.import_files([doc], programme="avenir", actor_type="beneficiary")
        p.create_code("Freins")
        p.apply_code("AV-BEN-01", "Freins", 0, 3)
        text = p.text("AV-BEN-01")
        statements: list[str] = []
        p.store.conn.set_trace_callback(statements.append)
        p.apply_code(1, "Freins", 40, 60)
        p.store.conn.set_trace_callback(None)
        assert not any("length(text)" in s or "FROM documents WHERE id" in s and "text" in s
                       for s in statements), statements
        assert len(statements) <= 17, "\n".join(statements)
        assert statements.count("BEGIN IMMEDIATE") == 1 and statements[-1] == "COMMIT"
        # the span check is still exact: up to the last character, not one past it
        assert p.apply_code(1, "Freins", len(text) - 2, len(text))
        with pytest.raises(ValidationError, match="outside the text"):
            p.apply_code(1, "Freins", len(text) - 2, len(text) + 1)
        with pytest.raises(ValidationError, match="outside the text"):
            p.apply_code(1, "Freins", 5, 5)
