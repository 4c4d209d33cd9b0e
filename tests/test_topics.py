"""Topic models: both backends offline on a small corpus, reproducibility, scope,
interviewer exclusion, promotion to codes and review, the CLI, cancelling."""
import json
import random
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from topics_corpus import transcript  # noqa: E402

from workbench.domain import WorkbenchError  # noqa: E402

DOCS = [  # name, themes, actor type, programme
    ("Karima", ["mobilite", "garde"], "beneficiary", "avenir"),
    ("Julien", ["formation", "numerique"], "beneficiary", "avenir"),
    ("Sandrine", ["mobilite", "formation"], "trainer", "pct"),
    ("Moussa", ["garde", "numerique"], "operator", "pct"),
]


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("topics_corpus")
    rng = random.Random(3)
    for i, (name, themes, _, _) in enumerate(DOCS):
        (folder / f"entretien_{i}.txt").write_text(transcript(rng, name, themes, 18),
                                                   encoding="utf-8")
    return folder


def _build(path, corpus_dir):
    from workbench.project import Project
    p = Project.create(path, coder="testeur")
    for i, (_, _, actor, programme) in enumerate(DOCS):
        p.import_files([corpus_dir / f"entretien_{i}.txt"], actor_type=actor,
                       programme=programme, new_programme=True)
    return p


@pytest.fixture(scope="module")
def topics_project(tmp_path_factory, corpus_dir):
    """One project with an LDA run and a BERTopic run, both repeated with the same seed."""
    p = _build(tmp_path_factory.mktemp("topics") / "t.wbproj", corpus_dir)
    runs = {
        "lda": [p.run_topics("lda", n_topics=4, seed=7) for _ in range(2)],
        "bertopic": [p.run_topics("bertopic", seed=7) for _ in range(2)],
    }
    yield p, runs
    p.close()


@pytest.mark.parametrize("backend", ["lda", "bertopic"])
def test_backend_runs_offline_and_is_reproducible(topics_project, backend):
    p, runs = topics_project
    a, b = runs[backend]
    assert a.backend == backend and a.n_topics >= 3
    assert a.n_units == 72 and a.corpus_hash == b.corpus_hash
    assert p.topic_words(a.id).equals(p.topic_words(b.id))
    ua, ub = p.topic_units(a.id, with_text=False), p.topic_units(b.id, with_text=False)
    assert ua[["start", "end", "topic", "probability"]].equals(
        ub[["start", "end", "topic", "probability"]])
    assert 0 < a.metrics["coherence_cv"] <= 1 and 0 < a.diversity <= 1
    assert {"preprocess_s", "fit_s", "total_s"} <= set(a.timing)
    if backend == "bertopic":       # BERTopic's own outlier reduction places every unit
        assert a.n_outliers == 0 and a.metrics["outliers_before_reduction"] >= 0
    # the themes come out: some topic has crèche among its top words
    words = p.topic_words(a.id)
    assert "crèche" in set(words[words["rank"] < 10]["word"])
    # fillers and stop words never make it into topics
    assert not {"euh", "ben", "voilà", "coup", "fait", "bah"} & set(words["word"])


def test_interviewer_turns_excluded_and_labels_stripped(topics_project):
    p, runs = topics_project
    units = p.topic_units(runs["lda"][0].id)
    assert set(units["speaker"]) == {name for name, *_ in DOCS}
    assert not units["text"].str.startswith(tuple(n for n, *_ in DOCS)).any()
    assert not units["text"].str.contains("ENQ").any()


def test_reading_api(topics_project):
    p, runs = topics_project
    rid = runs["lda"][0].id
    info = p.topic_info(rid)
    assert info["size"].sum() == 72 and list(info.columns[:5]) == [
        "topic", "label", "size", "share", "words"]
    by_actor = p.topic_by(rid, "actor_type")
    assert set(by_actor.columns) >= {"topic", "label", "beneficiary", "trainer", "operator"}
    assert by_actor[["beneficiary", "trainer", "operator"]].to_numpy().sum() == 72
    shares = p.topic_by(rid, "programme", normalize="group")
    assert shares["avenir"].sum() == pytest.approx(1.0, abs=1e-3)
    t = int(info["topic"].iloc[0])
    ex = p.representative_excerpts(rid, t, 3)
    assert 1 <= len(ex) <= 3 and ex["text"].str.len().gt(0).all()
    assert len(p.outliers(rid, below=1.01)) == 72
    runs_df = p.topic_runs()
    assert set(runs_df["backend"]) == {"lda", "bertopic"}
    cmp = p.compare_topic_runs([rid, runs["bertopic"][0].id])
    assert list(cmp["backend"]) == ["lda", "bertopic"]
    align = p.align_topics(rid, runs["bertopic"][0].id)
    assert len(align) == len(info[info["topic"] >= 0]) and align["jaccard"].max() > 0.5


def test_scope_by_actor_type_and_programme(tmp_path, corpus_dir):
    p = _build(tmp_path / "s.wbproj", corpus_dir)
    run = p.run_topics("lda", n_topics=2, seed=1, actor_type="beneficiary")
    units = p.topic_units(run.id)
    assert set(units["actor_type"]) == {"beneficiary"} and run.n_units == 36
    assert run.scope["actor_type"] == ["beneficiary"]
    run2 = p.run_topics("lda", n_topics=2, seed=1, programme=["pct"], include_interviewer=True,
                        min_tokens=1)
    units2 = p.topic_units(run2.id)
    assert set(units2["programme"]) == {"pct"} and "ENQ" in set(units2["speaker"])
    with pytest.raises(WorkbenchError, match="no document"):
        p.run_topics("lda", n_topics=2, programme="nulle-part")
    p.close()


def test_promote_and_review(tmp_path, corpus_dir):
    p = _build(tmp_path / "p.wbproj", corpus_dir)
    run = p.run_topics("lda", n_topics=4, seed=7)
    info = p.topic_info(run.id)
    creche = next(int(t) for t, w in zip(info["topic"], info["words"]) if "crèche" in w)
    size = int(info.set_index("topic").at[creche, "size"])
    res = p.promote_topic(run.id, creche, name="Garde d'enfants")
    assert res.created and res.candidates == size and res.rule == f"topic-run:{run.id}:{creche}"
    cands = p.codings(code="Garde d'enfants", status="candidate")
    assert len(cands) == size and set(cands["origin"]) == {"topic"}
    assert set(cands["status"]) == {"candidate"}
    assert p.topic_info(run.id).set_index("topic").at[creche, "code"] == "Garde d'enfants"
    # one by one, then in bulk
    listed = p.topic_candidates(run.id, creche)
    first, second = int(listed["id"].iloc[0]), int(listed["id"].iloc[1])
    assert p.accept_topic_candidates(run.id, creche, [first]) == 1
    assert p.reject_topic_candidates(run.id, creche, [second]) == 1
    assert p.store.get_coding(first)["status"] == "accepted"
    with pytest.raises(WorkbenchError):
        p.store.get_coding(second)
    assert p.accept_topic_candidates(run.id, creche) == size - 2
    accepted = p.store.find_codings(code_ids=[res.code_id], status="accepted", rule=res.rule)
    assert len(accepted) == size - 1
    assert p.store.find_codings(code_ids=[res.code_id], status="candidate") == []
    # the topic now meets its code once codings from the run itself are counted
    assert p.topic_code_overlap(run.id).empty
    overlap = p.topic_code_overlap(run.id, include_promoted=True)
    row = overlap[overlap["topic"] == creche].iloc[0]
    assert row["code"] == "Garde d'enfants" and row["units"] == size - 1
    # attach another topic to an existing code
    other = next(int(t) for t in info["topic"] if t not in (creche, -1))
    res2 = p.promote_topic(run.id, other, code="Garde d'enfants")
    assert not res2.created and res2.code_id == res.code_id
    assert p.reject_topic_candidates(run.id, other) == res2.candidates
    p.close()


def test_cancel_stores_nothing(tmp_path, corpus_dir):
    from workbench.topics import TopicRunCancelled
    p = _build(tmp_path / "c.wbproj", corpus_dir)
    calls = []

    def progress(done, total, label):
        calls.append(label)

    with pytest.raises(TopicRunCancelled):
        p.run_topics("lda", n_topics=3, progress=progress,
                     cancelled=lambda: "LDA pass" in calls)
    assert p.topic_runs().empty
    with pytest.raises(TopicRunCancelled):
        p.run_topics("lda", n_topics=3, cancelled=lambda: True)
    assert p.topic_runs().empty and p.store.scalar("SELECT count(*) FROM topic_units") == 0
    p.close()


def test_missing_sentence_transformers_model_is_a_clear_error(project, monkeypatch):
    import socket

    def no_network(*a, **k):
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    with pytest.raises(WorkbenchError, match="never downloads"):
        project.run_topics("bertopic", options={
            "embedding": "sentence-transformers:paraphrase-multilingual-MiniLM-L12-v2"})
    with pytest.raises(WorkbenchError, match="unknown option"):
        project.run_topics("lda", options={"embedding": "tfidf"})
    with pytest.raises(WorkbenchError, match="unknown topic-model backend"):
        project.run_topics("nmf")


def test_cli(tmp_path, corpus_dir):
    from click.testing import CliRunner

    from workbench.cli import main
    path = tmp_path / "cli.wbproj"
    _build(path, corpus_dir).close()
    r = CliRunner()
    res = r.invoke(main, ["topics", "run", str(path), "--backend", "lda", "--topics", "4",
                          "--seed", "7", "--name", "essai", "--format", "json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)[0]
    assert summary["backend"] == "lda" and summary["topics"] == 4 and summary["units"] == 72
    res = r.invoke(main, ["topics", "list", str(path), "--format", "json"])
    assert res.exit_code == 0 and json.loads(res.stdout)[0]["name"] == "essai"
    res = r.invoke(main, ["topics", "show", str(path), "essai", "--format", "json"])
    topics = json.loads(res.stdout)
    assert res.exit_code == 0 and len(topics) == 4
    t = next(x["topic"] for x in topics if "crèche" in x["words"])
    res = r.invoke(main, ["topics", "show", str(path), "last", "--topic", str(t)])
    assert res.exit_code == 0 and "crèche" in res.stdout
    res = r.invoke(main, ["topics", "show", str(path), "last", "--by", "actor_type"])
    assert res.exit_code == 0 and "beneficiary" in res.stdout
    res = r.invoke(main, ["topics", "promote", str(path), "essai", str(t), "--name", "Crèche",
                          "--format", "json"])
    assert res.exit_code == 0, res.output
    promoted = json.loads(res.stdout)[0]
    assert promoted["created"] and promoted["candidates"] > 0
    res = r.invoke(main, ["topics", "review", str(path), "essai", str(t), "--format", "json"])
    cands = json.loads(res.stdout)
    assert len(cands) == promoted["candidates"]
    res = r.invoke(main, ["topics", "review", str(path), "essai", str(t), "--accept-all"])
    assert res.exit_code == 0
    res = r.invoke(main, ["topics", "review", str(path), "essai", "--format", "json"])
    assert json.loads(res.stdout) == []
    res = r.invoke(main, ["topics", "run", str(path), "--embedding", "st:absent-model"])
    assert res.exit_code == 1 and "never downloads" in res.output
    res = r.invoke(main, ["topics", "show", str(path), "99"])
    assert res.exit_code == 1 and "no topic run" in res.output


def test_transcription_annotations_are_not_topic_words():
    from workbench.topics.preprocess import TokenFilter
    text = "Alors [rires] la crèche {bruit} était fermée"
    # tokens as cached: [offset, length, lemma, pos]
    toks = [[0, 5, "alors", "ADV"], [7, 5, "rire", "NOUN"], [14, 2, "le", "DET"],
            [17, 6, "crèche", "NOUN"], [25, 5, "bruit", "NOUN"], [32, 5, "être", "AUX"],
            [38, 7, "fermer", "VERB"]]
    words = TokenFilter()(toks, text)
    assert "rire" not in words and "bruit" not in words
    assert "crèche" in words


def test_a_large_fit_runs_in_its_own_process_same_result_and_cancels_at_once(
        tmp_path, corpus_dir, monkeypatch):
    """From SUBPROCESS_MIN_UNITS units on, the fit and the coherence run in a spawned
    process (so a cancel stops them at once, even mid-pass); the result is the same as
    in this process, and a cancel during the fit kills it and stores nothing."""
    from workbench.topics import TopicRunCancelled, _interruptible
    p = _build(tmp_path / "s.wbproj", corpus_dir)
    here = p.run_topics("lda", n_topics=4, seed=7)
    monkeypatch.setattr(_interruptible, "SUBPROCESS_MIN_UNITS", 10)
    there = p.run_topics("lda", n_topics=4, seed=7)
    assert p.topic_words(here.id).equals(p.topic_words(there.id))
    assert here.metrics["coherence_cv"] == there.metrics["coherence_cv"]
    calls = []
    with pytest.raises(TopicRunCancelled):
        p.run_topics("lda", n_topics=3, seed=1, progress=lambda d, n, what: calls.append(what),
                     cancelled=lambda: "LDA pass" in calls)
    assert len(p.topic_runs()) == 2
    p.close()
