"""PostgreSQL mode: the province office is a desktop store that pulls the server's feed,
so its USB bundles carry down only what it HOLDS to send on. What communes pushed over
HTTP must reach a district on a stick, and what a district carried up on a stick must
reach the offices that pull over HTTP, as in SQLite mode (where the server runs on the
province's own file: ``test_province_bundle_path.py``).

Needs ``COVERAGE_DESK_TEST_PG`` (``build/start_test_postgres.sh``); skipped without it,
FAILED without it under ``CI=true``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_app.domain.units import UnitDirectory
from desktop_app.netsync.client import sync_office
from desktop_app.store.office import create_office
from desktop_app.store.store import Store
from desktop_app.sync.certificates import enroll_demo
from desktop_app.sync.exchange import export_bundle, import_bundle
from tests.server.conftest import (
    C1,
    C2,
    DISTRICT,
    PROVINCE,
    Province,
    ServerThread,
    fill_period,
)

Rows = tuple[list[tuple[object, ...]], list[tuple[object, ...]]]


@pytest.fixture
def pg_server(province: Province, pg_database: str) -> Iterator[ServerThread]:
    """A server on PostgreSQL, bootstrapped from the province database."""
    from desktop_app.server.app import create_app

    with ServerThread(create_app(pg_database, province_db=province.path)) as server:
        yield server


@pytest.fixture
def stick_district(province: Province, unit_directory: UnitDirectory) -> Iterator[Store]:
    """A second installation of the district, enrolled, that never syncs by network."""
    store = create_office(province.tmp / "d2.db", DISTRICT, directory=unit_directory, user="usb")
    enroll_demo(store, province[PROVINCE])
    yield store
    store.close()


def commune_rows(store: Store, commune: str) -> Rows:
    """A commune's villages and values here, each with the version that wrote it."""
    villages = store.db.execute_sql(
        "SELECT id, name, version FROM village WHERE commune_id = ? ORDER BY id", (commune,)
    )
    values = store.db.execute_sql(
        "SELECT org_id, period, indicator, disagg, value, version FROM data_value"
        " WHERE commune_id = ? ORDER BY 1, 2, 3, 4",
        (commune,),
    )
    return [tuple(r) for r in villages], [tuple(r) for r in values]


def to_stick(sender: Store, receiver: Store, tmp: str) -> int:
    """``sender``'s bundle addressed to ``receiver``, imported there; changes applied."""
    out = sender.path.parent / f"{tmp}.cdsync"  # type: ignore[union-attr]
    export_bundle(sender, out, to=receiver.node.node_id)
    return import_bundle(receiver, out, backup=False).report.applied


@pytest.mark.postgres
def test_a_district_on_a_stick_gets_what_a_commune_pushed_to_the_postgres_server(
    province: Province, pg_server: ServerThread, stick_district: Store
) -> None:
    """C1 pushes over HTTP; the province office pulls the feed; its bundle to a district
    PC that never synced by network carries C1's villages and values, with the versions
    C1 wrote (relayed with C1's signature, not re-signed by the province)."""
    commune, prov = province[C1], province[PROVINCE]
    changes = fill_period(commune, 8, per_village=2)
    assert sync_office(commune, pg_server.url, backup=False).accepted == changes
    assert sync_office(prov, pg_server.url, backup=False).applied == changes
    want = commune_rows(prov, C1)
    assert len(want[0]) == 8 and len(want[1]) == 16
    assert to_stick(prov, stick_district, "p") == changes
    assert commune_rows(stick_district, C1) == want == commune_rows(commune, C1)
    # the same bundle again: nothing doubled
    assert to_stick(prov, stick_district, "p2") == 0


@pytest.mark.postgres
def test_a_province_office_that_pulled_without_keeping_reads_the_feed_again_once(
    province: Province, pg_server: ServerThread, stick_district: Store
) -> None:
    """A province office an older version synced applied the feed without keeping its
    segments, and its cursor is at the head. Its next sync reads the feed again from the
    start (applying nothing twice) and keeps it, so its bundle carries C1's data; the
    sync after that reads nothing again."""
    commune, prov = province[C1], province[PROVINCE]
    changes = fill_period(commune, 5, per_village=1)
    assert sync_office(commune, pg_server.url, backup=False).accepted == changes
    assert sync_office(prov, pg_server.url, backup=False).applied == changes
    with prov.transaction():  # what an older version left behind
        prov.db.execute_sql("DELETE FROM sync_segment")
        prov.db.execute_sql("DELETE FROM meta WHERE key LIKE 'netsync_keeps:%'")
    again = sync_office(prov, pg_server.url, backup=False)
    assert (again.pulled_segments, again.applied) == (1, 0)
    assert sync_office(prov, pg_server.url, backup=False).pulled_segments == 0
    assert to_stick(prov, stick_district, "p") == changes
    assert commune_rows(stick_district, C1) == commune_rows(prov, C1)


@pytest.mark.postgres
def test_what_a_district_carries_up_on_a_stick_reaches_offices_pulling_from_postgres(
    province: Province, pg_server: ServerThread, stick_district: Store
) -> None:
    """C2's bundle goes to the stick district, whose bundle goes to the province office;
    the province office syncs with the server: the network district, which pulls, then
    holds C2's data with C2's versions, as the province does."""
    c2, prov, network = province[C2], province[PROVINCE], province[DISTRICT]
    changes = fill_period(c2, 6, per_village=1)
    assert to_stick(c2, stick_district, "c2") == changes
    assert to_stick(stick_district, prov, "d2") == changes
    sync_office(prov, pg_server.url, backup=False)
    sync_office(network, pg_server.url, backup=False)
    want = commune_rows(prov, C2)
    assert len(want[0]) == 6 and len(want[1]) == 6
    assert commune_rows(network, C2) == want == commune_rows(c2, C2)
    # C2 syncs by network later: nothing it carried on the stick is taken twice
    assert sync_office(c2, pg_server.url, backup=False).accepted == 0


def test_sqlite_mode_a_district_on_a_stick_gets_what_a_commune_pushed(
    province: Province, stick_district: Store, sqlite_server: ServerThread
) -> None:
    """The same journey in SQLite mode, where the server runs on the province's file."""
    commune = province[C1]
    changes = fill_period(commune, 8, per_village=2)
    assert sync_office(commune, sqlite_server.url, backup=False).accepted == changes
    sqlite_server.wait_applied()
    with Store.open(province.path) as prov:
        want = commune_rows(prov, C1)
        assert to_stick(prov, stick_district, "p") == changes
    assert len(want[0]) == 8 and len(want[1]) == 16
    assert commune_rows(stick_district, C1) == want == commune_rows(commune, C1)


def test_sqlite_mode_what_a_district_carries_up_reaches_offices_pulling(
    province: Province, stick_district: Store, sqlite_server: ServerThread
) -> None:
    """The converse in SQLite mode."""
    c2, network = province[C2], province[DISTRICT]
    changes = fill_period(c2, 6, per_village=1)
    assert to_stick(c2, stick_district, "c2") == changes
    with Store.open(province.path) as prov:
        assert to_stick(stick_district, prov, "d2") == changes
        want = commune_rows(prov, C2)
    sync_office(network, sqlite_server.url, backup=False)
    assert commune_rows(network, C2) == want == commune_rows(c2, C2)
    assert sync_office(c2, sqlite_server.url, backup=False).accepted == 0
