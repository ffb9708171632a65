"""The fast PySide6 import scan gives PySide6's own answer for every loaded module."""

from __future__ import annotations

import sys
from pathlib import Path

import desktop_app.ui.main_window  # noqa: F401  (a window's worth of modules loaded)
from desktop_app.ui import pyside_import_scan


def _original():  # type: ignore[no-untyped-def]
    feature = sys.modules["shibokensupport.feature"]
    scan = feature._mod_uses_pyside
    assert getattr(scan, "_coverage_desk_fast", False), "desktop_app.ui installs it"
    return scan.__closure__[0].cell_contents  # the function it wraps


def test_it_is_installed_once_by_the_ui_package() -> None:
    feature = sys.modules["shibokensupport.feature"]
    before = feature._mod_uses_pyside
    assert pyside_import_scan.install()
    assert feature._mod_uses_pyside is before  # not wrapped twice


def test_every_loaded_module_gets_pysides_own_answer() -> None:
    original = _original()
    fast = pyside_import_scan.fast_scan(original)
    modules = [m for m in list(sys.modules.values()) if m is not None]
    assert len(modules) > 200
    answers = {m.__name__: fast(m) for m in modules}
    assert answers == {m.__name__: original(m) for m in modules}
    assert answers["desktop_app.ui.main_window"] is True
    assert answers["desktop_app.store.store"] is False  # no Qt below the ui layer


def test_a_module_without_a_readable_source_falls_back(tmp_path: Path) -> None:
    import types

    seen: list[str] = []

    def original(module: types.ModuleType) -> bool:
        seen.append(module.__name__)
        return False

    fast = pyside_import_scan.fast_scan(original)
    gone = types.ModuleType("gone")
    gone.__file__ = str(tmp_path / "gone.py")  # deleted since
    compiled = types.ModuleType("compiled")
    compiled.__file__ = str(tmp_path / "compiled.pyc")
    source = tmp_path / "uses.py"
    source.write_text("from PySide6.QtCore import Qt\n", encoding="utf-8")
    uses = types.ModuleType("uses")
    uses.__file__ = str(source)
    assert [fast(gone), fast(compiled), fast(uses)] == [False, False, True]
    assert seen == ["gone", "compiled"]
