"""A revocation decides per segment by the province's position at revoking, never by
when the list reached a receiver: the same feed gives the same replica whatever the
page size (the defect: 500 applied and 700 quarantined with page_size=1)."""

from __future__ import annotations

from typing import Any

import pytest

from desktop_app.domain.units import UnitDirectory
from desktop_app.netsync.client import sync_office
from desktop_app.store.store import Store
from desktop_app.sync.certificates import revoke_certificates
from tests.server.conftest import C1, DISTRICT, PROVINCE, Province, ServerThread, fill_period


def commune_state(store: Store, commune: str, origin: str) -> tuple[int, int]:
    """(values of the commune, changes of ``origin`` quarantined)."""
    values = store.db.execute_sql(
        "SELECT count(*) FROM data_value WHERE commune_id = ?", (commune,)
    ).fetchone()[0]
    quarantined = store.db.execute_sql(
        "SELECT count(*) FROM sync_quarantine WHERE origin = ?", (origin,)
    ).fetchone()[0]
    return int(values), int(quarantined)


@pytest.mark.parametrize(
    "page_size",
    [
        1,
        2,
        100,
    ],
)
def test_a_commune_revoked_after_the_province_held_its_changes_stands_at_any_page_size(
    page_size: int, province: Province, sqlite_server: ServerThread
) -> None:
    commune, district = province[C1], province[DISTRICT]
    node = commune.node.node_id
    assert fill_period(commune, 600) == 1200  # three segments of 500, 500 and 200
    sync_office(commune, sqlite_server.url, backup=False)
    sqlite_server.wait_applied()
    with Store.open(province.path) as prov:  # the province's window, on the server's file
        revoke_certificates(prov, C1, "Máy tính bị mất cắp")
        held = commune_state(prov, C1, node)
    assert held == (600, 0)  # the province applied them before revoking: they stand
    sync_office(district, sqlite_server.url, backup=False, page_size=page_size)
    assert commune_state(district, C1, node) == held


@pytest.mark.parametrize("page_size", [1, 100])
def test_a_feed_row_past_the_position_is_quarantined_by_every_puller_like_the_province(
    page_size: int, province: Province
) -> None:
    """The feed took C1's push just after the revocation (its position covers 20 of its
    50 changes): the province's apply quarantines 30, and a district pulling it judges
    the segment with the list on the same page, not the list it held before."""
    from desktop_app.server.app import create_app
    from desktop_app.server.sqlite_backend import SqliteBackend
    from desktop_app.sync.certificates import held_text, my_certificate, revoke

    commune, district = province[C1], province[DISTRICT]
    node = commune.node.node_id
    changes = fill_period(commune, 25)
    province.offices[PROVINCE].close()
    backend = SqliteBackend(province.path, quiet=3600, max_lag=3600)
    with ServerThread(create_app(province.path, backend=backend)) as server:
        sync_office(commune, server.url, backup=False)  # held, not applied
        with Store.open(province.path) as prov:
            revoke(prov, int(my_certificate(commune)[0]["body"]["serial"]), "Máy bị mất")
            with prov.transaction():  # as if the feed took the push just after revoking
                prov.db.execute_sql(
                    "UPDATE revocation SET held = ?", (held_text({commune.node.epoch: 20}),)
                )
        backend.quiet = 0.0
        assert backend.wait_applied(60)
        with Store.open(province.path) as prov:
            held = commune_state(prov, C1, node)
        assert held == (0, changes - 20)
        sync_office(district, server.url, backup=False, page_size=page_size)
    province.offices[PROVINCE] = Store.open(province.path)
    assert commune_state(district, C1, node) == held


@pytest.mark.postgres
def test_a_relayed_push_straddling_the_position_is_split_by_the_postgres_server(
    province: Province, pg_database: str, unit_directory: UnitDirectory
) -> None:
    """PostgreSQL mode, two server processes' backends on one database. The province
    office holds C1's changes 1-36 (20 pulled, 16 from a stick) when it revokes C1, and
    its sync is cut once it handed the list over. The district relays C1's stick segment
    1-50 (1-20 held by the server already): the server takes it whole into its feed and
    cursor, answers 21-36 accepted and 37-50 refused for the revocation, and every
    puller, the province office and a new installation of the district alike, keeps 1-36
    and quarantines 37-50."""
    import psycopg

    from desktop_app.netsync.http import ServerClient
    from desktop_app.server.app import create_app
    from desktop_app.store.office import create_office
    from desktop_app.sync.certificates import enroll_demo, my_certificate, revocation_list, revoke
    from desktop_app.sync.exchange import export_bundle, import_bundle

    commune, district, prov = province[C1], province[DISTRICT], province[PROVINCE]
    node, epoch = commune.node.node_id, commune.node.epoch
    first = create_app(pg_database, province_db=province.path)
    second = create_app(pg_database)  # another process's backend: state only in PostgreSQL
    with ServerThread(first) as one, ServerThread(second) as two:
        assert fill_period(commune, 10) == 20
        assert sync_office(commune, one.url, backup=False).accepted == 20
        sync_office(prov, one.url, backup=False)  # the province office holds 1-20
        assert fill_period(commune, 8) == 16  # 21-36, carried to the province on a stick
        stick = province.tmp / "c1-province.cdsync"
        export_bundle(commune, stick, to=prov.node.node_id)
        assert import_bundle(prov, stick, backup=False).report.applied == 16
        assert fill_period(commune, 7) == 14  # 37-50; 1-50 carried to the district
        stick = province.tmp / "c1-district.cdsync"
        export_bundle(commune, stick, to=district.node.node_id)
        assert import_bundle(district, stick, backup=False).report.applied == 50
        held = district.db.execute_sql(
            "SELECT seq_from, seq_to FROM sync_segment WHERE origin = ?", (node,)
        ).fetchall()
        assert held == [(1, 50)]  # the segment the district relays: partly new to the server
        serial = int(my_certificate(commune)[0]["body"]["serial"])
        revoke(prov, serial, "Máy bị mất")
        client = ServerClient(one.url)
        try:  # the province office's sync, cut after it handed the list to the server
            client.sign_in(prov)
            assert client.revocations(revocation_list(prov)) == {"installed": 1}
        finally:
            client.close()
        relayed = sync_office(district, two.url, backup=False)
        assert (relayed.accepted, relayed.rejected) == (16, 14)
        with psycopg.connect(pg_database) as conn:
            assert conn.execute(
                "SELECT seq_from, seq_to FROM cd_feed WHERE origin = %s ORDER BY fseq", (node,)
            ).fetchall() == [(1, 20), (1, 50)]
            assert conn.execute(
                "SELECT seq FROM cd_cursor WHERE origin = %s AND epoch = %s", (node, epoch)
            ).fetchall() == [(50,)]
            refused = conn.execute(
                "SELECT seq, reason FROM cd_rejection WHERE origin = %s ORDER BY seq", (node,)
            ).fetchall()
        assert [s for s, _r in refused] == list(range(37, 51))
        assert all("Máy bị mất" in r for _s, r in refused), refused[0]
        sync_office(prov, two.url, backup=False)
        again = create_office(
            province.tmp / "125-new.db", DISTRICT, directory=unit_directory, user="u125b"
        )
        try:
            enroll_demo(again, prov)
            sync_office(again, one.url, backup=False, page_size=1)
            state = commune_state(again, C1, node)
        finally:
            again.close()
    assert commune_state(prov, C1, node) == state == (18, 14)


@pytest.mark.postgres
def test_a_list_installed_while_a_push_is_verified_judges_that_push_on_postgres(
    province: Province, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL mode: a push is verified outside the feed lock; another server process
    installs the province's list (position 20) after the push was verified and before it
    is taken. The push is judged by that list: C1's 21-50 refused and reported to it, not
    answered accepted while every puller quarantines them (the defect: accepted 30,
    rejected 0, and the province office quarantining 30 the commune never hears of).
    The segment is stored whole, as every revoked segment is (take_batch, 0fb3fd5): the
    province office quarantines the very changes the answer refused."""
    import psycopg

    from desktop_app.server import pg_backend
    from desktop_app.server.app import create_app
    from desktop_app.sync.certificates import my_certificate, revocation_list, revoke

    commune, prov = province[C1], province[PROVINCE]
    node = commune.node.node_id
    app = create_app(pg_database, province_db=province.path)
    other = pg_backend.PostgresBackend(pg_database)  # another server process's backend
    verify = pg_backend.verify_segments
    lists: list[dict[str, object]] = []

    def verified_then_revoked(*args: Any, **kwargs: Any) -> Any:
        out = verify(*args, **kwargs)
        while lists:  # the other process installs the list under the feed lock meanwhile
            assert other.install_revocations(lists.pop()) == 1
        return out

    monkeypatch.setattr(pg_backend, "verify_segments", verified_then_revoked)
    try:
        with ServerThread(app) as server:
            assert fill_period(commune, 10) == 20
            assert sync_office(commune, server.url, backup=False).accepted == 20
            sync_office(prov, server.url, backup=False)  # the province office holds 1-20
            assert fill_period(commune, 15) == 30
            revoke(prov, int(my_certificate(commune)[0]["body"]["serial"]), "Máy bị mất")
            lists.append(revocation_list(prov))
            pushed = sync_office(commune, server.url, backup=False)
            assert not lists
            assert (pushed.accepted, pushed.rejected) == (0, 30)
            with psycopg.connect(pg_database) as conn:
                feed = conn.execute(
                    "SELECT seq_from, seq_to FROM cd_feed WHERE origin = %s", (node,)
                ).fetchall()
                refused = conn.execute(
                    "SELECT count(*) FROM cd_rejection WHERE origin = %s", (node,)
                ).fetchone()
            # 21-50 kept in the feed as refused, as every revoked segment past the
            # position is (each puller quarantines the same changes)
            assert feed == [(1, 20), (21, 50)] and refused == (30,)
            sync_office(prov, server.url, backup=False)
    finally:
        other.close()
    assert commune_state(prov, C1, node) == (10, 30)
    quarantined = prov.db.execute_sql(
        "SELECT seq, reason FROM sync_quarantine WHERE origin = ? ORDER BY seq", (node,)
    ).fetchall()
    told = commune.db.execute_sql(
        "SELECT seq, reason FROM sync_rejection WHERE origin = ? ORDER BY seq", (node,)
    ).fetchall()
    assert [s for s, _r in told] == list(range(21, 51)) and quarantined == told


def test_a_district_relaying_a_revoked_commune_s_stick_by_push_gets_the_province_s_quarantine(
    province: Province, sqlite_server: ServerThread
) -> None:
    """C1's stick went to its district alone; the province revokes C1 holding none of it
    (position 0). The district's next sync pushes C1's segment on before the list reaches
    it: the province quarantines those changes as a stick relayed to it would (before: the
    push was only answered, and the province's quarantine stayed empty), and the pull
    that brings the list takes them back at the district, so both hold the same."""
    from desktop_app.sync.certificates import my_certificate, revoke
    from desktop_app.sync.exchange import export_bundle, import_bundle
    from desktop_app.sync.takeback import taken_back_lines
    from desktop_app.ui.pages.sync_network import network_summary
    from desktop_app.ui.pages.sync_texts import marks_before_import, outcome_of

    commune, district = province[C1], province[DISTRICT]
    node = commune.node.node_id
    changes = fill_period(commune, 3)
    stick = province.tmp / "c1.cdsync"
    export_bundle(commune, stick, to=district.node.node_id)
    import_bundle(district, stick, backup=False)
    assert commune_state(district, C1, node) == (3, 0)
    with Store.open(province.path) as prov:
        revoke(prov, int(my_certificate(commune)[0]["body"]["serial"]), "Máy bị mất")
    marks = marks_before_import(district)
    result = sync_office(district, sqlite_server.url, backup=False)
    sqlite_server.wait_applied()
    with Store.open(province.path) as prov:
        held = commune_state(prov, C1, node)
    assert held == (0, changes)
    assert commune_state(district, C1, node) == held
    assert [(t.office_id, t.changes) for t in result.taken_back] == [(C1, changes)]
    # the Sync page's outcome says it in one sentence
    (line,) = taken_back_lines(result.taken_back)
    assert line.startswith(f"{changes} changes from Xã Chiềng Sung (04108) were taken back")
    summary = network_summary(district, result, outcome_of(district, None, marks))
    assert line in summary.splitlines()


def test_a_revocation_written_while_a_push_is_verified_judges_that_push_on_sqlite(
    province: Province, sqlite_server: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite mode: a push is verified in its request thread, outside the writer; the
    province's window revokes C1 on the server's own file (position 20) after the push
    was verified and before the writer takes it. The push is judged by that revocation,
    as in PostgreSQL mode: C1 is told 21-50 refused, with the reason, the very changes
    the province's apply quarantines from the feed (the defect: accepted 30, rejected 0,
    and 30 quarantined that C1, refused at sign-in from then on, never hears of)."""
    from desktop_app.server import sqlite_writer
    from desktop_app.sync.certificates import my_certificate, revoke

    commune = province[C1]
    node = commune.node.node_id
    serial = int(my_certificate(commune)[0]["body"]["serial"])
    verify = sqlite_writer.verify_segments
    revocations: list[str] = []

    def verified_then_revoked(*args: Any, **kwargs: Any) -> Any:
        out = verify(*args, **kwargs)
        while revocations:  # the province's window, on the same file, meanwhile
            with Store.open(province.path) as window:
                revoke(window, serial, revocations.pop())
        return out

    monkeypatch.setattr(sqlite_writer, "verify_segments", verified_then_revoked)
    assert fill_period(commune, 10) == 20
    assert sync_office(commune, sqlite_server.url, backup=False).accepted == 20
    sqlite_server.wait_applied()
    assert fill_period(commune, 15) == 30
    revocations.append("Máy bị mất")
    pushed = sync_office(commune, sqlite_server.url, backup=False)
    assert not revocations
    assert (pushed.accepted, pushed.rejected) == (0, 30)
    told = commune.db.execute_sql(
        "SELECT seq, reason FROM sync_rejection WHERE origin = ? ORDER BY seq", (node,)
    ).fetchall()
    assert [s for s, _r in told] == list(range(21, 51))
    assert all("Máy bị mất" in r for _s, r in told), told[0]
    sqlite_server.wait_applied()
    with Store.open(province.path) as prov:
        feed = prov.db.execute_sql(
            "SELECT seq_from, seq_to FROM server_feed WHERE origin = ? ORDER BY fseq", (node,)
        ).fetchall()
        quarantined = prov.db.execute_sql(
            "SELECT seq, reason FROM sync_quarantine WHERE origin = ? ORDER BY seq", (node,)
        ).fetchall()
    # the segment is stored whole, as every revoked segment is (take_batch): every
    # receiver quarantines the same changes past the position
    assert feed == [(1, 20), (21, 50)]
    assert quarantined == told
    assert commune_state(province[DISTRICT], C1, node) == (0, 0)
    sync_office(province[DISTRICT], sqlite_server.url, backup=False)
    assert commune_state(province[DISTRICT], C1, node) == (10, 30)
