"""Keep ``None``, ``True`` and ``False`` alive under PySide6 6.12 on Python 3.11.

PySide6 6.12.0 drops references to two of Python's singletons on paths we use:

* one reference to ``None`` each time Qt calls a Python override (``data()``,
  ``headerData()`` of our item models) that returns ``None``; any other value is
  counted right. Measured: 1,000 calls through a QIdentityProxyModel take 997
  references off ``None`` and none off ``True``, ``7`` or a string;
* one reference to ``True`` each time ``SignalInstance.disconnect(slot)`` returns it.
  Measured (2026-12-04): 1,000 connect/disconnect pairs take 1,000 references off
  ``True`` and none off ``False``. The window never disconnects a signal itself, but
  pytest-qt does (``waitSignal``, the model tester): six of our GUI test files run
  together aborted at exit with "Fatal Python error: bool_dealloc" (True held about
  10,700 references then, some of them owed to objects still alive).

Python 3.12 made these objects immortal, so there this is harmless; on 3.11 a session
that paints enough cells (the bench's 52 commune switches did) or disconnects enough
signals brings a count to zero and the interpreter aborts ("none_dealloc",
"bool_dealloc") at exit, or earlier.

The fix does what 3.12 does: it gives each of them a reference count no run can use
up (2**60), once per process, before the first window (``make_application``; the test
session's ``tests/conftest.py`` too). It costs nothing per call, where a ``Py_IncRef``
in every override would add a C call per painted cell role.
"""

from __future__ import annotations

import ctypes
import sys

#: Added once; 2**60 dropped references would take some 36,000 years at a million
#: per second, and the count (a 64-bit Py_ssize_t) stays far from overflow. A 32-bit
#: Python gets a quarter of its range (2**29: still some nine minutes of a million
#: dropped references a second, against the 1,000 a commune switch drops).
_RESERVE = min(1 << 60, sys.maxsize >> 2)

_done = False


def keep_singletons_alive() -> bool:
    """Make ``None``, ``True`` and ``False`` effectively immortal on Python < 3.12; True
    when it did it now."""
    global _done
    if _done or sys.version_info >= (3, 12):
        return False
    for singleton in (None, True, False):
        refcount = ctypes.c_ssize_t.from_address(id(singleton))
        refcount.value += _RESERVE
    _done = True
    return True
