"""The change log's (commune, period) index: an older file gets it by migration, data
kept, and a period's state is then read through it (no scan of the whole log)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from desktop_app.store.db import inspect_file, open_database, schema_version
from desktop_app.store.schema import SCHEMA_VERSION

FIXTURE_V2 = Path(__file__).resolve().parents[1] / "fixtures" / "schema_v2.db"


def test_an_older_file_migrates_and_the_period_query_uses_the_index(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE_V2, path)
    assert inspect_file(path) < SCHEMA_VERSION
    old = sqlite3.connect(path)
    before = old.execute("SELECT * FROM change ORDER BY id").fetchall()
    old.close()
    db = open_database(path)
    try:
        assert schema_version(db) == SCHEMA_VERSION
        assert db.execute_sql("SELECT * FROM change ORDER BY id").fetchall() == before
        indexes = {
            r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        assert "change_scope_period" in indexes
        plan = " ".join(
            str(r[-1])
            for r in db.execute_sql(
                "EXPLAIN QUERY PLAN SELECT origin, epoch, MAX(seq) FROM change"
                " WHERE period = ? AND scope_unit IN (?) GROUP BY origin, epoch",
                ("2019Q2", "pre2025:04108"),
            )
        )
        assert "change_scope_period" in plan, plan
    finally:
        db.close()
