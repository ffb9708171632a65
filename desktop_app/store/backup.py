"""Backups with SQLite's online backup API: on demand, automatic and rotating, and restore.

A backup is a complete, consistent database file. Restore checks the file
first, backs up what is being replaced, copies the backup in, and gives the
installation a new epoch: changes it makes from now on can never be confused
with the ones it made after the backup was taken.
"""

from __future__ import annotations

import errno
import os
import secrets
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from desktop_app.store.errors import BackupDamagedError, DiskFullError, StoreError

KEEP_AUTOMATIC = 10
_EPOCH_LIMIT = 2**31


def backups_folder(db_path: Path, backup_dir: Path | None = None) -> Path:
    """Where the automatic backups of ``db_path`` go: ``<folder>/backups`` by default."""
    return backup_dir if backup_dir is not None else db_path.parent / "backups"


def _copy_database(src_path: Path, dest_path: Path) -> None:
    """Consistent copy through the backup API into a temp file, fsynced, then renamed."""
    try:
        src = _open_source(src_path)
    except sqlite3.Error as exc:
        if is_disk_full(exc):
            raise DiskFullError(detail=str(dest_path)) from exc
        raise
    _copy_from(src, dest_path)


def _open_source(src_path: Path) -> sqlite3.Connection:
    # check_same_thread off: a SnapshotBackup opens it here and copies from its thread
    return sqlite3.connect(f"file:{src_path}?mode=ro", uri=True, check_same_thread=False)


def _copy_from(src: sqlite3.Connection, dest_path: Path) -> None:
    """Copy ``src`` (in the snapshot of its open read transaction, if any; closed after)
    into a temp file beside ``dest_path``, fsync, rename; no ``*.partial`` left on failure."""
    tmp = dest_path.with_name(dest_path.name + ".partial")
    try:
        tmp.unlink(missing_ok=True)
        try:
            dest = sqlite3.connect(tmp)
            try:
                # every page in one step (pages=-1): one read of the file, the lock held once
                src.backup(dest)
                # A backup is one self-contained file: no WAL beside it.
                dest.execute("PRAGMA journal_mode = delete")
            finally:
                dest.close()
        finally:
            src.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest_path)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)  # never a half-written backup beside the good ones
        if is_disk_full(exc):
            raise DiskFullError(detail=str(dest_path)) from exc
        raise


def is_disk_full(exc: BaseException) -> bool:
    """An OS or SQLite error that means the disk (or the quota) is full."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return "full" in str(exc)


def backup_to(db_path: Path, out_path: Path) -> Path:
    """Write a backup of ``db_path`` to ``out_path`` (replacing it) and return the path."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    _copy_database(Path(db_path), out_path)
    return out_path


def auto_backup(
    db_path: Path,
    *,
    reason: str,
    backup_dir: Path | None = None,
    now: Callable[[], float] | None = None,
) -> Path:
    """Take a rotating automatic backup named by time and reason; keep the newest few."""
    out = _auto_name(Path(db_path), reason, backup_dir, now)
    _copy_database(Path(db_path), out)
    _rotate(out.parent, Path(db_path).stem)
    return out


class SnapshotBackup:
    """An automatic backup of the database exactly as it is when this is made, written on
    a thread while the caller goes on (an import applies its changes meanwhile).

    Made inside the caller's write transaction, before it writes anything: the
    backup's read transaction then holds the last committed state, which no other
    writer can change while the caller holds the write lock, and which the caller's
    own uncommitted writes never reach (WAL: a reader sees only committed frames).
    :meth:`wait` must be called before the caller COMMITs: it returns the finished
    backup (complete, fsynced, renamed, rotated) or raises its error (a full disk as
    :class:`DiskFullError`), so that an import whose backup failed is rolled back.
    Only for a database in WAL mode (a rollback journal would make the writer wait
    for the reader); :func:`start_auto_backup` checks it.
    """

    def __init__(self, db_path: Path, out: Path) -> None:
        import threading

        self.db_path, self.out = db_path, out
        self.seconds = 0.0  # how long writing it took, on its thread
        self._error: BaseException | None = None
        src = _open_source(db_path)
        try:
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot, now
        except BaseException:
            src.close()
            raise
        self._thread = threading.Thread(
            target=self._run, args=(src,), name="coverage-desk-backup", daemon=True
        )
        self._thread.start()

    def _run(self, src: sqlite3.Connection) -> None:
        started = time.perf_counter()
        try:
            _copy_from(src, self.out)
        except BaseException as exc:  # handed to wait(), on the caller's thread
            self._error = exc
        self.seconds = time.perf_counter() - started

    def wait(self) -> Path:
        """The finished backup, once written; raises what writing it raised."""
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        _rotate(self.out.parent, self.db_path.stem)
        return self.out


def start_auto_backup(
    db_path: Path,
    *,
    reason: str,
    backup_dir: Path | None = None,
    now: Callable[[], float] | None = None,
) -> SnapshotBackup | None:
    """A :class:`SnapshotBackup` named like :func:`auto_backup`'s, started; None if the
    database is not in WAL mode (take :func:`auto_backup` before writing instead)."""
    db_path = Path(db_path)
    probe = _open_source(db_path)
    try:
        mode = str(probe.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    finally:
        probe.close()
    if mode != "wal":
        return None
    out = _auto_name(db_path, reason, backup_dir, now)
    try:
        return SnapshotBackup(db_path, out)
    except sqlite3.Error as exc:
        if is_disk_full(exc):
            raise DiskFullError(detail=str(out)) from exc
        raise


def _auto_name(
    db_path: Path, reason: str, backup_dir: Path | None, now: Callable[[], float] | None
) -> Path:
    folder = backups_folder(db_path, backup_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromtimestamp((now or time.time)(), UTC).strftime("%Y%m%d-%H%M%S-%f")
    return folder / f"{db_path.stem}-{stamp}-{reason}.db"


def _rotate(folder: Path, stem: str) -> None:
    backups = sorted(folder.glob(f"{stem}-*.db"))
    for old in backups[:-KEEP_AUTOMATIC]:
        old.unlink(missing_ok=True)


def list_backups(db_path: Path, backup_dir: Path | None = None) -> list[Path]:
    """The automatic backups of ``db_path``, newest last."""
    folder = backups_folder(Path(db_path), backup_dir)
    return sorted(folder.glob(f"{Path(db_path).stem}-*.db")) if folder.exists() else []


def _check_backup(path: Path) -> None:
    from desktop_app.store.db import inspect_file

    try:
        version = inspect_file(path)
    except StoreError as exc:
        raise BackupDamagedError(detail=exc.user_message()) from exc
    if version == 0:
        raise BackupDamagedError(detail=str(path))
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        nodes = conn.execute("SELECT count(*) FROM node").fetchone()[0]
    except sqlite3.Error as exc:
        raise BackupDamagedError(detail=str(exc)) from exc
    finally:
        conn.close()
    if result != ["ok"]:
        raise BackupDamagedError(detail="; ".join(result[:3]))
    if nodes != 1:
        raise BackupDamagedError(detail="no installation record")


def new_epoch(used: set[int]) -> int:
    """A random epoch never used before by this installation."""
    while True:
        epoch = secrets.randbelow(_EPOCH_LIMIT - 1) + 1
        if epoch not in used:
            return epoch


def restore(
    db_path: Path,
    backup_file: Path,
    *,
    backup_dir: Path | None = None,
    now: Callable[[], float] | None = None,
) -> int:
    """Replace ``db_path`` with ``backup_file`` and return the installation's new epoch.

    The backup is verified before anything is touched; the current database is
    itself backed up first. Raises :class:`BackupDamagedError` for a bad file.
    """
    from desktop_app.store.db import open_database

    db_path, backup_file = Path(db_path), Path(backup_file)
    _check_backup(backup_file)
    if db_path.exists():
        auto_backup(db_path, reason="before-restore", backup_dir=backup_dir, now=now)
    # The epochs already used, from both files, so the new one repeats neither.
    used = _epochs_of(backup_file) | (_epochs_of(db_path) if db_path.exists() else set())
    src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(db_path)
        try:
            src.backup(dest)
        finally:
            dest.close()
    finally:
        src.close()
    db = open_database(db_path, backup_dir=backup_dir, now=now)
    try:
        epoch = new_epoch(used)
        stamp = datetime.fromtimestamp((now or time.time)(), UTC).isoformat()
        with db.atomic():
            db.execute_sql("UPDATE node SET epoch = ?", (epoch,))
            db.execute_sql(
                "INSERT INTO epoch_history (epoch, started_at, reason) VALUES (?, ?, 'restored')",
                (epoch, stamp),
            )
    finally:
        db.close()
    return epoch


def _epochs_of(path: Path) -> set[int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        epochs = {int(r[0]) for r in conn.execute("SELECT epoch FROM node")}
        try:
            epochs |= {int(r[0]) for r in conn.execute("SELECT epoch FROM epoch_history")}
        except sqlite3.OperationalError:  # a version-1 file has no history yet
            pass
        return epochs
    finally:
        conn.close()
