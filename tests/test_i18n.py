"""The gettext-style message layer: catalogue reading, plurals, contexts."""
import pytest

from workbench import i18n


def test_french_plural_rule_treats_zero_as_singular(french):
    assert i18n.ngettext("{n} document", "{n} documents", 0) == "{n} document"
    assert i18n.ngettext("{n} document", "{n} documents", 1) == "{n} document"
    assert i18n.ngettext("{n} document", "{n} documents", 2) == "{n} documents"


def test_english_plural_rule():
    old = i18n.language()
    i18n.set_language("en")
    try:
        assert i18n.ngettext("{n} document", "{n} documents", 0) == "{n} documents"
        assert i18n.ngettext("{n} document", "{n} documents", 1) == "{n} document"
    finally:
        i18n.set_language(old)


def test_read_po_contexts_plurals_continuations_and_fuzzy(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        'msgctxt "actor"\nmsgid "other"\nmsgstr "autre"\n\n'
        'msgid "a "\n"long one"\nmsgstr "une "\n"longue"\n\n'
        '#, fuzzy\nmsgid "unsure"\nmsgstr "pas sûr"\n\n'
        'msgid "untranslated"\nmsgstr ""\n\n'
        'msgid "{n} file"\nmsgid_plural "{n} files"\nmsgstr[0] "{n} fichier"\nmsgstr[1] "{n} fichiers"\n',
        encoding="utf-8")
    entries = i18n.read_po(po)
    assert entries == {"actor\x04other": ["autre"], "a long one": ["une longue"],
                       "{n} file": ["{n} fichier", "{n} fichiers"]}


def test_bad_catalogue_line_names_file_and_line(tmp_path):
    po = tmp_path / "bad.po"
    po.write_text('msgid "a"\nmsgstr "b\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.po:2"):
        i18n.read_po(po)


def test_a_language_used_in_one_thread_leaves_the_others_alone():
    """A report written in English in a worker thread while the French interface goes on
    drawing: the interface stays French (the report used to switch the whole process)."""
    import threading
    from workbench import i18n
    old = i18n.language()
    i18n.set_language("fr")
    try:
        inside, outside = threading.Event(), threading.Event()
        seen = {}

        def report():
            with i18n.using_language("en"):
                seen["worker"] = i18n.ngettext("{n} passage", "{n} passages", 2)
                inside.set()
                outside.wait(5)
            seen["worker after"] = i18n.language()

        t = threading.Thread(target=report)
        t.start()
        inside.wait(5)
        seen["interface"] = i18n.language()
        outside.set()
        t.join(5)
        assert seen == {"worker": "{n} passages", "worker after": "fr", "interface": "fr"}
        with i18n.using_language(None):
            assert i18n.language() == "fr"
        with pytest.raises(ValueError):
            with i18n.using_language("de"):
                pass
    finally:
        i18n.set_language(old)

def test_the_api_takes_an_actor_type_in_french(tmp_path):
    """One definition of the French actor labels: what the interface shows is accepted."""
    from tests.tui_helpers import INTERVIEW_A
    from workbench.domain import ValidationError
    from workbench.project import Project
    f = tmp_path / "entretien.txt"
    f.write_text(INTERVIEW_A, encoding="utf-8")
    with Project.create(tmp_path / "p.wbproj", coder="testeur") as p:
        p.import_files([f], programme="avenir", actor_type="bénéficiaire")
        doc = int(p.documents()["id"].iloc[0])
        assert list(p.documents()["actor_type"]) == ["beneficiary"]
        p.update_document(doc, actor_type="formatrice")
        assert list(p.documents()["actor_type"]) == ["trainer"]
        with pytest.raises(ValidationError, match="bénéficiaire|beneficiary"):
            p.update_document(doc, actor_type="journaliste")


def test_numbers_worked_by_hand(french):
    """2/3 as a share, 12 345 as a count, in each language (French: decimal comma, a
    no-break thin space U+202F between thousands, a no-break space U+00A0 before %)."""
    assert i18n.percent(2 / 3, 1) == "66,7\u00a0%"
    assert i18n.integer(12345) == "12\u202f345"
    assert i18n.number(1234567.891, 2) == "1\u202f234\u202f567,89"
    assert i18n.number(0.25) == "0,25" and i18n.number(3.0) == "3" and i18n.number(3) == "3"
    assert i18n.percent(0.5, None) == "50\u00a0%" and i18n.percent(0.667, None) == "66,7\u00a0%"
    assert i18n.interval(0.412, 0.771) == "[0,41\u00a0; 0,77]"
    assert i18n.number(float("nan")) == "" and i18n.number(None) == ""
    assert i18n.number(float("inf")) == "∞" and i18n.number(-0.001, 2) == "0,00"
    with i18n.using_language("en"):
        assert i18n.percent(2 / 3, 1) == "66.7%"
        assert i18n.integer(12345) == "12,345"
        assert i18n.number(1234567.891, 2) == "1,234,567.89"
        assert i18n.interval(0.412, 0.771) == "[0.41, 0.77]"


@pytest.mark.parametrize("value", [0, 7, 12345, 1234567, 0.5, 2 / 3 * 100, 12345.678, 0.0417,
                                   -3.25, 999999.5])
@pytest.mark.parametrize("digits", [0, 1, 2])
def test_numbers_are_written_as_cldr_says(value, digits):
    """The hand-written formatting agrees with Babel's CLDR data (fr_FR, en_US)."""
    from babel.numbers import format_decimal
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    for lang, locale in (("fr", "fr_FR"), ("en", "en_US")):
        with i18n.using_language(lang):
            assert i18n.number(value, digits) == format_decimal(value, format=pattern,
                                                                locale=locale)
