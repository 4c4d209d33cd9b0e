"""The public types and helpers of Workbench, besides the :class:`~workbench.project.Project`
facade and :mod:`workbench.domain`: what the CLI, the TUI and notebooks may import.

The layering contracts in ``pyproject.toml`` (``[tool.importlinter]``) let the CLI and the
TUI import only ``workbench.project``, ``workbench.domain``, this module and the message and
label modules; anything else they need from the core is named here.  Each name is loaded
on first use, so importing this module costs nothing (a read command loads only what it
uses).  To publish a new name, add it to ``_WHERE`` and to the ``TYPE_CHECKING`` block.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: public name -> module defining it
_WHERE = {
    # errors a face catches to ask the user or show the details
    "ImportFileError": "workbench.ingest.model",
    "ConfirmationRequired": "workbench.coding.engine",
    "TableTypeError": "workbench.tables",
    "MergeConflicts": "workbench.team.merge",
    "TopicRunCancelled": "workbench.topics._base",
    # values a face builds and passes to the facade
    "Rule": "workbench.coding.autocode",
    "RULE_KINDS": "workbench.coding.autocode",
    "RULE_SPANS": "workbench.coding.autocode",
    "describe_import": "workbench.codebook.project_ops",
    "parse_type_override": "workbench.tables",
    "parse_column_mapping": "workbench.ingest.parsers",
    # codebook files (read, checked and compared before a project is involved)
    "validate_codebook_file": "workbench.codebook",
    "load_codebook": "workbench.codebook",
    "diff_codebooks": "workbench.codebook",
    "format_changes": "workbench.codebook",
    "read_codebook_file": "workbench.codebook.project_ops",
    # vocabularies offered as choices
    "UNIT_KINDS": "workbench.agreement.units",
    "UNIT_LABELS": "workbench.agreement.units",
    "LEVELS": "workbench.agreement.stats",
    "BOOTSTRAP_RESAMPLES": "workbench.agreement.stats",
    "BOOTSTRAP_SEED": "workbench.agreement.stats",
    "LOW_TOPIC_PROBABILITY": "workbench.topics.service",
    "topic_rule": "workbench.topics.service",
    # errors of the project file and of the disk, in the user's words
    "WouldWait": "workbench.store.errors",
    "as_user_error": "workbench.store.errors",
    "translate": "workbench.store.errors",
    "translate_os_error": "workbench.store.errors",
    # files outside any project
    "atomic_output": "workbench.safety.files",
    "write_xlsx": "workbench.export.tables",
    "saturation_chart": "workbench.export.charts",
    "is_encrypted": "workbench.privacy.keyfile",
    "reidentify": "workbench.privacy.reidentify",
    "ensure_demo": "workbench.demo",
    "build_demo": "workbench.demo",
}

__all__ = sorted(_WHERE)

if TYPE_CHECKING:  # the same names, for type checkers and the import contracts
    from workbench.agreement.stats import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, LEVELS
    from workbench.agreement.units import UNIT_KINDS, UNIT_LABELS
    from workbench.codebook import (diff_codebooks, format_changes, load_codebook,
                                    validate_codebook_file)
    from workbench.codebook.project_ops import describe_import, read_codebook_file
    from workbench.coding.autocode import RULE_KINDS, RULE_SPANS, Rule
    from workbench.coding.engine import ConfirmationRequired
    from workbench.demo import build_demo, ensure_demo
    from workbench.export.charts import saturation_chart
    from workbench.export.tables import write_xlsx
    from workbench.safety.files import atomic_output
    from workbench.store.errors import WouldWait, as_user_error, translate, translate_os_error
    from workbench.ingest.model import ImportFileError
    from workbench.ingest.parsers import parse_column_mapping
    from workbench.privacy.keyfile import is_encrypted
    from workbench.privacy.reidentify import reidentify
    from workbench.tables import TableTypeError, parse_type_override
    from workbench.team.merge import MergeConflicts
    from workbench.topics._base import TopicRunCancelled
    from workbench.topics.service import LOW_TOPIC_PROBABILITY, topic_rule


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench.public' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
