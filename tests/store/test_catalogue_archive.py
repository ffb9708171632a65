"""Every catalogue version an office has held is archived (m0010): on install, on
publishing, on receiving reference data, and, for an older file, by the migration."""

from __future__ import annotations

import csv
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from desktop_app.domain.catalogue import Catalogue, CatalogueError, load_catalogue
from desktop_app.domain.periods import Period
from desktop_app.paths import resources_dir
from desktop_app.store.db import open_database, schema_version
from desktop_app.store.migrations import m0010_catalogue_archive
from desktop_app.store.repositories.publishing import PublishError
from desktop_app.store.repositories.reference import (
    archived_versions,
    load_archived_catalogue,
    load_catalogue_from_db,
)
from desktop_app.store.schema import SCHEMA_VERSION, migrate
from desktop_app.store.store import Store
from tests.store.test_publishing import _catalogue

FIXTURE_V3 = Path(__file__).resolve().parents[1] / "fixtures" / "schema_v3.db"


def _same(a: Catalogue, b: Catalogue) -> bool:
    return (a.version, a.indicators, a.dimensions, a.derived, a.retired) == (
        b.version,
        b.indicators,
        b.dimensions,
        b.derived,
        b.retired,
    )


def _retire(folder: Path, code: str) -> None:
    with open(folder / "indicators.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["retired"] = "yes" if row["code"] == code else ""
        if row["code"] == "so_ho":
            row["name_vi"] = "Số hộ (đổi tên)"
    with open(folder / "indicators.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_install_archives_the_shipped_catalogue(district_store: Store) -> None:
    assert archived_versions(district_store.db) == ["2025.1"]
    (source,) = district_store.db.execute_sql(
        "SELECT source FROM catalogue_archive WHERE version = '2025.1'"
    ).fetchone()
    assert source == "install"
    archived = load_archived_catalogue(district_store.db, "2025.1")
    assert archived is not None and _same(archived, district_store.catalogue)
    assert _same(archived, load_catalogue(resources_dir() / "catalog"))
    assert load_archived_catalogue(district_store.db, "1999.1") is None


def test_publishing_archives_the_new_version_and_keeps_the_old(
    tmp_path: Path, clock, unit_directory
) -> None:  # type: ignore[no-untyped-def]
    import random

    from desktop_app.store.office import create_office

    province = create_office(
        tmp_path / "prov.db", "pre2025:14", directory=unit_directory, clock=clock,
        rng=random.Random(3), user="so.tttt",
    )  # fmt: skip
    try:
        old = province.catalogue
        folder = _catalogue(tmp_path, "2026.1")
        _retire(folder, "thung_thu")
        province.publishing.publish_catalogue(folder)
        assert archived_versions(province.db) == ["2025.1", "2026.1"]
        new = province.catalogue
        assert "thung_thu" in new.retired and "thung_thu" not in new.indicators
        assert new.indicator("so_ho").name_vi == "Số hộ (đổi tên)"
        kept = load_archived_catalogue(province.db, "2025.1")
        assert kept is not None and _same(kept, old) and "thung_thu" in kept.indicators
        archived = load_archived_catalogue(province.db, "2026.1")
        assert archived is not None and _same(archived, new)
        # a retired indicator still named by a rule in force is refused, nothing written
        folder = _catalogue(tmp_path, "2026.2")
        _retire(folder, "so_ho")  # dan_so >= so_ho still refers to it
        count = province.db.execute_sql("SELECT count(*) FROM change").fetchone()[0]
        with pytest.raises(PublishError, match="so_ho"):
            province.publishing.publish_catalogue(folder)
        assert province.db.execute_sql("SELECT count(*) FROM change").fetchone()[0] == count
        assert archived_versions(province.db) == ["2025.1", "2026.1"]
    finally:
        province.close()


def test_a_retired_code_cannot_come_back_twice(tmp_path: Path) -> None:
    folder = tmp_path / "cat"
    shutil.copytree(resources_dir() / "catalog", folder)
    _retire(folder, "thung_thu")
    with open(folder / "indicators.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows.append(next(r for r in rows if r["code"] == "thung_thu") | {"retired": ""})
    with open(folder / "indicators.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(CatalogueError, match="duplicate code 'thung_thu'"):
        load_catalogue(folder)


def test_the_report_catalogue_is_chosen_per_thread(district_store: Store) -> None:
    """Inside ``reporting_with`` only the reporting thread sees the chosen catalogue."""
    other = Catalogue({}, {}, {}, "0.1")
    seen: list[str] = []
    with district_store.reporting_with(other):
        assert district_store.catalogue is other
        worker = threading.Thread(target=lambda: seen.append(district_store.catalogue.version))
        worker.start()
        worker.join()
    assert seen == ["2025.1"]
    assert district_store.catalogue.version == "2025.1"


def test_an_older_file_is_backfilled_with_its_catalogue(tmp_path: Path) -> None:
    """A version-9 file gets its current catalogue as the one archived version; a lock
    it made before records no version and is reported with that one."""
    path = tmp_path / "v9.db"
    shutil.copy(FIXTURE_V3, path)
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=m0010_catalogue_archive.VERSION - 1)
    conn.execute(
        "INSERT INTO submission (commune_id, period, state, reason, updated_by, version, hlc)"
        " VALUES ('pre2025:04108', '2019Q1', 'approved', '', 'x', 'v', 1)"
    )
    conn.close()
    db = open_database(path)
    try:
        assert schema_version(db) == SCHEMA_VERSION
        assert archived_versions(db) == ["2025.1"]
        (source,) = db.execute_sql("SELECT source FROM catalogue_archive").fetchone()
        assert source == "migration"
        archived = load_archived_catalogue(db, "2025.1")
        live = load_catalogue_from_db(db)
        assert archived is not None and _same(archived, live)
        assert list(archived.indicators) == ["so_ho", "song_di_dong"]  # in position order
        (recorded,) = db.execute_sql(
            "SELECT catalogue_version FROM submission WHERE period = '2019Q1'"
        ).fetchone()
        assert recorded is None
    finally:
        db.close()
    store = Store.open(path)
    try:
        from desktop_app.reports.catalogue_choice import report_catalogue

        assert store.submissions.get("pre2025:04108", "2019Q1").catalogue_version == ""
        chosen = report_catalogue(store, "pre2025:04108", Period.parse("2019Q1"), None)
        assert chosen.locked and chosen.catalogue.version == "2025.1" and not chosen.older
    finally:
        store.close()
