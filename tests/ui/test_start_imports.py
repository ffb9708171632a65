"""What the window's start imports, and when (bench/bench_gui.py measures the start):
it leaves out what its first paint does not need."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


# The real start in a fresh process: `coverage-desk gui --db DB --lang vi` (cli.main), the
# clerk pressing "Log in" once the users are listed; what the process imported and which
# Qt classes PySide built, at the main window's first paint.
_START = """
import json, sys, time
from PySide6.QtWidgets import QApplication
import PySide6.QtWidgets
from desktop_app import cli
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


def test_the_start_does_not_build_qt_classes_it_never_uses(
    started: dict[str, list[str]],
) -> None:
    # finding the application's translators among all its children built QStyle
    assert "QStyle" not in started["qt widgets classes"]
    assert "QMainWindow" in started["qt widgets classes"]
