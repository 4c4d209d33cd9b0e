"""The coding engine: codes, codings on character spans, memos, undo/redo."""
from workbench.coding.engine import CodingAPI, ConfirmationRequired

__all__ = ["CodingAPI", "ConfirmationRequired"]
