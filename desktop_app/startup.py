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
