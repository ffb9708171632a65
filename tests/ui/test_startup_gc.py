"""``coverage-desk gui`` holds the cyclic garbage collector off until the main window's
first paint (desktop_app.startup), and never leaves it off."""

from __future__ import annotations

import gc

from PySide6.QtWidgets import QApplication

from desktop_app import cli, startup
from desktop_app.store.store import Store
from desktop_app.ui.login import LoginDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.widgets.dialogs import SB
from tests.ui.shell_helpers import type_into


def test_the_collector_is_paused_until_the_main_window_is_painted(  # type: ignore[no-untyped-def]
    qtbot, commune_store: Store, monkeypatch
) -> None:
    commune_store.users.add("hoa", "Lò Thị Hoa", "clerk", "matkhau1")
    path = commune_store.path
    assert path is not None
    seen: list[tuple[str, bool]] = []

    def fake_login(dialog: LoginDialog) -> int:
        seen.append(("login", gc.isenabled()))
        dialog.show()
        qtbot.waitUntil(lambda: dialog.store is not None, timeout=10000)
        type_into(dialog.password, "matkhau1")
        dialog.buttons.button(SB.Ok).click()
        qtbot.waitUntil(lambda: dialog.result() != 0, timeout=10000)
        return int(dialog.result())

    def fake_exec(*_args: object) -> int:
        [window] = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        seen.append(("window shown", gc.isenabled()))
        qtbot.waitUntil(lambda: window._painted, timeout=10000)
        seen.append(("window painted", gc.isenabled()))
        window.close()
        return 0

    monkeypatch.setattr(LoginDialog, "exec", fake_login)
    monkeypatch.setattr(QApplication, "exec", fake_exec)
    frozen = gc.get_freeze_count()
    try:
        assert cli.main(["gui", "--db", str(path), "--lang", "en"]) == 0
        assert seen == [("login", False), ("window shown", False), ("window painted", True)]
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen  # what the start made is frozen, not walked
    finally:
        gc.unfreeze()
        gc.enable()


def test_a_start_without_a_main_window_turns_the_collector_back_on(  # type: ignore[no-untyped-def]
    qtbot, commune_store: Store, monkeypatch
) -> None:
    path = commune_store.path
    assert path is not None
    seen: list[bool] = []

    def cancelled(dialog: LoginDialog) -> int:
        seen.append(gc.isenabled())
        return 0  # the clerk closes the login window

    monkeypatch.setattr(LoginDialog, "exec", cancelled)
    try:
        assert cli.main(["gui", "--db", str(path), "--lang", "en"]) == 0
        assert seen == [False] and gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def test_resuming_without_a_pause_does_nothing() -> None:
    try:
        before = gc.get_freeze_count()
        startup.resume_garbage_collection()  # a window in a test, or a second window
        assert gc.isenabled() and gc.get_freeze_count() == before
        startup.pause_garbage_collection()
        assert not gc.isenabled()
        startup.resume_garbage_collection()
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()
