"""Schema: migrations produce what the models declare; old files migrate; new ones are refused."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from desktop_app.store import backup
from desktop_app.store.db import inspect_file, open_database, schema_version
from desktop_app.store.errors import (
    DamagedDatabaseError,
    DatabaseMissingError,
    NewerDatabaseError,
    NotOurDatabaseError,
)
from desktop_app.store.models import ALL_MODELS
from desktop_app.store.schema import MIGRATIONS, SCHEMA_VERSION, migrate

FIXTURE_V1 = Path(__file__).resolve().parents[1] / "fixtures" / "schema_v1.db"


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def test_migrations_create_exactly_the_tables_and_columns_the_models_declare(tmp_path: Path):
    conn = sqlite3.connect(tmp_path / "fresh.db", isolation_level=None)
    migrate(conn)
    tables = {
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not r[0].startswith("sqlite_")
    }
    assert tables == {m._meta.table_name for m in ALL_MODELS}
    for model in ALL_MODELS:
        declared = {f.column_name for f in model._meta.sorted_fields}
        assert _columns(conn, model._meta.table_name) == declared, model.__name__


def test_versions_are_consecutive_and_current_is_last():
    assert [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))
    assert SCHEMA_VERSION >= 2


def test_version_1_fixture_migrates_with_a_backup_and_keeps_its_data(tmp_path: Path):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE_V1, path)
    assert inspect_file(path) == 1
    before = sqlite3.connect(path).execute("SELECT * FROM data_value ORDER BY id").fetchall()

    db = open_database(path)
    try:
        assert schema_version(db) == SCHEMA_VERSION
        after = db.execute_sql("SELECT * FROM data_value ORDER BY id").fetchall()
        assert after == before
        # version 2 recorded the installation's epoch in the new history table
        assert db.execute_sql("SELECT epoch, reason FROM epoch_history").fetchall() == [
            (1234567, "created")
        ]
        assert db.execute_sql("SELECT count(*) FROM setting").fetchone()[0] == 0
    finally:
        db.close()
    backups = backup.list_backups(path)
    assert len(backups) == 1 and "before-migration-v1" in backups[0].name
    assert inspect_file(backups[0]) == 1  # the backup is the untouched version-1 file


def test_a_newer_database_is_refused_and_left_untouched(tmp_path: Path):
    path = tmp_path / "newer.db"
    shutil.copy(FIXTURE_V1, path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    conn.execute("UPDATE meta SET value = '3.4.0' WHERE key = 'min_app_version'")
    conn.commit()
    conn.close()
    content = path.read_bytes()

    with pytest.raises(NewerDatabaseError) as err:
        open_database(path)
    message = err.value.user_message()
    assert (
        f"schema {SCHEMA_VERSION + 3}" in message
        and "3.4.0" in message
        and str(SCHEMA_VERSION) in message
    )
    assert path.read_bytes() == content
    assert not backup.list_backups(path)


def test_newer_database_message_in_vietnamese(tmp_path: Path):
    from desktop_app.i18n import setup

    path = tmp_path / "newer.db"
    shutil.copy(FIXTURE_V1, path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 2}")
    conn.commit()
    conn.close()
    setup("vi")
    with pytest.raises(NewerDatabaseError) as err:
        open_database(path)
    assert "Coverage Desk" in err.value.user_message()
    assert "phiên bản" in err.value.user_message()


def test_missing_foreign_and_damaged_files(tmp_path: Path):
    with pytest.raises(DatabaseMissingError):
        open_database(tmp_path / "nope.db")
    text = tmp_path / "notes.db"
    text.write_text("this is not a database, it is a shopping list\n" * 100)
    with pytest.raises(NotOurDatabaseError):
        open_database(text)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotOurDatabaseError):
        open_database(other)
    damaged = tmp_path / "damaged.db"
    shutil.copy(FIXTURE_V1, damaged)
    data = bytearray(damaged.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    for offset in range(2 * page_size + 8, 2 * page_size + 400):  # scribble over page 3
        data[offset] = 0xA5
    damaged.write_bytes(bytes(data))
    with pytest.raises((DamagedDatabaseError, NotOurDatabaseError)):
        open_database(damaged)


def test_open_sets_wal_and_foreign_keys(district_store):
    db = district_store.db
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
