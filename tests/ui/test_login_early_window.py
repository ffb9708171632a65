"""The password is checked on the task runner while the main window is built; the window
is shown only once the check has passed, and a refused login throws it away."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app import i18n, startup
from desktop_app.store.store import Store
from desktop_app.ui import app as app_module
from desktop_app.ui.login import LoginDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.widgets.dialogs import SB
from tests.ui.shell_helpers import type_into


def _audit(store: Store, username: str) -> list[str]:
    rows = store.db.execute_sql(
        "SELECT action FROM audit WHERE entity = 'user' AND entity_key = ? ORDER BY id",
        (f'{{"username":"{username}"}}',),
    )
    return [str(r[0]) for r in rows]


def _main_windows() -> list[MainWindow]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]


def test_the_window_is_built_during_the_check_and_shown_only_after_it(
    qtbot: QtBot, commune_store: Store
) -> None:
    i18n.setup("en")
    commune_store.users.add("hoa", "Lò Thị Hoa", "clerk", "matkhau1")
    runner = TaskRunner()
    login = LoginDialog(commune_store, hint="hoa", runner=runner)
    qtbot.addWidget(login)
    early = app_module._EarlyWindow(login, lambda: commune_store, runner)
    checking: list[object] = []
    refused: list[bool] = []
    login.checking.connect(checking.append)
    login.refused.connect(lambda: refused.append(True))
    first_mark = len(startup.MARKS)  # the steps bench_gui prints (desktop_app.startup.mark)
    login.show()

    type_into(login.password, "sai-mat-khau")
    login.buttons.button(SB.Ok).click()
    assert login.is_checking and not login.buttons.button(SB.Cancel).isEnabled()
    assert [getattr(u, "username", None) for u in checking] == ["hoa"]
    assert early.window is not None and not early.window.isVisible()  # built, not shown
    qtbot.waitUntil(lambda: bool(refused), timeout=10000)
    assert early.window is None  # thrown away
    assert login.user is None and login.result() == 0
    assert "Wrong password" in login.problem.text()
    assert not any(w.isVisible() for w in _main_windows())
    assert _audit(commune_store, "hoa") == ["add_user", "login_failed"]
    assert [step for step, _at in startup.MARKS[first_mark:]] == ["main window built"]

    login.password.clear()
    type_into(login.password, "matkhau1")
    login.buttons.button(SB.Ok).click()
    qtbot.waitUntil(lambda: login.result() == LoginDialog.DialogCode.Accepted, timeout=10000)
    assert login.user is not None and login.user.username == "hoa"
    assert _audit(commune_store, "hoa")[-1] == "login"
    steps = startup.MARKS[first_mark:]
    assert [step for step, _at in steps] == [
        "main window built",
        "main window built",
        "password checked",
    ]
    assert steps[1][1] <= steps[2][1]
    window = early.take(login.user)
    assert window is not None and not window.isVisible()
    qtbot.addWidget(window)
    assert window.context.user == login.user
    assert early.take(login.user) is None  # handed over once
    runner.wait()


def test_a_window_built_for_someone_else_is_not_handed_over(
    qtbot: QtBot, commune_store: Store
) -> None:
    i18n.setup("en")
    commune_store.users.add("hoa", "Lò Thị Hoa", "clerk", "matkhau1")
    lan = commune_store.users.add("lan", "Hà Thị Lan", "reviewer", "matkhau2")
    runner = TaskRunner()
    login = LoginDialog(commune_store, hint="hoa", runner=runner)
    qtbot.addWidget(login)
    early = app_module._EarlyWindow(login, lambda: commune_store, runner)
    type_into(login.password, "matkhau1")
    login.buttons.button(SB.Ok).click()
    qtbot.waitUntil(lambda: login.user is not None, timeout=10000)
    assert early.take(lan) is None
    runner.wait()
