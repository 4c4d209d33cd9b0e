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
