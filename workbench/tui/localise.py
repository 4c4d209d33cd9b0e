"""Footer key labels that follow the language switch.

Textual builds a node's bindings from its class ``BINDINGS`` once, with the
description written at import time (``t("key.back")`` in the language of that
moment).  :func:`localise_bindings` rewrites the descriptions of a node's bindings
in the current language, by looking each description up in both catalogs.
"""
from __future__ import annotations

from dataclasses import replace

from workbench.tui import i18n

_REVERSE: dict[str, list[str]] | None = None


def _reverse() -> dict[str, list[str]]:
    """Message text (in either language) → the catalog keys carrying it."""
    global _REVERSE
    if _REVERSE is None:
        rev: dict[str, list[str]] = {}
        for catalog in (i18n.EN, i18n.FR):
            for key, text in catalog.items():
                if key not in rev.setdefault(text, []):
                    rev[text].append(key)
        _REVERSE = rev
    return _REVERSE


def label_keys(text: str) -> list[str]:
    return _reverse().get(text, [])


def translate_label(text: str) -> str:
    """``text`` (a label from either catalog) in the current language.  When several
    keys carry the text, ``key.*`` keys win, then the first."""
    keys = label_keys(text)
    if not keys:
        return text
    key = next((k for k in keys if k.startswith("key.")), keys[0])
    return i18n.t(key)


def localise_bindings(node) -> None:
    """Rewrite the descriptions of ``node``'s bindings in the current language."""
    bindings = getattr(node, "_bindings", None)
    if bindings is None:
        return
    for key, items in list(bindings.key_to_bindings.items()):
        new = [replace(b, description=translate_label(b.description)) if b.description else b
               for b in items]
        if any(a is not b for a, b in zip(new, items)):
            bindings.key_to_bindings[key] = new


def localise_tree(app) -> None:
    """The app's bindings and those of every screen on the stack (and their widgets)."""
    localise_bindings(app)
    for screen in app.screen_stack:
        localise_bindings(screen)
        for widget in screen.walk_children():
            localise_bindings(widget)
