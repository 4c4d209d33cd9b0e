"""workbench.nlp: long regular expressions (spaCy's French tokenizer pattern) are compiled
once and read back from the user's cache, matching exactly as a normal compilation."""
import re

from workbench import nlp

WORDS = ["new", "hip", "black", "burn", "zig", "entr", "états", "porte"]
CLASS = "".join(chr(c) for c in range(0x00C0, 0x0400) if chr(c).isalpha())


def _pattern() -> str:
    alts = [f"(?:^{w}[-‐‑][{CLASS}]+$)" for w in WORDS] * 10
    pattern = "(?iu)" + "|".join(alts)
    assert len(pattern) >= nlp.LONG_PATTERN
    return pattern


SAMPLES = ["new-york", "New-Yörk", "hip-hop", "hiphop", "zig-zag", "ÉTATS-UNIS", "entr-é",
           "black-", "porte‑clé", "x-y", "", "burn-out!"]


def test_long_pattern_compiled_once_then_read_back(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    pattern = _pattern()
    re.purge()
    reference = re.compile(pattern)                 # the ordinary way
    expected = [bool(reference.match(s)) for s in SAMPLES]
    assert True in expected and False in expected
    re.purge()
    with nlp.long_patterns_cached():
        first = re.compile(pattern)                  # compiles and stores
    stored = list((tmp_path / "cache" / "regex").iterdir())
    assert len(stored) == 1
    re.purge()
    with nlp.long_patterns_cached():
        second = re.compile(pattern)                 # read back from the file
    for compiled in (first, second):
        assert [bool(compiled.match(s)) for s in SAMPLES] == expected
    assert second.pattern == pattern and second.flags == reference.flags
    # a damaged entry is ignored: the pattern is compiled again, the same
    stored[0].write_bytes(b"not a program")
    re.purge()
    with nlp.long_patterns_cached():
        third = re.compile(pattern)
    assert [bool(third.match(s)) for s in SAMPLES] == expected
    # outside the block, re is untouched
    assert re._compiler.compile is not nlp._compile_with_cache


def test_short_patterns_are_never_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    re.purge()
    with nlp.long_patterns_cached():
        assert re.compile(r"^\w+-\w+$").match("new-york")
    assert not (tmp_path / "cache").exists()
