"""Codebooks: the model, the YAML format, REFI-QDA ``.qdc`` exchange and diffs.

Pure: no database, no user interface, no network.  The format is described in
``docs/codebook-format.md``.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: public name -> submodule (loaded on first use: the YAML and XML readers cost imports
#: that a command not touching codebooks should not pay)
_WHERE = {
    **dict.fromkeys(("CodebookChange", "diff_codebooks", "format_changes"), "diff"),
    **dict.fromkeys(("SIDES", "Codebook", "CodeDef", "EvaluationQuestion", "join_path",
                     "name_key", "split_path", "CodebookError", "CodebookProblem"), "model"),
    **dict.fromkeys(("code_guid", "dumps_qdc", "export_qdc", "import_qdc", "loads_qdc",
                     "read_qdc"), "qdc"),
    **dict.fromkeys(("dump_codebook", "load_codebook",
                     "loads_codebook", "parse_codebook", "save_codebook",
                     "validate_codebook_file", "validate_codebook_text"), "yaml_format"),
}

if TYPE_CHECKING:
    from .diff import CodebookChange, diff_codebooks, format_changes
    from .model import (SIDES, Codebook, CodebookError, CodebookProblem, CodeDef,
                        EvaluationQuestion, join_path, name_key, split_path)
    from .qdc import code_guid, dumps_qdc, export_qdc, import_qdc, loads_qdc, read_qdc
    from .yaml_format import (dump_codebook, load_codebook,
                              loads_codebook, parse_codebook, save_codebook,
                              validate_codebook_file, validate_codebook_text)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "SIDES", "Codebook", "CodeDef", "EvaluationQuestion", "join_path", "split_path", "name_key",
    "CodebookProblem", "CodebookError", "load_codebook", "loads_codebook", "parse_codebook",
    "validate_codebook_file", "validate_codebook_text", "dump_codebook", "save_codebook",
    "export_qdc", "dumps_qdc", "import_qdc", "read_qdc", "loads_qdc", "code_guid",
    "CodebookChange", "diff_codebooks", "format_changes",
]
