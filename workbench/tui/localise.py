"""Footer key labels that follow the language switch.

Textual builds a node's bindings from its class ``BINDINGS`` once, with the
description written at import time (``t("key.back")`` in the language of that
moment).  :func:`localise_bindings` rewrites the descriptions of a node's bindings
in the current language, by looking each description up in both catalogs.
"""
from __future__ import annotations

from dataclasses import replace

from workbench.tui import i18n

_REVERSE: dict[str, str] | None = None


def _reverse() -> dict[str, str]:
    """Message text (in either language) → catalog key.  ``key.*`` keys win a tie."""
    global _REVERSE
    if _REVERSE is None:
        rev: dict[str, str] = {}
        for catalog in (i18n.EN, i18n.FR):
            for key, text in catalog.items():
                if key.startswith("key."):
                    rev[text] = key
                else:
                    rev.setdefault(text, key)
        _REVERSE = rev
    return _REVERSE


def translate_label(text: str) -> str:
    """``text`` (a label from either catalog) in the current language."""
    key = _reverse().get(text)
    return i18n.t(key) if key else text


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
