"""What the window's start imports, and when (bench/bench_gui.py measures the start).

The main window's modules are imported a step at a time while the login waits, so the
users are listed as soon as the database is open; a clerk who presses "Log in" after
those steps waits for no import; and the start leaves out what its first paint does
not need.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.ui import app as app_module
from desktop_app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from desktop_app.store.store import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def step_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Three importable modules that note in ``log`` when they are imported; the first
    one waits for a task on the real task runner to finish on its pool thread, as the
    database check may while a step imports."""
    log = types.ModuleType("cd_steps_log")
    log.log = []  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cd_steps_log", log)
    for name in ("cd_step_a", "cd_step_b", "cd_step_c"):
        (tmp_path / f"{name}.py").write_text(
            f"import cd_steps_log\ncd_steps_log.log.append({name[-1]!r})\n"
            + ("cd_steps_log.during_a()\n" if name == "cd_step_a" else ""),
            encoding="utf-8",
        )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield log.log  # type: ignore[attr-defined]
    for name in ("cd_step_a", "cd_step_b", "cd_step_c"):
        sys.modules.pop(name, None)


def test_a_result_that_arrives_during_a_step_is_handled_before_the_next_import(
    qtbot: QtBot, step_modules: list[str]
) -> None:
    runner = TaskRunner()

    def during_a() -> None:  # the database is opened while this step imports
        runner.start(lambda _p, _c: "store", lambda _r: step_modules.append("listed"))
        assert runner.wait()  # the result is queued to the GUI thread, not handled yet

    sys.modules["cd_steps_log"].during_a = during_a  # type: ignore[attr-defined]
    app_module.prepare_main_window(("cd_step_a", "cd_step_b", "cd_step_c"))
    assert step_modules == []  # nothing before the event loop turns
    qtbot.waitUntil(lambda: len(step_modules) == 4, timeout=10000)
    assert step_modules == ["a", "listed", "b", "c"]


def test_the_main_window_s_imports_wait_for_the_users_to_be_listed(
    qtbot: QtBot, step_modules: list[str], commune_store: Store
) -> None:
    # the database's task imports the store's modules: the window's imports would share
    # the interpreter with it and list the users later; the clerk presses after the listing
    from desktop_app.ui.login import LoginDialog

    sys.modules["cd_steps_log"].during_a = lambda: None  # type: ignore[attr-defined]
    login = LoginDialog(None)
    qtbot.addWidget(login)
    app_module.prepare_when_listed(login, ("cd_step_a", "cd_step_b", "cd_step_c"))
    with qtbot.waitSignal(login.painted, timeout=10000):
        login.show()
    qtbot.wait(50)  # many turns of the event loop
    assert step_modules == []  # painted, still opening the database: nothing imported
    login.set_store(commune_store)
    qtbot.waitUntil(lambda: len(step_modules) == 3, timeout=10000)
    assert step_modules == ["a", "b", "c"]


def test_the_main_window_s_imports_start_once_the_store_is_imported(
    qtbot: QtBot, step_modules: list[str], commune_store: Store
) -> None:
    # after its imports the task is SQLite's (the full quick_check after an unclean
    # shutdown: half a second and more): the steps run beside it, before the listing
    from desktop_app.ui.login import LoginDialog

    sys.modules["cd_steps_log"].during_a = lambda: None  # type: ignore[attr-defined]
    login = LoginDialog(None)
    qtbot.addWidget(login)
    store_imported = app_module.prepare_when_listed(login, ("cd_step_a", "cd_step_b", "cd_step_c"))
    with qtbot.waitSignal(login.painted, timeout=10000):
        login.show()
    qtbot.wait(50)
    assert step_modules == []
    store_imported()
    qtbot.waitUntil(lambda: len(step_modules) == 3, timeout=10000)
    assert login.store is None  # still opening


def test_the_database_task_says_when_the_store_is_imported(
    qtbot: QtBot, commune_store: Store
) -> None:
    assert commune_store.path is not None
    said: list[tuple[object, str]] = []
    opened: list[Store] = []
    runner = TaskRunner()
    handle = runner.start(
        app_module.open_store_task(commune_store.path),
        opened.append,
        None,
        lambda fraction, message: said.append((fraction, message)),
    )
    qtbot.waitUntil(lambda: handle.done, timeout=10000)
    opened[0].close()
    assert said == [(None, app_module.STORE_IMPORTED)]


def test_a_login_given_the_open_store_prepares_once_painted(
    qtbot: QtBot, step_modules: list[str], commune_store: Store
) -> None:
    # log out / switch user: the store is open already, the users are listed at once
    from desktop_app.ui.login import LoginDialog

    sys.modules["cd_steps_log"].during_a = lambda: None  # type: ignore[attr-defined]
    login = LoginDialog(commune_store)
    qtbot.addWidget(login)
    app_module.prepare_when_listed(login, ("cd_step_a", "cd_step_b", "cd_step_c"))
    login.show()
    qtbot.waitUntil(lambda: len(step_modules) == 3, timeout=10000)


# The real start in a fresh process: `coverage-desk gui --db DB --lang vi` (cli.main), the
# clerk pressing "Log in" once the window's modules are imported (as while she types her
# password); what the process imported and which Qt classes PySide built, at the main
# window's first paint.
_START = """
import json, sys, time
from PySide6.QtWidgets import QApplication
import PySide6.QtWidgets
from desktop_app import cli
from desktop_app.ui import app as app_module
from desktop_app.ui.login import LoginDialog
from desktop_app.ui.widgets.dialogs import SB

out = {}

def wait(condition):
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        QApplication.processEvents()
        time.sleep(0.002)

def login_exec(dialog):
    dialog.show()
    wait(lambda: dialog.store is not None)
    wait(lambda: all(m in sys.modules for m in app_module.MAIN_WINDOW_MODULES))
    before = set(sys.modules)
    dialog.users.setCurrentIndex(dialog.users.findData("hoa"))
    dialog.password.setText("matkhau1")
    dialog.buttons.button(SB.Ok).click()
    wait(lambda: dialog.result() != 0)
    out["imported after Log in"] = sorted(
        m for m in set(sys.modules) - before if m.startswith("desktop_app")
    )
    return dialog.result()

def app_exec(*args):
    [window] = [w for w in QApplication.topLevelWidgets() if type(w).__name__ == "MainWindow"]
    wait(lambda: window._painted)
    out["modules"] = sorted(sys.modules)
    out["qt widgets classes"] = sorted(vars(PySide6.QtWidgets))
    window.close()
    return 0

real_login_init = LoginDialog.__init__

def login_init(self, *args, **kwargs):
    imported = "desktop_app.store.store" in sys.modules
    out.setdefault("store imported before the login window", imported)
    real_login_init(self, *args, **kwargs)

LoginDialog.__init__ = login_init
LoginDialog.exec = login_exec
QApplication.exec = app_exec
code = cli.main(["gui", "--db", sys.argv[1], "--lang", "vi"])
print("RESULT " + json.dumps(out))
sys.exit(code)
"""


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    from desktop_app.store.office import create_office
    from tests.conftest import COMMUNE

    path = tmp_path_factory.mktemp("start") / "commune.db"
    store = create_office(path, COMMUNE, user="canbo")
    store.users.add("hoa", "Lò Thị Hoa", "clerk", "matkhau1")
    store.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _START, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [line] = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
    result: dict[str, list[str]] = json.loads(line[len("RESULT ") :])
    return result


def test_log_in_after_the_steps_imports_nothing_more(started: dict[str, list[str]]) -> None:
    # MAIN_WINDOW_MODULES holds all that building the window and its first page imports
    assert started["imported after Log in"] == []


def test_the_store_is_imported_by_the_task_that_opens_it(started: dict[str, list[str]]) -> None:
    # peewee, the schema, the repositories: on the runner's thread, while the GUI thread
    # builds and paints the login window
    assert started["store imported before the login window"] is False
    assert "desktop_app.store.store" in started["modules"]


def test_the_start_does_not_build_qt_classes_it_never_uses(
    started: dict[str, list[str]],
) -> None:
    # finding the application's translators among all its children built QStyle
    assert "QStyle" not in started["qt widgets classes"]
    assert "QMainWindow" in started["qt widgets classes"]
    # the Data menu's dialogs are imported when it is used
    assert "QFileDialog" not in started["qt widgets classes"]
    assert "QTableWidget" not in started["qt widgets classes"]
    assert "desktop_app.ui.spreadsheet_dialogs" not in started["modules"]
    # confirm's message box when one is shown, background sync's field types at its turn
    assert "QMessageBox" not in started["qt widgets classes"]
    assert "QPlainTextEdit" not in started["qt widgets classes"]


def test_the_start_leaves_out_modules_its_first_paint_does_not_need(
    started: dict[str, list[str]],
) -> None:
    # the sync engine's package (store.apply: ~16 ms of imports and dataclasses) came
    # with the submissions repository, which needs it only to move a period
    assert "desktop_app.store.repositories.submissions" in started["modules"]
    assert not [m for m in started["modules"] if m.startswith("desktop_app.store.apply")]
    # the hybrid logical clock (two dataclasses) came with the store, for its writes;
    # the start writes no row (the login's audit entry does not tick the clock)
    assert "desktop_app.store.store" in started["modules"]
    assert "desktop_app.domain.hlc" not in started["modules"]
