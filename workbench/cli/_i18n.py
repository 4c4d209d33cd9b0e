"""The command line in the user's language: command and option help, and click's own
words (Usage, Options, "Missing argument"…).

* Help texts are written in English in the code (docstrings, ``help=``) and are msgids:
  :func:`translate_tree` puts each command's and option's help in the current language
  before click parses (``I18nGroup.main``), keeping the English to translate again.
* The usage line and the metavars (``[OPTIONS]``, ``PROJECT``, ``TEXT``, ``NAME``…) are
  msgids too: :func:`translate_tree` sets each parameter's metavar in the current
  language (:func:`english_metavar`: an explicit ``metavar=``, an argument's name, a
  type's name), except a list of choices, whose values are what the user types.
* click translates its own messages with the standard ``gettext`` module (domain
  ``messages``): :func:`click_speaks` compiles the French catalogues into a ``.mo``
  file once (cached by content) and binds that domain to it.
"""
from __future__ import annotations

import gettext
import hashlib
import os
import tempfile
from pathlib import Path

import click

from workbench import i18n
from workbench.i18n import N_, _

__all__ = ["I18nGroup", "click_speaks", "english_metavar", "help_msgids", "translate_tree",
           "usage_words"]

#: click's words that Babel cannot see (written inside an f-string in click).
CLICK_EXTRA = (N_("Usage:"),)
#: click's usage words: the options' and the sub-commands' placeholders, the metavars of
#: its types (a type's name, upper-cased).
USAGE_WORDS = (N_("[OPTIONS]"), N_("COMMAND [ARGS]..."), N_("TEXT"), N_("INTEGER"),
               N_("FLOAT"), N_("BOOLEAN"), N_("FILE"), N_("DIRECTORY"), N_("PATH"),
               N_("FILENAME"))
_NO_METAVAR = object()
_ORIGINAL = "_workbench_english"


def _english(obj, attr: str):
    """The English text of ``obj.attr`` as first written (kept across translations)."""
    saved = obj.__dict__.setdefault(_ORIGINAL, {})
    if attr not in saved:
        saved[attr] = getattr(obj, attr, None)
    return saved[attr]


def _tr(text):
    if not text:
        return text
    return _(text) if "\f" not in text else "\f".join(_(part) for part in text.split("\f"))


def translate_tree(command: click.Command) -> None:
    """Every command's help, short help and epilog and every option's help, in the
    current language (from the English kept on first call)."""
    for attr in ("help", "short_help", "epilog"):
        english = _english(command, attr)
        if english:
            setattr(command, attr, _tr(inspect_clean(english)))
    options = _english(command, "options_metavar")
    if options:
        command.options_metavar = _(options)
    if isinstance(command, click.Group):
        sub = _english(command, "subcommand_metavar")
        if sub:
            command.subcommand_metavar = _(sub)
    cached_help = command.__dict__.get("_help_option")   # click keeps --help's option
    for param in [*command.params, *([cached_help] if cached_help is not None else [])]:
        english = _english(param, "help")
        if english:
            param.help = _(english)
        _translate_metavar(command, param)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            translate_tree(sub)


def english_metavar(command: click.Command, param: click.Parameter) -> str | None:
    """The English word click shows for a parameter, without brackets or dots (the
    msgid): its ``metavar=``, an argument's name or a type's name, upper-cased; None for
    a flag and for a list of choices (the values are typed as they are)."""
    explicit = _english(param, "metavar")
    if explicit:
        return explicit
    if isinstance(param, click.Option) and (param.is_flag or param.count):
        return None
    if param.type.get_metavar(param=param, ctx=click.Context(command)) is not None:
        return None
    if isinstance(param, click.Argument):
        return (param.name or "").upper() or None
    kind = param.type
    if isinstance(kind, click.Path):     # (click names it in the language of its import)
        return "FILE" if kind.file_okay and not kind.dir_okay else (
            "DIRECTORY" if kind.dir_okay and not kind.file_okay else "PATH")
    return _english(kind, "name").upper()


def _translate_metavar(command: click.Command, param: click.Parameter) -> None:
    """Set ``param.metavar`` to click's own decoration of the translated word (what
    ``make_metavar`` would show for it), or leave a choice list to click."""
    saved = param.__dict__.setdefault(_ORIGINAL, {})
    word = saved.get("metavar_word", _NO_METAVAR)
    if word is _NO_METAVAR:
        word = saved["metavar_word"] = english_metavar(command, param)
    if word is None:
        return
    text = _(word)
    if _english(param, "metavar") is None:           # click's decoration of its default
        if isinstance(param, click.Argument):
            text += "!" if getattr(param, "deprecated", False) else ""
            text = text if param.required else f"[{text}]"
        if param.nargs != 1:
            text += "..."
    param.metavar = text


def help_msgids(command: click.Command, path: str = "workbench") -> dict[str, str]:
    """{English help text (msgid): where} of the command tree, as :func:`translate_tree`
    translates them: commands' help, short help and epilog (dedented, each part between
    ``\\f``) and options' help (for the catalogue tests)."""
    from workbench.cli import load_all_commands
    load_all_commands()
    out: dict[str, str] = {}
    for attr in ("help", "short_help", "epilog"):
        text = _english(command, attr)
        if text:
            for part in inspect_clean(text).split("\f"):
                out.setdefault(part, path)
    for param in command.params:
        text = _english(param, "help")
        if text:
            out.setdefault(text, f"{path} {param.opts[0] if param.opts else param.name}")
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            for text, where in help_msgids(sub, f"{path} {name}").items():
                out.setdefault(text, where)
    return out


def usage_words(command: click.Command) -> dict[str, str]:
    """{English usage word (msgid): where} of the command tree: the metavars of its
    parameters and click's placeholders (for the catalogue tests)."""
    from workbench.cli import load_all_commands
    load_all_commands()
    words: dict[str, str] = {w: "click" for w in USAGE_WORDS}

    def walk(cmd: click.Command, path: str) -> None:
        for param in cmd.params:
            word = english_metavar(cmd, param)
            if word:
                words.setdefault(word, f"{path} {param.name}")
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                walk(sub, f"{path} {name}")
    walk(command, "workbench")
    return words


def inspect_clean(text: str) -> str:
    import inspect
    return inspect.cleandoc(text)


def click_speaks(lang: str | None = None) -> None:
    """Have click say its own words in ``lang`` (the current language by default)."""
    lang = lang or i18n.language()
    os.environ["LANGUAGE"] = lang
    if lang == "en":
        return
    folder = _compiled(lang)
    gettext.bindtextdomain("messages", str(folder))


def _compiled(lang: str) -> Path:
    """A folder holding ``<lang>/LC_MESSAGES/messages.mo`` made from the catalogues
    (Babel is loaded only to make it: every French command starts here)."""
    files = i18n.catalogue_files(lang)
    digest = hashlib.sha1()
    for f in files:
        digest.update(f.name.encode() + f.read_bytes())
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    try:
        base.mkdir(parents=True, exist_ok=True)
        folder = base / "workbench" / f"locale-{digest.hexdigest()[:16]}"
    except OSError:
        folder = Path(tempfile.gettempdir()) / f"workbench-locale-{digest.hexdigest()[:16]}"
    target = folder / lang / "LC_MESSAGES" / "messages.mo"
    if target.exists():
        return folder
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    catalog = Catalog(locale=lang)
    for key, forms in i18n.catalogue(lang).items():
        ctx, sep, msgid = key.partition("\x04")
        context = ctx if sep else None
        msgid = msgid if sep else key
        if len(forms) > 1:
            plural = i18n.plural_of(key) or msgid
            catalog.add((msgid, plural), tuple(forms), context=context)
        else:
            catalog.add(msgid, forms[0], context=context)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_suffix(f".{os.getpid()}.part")
    with open(part, "wb") as fh:
        write_mo(fh, catalog)
    os.replace(part, target)
    return folder


class I18nFormatter(click.HelpFormatter):
    """Section headings in the language's typography ("Options :" in French)."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{i18n.colon(heading)}\n")


class I18nContext(click.Context):
    formatter_class = I18nFormatter


class I18nCommand(click.Command):
    context_class = I18nContext


class I18nGroup(click.Group):
    """The main group (and every group and command under it): help and click's words in
    the current language."""

    context_class = I18nContext
    command_class = I18nCommand
    group_class = type                      # sub-groups are I18nGroups too

    def main(self, *args, **kwargs):
        translate_tree(self)
        click_speaks()
        return super().main(*args, **kwargs)
