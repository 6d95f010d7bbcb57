"""Collecting what each concept declares: a package's modules are imported in name order and the
value each holds under an agreed name is gathered (a router, a CLI group, a repository, a nav
entry). Adding a concept adds modules; nothing lists them centrally. A module that fails to import
fails the collection: nothing is skipped silently."""

from __future__ import annotations

import functools
import importlib
import pkgutil
from types import ModuleType
from typing import Any


@functools.cache
def modules(package: str) -> tuple[ModuleType, ...]:
    """The modules directly inside `package` (not its sub-packages), in name order."""
    pkg = importlib.import_module(package)
    names = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.ispkg and not m.name.startswith("_"))
    return tuple(importlib.import_module(f"{package}.{name}") for name in names)


def collect(package: str, attribute: str) -> list[tuple[ModuleType, Any]]:
    """(module, value) for each module of `package` that defines `attribute`, in name order."""
    return [(m, getattr(m, attribute)) for m in modules(package) if hasattr(m, attribute)]
