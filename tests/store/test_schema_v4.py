"""Schema version 4 (operator site codes): a version-3 file migrates, its sites kept."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from desktop_app.store.db import inspect_file, open_database, schema_version
from desktop_app.store.schema import SCHEMA_VERSION

FIXTURE_V3 = Path(__file__).resolve().parents[1] / "fixtures" / "schema_v3.db"


def test_version_3_fixture_migrates_with_its_sites_and_no_codes(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    shutil.copy(FIXTURE_V3, path)
    assert inspect_file(path) == 3
    old = sqlite3.connect(path)
    before = old.execute("SELECT * FROM site ORDER BY id").fetchall()
    values = old.execute("SELECT * FROM data_value ORDER BY 1").fetchall()
    old.close()
    assert len(before) == 1

    db = open_database(path)
    try:
        assert schema_version(db) == SCHEMA_VERSION >= 4
        after = db.execute_sql("SELECT * FROM site ORDER BY id").fetchall()
        columns = [r[1] for r in db.execute_sql("PRAGMA table_info(site)")]
        code = columns.index("site_code")
        assert [tuple(v for i, v in enumerate(r) if i != code) for r in after] == before
        assert [r[code] for r in after] == [""]
        assert db.execute_sql("SELECT * FROM data_value ORDER BY 1").fetchall() == values
    finally:
        db.close()


def test_a_migrated_site_keeps_its_code_through_an_edit(tmp_path: Path) -> None:
    from dataclasses import replace

    from desktop_app.store.store import Store

    path = tmp_path / "v3.db"
    shutil.copy(FIXTURE_V3, path)
    with Store.open(path) as store:
        [site] = store.sites.find()
        assert site.site_code == ""
        actor = replace(store.local_actor(), office_id=site.commune_id)
        coded = store.sites.save(replace(site, site_code="SL_MSN_0012"), actor=actor)
        assert store.sites.get(coded.id).site_code == "SL_MSN_0012"  # type: ignore[union-attr]
        state = store.db.execute_sql(
            "SELECT state FROM change WHERE entity = 'site' ORDER BY id DESC LIMIT 1"
        ).fetchone()[0]
        assert '"site_code":"SL_MSN_0012"' in state
