"""Open a Coverage Desk database: check it, refuse what is not ours or too new, migrate.

Nothing here runs at import time; callers get a connected peewee database from
:func:`open_database` and hand it on.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from peewee import SqliteDatabase

from desktop_app.store import backup, health
from desktop_app.store.errors import (
    DamagedDatabaseError,
    DatabaseMissingError,
    DiskFullError,
    NewerDatabaseError,
    NotOurDatabaseError,
)
from desktop_app.store.schema import APPLICATION_ID, SCHEMA_VERSION, migrate, read_version

# WAL keeps readers and the writer apart; synchronous=FULL makes every committed
# value survive a power cut, which these offices have.
PRAGMAS: tuple[tuple[str, object], ...] = (
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("busy_timeout", 5000),
    ("synchronous", "full"),
    ("cache_size", -16000),
    ("temp_store", "memory"),
)


def inspect_file(path: Path, *, full: bool = True) -> int:
    """Check a file is a healthy Coverage Desk database; return its schema version.

    Raises the store's errors for a missing, foreign, damaged or newer file.
    Opens the file read-only: inspecting never changes it. ``full=False`` runs only
    the cheap checks of :func:`desktop_app.store.health.cheap_problems` instead of
    ``quick_check`` (see that module for when the window may do so).
    """
    if not path.exists():
        raise DatabaseMissingError(path=str(path))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise NotOurDatabaseError(path=str(path)) from exc
    try:
        try:
            if full:
                result = [row[0] for row in conn.execute("PRAGMA quick_check")]
            else:
                result = health.cheap_problems(conn, path) or ["ok"]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = read_version(conn)
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc):
                raise NotOurDatabaseError(path=str(path)) from exc
            if _disk_full(path):  # reading a WAL file makes its -shm: "disk I/O error"
                raise DiskFullError(detail=str(path)) from exc
            raise DamagedDatabaseError(path=str(path), detail=str(exc)) from exc
        if result != ["ok"]:
            raise DamagedDatabaseError(path=str(path), detail=health.problems_line(result))
        if version == 0 and tables == 0:
            return 0
        if app_id != APPLICATION_ID:
            raise NotOurDatabaseError(path=str(path))
        if version > SCHEMA_VERSION:
            raise NewerDatabaseError(
                path=str(path),
                found=version,
                supported=SCHEMA_VERSION,
                app_version=_written_by(conn),
            )
        return version
    finally:
        conn.close()


#: free bytes below which a disk counts as full (a WAL file's -shm alone needs 32 KiB)
DISK_FULL_BELOW = 1024 * 1024


def _disk_full(path: Path) -> bool:
    """True when the disk holding ``path`` has (almost) no room left: a read that failed
    there says nothing of the file's health."""
    try:
        return shutil.disk_usage(path.parent).free < DISK_FULL_BELOW
    except OSError:
        return False


def _written_by(conn: sqlite3.Connection) -> str:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'min_app_version'").fetchone()
    except sqlite3.Error:
        row = None
    return str(row[0]) if row else "?"


def open_database(
    path: Path,
    *,
    create: bool = False,
    backup_dir: Path | None = None,
    now: Callable[[], float] | None = None,
    full_check: bool = True,
) -> SqliteDatabase:
    """Open (or with ``create`` make) the database at ``path``, migrated to this version.

    An older file is backed up before it is migrated. A newer, foreign or damaged
    file raises a :class:`~desktop_app.store.errors.StoreError` and is not touched.
    ``full_check=False`` leaves the full quick_check to the caller (cheap checks only),
    except before a migration, which always reads the whole file first.
    """
    path = Path(path)
    if path.exists() or not create:
        version = inspect_file(path, full=full_check)
        if not full_check and 0 < version < SCHEMA_VERSION:
            inspect_file(path)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        version = 0
    if 0 < version < SCHEMA_VERSION:
        backup.auto_backup(
            path, reason=f"before-migration-v{version}", backup_dir=backup_dir, now=now
        )
    if version < SCHEMA_VERSION:
        from desktop_app import __version__

        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = wal")
            migrate(conn)
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('min_app_version', ?)",
                (__version__,),
            )
        finally:
            conn.close()
    db = SqliteDatabase(str(path), pragmas=PRAGMAS, lock_type="IMMEDIATE")
    db.connect()
    return db


def schema_version(db: SqliteDatabase) -> int:
    """The schema version of an open database."""
    return int(db.execute_sql("PRAGMA user_version").fetchone()[0])


def integrity_check(db: SqliteDatabase) -> list[str]:
    """The full integrity check (slower than the quick check done at open)."""
    return [str(row[0]) for row in db.execute_sql("PRAGMA integrity_check")]
