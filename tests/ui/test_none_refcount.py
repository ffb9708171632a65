"""Painting item models must not wear out ``None``: PySide6 6.12 drops a reference to
it for each ``None`` a Python ``data()`` override returns, which on Python 3.11 ended
the bench (and could end the app) with "Fatal Python error: none_dealloc". Nor may
disconnecting signals wear out ``True`` (each ``disconnect`` drops one: "bool_dealloc")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# More None-returning data() calls than None had references at the start, then a
# normal exit: before the guard this aborted (rc 134, none_dealloc) at the latest
# when the interpreter finalised.
_CHILD = """
import sys
from PySide6.QtCore import QAbstractTableModel, QIdentityProxyModel, QModelIndex
from desktop_app.ui.app import make_application

app = make_application()

class Model(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()):
        return 1

    def columnCount(self, parent=QModelIndex()):
        return 1

    def data(self, index, role=0):
        return None

model = Model()
proxy = QIdentityProxyModel()
proxy.setSourceModel(model)
index = proxy.index(0, 0)
calls = 2 * min(sys.getrefcount(None), 10**6) + 10_000
for _ in range(calls):
    proxy.data(index, 0)
print("survived", calls)
"""


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_none_returned_by_a_model_does_not_wear_out_none() -> None:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "survived" in done.stdout
    assert "none_dealloc" not in done.stderr


# More connect/disconnect pairs than True had references at the start (each
# ``disconnect`` returns True a reference short under PySide6 6.12), then a normal exit:
# before the guard covered True this aborted (rc 134, bool_dealloc).
_DISCONNECT_CHILD = """
import sys
from PySide6.QtCore import QObject, Signal
from desktop_app.ui.app import make_application

app = make_application()

class Source(QObject):
    changed = Signal()

def slot():
    pass

source = Source()
calls = 2 * min(sys.getrefcount(True), 10**6) + 10_000
for _ in range(calls):
    source.changed.connect(slot)
    source.changed.disconnect(slot)
print("survived", calls)
"""


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="True is immortal from Python 3.12")
def test_disconnecting_signals_does_not_wear_out_true() -> None:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", _DISCONNECT_CHILD],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "survived" in done.stdout
    assert "bool_dealloc" not in done.stderr
