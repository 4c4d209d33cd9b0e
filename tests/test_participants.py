"""Participant tables: typing, overrides, and rejected tables that import nothing."""
import pytest

from workbench.participants import ParticipantTableError, infer_type, parse_type_override


@pytest.mark.parametrize("values, expected", [
    (["oui", "non", "Oui"], "boolean"),
    (["12", "3,5", " 7 "], "numeric"),
    (["2022-01-02", "03/04/2021"], "date"),
    (["V", "infra V", "IV"], "ordinal"),
    (["CEP", "PLIE"], "nominal"),
    (["", ""], "nominal"),
])
def test_infer_type(values, expected):
    assert infer_type(values)[0] == expected


def test_ordinal_levels_follow_the_scale():
    assert infer_type(["IV", "V"])[1] == ("infra V", "V", "IV", "III et plus")


def test_duplicate_and_missing_ids_are_listed_with_lines(project, tmp_path):
    f = tmp_path / "quanti.csv"
    f.write_text("participant_id,age\nP1,30\nP2,40\n,50\nP1,60\n", encoding="utf-8")
    with pytest.raises(ParticipantTableError) as exc:
        project.import_participants(f)
    msg = str(exc.value)
    assert "quanti.csv:4: missing participant ID" in msg
    assert "duplicate participant ID 'P1' on lines 2, 5" in msg
    assert project.info()["participants"] == 0


def test_type_override_and_bad_value_names_line(project, tmp_path):
    f = tmp_path / "quanti.csv"
    f.write_text("id;age;satisfaction\nA;30;moyen\nB;abc;élevé\n", encoding="cp1252")
    with pytest.raises(ParticipantTableError, match=r"quanti.csv:3: age = 'abc' is not a number"):
        project.import_participants(f, types={"age": ("numeric", ())})
    assert project.info()["participants"] == 0
    name, type_, levels = parse_type_override("satisfaction=ordinal:faible,moyen,élevé")
    ok = tmp_path / "ok.csv"
    ok.write_text("id;satisfaction\nA;moyen\nB;élevé\n", encoding="cp1252")
    project.import_participants(ok, types={name: (type_, levels)})
    df = project.participants()
    assert list(df["satisfaction"].cat.categories) == ["faible", "moyen", "élevé"]


def test_missing_id_column_lists_columns(project, tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("nom,age\nA,3\n", encoding="utf-8")
    with pytest.raises(ParticipantTableError, match="no participant ID column.*nom, age"):
        project.import_participants(f)


def test_xlsx_table(project, tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["participant_id", "emploi_6m", "heures"])
    ws.append(["X1", "oui", 300])
    ws.append(["X2", "non", 120])
    f = tmp_path / "quanti.xlsx"
    wb.save(f)
    project.import_participants(f)
    df = project.participants().set_index("participant_id")
    assert bool(df.loc["X1", "emploi_6m"]) is True and df.loc["X2", "heures"] == 120


def test_binary_table_rejected(project, tmp_path):
    f = tmp_path / "t.csv"
    f.write_bytes(b"id,a\n\x00\x01\x02")
    with pytest.raises(ParticipantTableError, match="binary"):
        project.import_participants(f)
