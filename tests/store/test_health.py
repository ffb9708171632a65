"""The window's database check: full at open when damage is likely, in the background otherwise.

Real SQLite files damaged on disk (a table's b-tree page scribbled over), a real process
that dies without closing, the real quick_check; only the clock is injected.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop_app.store import health
from desktop_app.store.errors import DamagedDatabaseError
from desktop_app.store.store import Store

NOW = 1_780_000_000.0


def _clock() -> float:
    return NOW


def _copy(demo_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "office.db"
    shutil.copy(demo_db, path)
    return path


def _closed_cleanly(path: Path, clock=_clock) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(path, window=True, clock=clock)
    store.close()


def _damage_a_table(path: Path, *, keep_time: bool) -> None:
    """Scribble over the root page of the biggest table; size (and optionally time) kept."""
    conn = sqlite3.connect(path)
    root = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'data_value'"
    ).fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    assert root > 1
    st = path.stat()
    with path.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xa5" * 200)
    if keep_time:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert health.quick_check(path) != ["ok"]


def test_a_clean_close_leaves_nothing_due_and_the_check_for_the_background(demo_db, tmp_path):
    path = _copy(demo_db, tmp_path)
    assert health.full_check_due(path, now=NOW) == health.NEVER
    store = Store.open(path, window=True, clock=_clock)
    assert health.marker_path(path).exists()
    assert not store.background_check_due  # it just ran at open
    store.close()
    assert not health.marker_path(path).exists()
    assert health.full_check_due(path, now=NOW) is None
    store = Store.open(path, window=True, clock=_clock)
    assert store.background_check_due
    store.close()


def test_after_an_unclean_shutdown_a_damaged_file_is_refused_at_open(demo_db, tmp_path):
    path = _copy(demo_db, tmp_path)
    _closed_cleanly(path)
    dies = textwrap.dedent(
        """
        import os, sys
        from pathlib import Path
        from desktop_app.store.store import Store
        store = Store.open(Path(sys.argv[1]), window=True)
        store.reference.count_units()
        os._exit(9)  # the power cut: nothing closes
        """
    )
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    done = subprocess.run([sys.executable, "-c", dies, str(path)], env=env, check=False)
    assert done.returncode == 9
    assert health.full_check_due(path, now=NOW) == health.UNCLEAN
    _damage_a_table(path, keep_time=True)
    content = path.read_bytes()
    with pytest.raises(DamagedDatabaseError):
        Store.open(path, window=True, clock=_clock)
    assert path.read_bytes() == content
    assert health.full_check_due(path, now=NOW) == health.UNCLEAN  # and again next time


def test_a_left_over_write_ahead_log_counts_as_unclean(demo_db, tmp_path):
    path = _copy(demo_db, tmp_path)
    _closed_cleanly(path)
    keeper = sqlite3.connect(path)  # another program holding the file, with a log
    keeper.execute("PRAGMA journal_mode = wal")
    keeper.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('probe', 'x')")
    keeper.commit()
    try:
        assert health.full_check_due(path, now=NOW) == health.UNCLEAN
    finally:
        keeper.close()


def test_a_log_left_by_a_worker_connection_at_a_clean_close_is_not_unclean(demo_db, tmp_path):
    path = _copy(demo_db, tmp_path)
    _closed_cleanly(path)
    store = Store.open(path, window=True, clock=_clock)
    worker = sqlite3.connect(path)  # a task's connection on a pool thread, still open
    worker.execute("SELECT count(*) FROM unit").fetchone()
    store.db.execute_sql("INSERT OR REPLACE INTO meta (key, value) VALUES ('probe', 'x')")
    store.close()
    assert health._wal_left(path)  # the worker's connection keeps the log
    assert health.full_check_due(path, now=NOW) is None
    worker.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('probe', 'y')")
    worker.commit()  # written after the close: something did not close cleanly
    assert health.full_check_due(path, now=NOW) == health.UNCLEAN
    worker.close()


def test_damage_hidden_from_the_cheap_checks_is_found_in_the_background_and_remembered(
    demo_db, tmp_path
):
    path = _copy(demo_db, tmp_path)
    _closed_cleanly(path)
    _damage_a_table(path, keep_time=True)  # a bad sector: size and time as they were
    assert health.full_check_due(path, now=NOW) is None
    store = Store.open(path, window=True, clock=_clock)  # the cheap checks pass
    assert store.background_check_due
    store.close()
    result = health.quick_check(path)
    health.record_check(path, now=NOW, result=result)
    assert health.full_check_due(path, now=NOW) == health.DAMAGED
    with pytest.raises(DamagedDatabaseError):
        Store.open(path, window=True, clock=_clock)


def test_an_old_check_or_a_changed_file_is_checked_at_open(demo_db, tmp_path):
    path = _copy(demo_db, tmp_path)
    _closed_cleanly(path)
    _damage_a_table(path, keep_time=True)
    later = NOW + (health.FULL_CHECK_EVERY_DAYS + 1) * 86400
    assert health.full_check_due(path, now=later) == health.STALE
    with pytest.raises(DamagedDatabaseError):
        Store.open(path, window=True, clock=lambda: later)
    (tmp_path / "other").mkdir()
    other = _copy(demo_db, tmp_path / "other")
    _closed_cleanly(other)
    _damage_a_table(other, keep_time=False)  # written by something else since the close
    assert health.full_check_due(other, now=NOW) == health.CHANGED
    with pytest.raises(DamagedDatabaseError):
        Store.open(other, window=True, clock=_clock)


def test_a_truncated_file_is_caught_by_the_cheap_checks(demo_db, tmp_path):
    path = _copy(demo_db, tmp_path)
    _closed_cleanly(path)
    st = path.stat()
    with path.open("r+b") as fh:
        fh.truncate(st.st_size // 2)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    record = health.record_path(path)
    # even with a record that says it closed exactly like this
    data = json.loads(record.read_text())
    data["closed"] = health._fingerprint(path)
    record.write_text(json.dumps(data))
    assert health.full_check_due(path, now=NOW) is None
    with pytest.raises(DamagedDatabaseError) as err:
        Store.open(path, window=True, clock=_clock)
    assert "truncated" in err.value.user_message()
