"""The areas step (m0004): an older file gains the three tables, its data kept."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from desktop_app.store.db import inspect_file, open_database, schema_version
from desktop_app.store.schema import SCHEMA_VERSION, migrate

FIXTURE_V2 = Path(__file__).resolve().parents[1] / "fixtures" / "schema_v2.db"
TABLES = {"area_decision", "area_member", "coverage_hole"}


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_an_older_file_gains_the_area_tables_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE_V2, path)
    old = sqlite3.connect(path)
    migrate(old, target=3)  # the last version before the areas step
    assert not TABLES & _tables(old)
    before = old.execute("SELECT * FROM data_value ORDER BY id").fetchall()
    old.close()
    assert inspect_file(path) == 3
    db = open_database(path)
    try:
        assert schema_version(db) == SCHEMA_VERSION
        conn = db.connection()
        assert TABLES <= _tables(conn)
        assert conn.execute("SELECT * FROM data_value ORDER BY id").fetchall() == before
    finally:
        db.close()
