"""The user guide opens from the frozen build: the spec ships ``resources/guide`` through its
own filter, and ``Trợ giúp → Hướng dẫn sử dụng`` finds it with ``paths.resources_dir()``
under ``sys._MEIPASS``, pictures included (without running PyInstaller)."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app import paths
from tests.build.test_spec import ROOT, run_spec


def _frozen_layout(monkeypatch: pytest.MonkeyPatch, platform: str, bundle: Path) -> Path:
    """Copy every file of the spec's data folders that its filter keeps, where PyInstaller
    puts it (``<bundle>/_internal/<dest>``); return the ``_internal`` folder."""
    import importlib.metadata
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    installed = importlib.metadata.version

    def version(name: str) -> str:  # the checkout is not installed in the test venv
        return str(project["version"]) if name == "coverage-desk" else installed(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    rec = run_spec(monkeypatch, platform)
    keep = rec.analyses[0]["keep"]
    internal = bundle / "_internal"
    for src, dest in rec.analyses[0]["datas"]:
        source = Path(src)
        if not (source.is_dir() and source.is_relative_to(ROOT)):
            continue
        for file in source.rglob("*"):
            target = Path(dest) / file.relative_to(source)
            if file.is_file() and keep(target.as_posix()):
                (internal / target).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(file, internal / target)
    monkeypatch.undo()  # the spec's stand-ins and sys.platform
    return internal


@pytest.mark.parametrize("platform", ["linux", "win32"])
def test_the_guide_opens_from_the_frozen_layout(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, platform: str
) -> None:
    internal = _frozen_layout(monkeypatch, platform, tmp_path / "coverage-desk")
    monkeypatch.setattr(sys, "_MEIPASS", str(internal), raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    from desktop_app.ui.help import GuideDialog, chapters, guide_dir

    assert paths.resources_dir() == internal / "resources"
    assert guide_dir() == internal / "resources" / "guide" / "vi"
    listed = chapters()
    shipped = chapters(ROOT / "resources" / "guide" / "vi")
    assert [t for t, _p in listed] == [t for t, _p in shipped] and len(listed) >= 5
    for _title, page in listed:
        html = page.read_text(encoding="utf-8")
        for picture in re.findall(r'<img src="([^"]+)"', html):
            assert (page.parent / picture).is_file(), f"{page.name}: {picture} not shipped"

    dialog = GuideDialog()  # what the Help action opens: the default folder
    qtbot.addWidget(dialog)
    assert dialog.folder == guide_dir()
    dialog.show_chapter("clerk")
    assert "Nhập số liệu" in dialog.browser.toPlainText()
    assert "missing" not in dialog.browser.toPlainText()
