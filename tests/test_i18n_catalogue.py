"""Every message in the code has its French form, said one way, in French typography.

Messages are extracted from ``workbench/`` by Babel, as ``pybabel extract -F
pyproject.toml`` does (docs/architecture.md, "Messages"), and checked against the
French catalogues (``workbench/locale/fr/LC_MESSAGES/*.po``, merged).  A failure lists
the missing entries ready to paste into your area's ``.po`` file.
"""
from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po as babel_read_po

from workbench import i18n

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "workbench"
PO_FILES = sorted((PACKAGE / "locale" / "fr" / "LC_MESSAGES").glob("*.po"))
KEYWORDS = ("_", "N_", "ngettext", "pgettext", "npgettext")
NBSP = "\u00a0"
NNBSP = "\u202f"
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def extracted() -> dict[tuple[str | None, str], dict]:
    """(context, msgid) → {"plural": msgid_plural or None, "where": [file:line]}."""
    out: dict[tuple[str | None, str], dict] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(PACKAGE), method_map=[("**.py", "python")], keywords=DEFAULT_KEYWORDS):
        msgid, plural = (message, None) if isinstance(message, str) else message[:2]
        entry = out.setdefault((context, msgid), {"plural": None, "where": []})
        entry["plural"] = entry["plural"] or plural
        entry["where"].append(f"workbench/{filename}:{lineno}")
    return out


PLURALS: dict[str, str] = {}      # catalogue key → msgid_plural


def po_entries() -> dict[Path, dict[tuple[str | None, str], list[str]]]:
    """Each .po file's translated entries: (context, msgid) → forms."""
    result = {}
    for path in PO_FILES:
        entries = {}
        for key, forms in i18n.read_po(path, PLURALS).items():
            ctx, sep, msgid = key.partition("\x04")
            entries[(ctx, msgid) if sep else (None, key)] = forms
        result[path] = entries
    return result


def _po_stub(missing) -> str:
    def q(s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    lines = []
    for (ctx, msgid), entry in missing:
        lines.append("#: " + " ".join(entry["where"][:2]))
        if ctx:
            lines.append(f"msgctxt {q(ctx)}")
        lines.append(f"msgid {q(msgid)}")
        if entry["plural"]:
            lines += [f"msgid_plural {q(entry['plural'])}", 'msgstr[0] ""', 'msgstr[1] ""']
        else:
            lines.append('msgstr ""')
        lines.append("")
    return "\n".join(lines)


def test_every_message_has_a_french_translation():
    catalogue = {}
    for entries in po_entries().values():
        catalogue.update(entries)
    missing = [(key, entry) for key, entry in extracted().items()
               if key not in catalogue or (entry["plural"] and len(catalogue[key]) < 2)]
    assert not missing, ("messages without a French translation; add them to your area's "
                         ".po file under workbench/locale/fr/LC_MESSAGES/:\n\n"
                         + _po_stub(missing))


def test_no_message_is_translated_two_ways():
    seen: dict[tuple[str | None, str], tuple[list[str], Path]] = {}
    conflicts = []
    for path, entries in po_entries().items():
        for key, forms in entries.items():
            if key in seen and seen[key][0] != forms:
                conflicts.append(f"{key[1]!r} (context {key[0]!r}): {seen[key][0]} in "
                                 f"{seen[key][1].name}, {forms} in {path.name}")
            seen.setdefault(key, (forms, path))
    assert not conflicts, ("one English message, two French ones (use pgettext with a "
                           "context where the meanings differ):\n" + "\n".join(conflicts))


def _string_literals(folder: Path) -> set[str]:
    """Every string literal of the Python files under ``folder`` (implicit concatenations
    joined, as the parser does), and each one as click shows a help text: dedented
    (``inspect.cleandoc``) and split at ``\\f``."""
    out: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.add(node.value)
                if "\n" in node.value:
                    clean = inspect.cleandoc(node.value)
                    out.add(clean)
                    out.update(clean.split("\f"))
    return out


def test_no_obsolete_entries():
    """Every entry of the catalogues is a message something shows: a string of the code
    (a ``_()``/``N_()``/``ngettext``/``pgettext`` msgid, an exception's title), a CLI
    help text (as click shows it), one of click's own words, or a usage word of the CLI
    (an argument's name in capitals: ``PROJECT``).  An entry whose msgid appears nowhere is obsolete (its text
    changed or went away): remove it from its ``.po`` file."""
    import click
    from workbench.cli import main
    from workbench.cli._i18n import help_msgids, usage_words
    used = _string_literals(PACKAGE) | _string_literals(Path(click.__file__).parent)
    used |= set(usage_words(main)) | set(help_msgids(main))
    obsolete = [f"{path.name}: {'[' + ctx + '] ' if ctx else ''}{msgid!r}"
                for path, entries in po_entries().items()
                for ctx, msgid in entries if msgid not in used]
    assert not obsolete, ("obsolete entries (their msgid appears in no source file): remove "
                          "them from their .po file:\n" + "\n".join(obsolete))


def test_catalogues_are_valid_for_babel_and_gettext_tools():
    for path in PO_FILES:
        with path.open("rb") as f:
            catalogue = babel_read_po(f, locale="fr")
        assert catalogue.plural_forms == "nplurals=2; plural=(n > 1);", path.name


def _typography_problems(text: str) -> list[str]:
    problems = []
    text = PLACEHOLDER.sub("{}", text)          # {sheet!r}: a format, not prose
    text = re.sub(r"`[^`]*`", "``", text)       # `clé: valeur`: code, as written
    for m in re.finditer(r"[:;?!»]", text):
        ch, i = m.group(), m.start()
        if ch == ":" and (i + 1 < len(text) and not text[i + 1].isspace()):
            continue                      # 12:30, ctrl+s:… (no space after: not a colon of prose)
        if ch == "!" and text[i + 1:i + 2] == "=":
            continue                      # != : an operator of the query language
        if ch in ";?!:" and i > 0 and text[i - 1] in "?!:;" :
            continue
        if i == 0 or text[i - 1] not in (NBSP, NNBSP):
            problems.append(f"no no-break space before {ch!r} in {text!r}")
    for m in re.finditer("«", text):
        if not text[m.end():m.end() + 1] in (NBSP, NNBSP):
            problems.append(f"no no-break space after « in {text!r}")
    if " " in text.replace(NBSP, "") and re.search(r"\d %", text):
        problems.append(f"a plain space before % in {text!r}")
    return problems


def test_french_typography():
    problems = []
    for path, entries in po_entries().items():
        for (_ctx, msgid), forms in entries.items():
            for form in forms:
                problems += [f"{path.name}: {p}" for p in _typography_problems(form)]
    assert not problems, "\n".join(problems)


def test_translations_keep_the_placeholders():
    problems = []
    for path, entries in po_entries().items():
        for (ctx, msgid), forms in entries.items():
            plural = PLURALS.get(f"{ctx}\x04{msgid}" if ctx else msgid, msgid)
            for i, form in enumerate(forms):
                wanted = set(PLACEHOLDER.findall(msgid if i == 0 else plural))
                got = set(PLACEHOLDER.findall(form))
                # a French singular may say "le codage" instead of "{n} codage"
                if got != wanted and not (len(forms) > 1 and i == 0 and got < wanted):
                    problems.append(f"{path.name}: {msgid!r} → {form!r}: {sorted(got)} != "
                                    f"{sorted(wanted)}")
    assert not problems, "\n".join(problems)


def _calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in KEYWORDS:
            yield node


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_messages_are_literals_babel_can_extract(path):
    """A message built with an f-string, ``+`` or ``%`` is never extracted (so never
    translated); a call nested in an f-string is invisible to Babel on Python 3.11."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    problems = []
    message_args = {"_": slice(0, 1), "N_": slice(0, 1), "ngettext": slice(0, 2),
                    "pgettext": slice(1, 2), "npgettext": slice(1, 3)}
    for node in _calls(tree):
        for arg in node.args[message_args[node.func.id]]:
            if isinstance(arg, (ast.JoinedStr, ast.BinOp)):
                problems.append(f"{path.name}:{node.lineno}: {node.func.id}() of a built string")
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if inner is not node and isinstance(inner, ast.Call) \
                        and isinstance(inner.func, ast.Name) and inner.func.id in KEYWORDS \
                        and inner.args and isinstance(inner.args[0], ast.Constant):
                    problems.append(f"{path.name}:{inner.lineno}: {inner.func.id}() inside an "
                                    f"f-string (Babel cannot see it)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_underscore_is_never_rebound_where_it_translates(path):
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    imports_underscore = any(
        isinstance(n, ast.ImportFrom) and n.module == "workbench.i18n"
        and any(a.name == "_" and a.asname is None for a in n.names) for n in ast.walk(tree))
    if not imports_underscore:
        return
    rebound = [n.lineno for n in ast.walk(tree)
               if isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)]
    rebound += [n.lineno for n in ast.walk(tree) if isinstance(n, ast.arg) and n.arg == "_"]
    assert not rebound, f"{path.name}: `_` rebound at lines {rebound} (it is gettext here)"


# "document(s)": a plural is chosen with the count (ngettext), never written both ways.
PARENTHESISED_PLURAL = re.compile(r"[^\W\d_]\((?:s|x)\)")
# transcription conventions, not plurals: "(rire(s))" is how transcribers note laughter
NOT_PLURALS = {"rire(s)"}


def _plural_problems(text: str) -> list[str]:
    return [m.group() for m in PARENTHESISED_PLURAL.finditer(text)
            if not any(w in text[max(0, m.start() - 10):m.end() + 1] for w in NOT_PLURALS)]


def test_no_parenthesised_plurals_in_messages():
    problems = []
    for (ctx, msgid), entry in extracted().items():
        for text in (msgid, entry["plural"] or ""):
            if _plural_problems(text):
                problems.append(f"{entry['where'][0]}: {text!r}")
    for path, entries in po_entries().items():
        for (ctx, msgid), forms in entries.items():
            for form in forms:
                if _plural_problems(form):
                    problems.append(f"{path.name}: {msgid!r} → {form!r}")
    assert not problems, ("a '(s)' plural: use ngettext with the count (or rephrase where "
                          "there is no count):\n" + "\n".join(problems))


def test_no_parenthesised_plurals_in_any_string_of_the_code():
    """Error texts not (yet) behind ``_()`` and docstrings too: '(s)' is never how we say it."""
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found = _plural_problems(node.value)
                if found:
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {found}")
    assert not problems, "a '(s)' plural in the code:\n" + "\n".join(problems)
