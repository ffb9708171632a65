"""Help: the user guide opens from the menu at the user's chapter, with its pictures;
the guide shipped is the one its sources build; the shortcut list; the language switch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from desktop_app.paths import resources_dir
from desktop_app.store.store import Store
from desktop_app.ui import help as help_module
from desktop_app.ui.help import GuideDialog, ShortcutsDialog, chapters, guide_dir
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.shortcuts import shortcuts
from tests.ui.shell_helpers import context_for

ROLES = ("clerk", "reviewer", "admin", "province")


def test_the_shipped_guide_has_a_chapter_per_role_and_every_picture() -> None:
    folder = guide_dir()
    assert folder == resources_dir() / "guide" / "vi"  # inside resources/: in the bundle too
    pages = chapters()
    names = [page.stem for _title, page in pages]
    for role in ROLES:
        assert any(role in name for name in names), role
    for _title, page in pages:
        text = page.read_text(encoding="utf-8")
        assert '<html lang="vi">' in text
        for src in re.findall(r'<img src="([^"]+)"', text):
            picture = folder / src
            assert picture.is_file(), src
            assert not QImage(str(picture)).isNull(), src


def test_the_shipped_guide_is_what_its_sources_build() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_guide", Path(__file__).resolve().parents[2] / "build" / "build_guide.py"
    )
    assert spec is not None and spec.loader is not None
    build_guide = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_guide)
    pages, order, pictures = build_guide.render()
    folder = guide_dir()
    for name, text in pages.items():
        assert (folder / name).read_text(encoding="utf-8") == text, (
            f"{name} is stale: run build/build_guide.py"
        )
    listed = (folder / "chapters.txt").read_text(encoding="utf-8")
    assert listed == "".join(f"{n}\t{t}\n" for n, t in order)
    assert all((folder / p).is_file() for p in pictures)


def test_help_user_guide_opens_at_the_users_chapter(qtbot: QtBot, commune_store: Store) -> None:
    window = MainWindow(context_for(commune_store, "clerk"))
    qtbot.addWidget(window)
    help_menu = next(
        a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Help"
    )
    texts = [a.text() for a in help_menu.actions()]
    assert "User guide" in texts and "Keyboard shortcuts" in texts
    assert window.guide_action.shortcut().toString() == "F1"
    window.guide_action.trigger()
    viewer = window.findChild(GuideDialog)
    assert viewer is not None and viewer.isVisible()
    assert "01-clerk" in viewer.browser.source().toString()
    document = viewer.browser.toPlainText()
    assert "Gửi báo cáo" in document  # the Vietnamese chapter, not a placeholder
    viewer.list.setCurrentRow(len(viewer.pages) - 1)
    assert "Ctrl+L" in viewer.browser.toPlainText()  # the shortcut chapter, from the list


def test_the_shortcut_dialog_lists_every_shortcut(qtbot: QtBot) -> None:
    dialog = ShortcutsDialog()
    qtbot.addWidget(dialog)
    rows = shortcuts()
    assert dialog.table.rowCount() == len(rows)
    shown = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
    assert shown == [keys for _where, keys, _what in rows]
    assert "Ctrl+L" in shown and "F4" in shown and "Ctrl+Enter" in shown


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> QSettings:
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    monkeypatch.setattr(help_module, "settings", lambda: store)
    return store


def test_the_language_switch_is_remembered_and_rebuilds_the_window(
    qtbot: QtBot, commune_store: Store, settings: QSettings
) -> None:
    window = MainWindow(context_for(commune_store, "clerk"))
    qtbot.addWidget(window)
    window.show()
    assert window.language_actions["en"].isChecked()
    with qtbot.waitSignal(window.language_requested) as signal:
        window.language_actions["vi"].trigger()
    assert signal.args == ["vi"]
    assert help_module.saved_language() == "vi"
    assert not window.isVisible()  # the session builds it again, in Vietnamese
