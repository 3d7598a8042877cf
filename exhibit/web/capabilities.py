"""Lazy access to the other capabilities, so a page section shows only once its module has landed."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


def get(module: str, attr: str) -> Any:
    """`module.attr`, or None while that capability is not installed (a missing module, not a broken one)."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name and (module == e.name or module.startswith(e.name + ".")):
            return None
        raise
    value = getattr(mod, attr, None)
    if isinstance(value, ModuleType):  # a submodule of the same name shadows the function once imported
        value = getattr(value, attr, None)
    return value


def available(module: str, attr: str) -> bool:
    return get(module, attr) is not None
