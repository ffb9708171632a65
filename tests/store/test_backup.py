"""Backup and restore: exact round trip, a new epoch, damaged backups refused, rotation."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_app.store import backup
from desktop_app.store.errors import BackupDamagedError
from desktop_app.store.models import ALL_MODELS
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from tests.conftest import COMMUNE


def _dump(path: Path, skip_epoch: bool = False) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    out = {}
    for model in ALL_MODELS:
        table = model._meta.table_name
        if skip_epoch and table in ("node", "epoch_history"):
            continue
        out[table] = conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
    conn.close()
    return out


@pytest.fixture
def filled(commune_store):  # type: ignore[no-untyped-def]
    village = commune_store.villages.add(COMMUNE, "Bản Pá Khoang")
    commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 90))
    commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019Q1", "phu_4g", True))
    commune_store.users.add("admin", "Quản trị viên", "admin", "secret1")
    return commune_store, village


def test_backup_then_restore_round_trips_exactly_with_a_new_epoch(filled, tmp_path: Path):
    store, village = filled
    path = store.path
    old_epoch = store.node.epoch
    out = backup.backup_to(path, tmp_path / "usb" / "backup.db")
    snapshot = _dump(out)
    assert snapshot == _dump(path)

    # work goes on after the backup...
    store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 95))
    store.villages.add(COMMUNE, "Bản Mới")
    store.close()

    new_epoch = backup.restore(path, out)
    assert new_epoch != old_epoch
    restored = _dump(path, skip_epoch=True)
    expected = {k: v for k, v in snapshot.items() if k not in ("node", "epoch_history")}
    assert restored == expected
    with Store.open(path) as again:
        assert again.node.epoch == new_epoch
        history = again.db.execute_sql(
            "SELECT epoch, reason FROM epoch_history ORDER BY started_at, reason"
        ).fetchall()
        assert (old_epoch, "created") in history and (new_epoch, "restored") in history
        # the first change of the new epoch starts at seq 1 under the new epoch
        ref = again.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 99))
        assert ref is not None and ref.version.endswith(f"/{new_epoch}/1")
    # what was replaced was itself backed up first
    assert any("before-restore" in p.name for p in backup.list_backups(path))


def test_a_damaged_backup_is_refused_and_the_database_left_alone(filled, tmp_path: Path):
    store, _ = filled
    path = store.path
    out = backup.backup_to(path, tmp_path / "b.db")
    store.close()
    before = _dump(path)
    conn = sqlite3.connect(out)
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    # pages that hold data (the change log's and the values' first pages), not a free
    # page left by a migration's dropped index, whose damage loses nothing
    roots = [
        r
        for (r,) in conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name IN ('change', 'data_value')"
        )
    ]
    conn.close()
    data = bytearray(out.read_bytes())
    for root in roots:
        data[(root - 1) * page : root * page] = b"\x00" * page
    out.write_bytes(bytes(data[: len(data) - 1000]))
    with pytest.raises(BackupDamagedError):
        backup.restore(path, out)
    assert _dump(path) == before
    not_a_db = tmp_path / "photo.db"
    not_a_db.write_bytes(b"\xff\xd8\xff" + b"JPEG" * 1000)
    with pytest.raises(BackupDamagedError):
        backup.restore(path, not_a_db)
    assert _dump(path) == before


def test_automatic_backups_rotate(filled, clock):
    store, _ = filled
    for i in range(backup.KEEP_AUTOMATIC + 4):
        clock.advance(60)
        backup.auto_backup(store.path, reason=f"test{i:02d}", now=clock)
    kept = backup.list_backups(store.path)
    assert len(kept) == backup.KEEP_AUTOMATIC
    assert kept[-1].name.endswith(f"test{backup.KEEP_AUTOMATIC + 3:02d}.db")
