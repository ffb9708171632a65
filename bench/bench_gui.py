"""GUI figures on a province-sized database (Sơn La: 204 communes, ~3,400 villages).

    .venv/bin/python -m bench.bench_gui

1. Cold start to the first painted main window, as a ratio to a bare PySide6 window
   started the same way in the same run (fresh subprocesses, alternated; target ≤ 2×).
2. Opening a commune's grid and switching to another commune (load + model reset +
   paint; target ≤ 50 ms).

Prints figures; never passes or fails on time. Runs offscreen unless a display is set.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import province_db

ROUNDS = 5

BARE = """
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv[:1])
window = QWidget()
window.resize(1366, 768)
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(time.time(), flush=True)
            QTimer.singleShot(0, app.quit)
        return False
spy = FirstPaint()
window.installEventFilter(spy)
window.show()
app.exec()
"""

LOGIN = """
import sys, time
db = sys.argv[1]
from desktop_app.startup import skip_unused_database_drivers
skip_unused_database_drivers()  # as coverage-desk does for every command but serve
from PySide6.QtCore import QEvent, QObject, QTimer
from desktop_app import i18n
i18n.setup("vi")
from desktop_app.ui.app import make_application, open_store_task
app = make_application()
from desktop_app.ui.login import LoginDialog
from desktop_app.ui.tasks import TaskRunner
login = LoginDialog(None)
runner = TaskRunner()
stores = []
def ready(store):
    stores.append(store)
    login.set_store(store)
    print(time.time(), flush=True)
    QTimer.singleShot(0, app.quit)
runner.start(open_store_task(db), ready, lambda exc: app.quit())
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not getattr(self, "seen", False):
            self.seen = True
            print(time.time(), flush=True)
        return False
spy = FirstPaint()
login.installEventFilter(spy)
login.show()
app.exec()
runner.wait()
stores[0].close()
"""

APP = """
import sys, time
db = sys.argv[1]
from desktop_app.startup import skip_unused_database_drivers
skip_unused_database_drivers()  # as coverage-desk does for every command but serve
from PySide6.QtCore import QEvent, QObject, QTimer
from desktop_app import i18n
i18n.setup("vi")
from desktop_app.ui.app import make_application
app = make_application()
from desktop_app.store.store import Store
from desktop_app.ui.context import AppContext
from desktop_app.ui.main_window import MainWindow
store = Store.open(db)
user = next(u for u in store.users.all() if u.role == "clerk")
window = MainWindow(AppContext(store, user, "vi"))
window.resize(1366, 768)
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(time.time(), flush=True)
            QTimer.singleShot(0, app.quit)
        return False
spy = FirstPaint()
window.installEventFilter(spy)
window.show()
app.exec()
store.close()
"""


def _stamps(code: str, *args: str) -> list[float]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return [float(line) - started for line in done.stdout.split()]


def _first_paint(code: str, *args: str) -> float:
    return _stamps(code, *args)[0]


def cold_start(db: Path) -> None:
    bare: list[float] = []
    login: list[float] = []
    ready: list[float] = []
    main: list[float] = []
    _first_paint(BARE)  # warm the OS file cache for all, as a second start would be
    _first_paint(APP, str(db))
    for _ in range(ROUNDS):
        bare.append(_first_paint(BARE))
        painted, opened = _stamps(LOGIN, str(db))[:2]
        login.append(painted)
        ready.append(opened)
        main.append(_first_paint(APP, str(db)))
    b = statistics.median(bare)
    med = {name: statistics.median(v) for name, v in (("l", login), ("r", ready), ("m", main))}
    print(f"bare PySide6 window, first paint: median {b * 1000:.0f} ms ({ROUNDS} runs)")
    print(
        f"first window (login, database checked meanwhile): median {med['l'] * 1000:.0f} ms"
        f" = {med['l'] / b:.2f}x bare (target <= 2x)"
    )
    print(
        f"  ... database open and checked, users listed: median {med['r'] * 1000:.0f} ms"
        f" = {med['r'] / b:.2f}x bare"
    )
    print(
        f"main window, store opened first (no login): median {med['m'] * 1000:.0f} ms"
        f" = {med['m'] / b:.2f}x bare"
    )


def grid_switching(db: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop_app import i18n

    i18n.setup("vi")
    from PySide6.QtWidgets import QApplication

    from desktop_app.store.store import Store
    from desktop_app.ui.app import make_application
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.pages.entry import make_entry_page
    from desktop_app.ui.pages.entry_controller import EntryController

    make_application()
    store = Store.open(db)
    user = next(u for u in store.users.all() if u.role == "clerk")
    page = make_entry_page(AppContext(store, user, "vi"))
    page.resize(1366, 768)
    page.show()
    QApplication.processEvents()
    ctrl = page.controller
    assert isinstance(ctrl, EntryController)
    communes = page.units.communes()
    period = page.period.period()

    def timed(commune: str) -> tuple[float, float]:
        started = time.perf_counter()
        ctrl.open(commune, period)  # queries, rules in memory, model reset, totals
        loaded = time.perf_counter()
        page.village_table.viewport().repaint()
        page.commune_table.viewport().repaint()
        return (time.perf_counter() - started) * 1000, (loaded - started) * 1000

    first = timed(communes[len(communes) // 2])[0]
    pairs = [timed(c) for c in communes[::4]]
    samples = [total for total, _ in pairs]
    loads = [load for _, load in pairs]
    villages = statistics.median(len(store.villages.for_commune(c)) for c in communes[::4])
    print(
        f"open a commune's grid: first {first:.1f} ms; switch commune: median "
        f"{statistics.median(samples):.1f} ms, max {max(samples):.1f} ms over {len(samples)} "
        f"communes (median {villages:.0f} villages, period {period.code}; target <= 50 ms)"
    )
    print(
        f"  of which reading + rules + models: median {statistics.median(loads):.1f} ms; "
        f"the rest is Qt painting the grid"
    )
    page.close()
    store.close()


def main() -> None:
    db = province_db()
    size_mb = db.stat().st_size / 1e6
    print(f"database: {db} ({size_mb:.0f} MB)")
    cold_start(db)
    grid_switching(db)


if __name__ == "__main__":
    main()
