"""The command line in French: every command's and option's help, click's own words,
results and errors; French actor types accepted where the CLI takes one."""
from __future__ import annotations

import inspect
import os

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


def help_texts(command: click.Command, path: str = "workbench"):
    """(text, where) for every help of the command tree, as click shows it (English)."""
    from workbench.cli import load_all_commands
    from workbench.cli._i18n import _english, translate_tree
    load_all_commands()                       # the main group loads commands on demand
    i18n.set_language("en")
    translate_tree(command)                   # the English kept on first use
    for attr in ("help", "short_help", "epilog"):
        text = _english(command, attr)
        if text:
            for part in inspect.cleandoc(text).split("\f"):
                yield part, path
    for param in command.params:
        if _english(param, "help"):
            yield _english(param, "help"), f"{path} {param.opts[0] if param.opts else param.name}"
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from help_texts(sub, f"{path} {name}")


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
