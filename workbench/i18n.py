"""Every message a user can see, in French and English (stdlib ``gettext`` style).

Message ids are the English text; French translations live in gettext catalogues,
one per area of the code, under ``workbench/locale/fr/LC_MESSAGES/*.po`` (all files of
a language are merged into one catalogue when first needed). Babel extracts the
messages (``pybabel extract``, see ``docs/architecture.md``) and a test checks that
every message has its French form and that no message id is translated two ways.

    >>> from workbench.i18n import _, ngettext, set_language
    >>> set_language("fr"); ngettext("{n} document", "{n} documents", 2).format(n=2)
    '2 documents'

The language is French when the locale is French (``LC_ALL``, ``LC_MESSAGES`` or
``LANG`` starting with ``fr``), English otherwise; ``WORKBENCH_LANG=fr|en``
overrides, and the interface can switch at run time (:func:`set_language`).

Core code marks messages with :func:`_` where they are built, so an error raised while
the interface is French is French.  Module-level constants are marked with
:func:`N_` and translated where they are shown.
"""
from __future__ import annotations

import ast
import os
import threading
from contextlib import contextmanager
from pathlib import Path

__all__ = ["LANGUAGES", "N_", "_", "colon", "decimal", "detect_language", "integer", "interval", "language", "located",
           "ngettext", "npgettext", "number", "percent", "pgettext", "set_language"]

LANGUAGES = ("fr", "en")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN_GLOB = "*.po"

# French plural rule (CLDR / gettext "nplurals=2; plural=(n > 1);"): 0 and 1 are singular.
_PLURAL = {"fr": lambda n: 0 if abs(n) <= 1 else 1, "en": lambda n: 0 if n == 1 else 1}
_CONTEXT_SEP = "\x04"   # gettext's separator between msgctxt and msgid


def detect_language(environ=None) -> str:
    env = os.environ if environ is None else environ
    forced = (env.get("WORKBENCH_LANG") or "").strip().lower()[:2]
    if forced in LANGUAGES:
        return forced
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


_current = detect_language()
_local = threading.local()      # a thread's own language (using_language), over _current
_catalogues: dict[str, dict[str, list[str]]] = {}
_plural_ids: dict[str, str] = {}
_load_lock = threading.Lock()


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    _current = lang


def language() -> str:
    """This thread's language: the one :func:`using_language` set in it, else the
    process's (:func:`set_language`)."""
    return getattr(_local, "lang", None) or _current


@contextmanager
def using_language(lang: str | None):
    """Speak ``lang`` in this thread only while the block runs (a report written in
    English in a worker thread leaves the French interface French); None changes
    nothing."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    old = getattr(_local, "lang", None)
    if lang:
        _local.lang = lang
    try:
        yield
    finally:
        _local.lang = old


# ------------------------------------------------------------------------ catalogues

def _unquote(line: str, path: Path, lineno: int) -> str:
    try:
        value = ast.literal_eval(line)
    except (ValueError, SyntaxError) as exc:
        raise ValueError(f"{path}:{lineno}: bad string in catalogue: {line!r}") from exc
    if not isinstance(value, str):
        raise ValueError(f"{path}:{lineno}: bad string in catalogue: {line!r}")
    return value


def read_po(path: Path, plurals: dict[str, str] | None = None) -> dict[str, list[str]]:
    """The translated entries of one ``.po`` file: key (``ctx\\x04msgid`` or ``msgid``)
    → translations (one per plural form).  Fuzzy and untranslated entries are skipped.
    ``plurals``, when given, receives key → ``msgid_plural``."""
    entries: dict[str, list[str]] = {}
    entry: dict[str, object] = {}
    field: str | None = None
    fuzzy = False

    def flush() -> None:
        nonlocal entry, field, fuzzy
        msgid = entry.get("msgid")
        forms = entry.get("msgstr")
        if isinstance(msgid, str) and msgid and isinstance(forms, dict) and not fuzzy:
            values = [forms[i] for i in sorted(forms)]
            if all(values):
                ctx = entry.get("msgctxt")
                key = f"{ctx}{_CONTEXT_SEP}{msgid}" if isinstance(ctx, str) else msgid
                entries[key] = values
                if plurals is not None and isinstance(entry.get("msgid_plural"), str):
                    plurals[key] = str(entry["msgid_plural"])
        entry, field, fuzzy = {}, None, False

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        keyword, _sep, rest = line.partition(" ")
        if line.startswith('"'):
            if field is None:
                raise ValueError(f"{path}:{lineno}: continuation line outside an entry")
            value = _unquote(line, path, lineno)
            if field.startswith("msgstr["):
                forms = entry["msgstr"]
                assert isinstance(forms, dict)
                index = int(field[7:-1])
                forms[index] += value
            elif field == "msgstr":
                forms = entry["msgstr"]
                assert isinstance(forms, dict)
                forms[0] += value
            else:
                entry[field] = str(entry[field]) + value
            continue
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            if keyword in ("msgctxt", "msgid") and "msgid" in entry and "msgstr" in entry:
                flush()
            entry[keyword] = _unquote(rest, path, lineno)
            field = keyword
        elif keyword == "msgstr":
            entry.setdefault("msgstr", {})
            forms = entry["msgstr"]
            assert isinstance(forms, dict)
            forms[0] = _unquote(rest, path, lineno)
            field = "msgstr"
        elif keyword.startswith("msgstr["):
            entry.setdefault("msgstr", {})
            forms = entry["msgstr"]
            assert isinstance(forms, dict)
            forms[int(keyword[7:-1])] = _unquote(rest, path, lineno)
            field = keyword
        else:
            raise ValueError(f"{path}:{lineno}: unexpected line in catalogue: {raw!r}")
    flush()
    entries.pop("", None)   # the header entry
    return entries


def catalogue_files(lang: str) -> list[Path]:
    return sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob(DOMAIN_GLOB))


def catalogue(lang: str) -> dict[str, list[str]]:
    """All entries of one language, every ``.po`` file merged (loaded once per process;
    the merged catalogue is kept in the user's cache folder, so that a command does not
    parse every ``.po`` file each time it starts)."""
    cat = _catalogues.get(lang)
    if cat is None:
        with _load_lock:
            cat = _catalogues.get(lang)
            if cat is None:
                cat = _merged_catalogue(lang)
                _catalogues[lang] = cat
    return cat


def _merged_catalogue(lang: str) -> dict[str, list[str]]:
    """Every ``.po`` file of ``lang`` merged: read back from the cache when it was made
    from these very files (name, size and modification time of each), else parsed (and
    the cache written; any problem with the cache only means parsing)."""
    import hashlib
    import marshal
    import sys
    files = catalogue_files(lang)
    cached: Path | None
    try:
        from workbench.nlp import cache_dir
        stats = [(p.name, st.st_size, st.st_mtime_ns) for p in files for st in [p.stat()]]
        key = hashlib.sha256(repr((sys.version, lang, str(LOCALE_DIR), stats)).encode())
        folder = cache_dir() / "i18n"
        cached = folder / f"{lang}-{key.hexdigest()[:32]}.marshal"
    except Exception:  # noqa: BLE001 - no cache folder: parse
        cached = None
    if cached is not None:
        try:
            stored, stored_plurals = marshal.loads(cached.read_bytes())
            _plural_ids.update(stored_plurals)
            return stored
        except Exception:  # noqa: BLE001 - no usable cache entry: parse
            pass
    cat: dict[str, list[str]] = {}
    plurals: dict[str, str] = {}
    for path in files:
        cat.update(read_po(path, plurals))
    _plural_ids.update(plurals)
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            for old in cached.parent.glob(f"{lang}-*.marshal"):     # older versions
                old.unlink(missing_ok=True)
            tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps((cat, plurals)))
            os.replace(tmp, cached)
        except OSError:
            pass
    return cat


def plural_of(key: str) -> str | None:
    """The English plural (``msgid_plural``) of a catalogue key, once loaded."""
    return _plural_ids.get(key)


def reload() -> None:
    """Forget the loaded catalogues (tests that edit a ``.po`` file)."""
    _catalogues.clear()


# ------------------------------------------------------------------------ lookups

def _lookup(key: str, default: str, plural: str | None = None, n: int = 1) -> str:
    lang = language()
    index = _PLURAL[lang](n) if plural is not None else 0
    if lang != "en":
        forms = catalogue(lang).get(key)
        if forms:
            return forms[min(index, len(forms) - 1)]
    return default if index == 0 or plural is None else plural


def _(message: str) -> str:
    """``message`` (English) in the current language."""
    return _lookup(message, message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (translate it with
    :func:`_` where it is shown)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language (French: 0 and 1
    are singular)."""
    return _lookup(singular, singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in a context, for a word that two places translate differently."""
    return _lookup(f"{context}{_CONTEXT_SEP}{message}", message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return _lookup(f"{context}{_CONTEXT_SEP}{singular}", singular, plural, n)


def colon(label: str) -> str:
    """``label:`` in the current language's typography (French: a no-break space before
    the colon), for "label: value" lines."""
    return _("{label}:").format(label=label)


def located(where, message) -> str:
    """``where: message`` (a file, ``file:line``, a part) in the current language's
    typography (French ``entretien.txt:4 : …``)."""
    return _("{where}: {message}").format(where=where, message=message)


def number(value, digits: int | None = None) -> str:
    """``value`` written for a reader in the current language, as CLDR says (and Babel's
    ``format_decimal`` writes it: tests/test_i18n.py compares the two): French
    ``12\u202f345,7`` (a no-break thin space, U+202F, between thousands, a decimal
    comma), English ``12,345.7``.  ``digits``: that many decimals; None: as many as
    needed, up to four (``3`` stays ``3``, ``0.25`` is ``0,25``).  Blank for a missing
    value (None, NaN), ``∞`` for an infinite one.  For text a person reads (tables,
    reports, notes); csv, json and spreadsheet cells keep the raw number.  Written by
    hand, not with Babel, so that a read command does not pay Babel's locale data."""
    if value is None:
        return ""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    if f != f:
        return ""
    if f in (float("inf"), float("-inf")):
        return "∞" if f > 0 else "-∞"
    if isinstance(value, int) and not isinstance(value, bool) and digits in (None, 0):
        text = f"{value:,d}"
    else:
        text = f"{f:,.{4 if digits is None else digits}f}"
        if digits is None and "." in text:
            text = text.rstrip("0").rstrip(".")
    if text in ("-0", "-0.0", "-0.00", "-0.000", "-0.0000"):
        text = text[1:]
    if language() == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def integer(value) -> str:
    """A count with its thousands grouped (French ``12\u202f345``, English ``12,345``)."""
    return number(value, 0)


def decimal(value: float, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals in the current language (French ``16,7``,
    English ``16.7``; thousands grouped as :func:`number` does)."""
    return number(value, digits)


def interval(low, high, digits: int = 2) -> str:
    """A confidence interval: French ``[0,41 ; 0,77]`` (a semicolon, as the decimal mark
    is a comma), English ``[0.41, 0.77]``."""
    sep = "\u00a0; " if language() == "fr" else ", "
    return f"[{number(low, digits)}{sep}{number(high, digits)}]"


def percent(share: float, digits: int | None = 0) -> str:
    """``share`` (2/3) as a percentage: French ``66,7\u00a0%`` (a no-break space before
    the sign, as French typography asks), English ``66.7%``; ``digits`` None: as many as
    needed (``50 %``, ``66,7 %`` for a share already rounded)."""
    if share is None or share != share:
        return ""
    sign = "\u00a0%" if language() == "fr" else "%"
    return number(100 * share, digits) + sign
