"""The shell: first run, login, main window and its status bar, the gui command."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLineEdit

from desktop_app import __version__
from desktop_app.domain.units import UnitDirectory
from desktop_app.store.store import Store
from desktop_app.ui.first_run import FirstRunDialog
from desktop_app.ui.login import LoginDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.status import unsent_changes, waiting_for_review
from desktop_app.ui.tasks import SyncTaskRunner
from desktop_app.ui.widgets.dialogs import SB
from tests.conftest import COMMUNE
from tests.ui.shell_helpers import context_for, type_into


def test_first_run_creates_a_real_office_with_a_vietnamese_admin(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, unit_directory: UnitDirectory
) -> None:
    path = tmp_path / "office.db"
    dialog = FirstRunDialog(path, SyncTaskRunner(), lambda: unit_directory)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.real_button.click()
    type_into(dialog.unit_search.query, "chieng sung")  # no diacritics needed
    assert dialog.unit_search.chosen() == COMMUNE
    type_into(dialog.username, "Hung")
    type_into(dialog.full_name, "Lò Văn Hùng")
    type_into(dialog.password, "matkhau1")
    type_into(dialog.password_again, "matkhau2")
    dialog.buttons.button(SB.Ok).click()
    assert "differ" in dialog.problem.text() and not path.exists()
    dialog.password_again.clear()
    type_into(dialog.password_again, "matkhau1")
    dialog.buttons.button(SB.Ok).click()
    assert dialog.result() == FirstRunDialog.DialogCode.Accepted
    assert dialog.login_hint == "hung"
    with Store.open(path) as store:
        assert store.node.office_id == COMMUNE
        [admin] = store.users.all()
        assert (admin.username, admin.full_name, admin.role) == ("hung", "Lò Văn Hùng", "admin")
        assert store.users.authenticate("hung", "matkhau1") is not None


def test_first_run_refuses_a_form_without_an_office(qtbot, tmp_path: Path, unit_directory) -> None:  # type: ignore[no-untyped-def]
    dialog = FirstRunDialog(tmp_path / "x.db", SyncTaskRunner(), lambda: unit_directory)
    qtbot.addWidget(dialog)
    dialog.real_button.click()
    dialog.buttons.button(SB.Ok).click()
    assert "office" in dialog.problem.text()
    assert not (tmp_path / "x.db").exists()


def test_login_checks_the_password(qtbot, commune_store: Store) -> None:  # type: ignore[no-untyped-def]
    commune_store.users.add("hoa", "Lò Thị Hoa", "clerk", "matkhau1")
    commune_store.users.add("admin", "Quản trị viên", "admin", "matkhau2")
    dialog = LoginDialog(commune_store, "Xã Chiềng Sung", hint="hoa")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.users.currentData() == "hoa"
    type_into(dialog.password, "sai mật khẩu")
    dialog.buttons.button(SB.Ok).click()
    assert dialog.user is None and dialog.problem.text() == "Wrong password. Try again."
    dialog.password.clear()
    type_into(dialog.password, "matkhau1")
    dialog.buttons.button(SB.Ok).click()
    assert dialog.user is not None and dialog.user.full_name == "Lò Thị Hoa"
    assert dialog.result() == LoginDialog.DialogCode.Accepted
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password


def test_the_main_window_names_the_office_and_shows_the_pages_of_the_role(  # type: ignore[no-untyped-def]
    qtbot, district_store: Store
) -> None:
    window = MainWindow(context_for(district_store, "clerk"))
    qtbot.addWidget(window)
    window.show()
    assert "Huyện Mai Sơn" in window.windowTitle() and __version__ in window.windowTitle()
    keys = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert keys[0] == "Data entry"
    assert window.page("entry") is window.stack.currentWidget()
    assert window.status.unsent.text() == "Everything entered is acknowledged by the province"
    assert window.status.review.text() == "To review: 0 periods"


def test_the_status_bar_counts_this_offices_changes_and_the_review_queue(  # type: ignore[no-untyped-def]
    qtbot, commune_store: Store
) -> None:
    commune_store.villages.add(COMMUNE, "Bản Hìn")
    assert unsent_changes(commune_store) == 1
    commune_store.submissions.move(COMMUNE, "2019Q2", "submitted")
    assert unsent_changes(commune_store) == 2
    assert waiting_for_review(commune_store) == 0  # a commune reviews nobody
    window = MainWindow(context_for(commune_store, "clerk", "hoa"))
    qtbot.addWidget(window)
    # in periods, not raw changes: a village and a submission of one period is one period
    assert window.status.unsent.text() == "Not yet acknowledged by the province: 1 periods"
    assert not window.status.review.isVisibleTo(window)
    window.context.bus.status_changed.emit()


def test_the_gui_command_registers_without_importing_qt() -> None:
    import argparse

    from desktop_app.commands import gui_command

    parser = argparse.ArgumentParser()
    gui_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["gui", "--db", "x.db", "--lang", "en"])
    assert args.func is gui_command.cmd_gui and args.lang == "en" and str(args.db) == "x.db"


def test_the_store_opened_on_a_worker_serves_the_gui_thread(qtbot, commune_store: Store) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QThreadPool

    from desktop_app.ui.app import open_store_task
    from desktop_app.ui.tasks import TaskRunner

    assert commune_store.path is not None
    commune_store.users.add("hoa", "Lò Thị Hoa", "clerk", "matkhau1")
    login = LoginDialog(None)
    qtbot.addWidget(login)
    assert not login.buttons.button(SB.Ok).isEnabled()  # shown before the store is ready
    opened: list[Store] = []
    runner = TaskRunner(QThreadPool())
    handle = runner.start(open_store_task(commune_store.path), opened.append)
    qtbot.waitUntil(lambda: handle.done, timeout=10000)
    store = opened[0]
    try:
        login.set_store(store)
        assert login.heading.text() == "Xã Chiềng Sung" and login.users.count() == 1
        store.villages.add(COMMUNE, "Bản Mới")  # the GUI thread writes with its own connection
        assert [v.name for v in commune_store.villages.for_commune(COMMUNE)] == ["Bản Mới"]
    finally:
        store.close()


def test_run_gui_logs_in_and_opens_the_main_window(  # type: ignore[no-untyped-def]
    qtbot, commune_store: Store, monkeypatch
) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui import app as app_module

    commune_store.users.add("hoa", "Lò Thị Hoa", "clerk", "matkhau1")
    path = commune_store.path
    assert path is not None
    shown: list[str] = []

    def fake_login(dialog: LoginDialog) -> int:
        dialog.show()
        qtbot.waitUntil(lambda: dialog.store is not None, timeout=10000)
        type_into(dialog.password, "matkhau1")
        dialog.buttons.button(SB.Ok).click()
        # the password is checked on the task runner while the main window is built
        qtbot.waitUntil(lambda: dialog.result() != 0, timeout=10000)
        return int(dialog.result())

    def fake_exec(*_args: object) -> int:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                shown.append(widget.windowTitle())
                widget.close()
        return 0

    monkeypatch.setattr(LoginDialog, "exec", fake_login)
    monkeypatch.setattr(QApplication, "exec", fake_exec)
    assert app_module.run_gui(path, "en") == 0
    assert shown == [f"Xã Chiềng Sung ({__version__}) — Coverage Desk"]  # Qt adds no second name
