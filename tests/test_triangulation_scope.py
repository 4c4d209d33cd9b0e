"""Triangulation shares are counted within the programmes where the theme was coded."""


def test_share_denominator_is_the_programmes_of_the_theme(project, tmp_path):
    texts = {}
    for name, programme in (("av", "avenir"), ("bec", "becomino")):
        f = tmp_path / f"{name}.txt"
        f.write_text(f"ENQ : Et la formation ({programme}) ?\n"
                     "Léa : La formation m'a aidée à trouver un emploi.\n"
                     "ENQ : Merci.\nLéa : Merci à vous.\n", encoding="utf-8")
        project.import_files([f], programme=programme, actor_type="beneficiary", name=name)
        texts[name] = project.text(name)
    project.create_code("Avenir/Emploi")
    project.create_code("Becomino/Usage")
    for name, code in (("av", "Avenir/Emploi"), ("bec", "Becomino/Usage")):
        start = texts[name].index("La formation")
        project.apply_code(name, code, start, start + 12)
    tri = project.triangulate(codes=["Avenir/Emploi"]).iloc[0]
    assert tri["beneficiary_documents"] == 1
    assert tri["beneficiary_share"] == 100.0        # 1 of the 1 avenir interview
