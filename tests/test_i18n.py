"""The gettext-style message layer: catalogue reading, plurals, contexts."""
import pytest

from workbench import i18n


@pytest.fixture
def french():
    old = i18n.language()
    i18n.set_language("fr")
    yield
    i18n.set_language(old)


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
