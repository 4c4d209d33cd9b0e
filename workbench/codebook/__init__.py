"""Codebooks: the model, the YAML format, REFI-QDA ``.qdc`` exchange and diffs.

Pure: no database, no user interface, no network.  The format is described in
``docs/codebook-format.md``.
"""
from .diff import CodebookChange, diff_codebooks, format_changes
from .model import (
    SIDES,
    Codebook,
    CodeDef,
    EvaluationQuestion,
    join_path,
    name_key,
    split_path,
)
from .qdc import code_guid, dumps_qdc, export_qdc, import_qdc, loads_qdc, read_qdc
from .yaml_format import (
    CodebookError,
    CodebookProblem,
    dump_codebook,
    load_codebook,
    loads_codebook,
    parse_codebook,
    save_codebook,
    validate_codebook_file,
    validate_codebook_text,
)

__all__ = [
    "SIDES", "Codebook", "CodeDef", "EvaluationQuestion", "join_path", "split_path", "name_key",
    "CodebookProblem", "CodebookError", "load_codebook", "loads_codebook", "parse_codebook",
    "validate_codebook_file", "validate_codebook_text", "dump_codebook", "save_codebook",
    "export_qdc", "dumps_qdc", "import_qdc", "read_qdc", "loads_qdc", "code_guid",
    "CodebookChange", "diff_codebooks", "format_changes",
]
