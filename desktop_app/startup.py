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

What is left, and why the window is still about 2.6x a bare ``QMainWindow`` (the target
is 2x; measured 2026-12-04 with callgrind, whose instruction counts a loaded machine does
not change: ``bench/bench_gui.py``'s process, GUI thread, to the main window's first
paint: 1,554 M instructions against the bare window's 590 M, 2.63x; 1,616 M, 2.74x, that
morning). The database and the password already run beside the GUI thread (the database
is opened on a worker while the login window is shown; the main window is built while
scrypt runs on another), so the rest is the GUI thread's own work, almost all of it
Python building what the start imports:

- every Qt class the start reads by name costs all its Python enums at once, and Python
  3.11's ``enum`` is slow to make them: 222 enums in that process (251 that morning; 28
  are the bare window's too), the ``Qt`` namespace 94 of them (about 16 ms). No
  ``PYSIDE6_OPTION_LAZY`` value makes them lazier, so the first paint's modules name
  only the classes it uses (file dialogs, message boxes and the Data menu's dialogs are
  imported when used; the application's translators are kept, not found again with
  ``findChildren``, which built ``QStyle`` and its 570 enum members);
  ``tests/ui/test_start_imports.py`` pins these;
- about 80 modules of ours and their libraries (peewee, sqlite3, gettext, argparse), 49
  dataclasses among them, whose generated methods Python 3.11 compiles from source one
  at a time (the parser and compiler: 154 M instructions, 76 M in the bare window);
- Qt's text machinery, which the empty bare window never starts (fontconfig, FreeType:
  about 46 M), and building, laying out and painting the widgets;
- the entry page's first commune: its values, rule flags and derived figures.

The main window's modules are imported a step at a time once the login is painted
(``desktop_app.ui.app.prepare_main_window``), so a clerk who types her password first
finds them imported, and the users are listed as soon as the database is open.
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
