"""Typed tables: participant tables read in every encoding, typed on sight (dates with
times, Likert scales), every bad row listed, and the project's types kept (issue #10's
participant-table items, issue #16's silent type changes).  Every table is built here."""
import datetime as dt

import pytest
from click.testing import CliRunner

from workbench.cli import main
from workbench.participants import ParticipantTableError
from workbench.tables import TableTypeError, infer_type, read_table


def write(tmp_path, name, text, encoding="utf-8"):
    f = tmp_path / name
    f.write_bytes(text.encode(encoding))
    return f


def types(project):
    return {a.name: (a.type, a.levels) for a in project.store.attributes()}


# -- dates with a time ------------------------------------------------------------------------
def test_dates_with_a_time_are_dates(project, tmp_path):
    f = write(tmp_path, "q.csv", "id,date_entree\nP1,12/2/2021 8:46\nP2,03/04/2022 14:05\n"
                                 "P3,2022-05-01\n")
    result = project.import_participants(f)
    assert dict(result["attributes"])["date_entree"] == "date"
    assert any("date_entree" in n and "time" in n for n in result["notes"])
    df = project.participants().set_index("participant_id")
    assert df.loc["P1", "date_entree"] == dt.datetime(2021, 2, 12, 8, 46)
    assert df.loc["P2", "date_entree"] == dt.datetime(2022, 4, 3, 14, 5)   # 3 April: day first
    assert df.loc["P3", "date_entree"] == dt.datetime(2022, 5, 1)
    project.check_filter("date_entree < 2022-01-01")      # a date attribute in queries
    vals = {r["participant_id"]: r["value"] for r in project.store.participant_values()}
    assert vals == {"P1": "2021-02-12T08:46", "P2": "2022-04-03T14:05", "P3": "2022-05-01"}


def test_month_first_dates_stay_text_and_say_why(project, tmp_path):
    f = write(tmp_path, "q.csv", "id,signup\nP1,12/31/2021\nP2,01/15/2022\n")
    result = project.import_participants(f)
    assert dict(result["attributes"])["signup"] == "nominal"
    assert any("month-first" in n for n in result["notes"])


# -- Likert scales ----------------------------------------------------------------------------
@pytest.mark.parametrize("values, levels", [
    (["Pas du tout d'accord", "Plutôt d’accord", "tout à fait d'accord", "Plutôt pas d'accord"],
     ("Pas du tout d'accord", "Plutôt pas d'accord", "Ni d'accord ni pas d'accord",
      "Plutôt d’accord", "tout à fait d'accord")),
    (["Jamais", "Souvent", "Toujours"],
     ("Jamais", "Rarement", "Parfois", "Souvent", "Toujours")),
    (["Très insatisfait", "Satisfait", "Très satisfaite"],
     ("Très insatisfait", "Insatisfait", "Ni satisfait ni insatisfait", "Satisfait",
      "Très satisfaite")),
    (["Plutôt satisfait", "Très insatisfait", "Plutôt insatisfait"],
     ("Très insatisfait", "Plutôt insatisfait", "Ni satisfait ni insatisfait",
      "Plutôt satisfait", "Très satisfait")),
    (["Pas d'accord", "Plutôt pas d'accord", "D'accord"],             # the 7-point scale
     ("Pas du tout d'accord", "Pas d'accord", "Plutôt pas d'accord", "Ni d'accord ni pas d'accord",
      "Plutôt d'accord", "D'accord", "Tout à fait d'accord")),
    (["Pas d'accord", "D'accord", "Neutre"],                         # 5 points, no "plutôt"
     ("Pas du tout d'accord", "Pas d'accord", "Neutre", "D'accord", "Tout à fait d'accord")),
    (["1 - Pas du tout", "3 - Moyennement", "5 - Tout à fait"],
     ("1 - Pas du tout", "3 - Moyennement", "5 - Tout à fait")),
])
def test_likert_scales_are_ordinal_in_order(values, levels):
    got = infer_type(values, name="q")
    assert got.type == "ordinal" and got.levels == levels
    assert "q" in got.note and "ordinal" in got.note


def test_one_to_five_stays_numeric_with_an_ordinal_suggestion():
    got = infer_type(["1", "4", "5", "2"], name="q3")
    assert got.type == "numeric"
    assert "q3=ordinal:1,2,3,4,5" in got.note
    assert infer_type(["1", "2"], name="x").note is None      # too few values to suggest
    assert infer_type(["1", "3", "12"], name="x").note is None


def test_likert_import_says_so_and_orders_queries(project, tmp_path):
    f = write(tmp_path, "q.csv",
              "id;satisfaction;accord\n"
              "P1;Très satisfait;Pas du tout d'accord\n"
              "P2;Insatisfait;Tout à fait d'accord\n"
              "P3;Satisfait;Plutôt d'accord\n", encoding="cp1252")
    result = project.import_participants(f)
    assert dict(result["attributes"]) == {"satisfaction": "ordinal", "accord": "ordinal"}
    notes = " ".join(result["notes"])
    assert "satisfaction" in notes and "accord" in notes
    df = project.participants()
    assert list(df["accord"].cat.categories) == [
        "Pas du tout d'accord", "Plutôt pas d'accord", "Ni d'accord ni pas d'accord",
        "Plutôt d'accord", "Tout à fait d'accord"]
    nums = {(r["participant_id"], r["attribute"]): r["num"]
            for r in project.store.participant_values()}
    assert nums[("P1", "satisfaction")] == 5 and nums[("P2", "satisfaction")] == 2
    assert nums[("P3", "accord")] == 4


# -- every bad row ------------------------------------------------------------------------------
def test_every_bad_row_is_listed_with_a_cap(project, tmp_path):
    lines = ["id,age"] + [f"P{i:03},{'abc' if i % 2 else 30}" for i in range(250)]
    f = write(tmp_path, "q.csv", "\n".join(lines) + "\n")
    with pytest.raises(TableTypeError) as exc:
        project.import_participants(f, types={"age": ("numeric", ())})
    err = exc.value
    assert len(err.problems) == 125
    msg = str(err)
    assert msg.startswith(f"{f}: 125 values do not fit their types, nothing imported:")
    assert f"{f}:3: age = 'abc' is not a number" in msg       # P001 is on line 3
    assert f"{f}:101: age = 'abc' is not a number" in msg     # the 50th bad row
    assert f"{f}:103:" not in msg
    assert "... and 75 more" in msg
    assert project.info()["participants"] == 0


# -- encodings --------------------------------------------------------------------------------
def test_utf16_unicode_text_from_excel(project, tmp_path):
    """Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated, CRLF line ends."""
    text = "id\tville\tâge\r\nP1\tSaint-Étienne\t34\r\nP2\tCréteil\t51\r\n"
    f = tmp_path / "export.txt"
    f.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    result = project.import_participants(f)
    assert result["inserted"] == 2
    assert dict(result["attributes"]) == {"ville": "nominal", "âge": "numeric"}
    df = project.participants().set_index("participant_id")
    assert df.loc["P1", "ville"] == "Saint-Étienne" and df.loc["P2", "âge"] == 51
    assert any("utf-16" in w for w in result["warnings"])


def test_utf16_without_bom_and_semicolons(project, tmp_path):
    f = tmp_path / "q.csv"
    f.write_bytes("id;niveau\nP1;infra V\nP2;IV\n".encode("utf-16-be"))
    project.import_participants(f)
    assert types(project)["niveau"][0] == "ordinal"


def test_binary_and_ragged_tables_are_refused_with_lines(project, tmp_path):
    f = tmp_path / "t.csv"
    f.write_bytes(b"id,a\n\x00\x01\x02")
    with pytest.raises(ParticipantTableError, match=r"t\.csv \(offset 5\): binary file.*table"):
        project.import_participants(f)
    f = write(tmp_path, "r.csv", "id,a\nP1,1\nP2,2,3\nP3,3,,\nP4,4,5,6\n")
    with pytest.raises(ParticipantTableError) as exc:
        project.import_participants(f)
    assert "r.csv:3: 3 cells, but the header has 2 columns" in str(exc.value)
    assert "r.csv:5: 4 cells" in str(exc.value) and "r.csv:4" not in str(exc.value)


def test_duplicate_column_names_refused(tmp_path):
    f = write(tmp_path, "d.csv", "id,Age,age\nP1,1,2\n")
    with pytest.raises(ParticipantTableError, match="'age' is used twice"):
        read_table(f)


def test_quoted_cells_over_several_lines_keep_the_starting_line(tmp_path):
    f = write(tmp_path, "q.csv", 'id,remarque\nP1,"deux\nlignes"\nP2,x\n')
    table = read_table(f)
    assert [line for line, _cells in table.rows] == [2, 4]


# -- xlsx ---------------------------------------------------------------------------------------
def test_xlsx_dates_times_and_excel_serials(project, tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["participant_id", "entree", "heures", "emploi"])
    ws.append(["X1", dt.datetime(2021, 12, 2, 8, 46), 300, True])
    ws.append(["X2", dt.date(2022, 4, 3), 12.5, False])
    ws.append([None, None, None, None])           # an empty row Excel leaves behind
    f = tmp_path / "q.xlsx"
    wb.save(f)
    result = project.import_participants(f)
    assert dict(result["attributes"]) == {"entree": "date", "heures": "numeric",
                                          "emploi": "boolean"}
    df = project.participants().set_index("participant_id")
    assert df.loc["X1", "entree"] == dt.datetime(2021, 12, 2, 8, 46)
    assert df.loc["X2", "heures"] == 12.5 and bool(df.loc["X1", "emploi"]) is True
    # a later sheet whose date cells lost their format: Excel serial numbers
    wb = openpyxl.Workbook()
    wb.active.append(["participant_id", "entree"])
    wb.active.append(["X3", 44532])
    g = tmp_path / "serial.xlsx"
    wb.save(g)
    project.import_participants(g)
    assert project.participants().set_index("participant_id").loc["X3", "entree"] == \
        dt.datetime(2021, 12, 2)
    # the same number in a CSV is not a date
    h = write(tmp_path, "serial.csv", "participant_id,entree\nX4,44532\n")
    with pytest.raises(TableTypeError, match="entree = '44532' is not a date"):
        project.import_participants(h)


def test_xlsx_missing_sheet_named(project, tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.title = "Feuil1"
    wb.active.append(["id", "a"])
    f = tmp_path / "q.xlsx"
    wb.save(f)
    with pytest.raises(ParticipantTableError, match="no sheet named 'Quanti'; sheets: Feuil1"):
        project.import_participants(f, sheet="Quanti")


# -- the project's types (issue #16) ------------------------------------------------------------
@pytest.fixture
def three_hundred(project, tmp_path):
    rows = ["participant_id,age,emploi_6m,date_entree"]
    rows += [f"P{i:04},{20 + i % 40},{'oui' if i % 3 else 'non'},{1 + i % 28:02}/03/2022"
             for i in range(1, 301)]
    f = write(tmp_path, "quanti.csv", "\n".join(rows) + "\n")
    project.import_participants(f)
    return project


def _snapshot(project):
    return types(project), sorted((r["participant_id"], r["attribute"], r["value"], r["num"])
                                  for r in project.store.participant_values())


def test_header_only_file_changes_nothing(three_hundred, tmp_path):
    before = _snapshot(three_hundred)
    f = write(tmp_path, "vide.csv", "participant_id,age,emploi_6m,nouvelle\n")
    result = three_hundred.import_participants(f)
    assert result["inserted"] == result["updated"] == 0
    assert any("no rows" in n for n in result["notes"])
    assert _snapshot(three_hundred) == before
    three_hundred.check_filter("age >= 30 AND emploi_6m = oui")   # still numeric and yes/no


def test_one_bad_row_is_refused_not_retyped(three_hundred, tmp_path):
    before = _snapshot(three_hundred)
    f = write(tmp_path, "maj.csv", "participant_id,age,emploi_6m\nP0001,35,oui\n"
                                   "P0002,trente,peut-être\n")
    with pytest.raises(TableTypeError) as exc:
        three_hundred.import_participants(f)
    msg = str(exc.value)
    assert "maj.csv:3: age = 'trente' is not a number (age is numeric in the project)" in msg
    assert "maj.csv:3: emploi_6m = 'peut-être' is not a yes/no value" in msg
    assert "(age=nominal, emploi_6m=nominal)" in msg
    assert exc.value.conflicts == {"age": ("numeric", "nominal"),
                                   "emploi_6m": ("boolean", "nominal")}
    assert _snapshot(three_hundred) == before
    three_hundred.check_filter("age >= 30 AND emploi_6m = oui")


def test_whole_file_reimported_with_one_bad_age_is_still_refused(three_hundred, tmp_path):
    """Every participant is in the file, so no stored value survives: the project's type
    still wins over what this file alone suggests."""
    rows = ["participant_id,age"] + [f"P{i:04},{'NSP' if i == 7 else 30}" for i in range(1, 301)]
    f = write(tmp_path, "tout.csv", "\n".join(rows) + "\n")
    with pytest.raises(TableTypeError, match=r"tout\.csv:8: age = 'NSP' is not a number"):
        three_hundred.import_participants(f)
    assert types(three_hundred)["age"][0] == "numeric"


def test_explicit_override_retypes_the_whole_project(three_hundred, tmp_path):
    f = write(tmp_path, "maj.csv", "participant_id,age\nP0002,trente\n")
    result = three_hundred.import_participants(f, types={"age": ("nominal", ())})
    assert result["retyped"] == [("age", "numeric", "nominal")]
    assert types(three_hundred)["age"][0] == "nominal"
    vals = {r["participant_id"]: (r["value"], r["num"]) for r in
            three_hundred.store.participant_values() if r["attribute"] == "age"}
    assert vals["P0002"] == ("trente", None) and vals["P0003"] == ("23", None)
    # and back to numeric: the project's own values must fit, each one named
    g = write(tmp_path, "maj2.csv", "participant_id,age\nP0001,40\n")
    with pytest.raises(TableTypeError) as exc:
        three_hundred.import_participants(g, types={"age": ("numeric", ())})
    assert "participant P0002 (in the project): age = 'trente' is not a number" in str(exc.value)
    g = write(tmp_path, "maj3.csv", "participant_id,age\nP0002,31\n")
    three_hundred.import_participants(g, types={"age": ("numeric", ())})
    vals = {r["participant_id"]: r["num"] for r in three_hundred.store.participant_values()
            if r["attribute"] == "age"}
    assert vals["P0002"] == 31 and vals["P0003"] == 23 and types(three_hundred)["age"][0] == "numeric"


def test_new_columns_are_typed_and_appended_after_existing_ones(three_hundred, tmp_path):
    f = write(tmp_path, "maj.csv", "heures,participant_id,age\n300,P0001,33\n")
    result = three_hundred.import_participants(f)
    assert result["new"] == ["heures"]
    order = [a.name for a in three_hundred.store.attributes()]
    assert order == ["age", "emploi_6m", "date_entree", "heures"]


def test_an_attribute_without_values_takes_its_type_from_the_first_values(project, tmp_path):
    project.import_participants(write(tmp_path, "a.csv", "id,age\nP1,\nP2,\n"))
    assert types(project)["age"][0] == "nominal"
    result = project.import_participants(write(tmp_path, "b.csv", "id,age\nP1,34\n"))
    assert types(project)["age"][0] == "numeric"
    assert result["retyped"] == [("age", "nominal", "numeric")]


def test_new_ordinal_level_is_refused_then_overridden(project, tmp_path):
    project.import_participants(write(tmp_path, "a.csv", "id,freq\nP1,Jamais\nP2,Souvent\n"))
    g = write(tmp_path, "b.csv", "id,freq\nP3,Une fois par an\n")
    with pytest.raises(TableTypeError, match="freq = 'Une fois par an' is not one of the levels "
                                             "Jamais, Rarement, Parfois, Souvent, Toujours"):
        project.import_participants(g)
    project.import_participants(g, types={"freq": (
        "ordinal", ("Jamais", "Une fois par an", "Rarement", "Parfois", "Souvent", "Toujours"))})
    nums = {r["participant_id"]: r["num"] for r in project.store.participant_values()}
    assert nums == {"P1": 1, "P2": 5, "P3": 2}


# -- the command line ---------------------------------------------------------------------------
def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_cli_refuses_then_overrides(tmp_path):
    proj = tmp_path / "e.wbproj"
    assert run("init", proj).exit_code == 0
    a = write(tmp_path, "a.csv", "id,age,satisfaction\nP1,34,Très satisfait\nP2,51,Insatisfait\n")
    res = run("participants", "import", proj, a)
    assert res.exit_code == 0, res.output
    assert "satisfaction: ordinal" in res.output and "ordered scale recognised" in res.output
    b = write(tmp_path, "b.csv", "id,age\nP3,NSP\n")
    res = run("participants", "import", proj, b)
    assert res.exit_code == 1
    assert "b.csv:2: age = 'NSP' is not a number (age is numeric in the project)" in res.output
    assert "--type age=nominal" in res.output
    res = run("participants", "import", proj, b, "--type", "age=nominal")
    assert res.exit_code == 0, res.output
    assert "age: numeric → nominal" in res.output


def test_unnamed_columns_dropped_when_empty_refused_when_not(tmp_path):
    f = write(tmp_path, "u.csv", "id,age,,\nP1,3,,\nP2,4,,\n")
    assert read_table(f).columns == ("id", "age")
    g = write(tmp_path, "v.csv", "id,age,\nP1,3,x\n")
    with pytest.raises(ParticipantTableError, match=r"v\.csv:1: column 3 has values but no name"):
        read_table(g)


def test_a_column_names_the_project_attribute_whatever_its_case(three_hundred, tmp_path):
    f = write(tmp_path, "maj.csv", "participant_id,AGE,Emploi_6m\nP0001,41,non\n")
    result = three_hundred.import_participants(f, types={"emploi_6M": ("nominal", ())})
    assert result["new"] == [] and result["retyped"] == [("emploi_6m", "boolean", "nominal")]
    assert [a.name for a in three_hundred.store.attributes()] == ["age", "emploi_6m",
                                                                  "date_entree"]
    vals = {(r["participant_id"], r["attribute"]): r["value"]
            for r in three_hundred.store.participant_values()}
    assert vals[("P0001", "age")] == "41" and vals[("P0001", "emploi_6m")] == "non"
    g = write(tmp_path, "maj2.csv", "participant_id,Age\nP0002,NSP\n")
    with pytest.raises(TableTypeError, match=r"maj2\.csv:2: age = 'NSP' is not a number "
                                             r"\(age is numeric in the project\)"):
        three_hundred.import_participants(g)
