"""The command line in French: every command's and option's help, click's own words,
results and errors; French actor types accepted where the CLI takes one."""
from __future__ import annotations

import os
import re
from pathlib import Path

import click
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from click.testing import CliRunner

from workbench import i18n
from workbench.cli import main


@pytest.fixture
def french():
    old = i18n.language()
    i18n.set_language("fr")
    yield
    i18n.set_language(old)
    os.environ.pop("LANGUAGE", None)


def help_texts(command: click.Command):
    """(text, where) for every help of the command tree, as click shows it (English)."""
    from workbench.cli._i18n import help_msgids
    i18n.set_language("en")
    return [(text, where) for text, where in help_msgids(command).items()]


def test_every_command_and_option_help_has_a_french_translation():
    old = i18n.language()
    try:
        texts = list(help_texts(main))
    finally:
        i18n.set_language(old)
    catalogue = i18n.catalogue("fr")
    missing = {text: where for text, where in texts if text not in catalogue}
    stub = "\n".join(f"#: {where}\nmsgid {text!r}\nmsgstr \"\"\n" for text, where in missing.items())
    assert not missing, "CLI help without French (add to cli.po or your area's .po):\n" + stub
    assert len(texts) > 200


def test_clicks_own_words_have_a_french_translation():
    folder = os.path.dirname(click.__file__)
    catalogue = i18n.catalogue("fr")
    missing = []
    for _file, _line, message, _comments, context in extract_from_dir(
            folder, method_map=[("**.py", "python")], keywords=DEFAULT_KEYWORDS):
        msgid = message if isinstance(message, str) else message[0]
        if (f"{context}\x04{msgid}" if context else msgid) not in catalogue:
            missing.append(msgid)
    assert missing == []


def test_help_and_errors_in_french(french, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    out = result.output
    assert "Utilisation\u00a0:" in out and "Options" in out and "Commandes" in out
    assert "coder des transcriptions d'entretiens" in out
    assert "Afficher ce message et quitter." in out
    result = runner.invoke(main, ["codes", "create", "--help"])
    assert "Créer un code" in result.output and "Identifiant de la question" in result.output
    result = runner.invoke(main, ["info", str(tmp_path / "absent.wbproj")])
    assert result.exit_code == 1
    assert "fichier de projet introuvable" in result.output
    result = runner.invoke(main, ["info"])
    assert result.exit_code == 2 and "Argument manquant" in result.output


def test_french_actor_types_are_accepted(french, tmp_path):
    runner = CliRunner()
    project = tmp_path / "p.wbproj"
    (tmp_path / "e.txt").write_text("ENQ : Bonjour ?\nLéa : Bonjour, je suis formatrice.\n",
                                    encoding="utf-8")
    assert runner.invoke(main, ["init", str(project)]).exit_code == 0
    result = runner.invoke(main, ["import", str(project), str(tmp_path / "e.txt"),
                                  "--programme", "avenir", "--actor", "Formatrice"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["docs", "list", str(project), "--actor", "formateurs",
                                  "--format", "csv"])
    assert result.exit_code == 0 and "trainer" in result.output
    result = runner.invoke(main, ["docs", "list", str(project), "--actor", "stagiaire"])
    assert "(aucune ligne)" in result.output
    result = runner.invoke(main, ["docs", "list", str(project), "--actor", "pilote"])
    assert result.exit_code == 2
    assert "n'est pas un type d'acteur" in result.output and "bénéficiaire" in result.output


# ------------------------------------------------------------------ bad input, in French

#: words of English sentences that no French message contains (file names and paths are
#: taken out of the output before looking)
ENGLISH = re.compile(r"\b(the|not|is|are|of|and|with|without|cannot|can't|file|files|failed|"
                     r"imported|error|line|column|expected|found|missing|such|bytes|refusing|"
                     r"malformed|invalid|valid|damaged|empty|no|unknown|already|decoded|"
                     r"warning|stopped|cancelled|members|entity|tag|element|"
                     r"project|zip bomb)\b")
#: a colon, semicolon, question or exclamation mark of prose without its no-break space
#: (``file:12`` and ``12:30`` have no space after: not prose)
BAD_TYPOGRAPHY = re.compile(r"(?<![\u00a0\u202f:;?!])[:;?!](?=\s|$)")


def _french_problems(text: str, *strip: str) -> list[str]:
    for s in sorted(strip, key=len, reverse=True):
        text = text.replace(s, "")
    text = re.sub(r"[\w./\\-]+\.(?:docx|odt|rtf|trs|txt|text|md|markdown|srt|vtt|json|csv|"
                  r"tsv|xlsx|yaml|qdc|qdpx|qde|wbproj|xml|bin|rels)\b", "F", text)
    problems = [f"English {m.group()!r} in {line!r}" for line in text.splitlines()
                for m in ENGLISH.finditer(line)]
    problems += [f"no no-break space before {m.group()!r} in {line!r}"
                 for line in text.splitlines() for m in BAD_TYPOGRAPHY.finditer(line)]
    return problems


def test_every_bad_input_is_refused_in_french(french, tmp_path):
    """Every hostile file of tests/hostile_files.py, given to `import` and to every command
    of test_hostile's FILE_COMMANDS, is refused in French with French typography: no
    English sentence from a parser, a library (zip, XML, YAML) or the import summary."""
    import hostile_files as H
    from test_hostile import FILE_COMMANDS

    runner = CliRunner()
    project = tmp_path / "p.wbproj"
    assert runner.invoke(main, ["init", str(project)]).exit_code == 0
    folder = tmp_path / "mauvais"
    bad = H.build_bad_files(folder)
    result = runner.invoke(main, ["import", str(project), str(folder)])
    assert result.exit_code == 1
    outputs = [("import", result.stderr + result.stdout)]
    assert f"0 importé, {len(bad)} en échec" in result.stderr
    assert "échec" in result.stdout and "failed" not in result.stdout
    for builder in H.QDPX_BAD_BUILDERS:
        path = builder(tmp_path)
        result = runner.invoke(main, ["import", str(project), str(path)])
        assert result.exit_code == 1, path.name
        outputs.append((f"import {path.name}", result.stderr))
    result = runner.invoke(main, ["import", str(project), str(tmp_path / "absent.txt")])
    outputs.append(("import absent.txt", result.stderr + result.stdout))
    junk = tmp_path / "junk"
    junk.mkdir()
    for ext, commands in FILE_COMMANDS.items():
        for path in (H.binary_junk(junk, ext), H.empty_file(junk, ext), H.zip_disguised(junk, ext)):
            for command in commands:
                args = [a.format(proj=project, bad=path, out=tmp_path / "t.xlsx") for a in command]
                result = runner.invoke(main, args)
                assert result.exit_code == 1, (args, result.output)
                outputs.append((" ".join(command[:2]) + " " + path.name, result.stderr))
    problems = [f"{what}: {p}" for what, text in outputs
                for p in _french_problems(text, str(tmp_path))]
    assert not problems, "\n".join(problems)


def test_library_errors_are_said_in_the_users_language():
    """A library's English reason is translated when we know it, kept in English, and a
    neutral French phrase when we do not (never an English sentence in French)."""
    import errno

    from workbench.safety.errors import library_detail, os_reason
    i18n.set_language("fr")
    try:
        assert library_detail("Opening and ending tag mismatch: p line 2 and body, line 2, "
                              "column 176") == "élément <p> fermé par </body> (ligne 2, colonne 176)"
        assert library_detail("mismatched tag: line 4, column 12") == \
            "un élément est fermé par la balise d'un autre (ligne 4, colonne 12)"
        assert library_detail("File is not a zip file") == "ce n'est pas une archive zip"
        assert library_detail("some new libxml2 complaint, line 3, column 1") == \
            "contenu inattendu (ligne 3, colonne 1)"
        assert library_detail("word/document.xml") == "word/document.xml"     # a name
        assert os_reason(OSError(errno.ENOENT, "No such file or directory")) == \
            "fichier ou dossier introuvable"
        assert os_reason(OSError(errno.EXDEV, "Invalid cross-device link")) == \
            "erreur système EXDEV"
    finally:
        i18n.set_language("en")
    assert library_detail("some new libxml2 complaint, line 3, column 1") == \
        "some new libxml2 complaint (line 3, column 1)"
    assert library_detail("File is not a zip file") == "not a zip archive"


def _contexts(command: click.Command, parent: click.Context | None = None,
              name: str = "workbench"):
    """A click context for every command of the tree (what ``--help`` formats with)."""
    ctx = command.context_class(command, info_name=name, parent=parent)
    yield ctx
    if isinstance(command, click.Group):
        for sub_name, sub in command.commands.items():
            yield from _contexts(sub, ctx, sub_name)


def test_every_usage_word_has_a_french_translation():
    from workbench.cli._i18n import usage_words
    catalogue = i18n.catalogue("fr")
    missing = {word: where for word, where in usage_words(main).items() if word not in catalogue}
    stub = "\n".join(f"#: {where}\nmsgid {word!r}\nmsgstr \"\"\n" for word, where in missing.items())
    assert not missing, "usage words without French (add to cli.po):\n" + stub


def test_no_english_usage_word_in_the_french_help_of_any_command(french):
    """The usage line and the metavars of every command's --help are French: no
    PROJECT, PATHS, TEXT, COMMAND [ARGS]... (a word whose French is the same, CODE or
    [OPTIONS], is French)."""
    import re
    from workbench.cli import load_all_commands
    from workbench.cli._i18n import click_speaks, translate_tree, usage_words
    load_all_commands()
    catalogue = i18n.catalogue("fr")
    english = sorted((w for w in usage_words(main) if catalogue.get(w, [w])[0] != w),
                     key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in english) + r")(?![\w-])")
    translate_tree(main)
    click_speaks()
    offenders = {}
    contexts = list(_contexts(main))
    for ctx in contexts:
        usage, _sep, rest = ctx.get_help().partition("\n")
        # the usage line and the options' column (help texts are checked by the catalogue)
        where = [usage] + [re.split(r"\s{2,}", line.strip())[0]
                           for line in rest.splitlines() if line.startswith("  -")]
        found = {m for line in where for m in pattern.findall(line)}
        if found:
            offenders[ctx.command_path] = sorted(found)
    assert not offenders, offenders
    assert len(contexts) > 100
    runner = CliRunner()
    usage = runner.invoke(main, ["export", "report", "--help"]).output.splitlines()[0]
    assert usage == "Utilisation\u00a0: main export report [OPTIONS] PROJET [SORTIE]"
    result = runner.invoke(main, ["info"])
    assert result.exit_code == 2 and "Argument manquant 'PROJET'" in result.output


def test_usage_words_stay_english_in_english():
    old = i18n.language()
    try:
        i18n.set_language("en")
        runner = CliRunner()
        out = runner.invoke(main, ["export", "report", "--help"]).output
        assert out.splitlines()[0] == "Usage: main export report [OPTIONS] PROJECT [OUT]"
        assert "--title TEXT" in out and "--from YYYY-MM-DD" in out
        assert "Usage: main [OPTIONS] COMMAND [ARGS]..." in runner.invoke(main, ["--help"]).output
    finally:
        i18n.set_language(old)


def test_the_command_list_is_french_in_a_fresh_process(tmp_path):
    """`workbench --help` in a new French process: every command's short help in French,
    including commands whose module came in with another's (waves imports ingest)."""
    import subprocess
    import sys
    env = {**os.environ, "LANG": "fr_FR.UTF-8", "LC_ALL": "", "WORKBENCH_LANG": "fr",
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    out = subprocess.run([sys.executable, "-c", "from workbench.cli import main; main()",
                          "--help"], capture_output=True, text=True, env=env, cwd=tmp_path,
                         timeout=120).stdout
    listed = out.split("Commandes\u00a0:", 1)[1]
    assert "Lister et afficher les documents." in listed
    assert "Importer des transcriptions" in listed and "Triangulation des sources" in listed
    english = [line for line in listed.splitlines()
               if re.search(r"\b(the|and|of|List|Import|Mark|Saved|Coded)\b", line)]
    assert english == []
