"""The coding engine: codes, codings on character spans, memos, undo/redo."""
from workbench.coding.engine import CodingAPI, ConfirmationRequired

__all__ = ["CodingAPI", "ConfirmationRequired"]
from workbench.coding.autocode import AutocodeAPI, Rule  # noqa: E402

__all__ += ["AutocodeAPI", "Rule"]
from workbench.coding.slots import SlotsAPI  # noqa: E402

__all__ += ["SlotsAPI"]
