"""The team's own lists: terms to detect, by category (a YAML file).

::

    # listes.yaml: what NER cannot know
    categories:                  # optional: new categories, or change a built-in one
      bailleur: {label: Bailleur, kind: organisation, action: replace}
      training_body: {action: keep}
    employer:                    # built-in categories: employer, small_town, training_body,
      - Renault                  # person, place, organisation, institution...
      - Leroy Merlin
    small_town: [Vire, Torigny-les-Villes]
    training_body: [AFPA, GRETA Sud Normandie]
    person:
      - [Karima Benali, Karima, Mme Benali]   # one person written several ways

Terms are matched ignoring case ("leroy merlin" is found), at word boundaries.  A bad
file is refused with its line number, and nothing is changed.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from workbench.domain import ValidationError
from workbench.i18n import _, located, ngettext
from workbench.safety.errors import library_detail, os_reason
from workbench.privacy.categories import ACTIONS, BUILTIN, KINDS, Category, valid_name


@dataclass
class TeamLists:
    path: str
    sha256: str
    categories: dict[str, Category] = field(default_factory=dict)   # new or changed
    terms: list[tuple[str, list[str]]] = field(default_factory=list)  # (category, variants)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for cat, _variants in self.terms:
            out[cat] = out.get(cat, 0) + 1
        return out


def _error(path: Path, node, message: str) -> ValidationError:
    line = node.start_mark.line + 1 if node is not None else 1
    return ValidationError(located(f"{path}:{line}", message))


def _scalar(path: Path, node) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise _error(path, node, _("expected a term (text)"))
    return " ".join(str(node.value).split())


def load_lists(path: str | Path, known: dict[str, Category] | None = None) -> TeamLists:
    """Read and check a lists file; ``known``: the project's categories (built-in ones
    when not given)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        raise ValidationError(located(path, os_reason(exc))) from None
    except UnicodeDecodeError as exc:
        raise ValidationError(_("{path}: not UTF-8 text (byte {pos})").format(
            path=path, pos=exc.start)) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise ValidationError(located(f"{path}:{line}", _("malformed YAML: {detail}").format(
            detail=library_detail(getattr(exc, "problem", None) or exc)))) from None
    out = TeamLists(str(path), hashlib.sha256(raw).hexdigest())
    if root is None:
        return out
    if not isinstance(root, yaml.MappingNode):
        raise _error(path, root, _("expected categories and their terms (a mapping)"))
    cats = dict(known or BUILTIN)
    for key_node, value in root.value:
        if _scalar(path, key_node) != "categories":
            continue
        if not isinstance(value, yaml.MappingNode):
            raise _error(path, value, _("'categories' must map each category to its settings"))
        for name_node, spec in value.value:
            name = _scalar(path, name_node)
            if not valid_name(name):
                raise _error(path, name_node, _(
                    "category names are lower-case letters, digits and _ (not {name!r})").format(
                        name=name))
            if not isinstance(spec, yaml.MappingNode):
                raise _error(path, spec, _("settings of {name}: label, kind, action").format(
                    name=name))
            base = cats.get(name)
            settings = {_scalar(path, k): (_scalar(path, v), v) for k, v in spec.value}
            unknown = set(settings) - {"label", "kind", "action"}
            if unknown:
                raise _error(path, spec, ngettext(
                    "unknown setting {names}: use label, kind, action",
                    "unknown settings {names}: use label, kind, action", len(unknown)).format(
                        names=", ".join(sorted(unknown))))
            kind, kind_node = settings.get("kind", (base.kind if base else "", spec))
            if kind not in KINDS:
                raise _error(path, kind_node, _("kind of {name} must be one of {kinds}").format(
                    name=name, kinds=", ".join(KINDS)))
            action, action_node = settings.get("action", (base.action if base else "replace",
                                                          spec))
            if action not in ACTIONS:
                raise _error(path, action_node, _("action must be replace or keep"))
            label = settings.get("label", (base.label if base else name.capitalize(), spec))[0]
            cat = Category(name, label, kind, action, base.title if base else "")
            cats[name] = cat
            out.categories[name] = cat
    for key_node, value in root.value:
        category = _scalar(path, key_node)
        if category == "categories":
            continue
        if category not in cats:
            raise _error(path, key_node, _(
                "unknown category {name!r}: declare it under 'categories' or use one of "
                "{known}").format(name=category, known=", ".join(cats)))
        if value is None or (isinstance(value, yaml.ScalarNode) and value.value in ("", None)):
            continue
        if not isinstance(value, yaml.SequenceNode):
            raise _error(path, value, _("the terms of {name} must be a list").format(
                name=category))
        for item in value.value:
            if isinstance(item, yaml.SequenceNode):
                variants = [_scalar(path, v) for v in item.value]
                if not variants:
                    raise _error(path, item, _("an empty list of variants"))
            else:
                variants = [_scalar(path, item)]
            out.terms.append((category, list(dict.fromkeys(variants))))
    return out
