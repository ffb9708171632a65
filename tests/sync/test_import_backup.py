"""The automatic backup before an import, written alongside the apply: it holds exactly the
database the import started from (none of the import's rows), it restores, and an import
whose backup could not be written is rolled back."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from desktop_app.store import backup
from desktop_app.store.store import Store
from desktop_app.sync.exchange import import_bundle
from tests.sync.conftest import Net, add_village, set_households, values_of
from tests.sync.test_faults import snapshot

C1, D1 = "pre2025:04108", "pre2025:125"


def _rows(path: Path) -> list[object]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [
            conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
            for t in ("data_value", "change", "peer_cursor", "village", "sync_bundle", "conflict")
        ]
    finally:
        conn.close()


def test_the_backup_holds_the_database_the_import_started_from_and_restores(net: Net) -> None:
    c = net[C1]
    for i in range(30):
        set_households(c, add_village(c, f"Bản {i + 1}"), 10 + i)
    bundle = net.export(C1)
    district = net[D1]
    before = snapshot(net, D1)
    imported = import_bundle(district, bundle, backup=True)
    assert imported.report.applied >= 60
    assert imported.backup is not None and imported.backup.exists()
    assert imported.backup in backup.list_backups(district.path)  # rotated with the others
    assert imported.backup_seconds is not None and imported.backup_seconds > 0
    assert not list(imported.backup.parent.glob("*.partial"))
    after = snapshot(net, D1)
    assert after != before  # the import wrote...
    assert _rows(imported.backup) == before  # ...and the backup holds none of it
    # a self-contained file: no WAL beside it
    conn = sqlite3.connect(f"file:{imported.backup}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()

    # restore it: the district is back where it was before the import, under a new epoch
    path, epoch = district.path, district.node.epoch
    assert path is not None
    district.close()
    new_epoch = backup.restore(path, imported.backup)
    assert new_epoch != epoch
    with Store.open(path, clock=net.clock, user=district.user) as restored:
        net.offices[D1] = restored
        assert snapshot(net, D1) == before
        assert not values_of(restored, C1)
        # and the same bundle imports again into the restored database
        again = import_bundle(restored, bundle, backup=False)
        assert again.report.applied == imported.report.applied
        assert snapshot(net, D1)[0] == after[0]
    net.offices[D1] = Store.open(path, clock=net.clock)


def test_an_import_whose_backup_fails_after_the_apply_is_rolled_back(
    net: Net, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = net[C1]
    set_households(c, add_village(c, "Bản Đầy"), 5)
    bundle = net.export(C1)
    district = net[D1]
    before = snapshot(net, D1)
    real_fsync = backup.os.fsync
    applied: list[int] = []

    def full_at_fsync(fd: int) -> None:
        # the backup's pages are written; the disk fills as they are flushed, by when
        # the apply may well have written everything
        applied.append(fd)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup.os, "fsync", full_at_fsync)
    from desktop_app.store.errors import DiskFullError

    with pytest.raises(DiskFullError) as caught:
        import_bundle(district, bundle, backup=True)
    assert applied
    message = caught.value.user_message()
    assert message.startswith("Not enough disk space to save:") and "\n" not in message
    assert snapshot(net, D1) == before
    assert not list(net.tmp.rglob("*.partial"))
    # nothing half done: the same bundle imports afterwards
    monkeypatch.setattr(backup.os, "fsync", real_fsync)
    assert import_bundle(district, bundle, backup=True).report.applied


def test_a_database_not_in_wal_mode_is_backed_up_before_the_import_writes(net: Net) -> None:
    c = net[C1]
    set_households(c, add_village(c, "Bản Cũ"), 7)
    bundle = net.export(C1)
    district = net[D1]
    district.db.execute_sql("PRAGMA journal_mode = delete")
    assert district.path is not None
    assert backup.start_auto_backup(district.path, reason="probe") is None
    before = snapshot(net, D1)
    imported = import_bundle(district, bundle, backup=True)
    assert imported.report.applied and imported.backup is not None
    assert _rows(imported.backup) == before
