"""Accounts: lockout after 5 wrong passwords (logged) and an administrator's unlock;
log out / switch user (Ctrl+L); a user changes their own password."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.store.repositories.users import LOCK_SECONDS, MAX_FAILURES
from desktop_app.store.store import Store
from desktop_app.ui.dialogs.user_form import ChangePasswordDialog
from desktop_app.ui.login import LoginDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages.admin import AdminPage
from desktop_app.ui.widgets.dialogs import SB
from tests.helpers.clock import FakeClock
from tests.ui.pages_fixtures import drive, make_context
from tests.ui.shell_helpers import context_for, type_into


def login_as(qtbot: QtBot, store: Store, username: str, password: str) -> LoginDialog:
    dialog = LoginDialog(store, hint=username)
    qtbot.addWidget(dialog)
    dialog.password.clear()
    type_into(dialog.password, password)
    dialog.buttons.button(SB.Ok).click()
    return dialog


def audit_actions(store: Store, username: str) -> list[str]:
    rows = store.db.execute_sql(
        "SELECT action FROM audit WHERE entity = 'user' AND entity_key = ? ORDER BY id",
        (f'{{"username":"{username}"}}',),
    )
    return [str(r[0]) for r in rows]


def test_five_wrong_passwords_lock_the_account_for_a_few_minutes(
    qtbot: QtBot, district_store: Store, clock: FakeClock
) -> None:
    district_store.users.add("hoa", "Lò Thị Hoa", "clerk", "matkhau1")
    for n in range(1, MAX_FAILURES):
        dialog = login_as(qtbot, district_store, "hoa", f"sai{n}")
        assert dialog.user is None
    assert "more wrong passwords lock the account for 5 minutes" in dialog.problem.text()
    dialog = login_as(qtbot, district_store, "hoa", "sai5")
    assert dialog.problem.text().startswith("Too many wrong passwords: this account is locked")
    dialog = login_as(qtbot, district_store, "hoa", "matkhau1")  # even the right one, now
    assert dialog.user is None and "locked until" in dialog.problem.text()
    assert audit_actions(district_store, "hoa")[-6:] == ["login_failed"] * 5 + ["locked"]

    clock.advance(LOCK_SECONDS + 1)
    dialog = login_as(qtbot, district_store, "hoa", "matkhau1")
    assert dialog.user is not None and dialog.user.username == "hoa"
    assert audit_actions(district_store, "hoa")[-1] == "login"
    # the count starts again after a good sign-in: one wrong password locks nothing
    assert login_as(qtbot, district_store, "hoa", "sai").problem.text() == (
        "Wrong password. Try again."
    )


def test_an_administrator_unlocks_a_locked_account(qtbot: QtBot, district_store: Store) -> None:
    district_store.users.add("hoa", "Lò Thị Hoa", "clerk", "matkhau1")
    for n in range(MAX_FAILURES):
        district_store.users.login("hoa", f"sai{n}")
    assert district_store.users.locked_until("hoa") is not None
    page = AdminPage(make_context(district_store, "admin"))
    qtbot.addWidget(page)
    tab = page.users_tab
    tab.select("hoa")
    row = [u.username for u in tab.users].index("hoa")
    assert tab.model.item(row, 3).text().startswith("locked until")
    assert tab.unlock_button.isEnabled()
    tab.unlock_button.click()
    assert district_store.users.locked_until("hoa") is None
    assert not tab.unlock_button.isEnabled()
    assert audit_actions(district_store, "hoa")[-1] == "unlock"
    assert login_as(qtbot, district_store, "hoa", "matkhau1").user is not None


def test_ctrl_l_logs_out_and_another_user_signs_in(qtbot: QtBot, district_store: Store) -> None:
    district_store.users.add("lan", "Hà Thị Lan", "reviewer", "matkhau2")
    window = MainWindow(context_for(district_store, "clerk", "hoa"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.nav.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.nav, timeout=3000)
    with qtbot.waitSignal(window.logout_requested, timeout=3000):
        QTest.keyClick(window.nav, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()
    # the same open database, a fresh login: the other user gets their own window
    dialog = login_as(qtbot, district_store, "lan", "matkhau2")
    assert dialog.user is not None
    other = MainWindow(context_for_user(district_store, dialog))
    qtbot.addWidget(other)
    pages = [other.nav.item(i).text() for i in range(other.nav.count())]
    assert "Conflicts" in pages  # a reviewer's pages, not the clerk's
    assert "Hà Thị Lan" in other.who.text() and "Reviewer" in other.who.text()


def context_for_user(store: Store, dialog: LoginDialog):  # type: ignore[no-untyped-def]
    from desktop_app.ui.context import AppContext

    assert dialog.user is not None
    store.user = dialog.user.username
    return AppContext(store, dialog.user, "en")


def test_a_user_changes_their_own_password(
    qtbot: QtBot, district_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = MainWindow(context_for(district_store, "clerk", "hoa"))
    qtbot.addWidget(window)
    attempts = iter([("sai-mat-khau", "moi12345"), ("matkhau1", "moi12345")])

    def fill(dialog: ChangePasswordDialog) -> None:
        old, new = next(attempts)
        for edit in (dialog.old_edit, dialog.password_edit, dialog.again_edit):
            edit.clear()
        type_into(dialog.old_edit, old)
        type_into(dialog.password_edit, new)
        type_into(dialog.again_edit, new)

    dialogs = drive(monkeypatch, ChangePasswordDialog, fill)
    window.password_action.trigger()
    assert dialogs[0].error_label.text() == "The current password is wrong."
    assert district_store.users.authenticate("hoa", "matkhau1") is not None  # unchanged
    window.password_action.trigger()
    assert district_store.users.authenticate("hoa", "moi12345") is not None
    assert district_store.users.authenticate("hoa", "matkhau1") is None
    assert audit_actions(district_store, "hoa")[-1] == "change_password"
