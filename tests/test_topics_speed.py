"""What makes a topic run fast on a small corpus changes no result: the lemmatizer's
word lists as sets, one BLAS thread for small fits, BERTopic imported without spaCy,
the token filter's phrase lookup (issue #17; figures in docs/benchmarks.md)."""
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_lemma_word_lists_are_sets_and_give_the_same_lemmas():
    from workbench.nlp import index_lemma_lists, lemma_pipeline
    nlp = lemma_pipeline()
    lemmatizer = nlp.get_pipe("lemmatizer")
    table = lemmatizer.lookups.get_table("lemma_index")
    assert len(table) >= 4 and all(isinstance(v, frozenset) for v in table.values())
    assert index_lemma_lists(nlp) == 0              # already sets: nothing to do
    text = ("Les stagiaires prenaient souvent le bus pour aller aux formations ; "
            "elles étaient inquiètes, la crèche fermait tôt et les horaires changeaient.")
    lemmatizer.cache.clear()
    fast = [(t.text, t.pos_, t.lemma_) for t in nlp(text)]
    saved = dict(table.items())
    try:
        for key, words in saved.items():            # as spaCy ships them: lists
            table[key] = sorted(words)
        lemmatizer.cache.clear()
        slow = [(t.text, t.pos_, t.lemma_) for t in nlp(text)]
    finally:
        for key, words in saved.items():
            table[key] = words
        lemmatizer.cache.clear()
    assert fast == slow
    assert ("prenaient", "VERB", "prendre") in fast and ("inquiètes", "ADJ", "inquiet") in fast


def test_a_small_fit_runs_on_one_blas_thread_and_a_large_one_is_left_alone():
    from threadpoolctl import threadpool_info

    from workbench.topics import _interruptible

    def blas_threads(progress, cancelled):
        return sorted({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})

    inside = _interruptible.run_interruptible(blas_threads, units=10,
                                              progress=lambda *a: None,
                                              cancelled=lambda: False)
    assert inside == [1]
    # the limit ends with the fit
    assert blas_threads(None, None) == sorted(
        {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})


def test_bertopic_is_imported_without_spacy_and_its_pos_module_stays_real():
    code = ("import sys\n"
            "from workbench.topics._bertopic import import_bertopic, import_umap\n"
            "import_umap()\n"
            "BERTopic = import_bertopic()\n"
            "assert BERTopic.__name__ == 'BERTopic'\n"
            "assert 'spacy' not in sys.modules, 'spacy was imported'\n"
            "import bertopic.representation._pos as pos\n"
            "assert 'spacy' in sys.modules and pos.PartOfSpeech.__module__ == pos.__name__\n"
            "print('ok')\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().endswith("ok")


def test_filler_phrases_are_skipped_wherever_they_start():
    from workbench.topics.preprocess import TokenFilter
    text = "en fait je sais pas du coup le coup de main du coup"
    toks, pos = [], 0
    lemmas = {"fait": ("faire", "VERB"), "sais": ("savoir", "VERB"), "coup": ("coup", "NOUN"),
              "main": ("main", "NOUN")}
    for word in text.split():
        lemma, tag = lemmas.get(word, (word, "ADP"))
        toks.append([text.index(word, pos), len(word), lemma, tag])
        pos = toks[-1][0] + len(word)
    assert TokenFilter()(toks, text) == ["coup", "main"]
    # without phrases, the words themselves are judged
    assert TokenFilter(phrases=())(toks, text) == ["coup", "coup", "main", "coup"]


# -- the helper process ------------------------------------------------------------------
def _answer(x, *, progress, cancelled, send=None):
    progress(1, 2, "half")
    print("a library talking on stdout")        # must not mix with the messages
    if send is not None:
        send(["part", x])
    return x * 2


def _die(code, *, progress, cancelled):
    os._exit(code)


def _messages(child, limit=600):
    out = []
    for _ in range(limit):                      # a bound, not a timing: 0.5 s x 600
        if child.finished:
            break
        message = child.get(0.5)
        if message is not None:
            out.append(message)
    return out


def test_a_spawned_process_answers_streams_and_reports_its_death():
    import pytest

    from workbench.topics._base import TopicModelError
    from workbench.topics._interruptible import Spawned
    with Spawned(_answer, 21, stream=True) as child:
        assert _messages(child) == [("progress", 1, 2, "half"), ("part", ["part", 21]),
                                    ("done", 42)]
    with Spawned(_answer, 2) as child:
        assert _messages(child)[-1] == ("done", 4)
    with Spawned(_die, 3) as child, pytest.raises(TopicModelError, match="exit code 3"):
        _messages(child)


def test_a_script_without_a_main_guard_can_use_a_helper_process(tmp_path):
    """multiprocessing's spawn would run such a script again in the child."""
    script = tmp_path / "no_guard.py"
    script.write_text(
        "from workbench.topics._interruptible import Spawned\n"
        "from workbench.topics.metrics import coherence_of\n"
        "print('started', flush=True)\n"
        "texts = [['crèche', 'bus', 'horaire'], ['bus', 'permis'], ['crèche', 'horaire']] * 5\n"
        "with Spawned(coherence_of, [['crèche', 'horaire'], ['bus', 'permis']], texts) as c:\n"
        "    for _ in range(600):\n"
        "        m = c.get(0.5)\n"
        "        if c.finished:\n"
        "            break\n"
        "print('result', m[0], m[1] is None or 0 <= m[1] <= 1)\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split("\n")[:2] == ["started", "result done True"]


def test_lemmas_are_the_same_with_a_helper_process_and_a_cancel_stops_it(tmp_path,
                                                                          monkeypatch):
    import random

    import pytest

    sys.path.insert(0, str(REPO / "benchmarks"))
    from topics_corpus import transcript

    from workbench.project import Project
    from workbench.topics import TopicRunCancelled, preprocess
    files = []
    for i, themes in enumerate([["mobilite", "garde"], ["formation", "numerique"]]):
        path = tmp_path / f"e{i}.txt"
        path.write_text(transcript(random.Random(i), f"P{i}", themes, 12), encoding="utf-8")
        files.append(path)
    with Project.create(tmp_path / "h.wbproj", coder="testeur") as p:
        p.import_files(files, actor_type="beneficiary", programme="avenir", new_programme=True)
        segments = p.store.topic_segments(list(p.documents()["id"]))
        assert preprocess.helper_split(segments) == len(segments)    # too few words
        alone = preprocess.lemmatise(p.store, segments)
        p.store.clear_lemma_cache()
        monkeypatch.setattr(preprocess, "HELPER_MIN_WORDS", 0)
        monkeypatch.setattr(preprocess, "HELPER_START_WORDS", 0)
        monkeypatch.setattr(preprocess, "_cores", lambda: 2)
        cut = preprocess.helper_split(segments)
        assert 0 < cut < len(segments)
        # this process does other work meanwhile: the helper takes more
        assert preprocess.helper_split(segments, meanwhile_words=10 ** 9) == 0
        assert cut < preprocess.helper_split(segments, meanwhile_words=-10 ** 9) == len(segments)
        calls, meanwhile = [], []
        helped = preprocess.lemmatise(p.store, segments,
                                      progress=lambda d, n, what: calls.append((d, n)),
                                      meanwhile=lambda: meanwhile.append(len(calls)))
        assert helped == alone and len(meanwhile) == 1
        assert calls[-1] == (len(segments), len(segments))
        ids = [s["segment_id"] for s in segments]
        assert len(p.store.cached_lemmas(preprocess.DEFAULT_SPACY_MODEL, ids)) == len(ids)
        p.store.clear_lemma_cache()
        with pytest.raises(TopicRunCancelled):
            preprocess.lemmatise(p.store, segments, cancelled=lambda: True)


def test_a_backend_prepares_its_imports_and_then_has_nothing_left_to_prepare():
    from workbench.topics import get_backend
    lda = get_backend("lda")
    lda.prepare()
    assert lda.prepare_words() == 0 and "gensim.models.coherencemodel" in sys.modules
