"""The whole team loop on the demo, scripted through the CLI: two coders code blind on
separate copies, the copies are merged back (twice: nothing changes the second time),
agreement is measured with confidence intervals, disagreements are adjudicated, and the
Word report counts the consensus."""
import json

import pytest
from click.testing import CliRunner

from workbench.cli import main
from workbench.demo import build_demo
from workbench.domain import CONSENSUS_CODER
from workbench.project import Project


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("team")
    build_demo(folder / "lead.wbproj")
    return folder


def run(*args, ok=True):
    res = CliRunner().invoke(main, [str(a) for a in args])
    if ok:
        assert res.exit_code == 0, res.output
    return res


def test_blind_double_coding_to_consensus(lab, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(lab / "home"))
    monkeypatch.delenv("WORKBENCH_CODER", raising=False)     # each coder names themself
    lead, camille, yanis = lab / "lead.wbproj", lab / "camille.wbproj", lab / "yanis.wbproj"
    assert "blind" in run("share", lead, camille, "--coder", "Camille", "--blind").output
    run("share", lead, yanis, "--coder", "Yanis", "--blind")
    # each codes the same two interviews on their own copy: the demo's two coders'
    # codings stand for their work
    docs = ["AV-BEN-01", "BEC-BEN-02"]
    with Project.open(lead) as p:
        work = {who: [(k["document_id"], k["code_id"], k["start"], k["end"])
                      for k in p.store.find_codings(coder_id=p.store.coder_id(src))
                      if p.store.get_document(k["document_id"]).name in docs]
                for who, src in (("Camille", "Camille Roux"), ("Yanis", "Yanis Belkacem"))}
    for who, path in (("Camille", camille), ("Yanis", yanis)):
        run("coders", "me", path, who)
        with Project.open(path) as p:
            assert p.coder == who and p.store.find_codings() == []        # blind
            for d, c, s, e in work[who]:
                p.apply_code(d, c, s, e)
    out = run("merge", lead, camille, "--preview").output
    assert f"codings: {len(work['Camille'])} added" in out
    run("merge", lead, camille)
    run("merge", lead, yanis)
    again = run("merge", lead, yanis).output
    assert "codings: 0 added" in again and f"{len(work['Yanis'])} already here" in again
    # agreement with confidence intervals
    res = run("agreement", lead, "Camille", "Yanis", "--format", "json", "--resamples", "200")
    rows = {r["code"]: r for r in json.loads(res.stdout)}
    overall = rows["(all codes)"]
    assert overall["units"] > 0 and overall["documents"] == 2
    assert overall["alpha_low"] <= overall["alpha"] <= overall["alpha_high"]
    assert 0 < overall["cohen_kappa"] < 1
    # compare and adjudicate: agreements first, then each difference (keep Camille's)
    for doc in docs:
        run("adjudicate", "agreements", lead, doc, "Camille", "Yanis")
        cmp = json.loads(run("compare", lead, doc, "Camille", "Yanis", "--differences",
                             "--format", "json").stdout)
        for place in cmp:
            decision = "a" if place["status"] != "b_only" else "neither"
            run("adjudicate", "place", lead, doc, place["code"], place["start"], place["end"],
                decision, "Camille", "Yanis", "--memo", "discuté en réunion", "--coder", "Léa")
    with Project.open(lead) as p:
        consensus = p.store.find_codings(coder_id=p.store.coder_id(CONSENSUS_CODER))
        assert consensus
        decided = p.adjudications()
        assert set(decided["decided_by"]) == {"Léa", p.coder}     # agreements, differences
        for doc in docs:
            left = p.comparison(doc, "Camille", "Yanis")
            assert (left["decision"] != "").all()          # every place settled
        # the report counts the consensus as a coder of its own
        report = p.export_report(lab / "rapport.docx")
        counts = p.coders().set_index("name")["codings"]
    assert counts[CONSENSUS_CODER] == len(consensus)
    from docx import Document
    body = "\n".join(c.text for t in Document(report).tables for row in t.rows for c in row.cells)
    assert CONSENSUS_CODER in body and str(len(consensus)) in body
