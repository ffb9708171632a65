"""A faster equivalent of PySide6's per-import source scan (same answers).

PySide6 hooks every import made after it is loaded: for each new module it decides
whether the module "uses PySide" (its ``from __feature__ import …`` switches apply
there) by fetching the module's whole source through ``inspect.getsource`` and looking
for the text ``PySide6``. The window imports about 150 modules after PySide6; the scan
took 48–90 ms of every start (measured by wrapping the hook, 2 loaded cores), a
third of a bare ``QMainWindow``'s whole start-up.

:func:`install` replaces that one function with a read of the module's ``.py`` file as
bytes and the same search, and falls back to PySide6's own function for anything else
(no file, a compiled-only module as in the frozen build, a read error), so every module
gets the answer PySide6 would give. Nothing changes when this PySide6 has no such hook.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

_MARK = "_coverage_desk_fast"


def install() -> bool:
    """Swap in the fast scan (once); False when this PySide6 has no scan to replace."""
    import shiboken6  # noqa: F401  (loads the feature module; PySide6 imports it anyway)

    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original):
        return False
    if getattr(original, _MARK, False):
        return True
    feature._mod_uses_pyside = fast_scan(original)  # type: ignore[attr-defined]
    return True


def fast_scan(original: Callable[[ModuleType], bool]) -> Callable[[ModuleType], bool]:
    """``original``'s answer for a module, from its source file's bytes when it has one."""

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return original(module)
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return original(module)

    setattr(uses_pyside, _MARK, True)
    return uses_pyside
