"""Pseudonymisation's pure parts, checked against answers worked out by hand: offsets,
patterns (NIR key, French phone numbers...), name forms, matching at word boundaries,
name shapes, the team's lists file, the key file."""
import json

import pytest

from workbench.domain import ValidationError
from workbench.privacy import keyfile
from workbench.privacy.lists import load_lists
from workbench.privacy.matching import Matcher
from workbench.privacy.names import parse_person, render, render_tag
from workbench.privacy.patterns import identifiers, name_forms
from workbench.privacy.remap import OffsetMap


def test_offset_map_by_hand():
    text = "Karima a vu Lina hier."
    m = OffsetMap([(0, 6, "[Prénom 1]"), (12, 16, "[Prénom 2]")])
    new = m.apply(text)
    assert new == "[Prénom 1] a vu [Prénom 2] hier."
    # "Karima" is 6 long, its tag 10: +4 after it; "Lina" 4 -> 10: +10 after both
    assert [m.start(p) for p in (0, 3, 6, 9, 12, 14, 16, 22)] == [0, 0, 10, 13, 16, 16, 26, 32]
    assert [m.end(p) for p in (0, 3, 6, 9, 12, 14, 16, 22)] == [0, 10, 10, 13, 16, 26, 26, 32]
    # a coding on "vu Lina" covers "vu [Prénom 2]"; one inside "Karima" covers the tag
    assert new[m.start(9):m.end(16)] == "vu [Prénom 2]"
    assert new[m.start(2):m.end(4)] == "[Prénom 1]"
    assert new[m.start(6):m.end(12)] == " a vu "


def test_offset_map_refuses_overlaps():
    with pytest.raises(ValueError):
        OffsetMap([(0, 5, "a"), (3, 8, "b")])


def _finds(text, fn=identifiers):
    return [(f.category, f.text) for f in fn(text)]


def test_nir_with_its_key():
    # 1 85 05 78 006 084: 1850578006084 mod 97 = 6, key 97 - 6 = 91 (worked by hand)
    assert _finds("sécu 1 85 05 78 006 084 91 voilà") == [("nir", "1 85 05 78 006 084 91")]
    assert _finds("sécu 1 85 05 78 006 084 36 voilà") == []            # wrong key
    assert _finds("n° 185057800608491.") == [("nir", "185057800608491")]
    # Corsica: 2A counts as 19 -> 2850519118023 mod 97 = 16, key 97 - 16 = 81
    assert _finds("2 85 05 2A 118 023 81") == [("nir", "2 85 05 2A 118 023 81")]
    assert _finds("2 85 05 2A 118 023 29") == []


def test_french_phone_numbers_and_emails():
    text = ("appelez le 06 12 34 56 78, le 01.23.45.67.89, le +33 6 12 34 56 78 ou le "
            "0033 (0)1 23 45 67 89 ; pas 12 34 56 ; karima.benali@gmail.com ou "
            "karima point benali arobase gmail point com")
    found = _finds(text)
    assert ("phone", "06 12 34 56 78") in found
    assert ("phone", "01.23.45.67.89") in found
    assert ("phone", "+33 6 12 34 56 78") in found
    assert ("phone", "0033 (0)1 23 45 67 89") in found
    assert ("email", "karima.benali@gmail.com") in found
    assert ("email", "karima point benali arobase gmail point com") in found
    assert not any(t == "12 34 56" for _c, t in found)


def test_addresses_and_dates_of_birth():
    found = _finds("J'habite 12 bis rue des Lilas, 14500 Vire. Née le 12/03/1985, "
                   "et lui né le 1er mars 1990. Date de naissance : 03-04-1979.")
    assert ("address", "12 bis rue des Lilas, 14500 Vire") in found
    assert ("birth_date", "12/03/1985") in found
    assert ("birth_date", "1er mars 1990") in found
    assert ("birth_date", "03-04-1979") in found
    assert not any(c == "birth_date" and "2023" in t for c, t in
                   _finds("entretien du 12/03/2023"))


def test_french_name_forms():
    text = ("Mme D. m'a dit que M. Martin travaillait chez Renault à Vire, avec la petite "
            "Lina et Karima B. ; j'en ai parlé à Karima.")
    found = _finds(text, name_forms)
    assert ("person", "Mme D.") in found
    assert ("person", "M. Martin") in found
    assert ("organisation", "Renault") in found
    assert ("place", "Vire") in found
    assert ("person", "Lina") in found
    assert ("person", "Karima B.") in found
    assert ("person", "Karima") in found


def test_sentence_initial_first_names_are_left_to_the_other_sources():
    # the lexicon only trusts a capital inside a sentence
    assert _finds("Rose des vents. Alors on y va.", name_forms) == []


def test_matcher_at_word_boundaries_longest_first():
    m = Matcher(["Karima", "Karima B.", "Lô", "Lina", "Martin"], ["leroy merlin"])
    text = ("Karima B. et Karima à Saint-Lô, Linares, Lina; MARTIN chez LEROY Merlin. "
            "KarimaX")
    assert [(text[s:e], v) for s, e, v in m.find(text)] == [
        ("Karima B.", "Karima B."), ("Karima", "Karima"), ("Lina", "Lina"),
        ("MARTIN", "Martin"), ("LEROY Merlin", "leroy merlin")]
    paths = Matcher(folded=["Karima"], paths=True)
    assert [(s, e) for s, e, _v in paths.find("entretien_karima.docx")] == [(10, 16)]


def test_name_shapes_and_renderings():
    assert parse_person("Karima").shape == "first"
    assert parse_person("LEFRANC").shape == "last"
    assert parse_person("Karima Benali").shape == "full"
    assert parse_person("Karima B.").shape == "first_initial"
    assert parse_person("C. Maréchal").shape == "initial_last"
    assert parse_person("Mme D.").shape == "title_initial"
    assert parse_person("M. Martin").shape == "title_last"
    p = parse_person
    assert render(p("Karima B."), "Nadia", "Lemoine", "Karima B.") == "Nadia L."
    assert render(p("LEFRANC"), "Nadia", "Lemoine", "LEFRANC") == "LEMOINE"
    assert render(p("Mme D."), "Nadia", "Lemoine", "Mme D.") == "Mme L."
    assert render(p("C. Maréchal"), "Nadia", "Lemoine", "C. Maréchal") == "N. Lemoine"
    assert render_tag(p("Karima Benali"), 12, "Prénom", "Nom") == "[Prénom 12] [Nom 12]"
    assert render_tag(p("Mme D."), 3, "Prénom", "Nom") == "Mme [Nom 3]"
    assert render(p("M. MARTIN"), "Nadia", "Lemoine", "M. MARTIN") == "M. LEMOINE"


def test_team_lists_file(tmp_path):
    f = tmp_path / "listes.yaml"
    f.write_text("categories:\n  bailleur: {label: Bailleur, kind: organisation}\n"
                 "employer:\n  - Renault\n  - Leroy Merlin\nsmall_town: [Vire]\n"
                 "bailleur: [Calvados Habitat]\n"
                 "person:\n  - [Karima Benali, Karima, Mme Benali]\n", encoding="utf-8")
    lists = load_lists(f)
    assert lists.categories["bailleur"].label == "Bailleur"
    assert ("person", ["Karima Benali", "Karima", "Mme Benali"]) in lists.terms
    assert lists.counts() == {"employer": 2, "small_town": 1, "bailleur": 1, "person": 1}


@pytest.mark.parametrize("content, line, words", [
    ("employer:\n  - Renault\nvilles: [Vire]\n", 3, "unknown category 'villes'"),
    ("employer:\n  - Renault\n  - {x: 1}\n", 3, "expected a term"),
    ("categories:\n  bad-name: {kind: person}\n", 2, "lower-case"),
    ("employer: [Renault\n", 2, ""),
])
def test_team_lists_errors_name_the_line(tmp_path, content, line, words):
    f = tmp_path / "listes.yaml"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        load_lists(f)
    assert f"listes.yaml:{line}:" in str(exc.value)
    assert words in str(exc.value)


def test_key_file_plain_and_encrypted(tmp_path):
    payload = {"key_id": "k1", "entities": [{"label": "Karima", "forms": {"Karima": "[Prénom 1]"}}]}
    plain = keyfile.write_key(tmp_path / "cle.json", payload)
    assert keyfile.read_key(plain) == payload
    assert not keyfile.is_encrypted(plain)
    secret = keyfile.write_key(tmp_path / "cle.key", payload, passphrase="correct horse")
    raw = secret.read_bytes()
    assert b"Karima" not in raw and keyfile.is_encrypted(secret)
    envelope = json.loads(raw)
    assert envelope["kdf"] == "scrypt" and len(envelope["salt"]) >= 20
    assert keyfile.read_key(secret, "correct horse") == payload
    with pytest.raises(ValidationError, match="wrong passphrase"):
        keyfile.read_key(secret, "wrong")
    with pytest.raises(ValidationError, match="encrypted"):
        keyfile.read_key(secret)
    (tmp_path / "other.json").write_text('{"a": 1}')
    with pytest.raises(ValidationError, match="not a Workbench key file"):
        keyfile.read_key(tmp_path / "other.json")


def test_every_privacy_message_has_its_french_form():
    from pathlib import Path

    from babel.messages.extract import extract_from_file

    from workbench import i18n
    root = Path(__file__).resolve().parent.parent
    files = sorted((root / "workbench" / "privacy").glob("*.py")) + \
        [root / "workbench" / "cli" / "privacy.py"]
    keywords = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    catalogue = i18n.read_po(root / "workbench" / "locale" / "fr" / "LC_MESSAGES" /
                             "privacy.po")
    missing = []
    for f in files:
        for _line, message, _comments, context in extract_from_file(
                "python", f, keywords=keywords):
            msgid = message[0] if isinstance(message, tuple) else message
            key = f"{context}\x04{msgid}" if context else msgid
            if key not in catalogue:
                missing.append(f"{f.name}: {msgid}")
    assert missing == []
    for forms in catalogue.values():
        for form in forms:
            assert " :" not in form and " ;" not in form, form      # no-break spaces
