"""The main window reads the database through once shown and says at once when it is damaged."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from desktop_app.store import health
from desktop_app.store.errors import DamagedDatabaseError
from desktop_app.store.store import Store
from desktop_app.ui.dialogs import confirm
from desktop_app.ui.main_window import MainWindow
from tests.ui.shell_helpers import context_for

NOW = 1_780_000_000.0


def _open_clean_copy(demo_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "office.db"
    shutil.copy(demo_db, path)
    Store.open(path, window=True, clock=lambda: NOW).close()  # full check at open, clean close
    return path


def _show(qtbot, store: Store) -> tuple[MainWindow, list[str]]:  # type: ignore[no-untyped-def]
    told: list[str] = []
    context = context_for(store, "admin", "quantri_kt")
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window, told


def test_damage_found_in_the_background_is_told_with_what_to_do(
    qtbot, demo_db, tmp_path, monkeypatch
):
    path = _open_clean_copy(demo_db, tmp_path)
    conn = sqlite3.connect(path)
    sql = "SELECT rootpage FROM sqlite_master WHERE name = 'sync_quarantine'"
    root = conn.execute(sql).fetchone()
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    st = path.stat()
    # a bad sector under a table the window does not read at start; size and time unchanged
    with path.open("r+b") as fh:
        fh.seek((root[0] - 1) * page_size)
        fh.write(b"\x5a" * 300)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))

    told: list[str] = []
    monkeypatch.setattr(confirm, "inform", lambda _p, title, text, **_k: told.append(text))
    store = Store.open(path, window=True, clock=lambda: NOW)
    assert store.background_check_due  # the login did not wait for the full check
    window, _ = _show(qtbot, store)
    qtbot.waitUntil(lambda: bool(told), timeout=20000)
    assert "is damaged" in told[0] and "restore the latest backup" in told[0]
    assert "Administration → Backups" in told[0]
    assert "damaged" in window.statusBar().currentMessage()
    window.close()
    store.close()
    # remembered: the next start checks at open and refuses the file
    assert health.full_check_due(path, now=NOW) == health.DAMAGED
    try:
        Store.open(path, window=True, clock=lambda: NOW)
    except DamagedDatabaseError:
        pass
    else:
        raise AssertionError("a file found damaged opened again")


def test_a_healthy_file_is_checked_in_the_background_without_a_word(
    qtbot, demo_db, tmp_path, monkeypatch
):
    path = _open_clean_copy(demo_db, tmp_path)
    told: list[str] = []
    monkeypatch.setattr(confirm, "inform", lambda _p, title, text, **_k: told.append(text))
    later = NOW + 3600
    store = Store.open(path, window=True, clock=lambda: later)
    assert store.background_check_due
    window, _ = _show(qtbot, store)
    qtbot.waitUntil(lambda: not store.background_check_due, timeout=20000)
    qtbot.waitUntil(lambda: health._read_record(path).get("checked_at") == later, timeout=20000)
    assert told == []
    window.close()
    store.close()
    assert health.full_check_due(path, now=later) is None
