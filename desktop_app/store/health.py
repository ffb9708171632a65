"""When the window reads the whole database through, and when it need not wait for it.

``PRAGMA quick_check`` reads every page: about 1.1 s on the 400 MB province bench
database (more on an office PC's hard disk), which made the main window appear 5.8×
later than a bare ``QMainWindow`` (``bench/bench_gui.py``). The check matters on these
PCs (power cuts, PCs switched off at the wall), so the window keeps it but only makes
the clerk wait for it when damage is likely:

- **Always, at open, cheap** (a few ms, :func:`cheap_problems`): the SQLite header
  (``not a database``), ``application_id``, the schema version, the schema itself
  parsed (``sqlite_master``), and, when no write-ahead log is left over, the file
  size against the page count in the header (a truncated copy is caught here).
- **The full quick_check at open, before the login lists the users**
  (:func:`full_check_due` gives the reason) when the last session did not close
  cleanly (the ``<db>.in-use`` marker the window writes at open and removes on a clean
  close is still there, or a non-empty ``-wal`` file is left over: a power cut or a
  killed process), when no full check was ever recorded for this file, when the last
  one is older than :data:`FULL_CHECK_EVERY_DAYS` days, when the last one found damage,
  or when the file changed size or time since the window last closed it (another
  program, a copied-in file).
- **Otherwise in the background**, after the main window is shown
  (:func:`quick_check` on its own read-only connection): damage found there is told at
  once with what to do (restore the latest backup) and recorded, so the next start
  checks at open again and refuses the file.

The record (``<db>.checked``, JSON: when, the result, the file's size and time at the
last clean close) and the marker live beside the database. Command-line commands keep
the full check at every open (``open_database(full_check=True)``, the default).
Measured with ``bench/bench_gui.py`` on the 401 MB bench database: see the report of
issue 15 (main window, login included, from 5.8× down to the login's own cost).
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

FULL_CHECK_EVERY_DAYS = 7

UNCLEAN = "unclean"
NEVER = "never"
STALE = "stale"
DAMAGED = "damaged"
CHANGED = "changed"


def marker_path(path: Path) -> Path:
    """The file that says a window has the database open (removed on a clean close)."""
    return path.with_name(path.name + ".in-use")


def record_path(path: Path) -> Path:
    """The file that records the last full check and the last clean close."""
    return path.with_name(path.name + ".checked")


def _wal_left(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def _read_record(path: Path) -> dict[str, object]:
    try:
        data = json.loads(record_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_record(path: Path, record: dict[str, object]) -> None:
    target = record_path(path)
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(json.dumps(record), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass  # a read-only folder: the next start simply checks at open again


def _fingerprint(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def full_check_due(path: Path, *, now: float) -> str | None:
    """Why the full quick_check must run before the window opens; None when it can wait."""
    if marker_path(path).exists() or _wal_left(path):
        return UNCLEAN
    record = _read_record(path)
    checked_at = record.get("checked_at")
    if not isinstance(checked_at, (int, float)):
        return NEVER
    if record.get("result") != "ok":
        return DAMAGED
    if now - checked_at > FULL_CHECK_EVERY_DAYS * 86400 or now < checked_at - 86400:
        return STALE  # also a clock set back by more than a day
    if record.get("closed") != _fingerprint(path):
        return CHANGED
    return None


def record_check(path: Path, *, now: float, result: list[str]) -> None:
    """Remember a full check's outcome (``["ok"]`` or the problems it found)."""
    record = _read_record(path)
    record["checked_at"] = now
    record["result"] = "ok" if result == ["ok"] else "; ".join(result[:3])
    _write_record(path, record)


def mark_open(path: Path) -> None:
    """Say the database is open in a window (removed by :func:`mark_closed`)."""
    try:
        marker_path(path).write_text(str(os.getpid()), encoding="utf-8")
    except OSError:
        pass


def mark_closed(path: Path) -> None:
    """A clean close: remove the marker and remember the file as it was left."""
    record = _read_record(path)
    if path.exists() and not _wal_left(path):
        record["closed"] = _fingerprint(path)
        _write_record(path, record)
    try:
        marker_path(path).unlink()
    except OSError:
        pass


def cheap_problems(conn: sqlite3.Connection, path: Path) -> list[str]:
    """What the cheap checks find wrong (empty when nothing): no page is read through."""
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # parses the schema
    if _wal_left(path):
        return []  # pages may live in the log; the full check runs for this case anyway
    page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    with path.open("rb") as fh:
        header = fh.read(100)
    if len(header) < 100:
        return ["file shorter than its header"]
    pages = int.from_bytes(header[28:32], "big")
    if pages and int.from_bytes(header[92:96], "big") == int.from_bytes(header[96:100], "big"):
        size = path.stat().st_size
        if size < pages * page_size:
            return [f"file truncated: {size} bytes, the header says {pages * page_size}"]
    return []


def quick_check(path: Path) -> list[str]:
    """The full ``PRAGMA quick_check`` on a read-only connection of its own."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    try:
        return [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
