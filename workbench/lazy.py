"""Modules loaded on first use, so that a command imports only what it uses.

    if TYPE_CHECKING:
        import pandas as pd
    else:
        pd = lazy_module("pandas")

``pd.DataFrame(...)`` then imports pandas the first time it runs; a module that only
defines functions returning DataFrames costs nothing to import.  (Annotations are never
evaluated: every such module starts with ``from __future__ import annotations``.)
"""
from __future__ import annotations

import importlib
import types
from typing import Any


class _LazyModule(types.ModuleType):
    def __init__(self, name: str):
        super().__init__(name)
        self.__dict__["_lazy_target"] = None

    def _load(self) -> types.ModuleType:
        target = self.__dict__["_lazy_target"]
        if target is None:
            target = importlib.import_module(self.__name__)
            # later look-ups are plain attribute reads (no __getattr__ in hot loops)
            self.__dict__.update({k: v for k, v in vars(target).items()
                                  if k not in ("__name__", "__spec__", "__loader__")})
            self.__dict__["_lazy_target"] = target
        return target

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._load(), attr)

    def __dir__(self) -> list[str]:
        return dir(self._load())

    def __repr__(self) -> str:
        state = "loaded" if self.__dict__["_lazy_target"] is not None else "not loaded yet"
        return f"<lazy module {self.__name__!r} ({state})>"


def lazy_module(name: str) -> Any:
    """A stand-in for module ``name`` that imports it on first attribute access."""
    return _LazyModule(name)
