"""When the window reads the whole database through, and when it need not wait for it.

``PRAGMA quick_check`` reads every page: about 0.5–1.1 s on the 401 MB province bench
database (more on an office PC's hard disk), and at every start it made the clerk
wait for it. The check matters on these PCs (power cuts, PCs switched off at the
wall), so the window keeps it but only waits for it when damage is likely:

- **Always, at open, cheap** (a few ms, :func:`cheap_problems`): the SQLite header
  (``not a database``), ``application_id``, the schema version, the schema itself
  parsed (``sqlite_master``), and, when no write-ahead log is left over, the file size
  against the page count in the header (a truncated copy is caught here).
- **The full quick_check at open, before the login lists the users**
  (:func:`full_check_due` gives the reason): after an unclean shutdown (the
  ``<db>.in-use`` marker the window writes at open and removes on a clean close is
  still there, or a write-ahead log was written after the window's last clean close:
  a power cut, a killed process or command); when no full check was ever recorded for
  the file; when the last one is older than :data:`FULL_CHECK_EVERY_DAYS` days; when
  the last one found damage; when the file changed since the window closed it
  (another program, a copied-in or restored file).
- **Otherwise in the background**, once the main window is painted
  (:func:`quick_check` on a read-only connection of its own): damage found there is
  told at once with what to do (restore the latest backup) and recorded, so the next
  start checks at open again and refuses the file.

The record (``<db>.checked``, JSON: when, the result, the size and time of the file and
of its log at the last clean close) and the marker live beside the database.
Command-line commands that write keep the full check at every open (``open_database``'s
default). The read-only ones (``report``, ``export dhis2``) follow the window's rule
(:func:`full_check_due`) and, closing, remember the file as they left it
(:func:`read_closed`): a report of a file fully checked since its last change does not
read its 401 MB through again (``report district`` on the bench database spent
0.4–0.6 s of its time in quick_check), and a file changed by anything else (an import,
a restore, a copy, a window or command that did not close) is checked in full first.

``bench/bench_gui.py`` on the 401 MB bench database (2 cores shared with other work;
ratios to a bare ``QMainWindow`` measured in the same run), main window, login
included: 6.62× (731 ms) before this change; after a clean close 3.67× (448 ms), after
an unclean shutdown 7.25× (884 ms, the full check at open as before); the background
check alone 339 ms. On a busier machine: 8.88× before, 5.09× / 8.62× after. What the
rest of the gap to 2× is: :mod:`desktop_app.startup` (scrypt runs beside the window's
build, not before it).
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
    """Size and time of the file and of its write-ahead log (0, 0 when none or empty)."""
    st = path.stat()
    log = path.with_name(path.name + "-wal").stat() if _wal_left(path) else None
    return [st.st_size, st.st_mtime_ns, log.st_size if log else 0, log.st_mtime_ns if log else 0]


def full_check_due(path: Path, *, now: float) -> str | None:
    """Why the full quick_check must run before the window opens; None when it can wait."""
    if marker_path(path).exists():
        return UNCLEAN
    record = _read_record(path)
    if record.get("closed") != _fingerprint(path) and _wal_left(path):
        return UNCLEAN  # a log written since the window closed: a program that did not close
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
    if path.exists():
        # a log may stay behind while a worker thread still holds a connection: it is
        # remembered as it was, so only a log written after this close counts as unclean
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


def read_closed(path: Path) -> None:
    """A read-only command has closed the file cleanly: remember it as it was left, so
    the next command or window start need not read it through (unless the window has
    it open, whose own close records it)."""
    if marker_path(path).exists() or not path.exists():
        return
    record = _read_record(path)
    record["closed"] = _fingerprint(path)
    _write_record(path, record)


def problems_line(problems: list[str]) -> str:
    """The first three problems of a check on one line (a quick_check row may hold many
    lines under a ``*** in database main ***`` heading)."""
    lines = [ln.strip() for p in problems for ln in p.splitlines()]
    return "; ".join([ln for ln in lines if ln and not ln.startswith("***")][:3])
