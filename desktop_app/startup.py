"""Start-up costs the desktop does not need to pay.

peewee imports every database driver it can find when it is first imported;
with psycopg installed (for the provincial server) that alone costs about
0.4 s of every start of the window and of each command. Only the server ever
talks to PostgreSQL, so the other commands mark the drivers as absent first.

Python's cyclic garbage collector runs about 100 times while the window starts
(the imports and Qt's wrappers allocate hundreds of thousands of objects, few of
them garbage): 18-24 ms of CPU before the main window is painted, against 7 ms
in a bare PySide6 window. The window pauses it until its first paint, then
freezes what the start made (``gc.freeze``: those objects are never walked
again) instead of making the collector walk them all at once: re-enabling alone
cost one 15 ms collection inside the first paint.

``PYSIDE6_OPTION_LAZY`` (shiboken6 6.12, PYSIDE-2404) is left alone: its default, 1,
already creates a Qt class (and its Python enums) only when its name is first read,
and that is the cheapest. Measured in ``bench/bench_gui.py``'s process against the
default (7 and 5 alternated rounds, load average 3.9): 0 creates every class at
import, GUI-thread CPU to the main window's first paint 273 -> 300 ms; 2 measured the
same as 1 (267 / 260 ms, noise); 1, 2 and 3 all leave ``len(vars(PySide6.QtWidgets))``
at 15 after the import (206 with 0).

What is left, and why the window is still just over 2x a bare ``QMainWindow`` (the
target is 2x). Measured 2026-12-04 with callgrind (``python -m bench.bench_gui --callgrind``),
whose instruction counts a loaded machine does not change: ``bench/bench_gui.py``'s
process, from its start to the main window's first paint, medians of three runs: GUI
thread 1,193.3 M against the bare window's 593.6 M, 2.01x (1,193.1-1,217.8 M); all
threads 1,705.0 M, 2.87x (the bare window works on one thread). The same count of
main as it was that morning (b3df3a1): GUI thread 1,541.8 M, 2.60x; all threads
1,941.6 M, 3.27x. What went, in the order it was done (GUI thread, one run each):

- the entry page's figures panel is a ``QTextBrowser``, laid out once per text, where a
  word-wrapped rich-text ``QLabel`` in a ``QScrollArea`` was laid out again for every
  height-for-width question (-83 M), at its default margin (setting it built
  ``QTextDocument`` and five enums: -8 M); the ``html`` package is not imported for
  escaping alone (-7 M);
- the dataclasses of the start written as plain classes with ``__slots__`` on
  :class:`desktop_app.domain.frozen.Frozen` (equality, hash, repr, immutability written
  once: a dataclass compiles its methods from source, about 3.5 M instructions a class):
  the expression nodes (-44 M), the entry page's cells and problems (-13 M), the derived
  figures' data (-12 M), the catalogue's indicators and the rules (-22 M), ``Period``
  and ``Unit`` (-7 M);
- the translations: the per-user cache folder is worked out without importing
  platformdirs on Linux (-22 M), the cached catalogue is named by two zlib checksums of
  the ``.po`` rather than its SHA-256 (hashlib: -20 M) and read back already parsed
  (one ``marshal.loads``: -8 M) (a checkout's way; the frozen build reads its ``.mo``);
- the store's modules (peewee, the schema, the repositories, the catalogue) are imported
  by the task that opens the database, on the runner's thread, while the GUI thread
  builds and paints the login window (-102 M on the GUI thread, the same on the
  runner's: all threads the same).

The clock says more than 2x: the bench's clerk presses "Log in" once the users are
listed, so opening the database (about 500 M on the runner's thread, the store's
imports now among them) is on her way to the main window too; on the team's shared
two cores, bench_gui measured the main window at 2.65-2.83x (main: 2.77-3.64x, load
1.6-1.7, alternated runs), the clerk who types her password first at 2.28-2.35x
(2.64-2.99x) and the login window at 1.39-1.59x (1.74-1.91x).

The database and the password run beside the GUI thread (the database is opened on a
worker while the login window is shown; the main window is built while scrypt runs on
another). Which of the two threads imports a module both need first (the GUI thread's
steps or the database task) moves a few tens of M between them from run to run; the
all-threads count does not move. The rest is the GUI thread's own work, most of it
Python building what the start imports:

- every Qt class the start reads by name costs all its Python enums at once, and Python
  3.11's ``enum`` is slow to make them (about 1.3 M instructions an enum): the ``Qt``
  namespace alone, 94 of them, costs about 126 M, more than the whole bare window after
  the interpreter and ``PySide6.QtCore``. No ``PYSIDE6_OPTION_LAZY`` value makes them
  lazier, so the first paint's modules name only the classes it uses (file dialogs,
  message boxes and the Data menu's dialogs are imported when used; the application's
  translators are kept, not found again with ``findChildren``, which built ``QStyle``
  and its 570 enum members); ``tests/ui/test_start_imports.py`` pins these;
- the modules of ours and their libraries (peewee, sqlite3, gettext, argparse), with
  about 16 dataclasses left on the GUI thread in modules of the store, the sync status
  and the window context;
- Qt's text machinery, which the empty bare window never starts (fontconfig, FreeType),
  and building, laying out and painting the widgets (showing and painting the main
  window: about 83 M);
- building the main window and the entry page's first commune, its values, rule flags
  and derived figures (about 125 M).

The main window's modules are imported a step at a time once the login is painted and
the task opening the database has imported the store
(``desktop_app.ui.app.prepare_when_listed``): a clerk who types her password first finds
them imported, the store's imports do not share the interpreter with them, and the full
check after an unclean shutdown (SQLite's work) runs beside them.

The same evening (main 84041a3 had grown to GUI thread 1,239.7 M, 2.09x, all threads
1,751.2 M, 2.95x with the day's features), two imports left the start: the sync
engine's package (``store.apply``, for the submissions repository's ``LOCKED``: -35 M
on both counts) and the hybrid logical clock (``domain.hlc``, for the store's writes:
-9 M on the database's thread): GUI thread 1,198.4 M (2.02x), all threads 1,707.9 M
(2.88x). Where the clock's time goes, from ``bench_gui``'s steps and profiles of its
process (main, load 0.8: bare window 118 ms, main window 345 ms, 2.92x; the target
is about 236 ms):

- the process's CPU time up to the paint (all threads) is about its wall clock: the
  three threads mostly take turns on one interpreter, and only SQLite, file reads and
  scrypt run outside it. Opening the database is ~2.5 ms of checks (listing the users
  and the office on the GUI thread ~6 ms more); the rest of its ~45 ms is importing
  the store (peewee with the stdlib it brings: ~19 ms). Starting it as soon as the
  command line is read (tried: a thread of its own before the window's modules
  import) listed the users no earlier and painted the login later (load 2.1, 10
  rounds: login 164 -> 212 ms, main 331 -> 348 ms): the two imports share the
  interpreter. Handing the interpreter between threads every 0.5 ms instead of 5
  (tried: ``sys.setswitchinterval`` until the first paint) could not be told from the
  noise (paired runs at load 3.9-4.4: -12 ms, then +18 ms) and was left out;
- after "Log in" the main window's modules and build (about 40 + 27 ms alone) run
  beside scrypt (40-55 ms, outside the interpreter); showing and painting take ~20 ms;
- what 2x would need is about 100 ms less work on the interpreter before the paint:
  the ``Qt`` namespace's 94 enums are 16 ms of it, all the other Qt classes the start
  reads ~12 ms, the store's imports ~40 ms, the window's own modules ~45 ms.
"""

from __future__ import annotations

import gc
import sys
import time

_DRIVERS = ("psycopg", "psycopg2")
_paused = False  # by pause_garbage_collection, until resume_garbage_collection

#: The steps of the window's start, as they end: (step, ``time.perf_counter()``). A
#: dozen tuples per start; ``bench/bench_gui.py`` reads them at the main window's first
#: paint to print where the start-up spends its time.
MARKS: list[tuple[str, float]] = []


def mark(step: str) -> None:
    """Note that ``step`` of the window's start has just ended (any thread)."""
    MARKS.append((step, time.perf_counter()))


def skip_unused_database_drivers() -> None:
    """Make ``import psycopg`` fail fast in this process (call before peewee is imported).

    Does nothing for a driver that is already imported.
    """
    for name in _DRIVERS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def pause_garbage_collection() -> None:
    """Hold the cyclic garbage collector off while the window starts (``cmd_gui``).

    Reference counting still frees everything that is not in a cycle. Resumed by
    :func:`resume_garbage_collection` at the main window's first paint, or at the
    end of ``coverage-desk gui`` whatever happens.
    """
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_garbage_collection() -> None:
    """Let the cyclic garbage collector run again if :func:`pause_garbage_collection`
    paused it (else, in tests or a second window, nothing happens).

    What exists now is frozen first (moved out of the collector's generations, at
    no cost): the modules, classes and widgets of the start live as long as the
    process anyway. The price is that the few reference cycles the start left as
    garbage (about 1,800 objects found by the collection this replaces, on the
    province-sized bench database) stay in memory, once per process.
    """
    global _paused
    if not _paused:
        return
    _paused = False
    gc.freeze()
    gc.enable()
