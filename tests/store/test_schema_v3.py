"""Schema version 3 (sync bookkeeping): a version-2 file migrates, backed up, data kept."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from desktop_app.store import backup
from desktop_app.store.db import inspect_file, open_database, schema_version
from desktop_app.store.schema import SCHEMA_VERSION

FIXTURE_V2 = Path(__file__).resolve().parents[1] / "fixtures" / "schema_v2.db"
SYNC_TABLES = {
    "sync_node",
    "sync_segment",
    "sync_backlog",
    "sync_quarantine",
    "sync_rejection",
    "sync_peer",
    "sync_bundle",
    "sync_event",
    "issued_certificate",
    "revocation",
}


def test_version_2_fixture_migrates_to_3_with_a_backup_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    shutil.copy(FIXTURE_V2, path)
    assert inspect_file(path) == 2
    old = sqlite3.connect(path)
    tables = ("data_value", "change", "audit", "peer_cursor", "setting", "epoch_history", "node")
    before = {t: old.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    old.close()

    db = open_database(path)
    try:
        assert schema_version(db) == SCHEMA_VERSION >= 3
        for t in tables:
            assert db.execute_sql(f"SELECT * FROM {t} ORDER BY 1").fetchall() == before[t], t
        names = {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type='table'")}
        assert SYNC_TABLES <= names
        for t in SYNC_TABLES:
            assert db.execute_sql(f"SELECT count(*) FROM {t}").fetchone()[0] == 0
        # the cursor the v2 file held is still what sync reads
        assert db.execute_sql("SELECT epoch, seq FROM peer_cursor").fetchall() == [(42, 3)]
    finally:
        db.close()
    backups = backup.list_backups(path)
    assert len(backups) == 1 and "before-migration-v2" in backups[0].name
    assert inspect_file(backups[0]) == 2


def test_a_migrated_office_can_be_enrolled_and_export(tmp_path: Path) -> None:
    from desktop_app.store.store import Store
    from desktop_app.sync.certificates import make_request
    from desktop_app.sync.identity import load_identity

    path = tmp_path / "v2.db"
    shutil.copy(FIXTURE_V2, path)
    with Store.open(path) as store:
        request = make_request(store)
        assert request["body"]["office_id"] == "pre2025:125"
        assert len(load_identity(store).public_key) == 32
