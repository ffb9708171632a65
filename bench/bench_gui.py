"""GUI figures on a province-sized database (Sơn La: 204 communes, ~3,400 villages).

    .venv/bin/python -m bench.bench_gui
    .venv/bin/python -m bench.bench_gui --callgrind [ROUNDS]   # instructions, valgrind

1. Start-up, whole process, offscreen on a 1366×768 screen, in fresh subprocesses
   alternated with the baseline, as ratios to a bare PySide6 ``QMainWindow`` (1366×768)
   started the same way in the same run (target: main window ≤ 2× the baseline). The
   measured process is ``coverage-desk gui --db DB --lang vi`` itself (``cli.main``),
   with the same event filter as the baseline's, installed on the watched windows
   themselves (the login and main window as they are built; the bare QMainWindow),
   never application-wide (see ``WATCHED``), that stamps:
   - the login window's first complete paint (the database is opened and checked
     meanwhile, on the task runner);
   - the main window's first complete paint, login included as this bench defines it:
     the clerk presses the real "Log in" button the moment the login window shows the
     users (the password typed meanwhile); the password check (scrypt, lockout count,
     audit entry), building the window and its first page (the data-entry grid with a
     commune's values, checked after the stamp) all count;
   - the same main-window figure after an unclean shutdown (the bench leaves the
     window's in-use marker behind, as a power cut does): the full ``quick_check`` then
     runs at open, before the users are listed (``desktop_app.store.health``); after a
     clean close it runs in the background once the main window is painted, which is
     not in the figure (its own duration is printed apart).
   - where the time goes: the median end of each step of both starts, from the process
     start (interpreter, ``PySide6.QtCore``, then the application's own steps, each a
     ``desktop_app.startup.mark`` call: command line, window modules, QApplication,
     login window, database, users, main window built, password, shown), with the
     bench's stamps among them, so the part of each step in the ratio can be read off.
   A paint is "complete" when a 0 ms timer posted by the window's paint event fires:
   Qt paints the children in the same pass. Both processes run from byte-compiled
   modules, as an installed app does (see :func:`_environment`).
   With ``--callgrind [ROUNDS]``, instead: valgrind's instruction counts of both
   processes from their start to the same stamp, GUI thread and all threads (see
   :func:`callgrind`), which a loaded machine does not move: on 2026-12-04 the GUI
   thread 1,193.3 M against the bare window's 593.6 M (2.01x; main that morning
   1,541.8 M, 2.60x), all threads 1,705.0 M (2.87x; main 1,941.6 M, 3.27x); that
   evening, after the day's features (main 84041a3: 1,239.7 M, 2.09x; all threads
   1,751.2 M, 2.95x), 1,198.4 M (2.02x) and 1,707.9 M (2.88x).
2. Opening a commune's grid and switching to another commune (load + model reset +
   paint; target ≤ 50 ms).

Prints figures and the baseline they are divided by; never passes or fails on time.
The province database is copied first (a login writes its audit entry).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import province_db, working_copy
from desktop_app.store import health

ROUNDS = 5
TYPING_MS = 1500  # an eight-letter password typed by a clerk: about 1.5 s at least
SIZE = (1366, 768)
# Qt's offscreen screen is 800x800 by default: both processes get a 1366x768 screen
SCREEN = json.dumps(
    {
        "screens": [
            {"name": "bench", "x": 0, "y": 0, "width": SIZE[0], "height": SIZE[1],
             "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
        ]
    }
)  # fmt: skip

# The same spy in both processes: an event filter on the watched windows that stamps a
# window's first paint once the whole frame is painted (a 0 ms timer posted from the
# window's own paint event fires after the repaint of all its children has finished).
SPY = """
import sys, time
print("mark|interpreter started|" + repr(time.time()), flush=True)
from PySide6.QtCore import QEvent, QObject, QTimer
print("mark|PySide6.QtCore imported|" + repr(time.time()), flush=True)

class Spy(QObject):
    def __init__(self, on_show, on_painted):
        super().__init__()
        self.seen, self.on_show, self.on_painted = set(), on_show, on_painted
    def eventFilter(self, obj, event):
        kind = event.type()
        if kind == QEvent.Type.Paint or kind == QEvent.Type.Show:
            name = type(obj).__name__
            if name in self.on_painted and (name, kind) not in self.seen:
                self.seen.add((name, kind))
                if kind == QEvent.Type.Show:
                    self.on_show.get(name, lambda w: None)(obj)
                else:
                    QTimer.singleShot(0, lambda: self.on_painted[name](obj))
        return False

def stamp(what):
    import resource
    used = resource.getrusage(resource.RUSAGE_SELF)
    print(what, time.time(), used.ru_utime + used.ru_stime, flush=True)
    if what == "main" and EXIT_AT_PAINT:  # counted by callgrind up to here (--callgrind)
        import os
        os._exit(0)

EXIT_AT_PAINT = bool(__import__("os").environ.get("CD_BENCH_EXIT_AT_PAINT"))
"""

BARE = (
    SPY
    + """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
spy = Spy({}, {"QMainWindow": lambda w: (stamp("main"), app.quit())})
window = QMainWindow()
window.installEventFilter(spy)
window.resize({SIZE[0]}, {SIZE[1]})
window.show()
app.exec()
""".replace("{SIZE[0]}", str(SIZE[0])).replace("{SIZE[1]}", str(SIZE[1]))
)

# ``coverage-desk gui --db DB --lang vi`` itself (cli.main, run_gui, the login, the main
# window), with the spy: the clerk presses "Log in" (the real button) the moment the
# login window is painted with the users listed, the password typed while the database
# was being opened. Stamps: login painted, users listed, "Log in" pressed, main window
# painted; then the grid the first page shows, and the window is closed (a clean close).
COVERAGE_DESK = (
    SPY
    + """
db = sys.argv[1]
import importlib.util

# the windows the spy watches: (module, class); each instance gets the spy as its own
# event filter once built, as the bare window does (an application-wide Python filter
# would see every event of every object, and PySide would build Python classes and
# enums for Qt's internal objects it is handed, QGestureManager's among them: about
# 21 ms of GUI-thread CPU in this process that the real app never pays)
WATCHED = {"desktop_app.ui.login": "LoginDialog", "desktop_app.ui.main_window": "MainWindow"}

class InstallSpy:
    # hooks the watched classes when coverage-desk imports their modules itself, so
    # the process imports what the real one does in the same order (importing them
    # here first ran those imports before cli.main, outside what it sets up)
    def find_spec(self, name, path, target=None):
        if name not in WATCHED:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        run_module = spec.loader.exec_module
        def exec_module(module):
            run_module(module)
            cls = getattr(module, WATCHED[name])
            real_init = cls.__init__
            def __init__(self, *args, **kwargs):
                real_init(self, *args, **kwargs)
                self.installEventFilter(spy)
            cls.__init__ = __init__
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, InstallSpy())

state = {"painted": False, "listed": False, "pressed": False}

TYPING_MS = int(sys.argv[2]) if len(sys.argv) > 2 else 0

def press_when_seen(login):
    # the clerk presses "Log in" once she sees the login window with her name in it
    # (after TYPING_MS more when the bench lets her type the password then)
    if state["painted"] and state["listed"] and not state["pressed"]:
        state["pressed"] = True
        if TYPING_MS:
            QTimer.singleShot(TYPING_MS, lambda: press(login))
        else:
            press(login)

def press(login):
    login.users.setCurrentIndex(login.users.findData("canbo"))
    login.password.setText("canbo123")
    stamp("pressed")
    login.buttons.button(login.buttons.StandardButton.Ok).click()

def listed(login):
    stamp("listed")
    state["listed"] = True
    press_when_seen(login)

def login_shown(login):
    if login.store is not None:
        QTimer.singleShot(0, lambda: listed(login))
    else:
        login.ready.connect(lambda: listed(login))

def login_painted(login):
    stamp("login")
    state["painted"] = True
    press_when_seen(login)

def main_painted(window):
    stamp("main")
    from desktop_app.startup import MARKS  # the app's own steps (desktop_app.startup.mark)
    offset = time.time() - time.perf_counter()
    for step, at in MARKS:
        print("mark|" + step + "|" + repr(at + offset), flush=True)
    page = window.stack.currentWidget()
    grid = getattr(page, "village_table", None)
    model = grid.model() if grid is not None else None
    rows = model.rowCount() if model is not None else 0
    cols = model.columnCount() if model is not None else 0
    filled = sum(
        1 for r in range(min(rows, 40)) for c in range(cols)
        if str(model.index(r, c).data() or "").strip()
    )
    print("page", type(page).__name__, rows, cols, filled, flush=True)
    window.close()

spy = Spy(
    {"LoginDialog": login_shown},
    {"LoginDialog": login_painted, "MainWindow": main_painted},
)
from desktop_app.cli import main
sys.exit(main(["gui", "--db", db, "--lang", "vi"]))
"""
)


def _environment(pycache: Path, screen: Path) -> dict[str, str]:
    """The child processes' environment: offscreen on a 1366x768 screen, and this
    checkout's modules byte-compiled (into ``pycache``), as an installed app's are (a
    wheel install and the frozen build compile them; with ``PYTHONDONTWRITEBYTECODE``
    set, as on the team's machines, every start would compile the whole package again,
    which no user pays, while PySide6's own modules are compiled already)."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def _stamps(env: dict[str, str], code: str, *args: str) -> dict[str, float | list[str]]:
    """Seconds from the start to each stamp; ``cpu:<what>``: the process's CPU seconds
    (all threads, user + system) at that stamp; ``page``: what the first page showed."""
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if done.returncode != 0:
        raise SystemExit(f"the measured process failed ({done.returncode}):\n{done.stderr}")
    out: dict[str, float | list[str]] = {}
    for line in done.stdout.splitlines():
        if line.startswith("mark|"):
            _, step, at = line.split("|")
            out.setdefault("mark:" + step, float(at) - started)  # a step's first time
            continue
        what, *rest = line.split()
        if what == "page":
            out[what] = rest
        else:
            out[what] = float(rest[0]) - started
            out["cpu:" + what] = float(rest[1])
    return out


def _check_page(page: list[str]) -> None:
    """The first page the clock stopped on is the entry grid with a commune's values."""
    kind, rows, cols, filled = page
    assert kind == "EntryPage" and int(rows) > 0 and int(cols) > 0, page
    assert int(filled) > 0, f"the first paint showed no values: {page}"


def callgrind(db: Path, rounds: int) -> None:
    """Instructions (callgrind) from the process start to the main window's first paint,
    both processes: the GUI thread, and all threads, each process ending at its stamp
    (``os._exit``), so nothing after the paint is counted. Each of our runs follows an
    uncounted one that closes the window cleanly (a counted run's exit leaves the in-use
    marker, and the start after it would run the full check) and checks its first page.
    Unlike the clock, the count does not move with the machine's load; which thread
    imports a module both need first (the GUI thread's steps or the task opening the
    database) can move a few tens of M between the two from run to run."""
    import glob

    folder = Path(tempfile.mkdtemp(prefix="cd-bench-gui-cg-"))
    screen = folder / "screen.json"
    screen.write_text(SCREEN, encoding="utf-8")
    env = _environment(folder / "pycache", screen)
    counted = {**env, "CD_BENCH_EXIT_AT_PAINT": "1", "PYTHONHASHSEED": "0"}
    _stamps(env, BARE)  # byte-compiles, as installed

    def count(code: str, *args: str) -> tuple[float, float]:
        out = folder / "callgrind.out"
        for old in glob.glob(f"{out}*"):
            os.unlink(old)
        subprocess.run(
            ["valgrind", "--tool=callgrind", "--collect-atstart=yes", "--separate-threads=yes",
             f"--callgrind-out-file={out}", sys.executable, "-c", code, *args],
            env=counted, capture_output=True, check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )  # fmt: skip
        per_thread = {}
        for name in glob.glob(f"{out}-*"):
            text = Path(name).read_text(errors="replace")
            line = next(x for x in text.splitlines() if x.startswith(("summary:", "totals:")))
            per_thread[name[-2:]] = int(line.split()[1]) / 1e6
        return per_thread["01"], sum(per_thread.values())

    bare: list[tuple[float, float]] = []
    ours: list[tuple[float, float]] = []
    for _ in range(rounds):
        _check_page(_stamps(env, COVERAGE_DESK, str(db))["page"])  # type: ignore[arg-type]
        ours.append(count(COVERAGE_DESK, str(db)))
        bare.append(count(BARE))
    gui_b, all_b = (statistics.median(x[i] for x in bare) for i in (0, 1))
    gui_o, all_o = (statistics.median(x[i] for x in ours) for i in (0, 1))
    print(
        f"callgrind, instructions from the process start to the main window's first paint, "
        f"medians of {rounds} runs each (M):"
    )
    print(f"  bare QMainWindow: GUI thread {gui_b:,.1f}, all threads {all_b:,.1f}")
    print(
        f"  coverage-desk gui: GUI thread {gui_o:,.1f} = {gui_o / gui_b:.2f}x "
        f"({', '.join(f'{g:,.1f}' for g, _ in ours)}); all threads {all_o:,.1f} = "
        f"{all_o / all_b:.2f}x ({', '.join(f'{a:,.1f}' for _, a in ours)})"
    )
    print(
        "  the GUI thread's count leaves out what the task opening the database does on its"
        " own thread meanwhile (the all-threads count holds it); the clock figures of the"
        " default run are the start-up target's measure"
    )


def _ms(samples: list[float]) -> str:
    return ", ".join(f"{x * 1000:.0f}" for x in samples)


def cold_start(db: Path) -> None:
    folder = Path(tempfile.mkdtemp(prefix="cd-bench-gui-env-"))
    screen = folder / "screen.json"
    screen.write_text(SCREEN, encoding="utf-8")
    env = _environment(folder / "pycache", screen)
    bare: list[float] = []
    bare_cpu: list[float] = []
    main_cpu: list[float] = []
    unclean_cpu: list[float] = []
    login: list[float] = []
    listed: list[float] = []
    main: list[float] = []
    after_login: list[float] = []
    unclean: list[float] = []
    steps: dict[str, list[float]] = {}
    bare_steps: dict[str, list[float]] = {}
    _stamps(env, BARE)  # warm the OS file cache for all, as a second start would be
    first = _stamps(env, COVERAGE_DESK, str(db))  # compiles; a fresh copy: checked at open
    page = first["page"]
    assert isinstance(page, list)
    _check_page(page)
    for _ in range(ROUNDS):
        base = _stamps(env, BARE)
        bare.append(float(base["main"]))  # type: ignore[arg-type]
        _collect(bare_steps, base)
        bare_cpu.append(float(base["cpu:main"]))  # type: ignore[arg-type]
        run = _stamps(env, COVERAGE_DESK, str(db))
        main_cpu.append(float(run["cpu:main"]))  # type: ignore[arg-type]
        _collect(steps, run)
        assert run["page"] == page, (run["page"], page)
        painted, ready, _pressed, window = (
            float(run[k])  # type: ignore[arg-type]
            for k in ("login", "listed", "pressed", "main")
        )
        login.append(painted)
        listed.append(ready)
        main.append(window)
        # the password typed while the database is checked: the clerk waits for the
        # login window, then for the main window once "Log in" is pressed
        typed = _stamps(env, COVERAGE_DESK, str(db), str(TYPING_MS))
        assert typed["page"] == page, (typed["page"], page)
        # what the clerk waits for: the login window, then from "Log in" to the main window
        after_login.append(
            float(typed["login"]) + float(typed["main"]) - float(typed["pressed"])  # type: ignore[arg-type]
        )
        health.marker_path(db).write_text("left by a power cut")
        broken = _stamps(env, COVERAGE_DESK, str(db))
        unclean.append(float(broken["main"]))  # type: ignore[arg-type]
        unclean_cpu.append(float(broken["cpu:main"]))  # type: ignore[arg-type]
        assert not health.marker_path(db).exists(), "the window did not close cleanly"
    started = time.perf_counter()
    result = health.quick_check(db)
    background = time.perf_counter() - started
    assert result == ["ok"], result
    b = statistics.median(bare)
    med = {
        name: statistics.median(v)
        for name, v in (
            ("l", login),
            ("r", listed),
            ("m", main),
            ("a", after_login),
            ("u", unclean),
        )
    }
    kind, rows, cols, filled = page
    print(
        "clock: from just before each process is started to its window's first complete "
        "paint (a 0 ms timer posted by that paint event), offscreen on a 1366x768 screen, "
        "modules byte-compiled as installed; medians of "
        f"{ROUNDS} processes, the two kinds alternated; load average {_load()}"
    )
    print(
        f"baseline: bare PySide6 QMainWindow 1366x768, whole process to first paint: "
        f"median {b * 1000:.0f} ms ({_ms(bare)})"
    )
    print(
        f"login window of `coverage-desk gui --db DB --lang vi`, to first paint: median "
        f"{med['l'] * 1000:.0f} ms = {med['l'] / b:.2f}x baseline ({_ms(login)})"
    )
    print(
        f"  ... database opened and checked, users listed: median {med['r'] * 1000:.0f} ms"
        f" = {med['r'] / b:.2f}x baseline"
    )
    print(
        f"main window, whole process to first paint, login included ('Log in' pressed as "
        f"soon as the login window shows the users): median {med['m'] * 1000:.0f} ms = "
        f"{med['m'] / b:.2f}x baseline (target <= 2x) ({_ms(main)})"
    )
    print(
        f"  first page painted: {kind}, village grid {rows} rows x {cols} indicators, "
        f"{filled} values showing in its first 40 rows"
    )
    print(
        f"  ... what the clerk waits for when she takes {TYPING_MS} ms to type her password "
        f"once the login window shows (the database is opened and the window's modules "
        f"imported meanwhile): the login window, then from 'Log in' to the main window: "
        f"median {med['a'] * 1000:.0f} ms = {med['a'] / b:.2f}x baseline ({_ms(after_login)})"
    )
    print(
        f"main window after an unclean shutdown (full quick_check at open), login included: "
        f"median {med['u'] * 1000:.0f} ms = {med['u'] / b:.2f}x baseline ({_ms(unclean)})"
    )
    bc = statistics.median(bare_cpu)
    mc, uc = statistics.median(main_cpu), statistics.median(unclean_cpu)
    print(
        f"CPU time (user + system, all threads) up to the first paint, less disturbed by a "
        f"loaded machine than the clock: baseline {bc * 1000:.0f} ms; main window "
        f"{mc * 1000:.0f} ms = {mc / bc:.2f}x; after an unclean shutdown {uc * 1000:.0f} ms = "
        f"{uc / bc:.2f}x"
    )
    print(
        f"  the full quick_check alone, as the window runs it in the background after a clean "
        f"close: {background * 1000:.0f} ms (after the main window's first paint)"
    )
    _print_steps(bare_steps, steps)


# The bench's own stamps, named as in the step list.
_STAMPS = {
    "login": "login window painted (bench)",
    "listed": "users listed, seen by the bench",
    "pressed": "'Log in' pressed (bench)",
    "main": "main window painted (bench)",
}


def _collect(into: dict[str, list[float]], run: dict[str, float | list[str]]) -> None:
    for key, value in run.items():
        if key.startswith("mark:"):
            into.setdefault(key[5:], []).append(float(value))  # type: ignore[arg-type]
        elif key in _STAMPS:
            into.setdefault(_STAMPS[key], []).append(float(value))  # type: ignore[arg-type]


def _print_steps(bare: dict[str, list[float]], ours: dict[str, list[float]]) -> None:
    """Where the time goes: each step's end, from the process start, medians of the
    runs above ("Log in" pressed at once), in the order the steps end, with the time
    since the step before. The application's steps are ``desktop_app.startup.mark``
    calls; "database opened and checked" ends on a pool thread while the GUI thread
    goes on (the others are the GUI thread's)."""
    print("where the time goes (from the process start; medians; + since the step above):")
    for title, steps in (("baseline", bare), ("coverage-desk gui", ours)):
        order = sorted(steps, key=lambda k: statistics.median(steps[k]))
        before = 0.0
        parts = []
        for step in order:
            at = statistics.median(steps[step])
            parts.append(f"{step} {at * 1000:.0f} ms (+{(at - before) * 1000:.0f})")
            before = at
        print(f"  {title}: " + "; ".join(parts))


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


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
    source = province_db()
    size_mb = source.stat().st_size / 1e6
    print(f"database: {source} ({size_mb:.0f} MB), used through a copy")
    with tempfile.TemporaryDirectory(prefix="cd-bench-gui-") as folder:
        db = working_copy(source, Path(folder))
        if sys.argv[1:2] == ["--callgrind"]:
            callgrind(db, int(sys.argv[2]) if len(sys.argv) > 2 else 3)
            return
        cold_start(db)
        grid_switching(db)


if __name__ == "__main__":
    main()
