"""The terminal interface follows the language: every screen is Localised, every key has
a description (so the help lists it), labels follow a switch through public Textual API."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

from tests.tui_helpers import make_project
from workbench import i18n
from workbench.tui.app import WorkbenchApp
from workbench.tui.lang import Localised, key_label, keys_label

SIZE = (120, 36)


def tui_classes():
    import workbench.tui.screens as screens
    import workbench.tui.widgets as widgets
    modules = [importlib.import_module(f"{pkg.__name__}.{m.name}")
               for pkg in (screens, widgets) for m in pkgutil.iter_modules(pkg.__path__)]
    modules.append(importlib.import_module("workbench.tui.app"))
    for module in modules:
        for cls in vars(module).values():
            if inspect.isclass(cls) and issubclass(cls, DOMNode) \
                    and cls.__module__ == module.__name__:
                yield cls


def test_every_screen_follows_the_language():
    screens = [cls for cls in tui_classes() if issubclass(cls, Screen)]
    assert len(screens) > 15
    assert [c.__name__ for c in screens if not issubclass(c, Localised)] == []


def test_every_key_has_a_description_for_the_help():
    missing = []
    for cls in tui_classes():
        for b in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])):
            if not b.description:
                missing.append(f"{cls.__name__}: {b.key} → {b.action}")
    assert missing == []


def test_key_names_in_french():
    old = i18n.language()
    i18n.set_language("fr")
    try:
        assert key_label("escape") == "échap"
        assert key_label("delete") == "suppr"
        assert key_label("shift+up") == "maj+↑"
        assert key_label("question_mark") == "?"
        assert keys_label("u,ctrl+z") == "u ctrl+z"
    finally:
        i18n.set_language(old)


@pytest.fixture
def path(tmp_path):
    p = make_project(tmp_path / "proj")
    path = p.path
    p.close()
    return path


@pytest.mark.anyio
async def test_help_lists_every_screen_key_in_the_current_language(path):
    from workbench.tui.screens.help import help_sections
    old = i18n.language()
    i18n.set_language("fr")
    try:
        app = WorkbenchApp(path, coder="testeur", poll=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f1")
            await pilot.pause()
            text = str(app.screen.query_one("#help-text").render())
            for _section, _title, classes in help_sections():
                for cls in classes:
                    for b in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])):
                        assert i18n._(b.description) in text, (cls.__name__, b.key)
            assert "appliquer le code de cet emplacement" in text
            assert "1 & 2 é" in text and "9 ç" in text and "\nCodage\n" in text
    finally:
        i18n.set_language(old)


@pytest.mark.anyio
async def test_switching_language_relabels_every_screen_on_the_stack(path):
    old = i18n.language()
    i18n.set_language("en")
    try:
        app = WorkbenchApp(path, coder="testeur", poll=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("d")
            await pilot.pause()
            docs = app.screen
            assert docs.title == "Documents"
            placeholder = docs.query_one("#doc-search").placeholder
            assert placeholder == "Full-text search…"
            await pilot.press("ctrl+l")
            await pilot.pause()
            assert i18n.language() == "fr"
            assert docs.query_one("#doc-search").placeholder == "Recherche plein texte…"
            assert "Retour" in {k.description for k in docs.query("FooterKey")}
            await pilot.press("q")
            await pilot.pause()
            home = app.screen
            assert home.title == "Accueil"
            assert "Documents par programme et type d'acteur" in str(
                home.query_one(".section-title").render())
    finally:
        i18n.set_language(old)


@pytest.mark.anyio
@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_home_menu_names_every_key_of_home(path, lang):
    """The line of keys under home's tables names every key home answers (w waves and
    t team too, which the footer leaves out for room), in each language."""
    from workbench.tui.screens.home import HomeScreen
    old = i18n.language()
    i18n.set_language(lang)
    try:
        app = WorkbenchApp(path, coder="testeur", poll=False)
        async with app.run_test(size=(140, 42)) as pilot:
            await pilot.pause()
            menu = str(app.screen.query_one("#home-menu").render())
            first = {}              # one key per action ("d,g": d is the one shown)
            for b in Binding.make_bindings(HomeScreen.BINDINGS):
                first.setdefault(b.action, b.key)
            keys = [k for action, k in first.items() if action != "back"]
            missing = [k for k in keys if f"{k} " not in menu.replace("\u00a0", " ")]
            assert missing == [], menu
    finally:
        i18n.set_language(old)
