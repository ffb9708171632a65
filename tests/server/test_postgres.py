"""The server on PostgreSQL: the feed there, the province office kept in step by pulling.

Needs ``COVERAGE_DESK_TEST_PG`` (``build/start_test_postgres.sh``); skipped
without it, FAILED without it under ``CI=true``.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from desktop_app.domain.units import UnitDirectory
from desktop_app.netsync.client import sync_office
from desktop_app.sync.status import ACKNOWLEDGED, period_sync_state
from tests.server.conftest import (
    C1,
    C2,
    PROVINCE,
    Province,
    ServerThread,
    count_changes,
    fill_period,
    forge_value,
    free_port,
    make_province,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_server(province: Province, pg_database: str) -> Iterator[ServerThread]:
    """A server on PostgreSQL, bootstrapped from the province database."""
    from desktop_app.server.app import create_app

    app = create_app(pg_database, province_db=province.path)
    with ServerThread(app) as server:
        yield server


def test_offices_sync_through_postgres_and_the_province_pulls_the_feed(
    province: Province, pg_server: ServerThread
) -> None:
    commune = province[C1]
    changes = fill_period(commune, 12)
    forge_value(commune, C2, "5")  # out of scope: refused with a reason
    result = sync_office(commune, pg_server.url)
    assert result.accepted == changes and result.rejected == 1  # the refused one is not "accepted"
    assert period_sync_state(commune, C1, "2024").state == ACKNOWLEDGED
    assert sync_office(commune, pg_server.url).pushed_batches == 0
    # the province office database pulls the feed and applies it through the store
    prov = province[PROVINCE]
    pulled = sync_office(prov, pg_server.url, backup=False)
    assert pulled.pulled_segments == 1
    assert count_changes(prov, commune.node.node_id) == changes
    quarantined = prov.db.execute_sql("SELECT scope_unit, reason FROM sync_quarantine")
    assert quarantined.fetchall() == [(C2, f"{C1} may not write data of {C2}")]
    values = prov.db.execute_sql(
        "SELECT commune_id, count(*) FROM data_value GROUP BY commune_id"
    ).fetchall()
    assert values == [(C1, 12)]  # nothing of the refused change written
    # the province's own changes go up and come down to the commune
    code = next(iter(prov.catalogue.derived))
    prov.targets.set(C1, 2024, code, 60.0)
    assert sync_office(prov, pg_server.url, backup=False).accepted == 1
    sync_office(commune, pg_server.url)
    assert commune.targets.get(C1, 2024) == {code: 60.0}


def _communes(directory: UnitDirectory, n: int) -> tuple[str, ...]:
    out: list[str] = []
    for district in directory.children(PROVINCE):
        out += [u.id for u in directory.children(district.id)][:3]
    return tuple(out[:n])


def _start(args: list[str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "desktop_app.server", *args, "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(log.read_text(errors="replace"))
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health").status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not start")


@pytest.mark.slow
def test_two_server_processes_and_many_offices_lose_and_double_nothing(
    tmp_path: Path, unit_directory: UnitDirectory, pg_database: str
) -> None:
    units = _communes(unit_directory, 30)
    prov = make_province(tmp_path, unit_directory, units)
    try:
        expected = {}
        for unit in units:
            expected[prov[unit].node.node_id] = fill_period(prov[unit], 12, per_village=3)
        ports = [free_port(), free_port()]
        common = ["--db", pg_database, "--batch-changes", "10"]
        procs = [_start([*common, "--province-db", str(prov.path)], ports[0], tmp_path / "a.log")]
        procs.append(_start(common, ports[1], tmp_path / "b.log"))
        started = time.monotonic()
        errors: list[BaseException] = []

        def office(i: int, unit: str) -> None:
            try:
                for k in range(2):  # each office twice, once on each process
                    url = f"http://127.0.0.1:{ports[(i + k) % 2]}"
                    sync_office(prov[unit], url, backup=False)
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=office, args=(i, u)) for i, u in enumerate(units)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        took = time.monotonic() - started
        for proc in procs:
            proc.terminate()
            proc.wait(10)
        assert not errors, errors
        print(f"{len(units)} offices synced twice through two processes in {took:.1f} s")
        with psycopg.connect(pg_database) as conn:
            count, low, high = conn.execute(
                "SELECT count(*), min(fseq), max(fseq) FROM cd_feed"
            ).fetchone()  # type: ignore[misc]
            assert (low, high) == (1, count)  # gap-free
            assert conn.execute("SELECT last FROM cd_counter").fetchone() == (count,)
            cursors = dict(conn.execute("SELECT origin, seq FROM cd_cursor").fetchall())
            ranges: dict[str, list[tuple[int, int]]] = {}
            for origin, lo, hi in conn.execute(
                "SELECT origin, seq_from, seq_to FROM cd_feed ORDER BY fseq"
            ):
                ranges.setdefault(origin, []).append((lo, hi))
        assert cursors == expected
        for origin, got in ranges.items():
            flat = [s for lo, hi in got for s in range(lo, hi + 1)]
            assert flat == list(range(1, expected[origin] + 1)), origin  # in order, no doubles
        for unit in units:
            assert period_sync_state(prov[unit], unit, "2024").state == ACKNOWLEDGED
    finally:
        for store in prov.offices.values():
            store.close()


def test_a_later_batch_that_arrives_first_waits_for_the_earlier_one_on_postgres(
    province: Province, pg_server: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.server.test_apply_behind import later_batch_first

    later_batch_first(province, pg_server.url, monkeypatch)


def test_a_certificate_the_province_revokes_is_refused_once_the_province_has_synced(
    province: Province, pg_server: ServerThread
) -> None:
    from desktop_app.netsync.client import NetworkSyncError
    from desktop_app.sync.certificates import my_certificate, revoke, revoked_serials

    c2, prov = province[C2], province[PROVINCE]
    fill_period(c2, 2)
    assert sync_office(c2, pg_server.url).accepted == 4
    serial = int(my_certificate(c2)[0]["body"]["serial"])
    revoke(prov, serial)  # in the province's window
    sync_office(prov, pg_server.url, backup=False)  # hands its signed list to the server
    fill_period(c2, 1)
    with pytest.raises(NetworkSyncError, match="401"):
        sync_office(c2, pg_server.url)
    sync_office(province[C1], pg_server.url)  # and the list comes down with the pages
    assert serial in revoked_serials(province[C1])


def test_only_the_province_sends_revocations_and_only_signed_ones(
    province: Province, pg_server: ServerThread, pg_database: str
) -> None:
    from desktop_app.netsync.client import NetworkSyncError, ServerClient
    from desktop_app.sync.certificates import revocation_list

    doc = revocation_list(province[PROVINCE])
    client = ServerClient(pg_server.url)
    try:
        client.sign_in(province[C1])
        with pytest.raises(NetworkSyncError, match="403"):
            client.revocations(doc)
        client.sign_in(province[PROVINCE])
        assert client.revocations(doc) == {"installed": 0}
        doc["body"]["revoked"].append([999, "2026-11-26T00:00:00+00:00"])  # not as signed
        with pytest.raises(NetworkSyncError, match="400"):
            client.revocations(doc)
    finally:
        client.close()
    with psycopg.connect(pg_database) as conn:
        assert conn.execute("SELECT count(*) FROM cd_revocation").fetchone() == (0,)


def test_a_revocation_s_position_reaches_the_feed_and_every_puller_keeps_what_it_covers(
    province: Province, pg_server: ServerThread, pg_database: str
) -> None:
    """PostgreSQL mode: the province office revokes after it pulled C2's changes; the list
    it posts carries its position, kept in cd_revocation.held; a district pulling one
    segment a page keeps C2's changes, as the province office does."""
    from desktop_app.sync.certificates import my_certificate, revoke
    from tests.server.conftest import DISTRICT
    from tests.sync.conftest import values_of

    c2, prov, district = province[C2], province[PROVINCE], province[DISTRICT]
    fill_period(c2, 3)
    assert sync_office(c2, pg_server.url).accepted == 6
    fill_period(c2, 2)
    assert sync_office(c2, pg_server.url).accepted == 4  # a second segment
    sync_office(prov, pg_server.url, backup=False)  # the province office holds them
    serial = int(my_certificate(c2)[0]["body"]["serial"])
    revoke(prov, serial, "Máy bị mất")
    sync_office(prov, pg_server.url, backup=False)  # hands its signed list to the server
    with psycopg.connect(pg_database) as conn:
        held = conn.execute("SELECT held FROM cd_revocation WHERE serial = %s", (serial,))
        assert held.fetchone() == (f"[[{c2.node.epoch}, 10]]",)
    sync_office(district, pg_server.url, backup=False, page_size=1)
    assert len(values_of(district, C2)) == 5
    assert values_of(district, C2) == values_of(prov, C2)
    quarantined = district.db.execute_sql("SELECT count(*) FROM sync_quarantine").fetchone()
    assert quarantined == (0,)


def test_a_district_that_pulled_past_the_position_takes_it_back_when_the_list_comes(
    province: Province, pg_server: ServerThread
) -> None:
    """PostgreSQL mode, the case a position cannot cover: the district pulled C2's second
    push before the province office did; the province office revokes holding only the
    first (position 6 of 10), and quarantines the rest when it pulls. The district, whose
    next pull brings the list, takes those 4 back: both hold the same values and the
    same quarantine (before: the district kept 5 values against the province's 3)."""
    from desktop_app.store.store import Store
    from desktop_app.sync.certificates import my_certificate, revoke
    from tests.server.conftest import DISTRICT
    from tests.sync.conftest import values_of

    c2, prov, district = province[C2], province[PROVINCE], province[DISTRICT]
    node = c2.node.node_id
    fill_period(c2, 3)
    assert sync_office(c2, pg_server.url).accepted == 6
    sync_office(prov, pg_server.url, backup=False)  # the province office holds these 6
    fill_period(c2, 2)
    assert sync_office(c2, pg_server.url).accepted == 4
    sync_office(district, pg_server.url, backup=False)  # the district applies all 10
    assert len(values_of(district, C2)) == 5
    revoke(prov, int(my_certificate(c2)[0]["body"]["serial"]), "Máy bị mất")
    sync_office(prov, pg_server.url, backup=False)  # posts the list; quarantines the 4
    result = sync_office(district, pg_server.url, backup=False)

    def quarantined(store: Store) -> list[int]:
        return [
            int(r[0])
            for r in store.db.execute_sql(
                "SELECT seq FROM sync_quarantine WHERE origin = ? ORDER BY seq", (node,)
            )
        ]

    assert len(values_of(prov, C2)) == 3
    assert values_of(district, C2) == values_of(prov, C2)
    assert quarantined(district) == quarantined(prov) == [7, 8, 9, 10]
    assert [(t.office_id, t.changes) for t in result.taken_back] == [(C2, 4)]


def test_an_older_postgres_database_gets_the_position_column_in_place(
    province: Province, pg_database: str
) -> None:
    from desktop_app.server.app import open_backend

    open_backend(pg_database, province_db=province.path).close()
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute("ALTER TABLE cd_revocation DROP COLUMN held")  # as before schema 11
        conn.execute("INSERT INTO cd_revocation (serial, revoked_at) VALUES (42, 'x')")
    backend = open_backend(pg_database)  # a server of this version starting on it
    try:
        assert backend.revoked() == {42}
    finally:
        backend.close()
    with psycopg.connect(pg_database) as conn:
        rows = conn.execute("SELECT serial, held FROM cd_revocation").fetchall()
    assert rows == [(42, None)]
