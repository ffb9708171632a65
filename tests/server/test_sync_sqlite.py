"""Network sync against a real server on the province database (SQLite mode)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from desktop_app.domain.units import UnitDirectory
from desktop_app.netsync.client import NetworkSyncError, ServerClient, plan_batches, sync_office
from desktop_app.netsync.wire import encode_push
from desktop_app.store.store import Store
from desktop_app.sync.status import ACKNOWLEDGED, REJECTED, period_sync_state
from tests.helpers.proxy import CuttingProxy
from tests.server.conftest import (
    C1,
    C2,
    DISTRICT,
    PROVINCE,
    Province,
    ServerThread,
    count_changes,
    fill_period,
    forge_value,
    make_province,
)


def _values(store: Store, commune: str) -> int:
    row = store.db.execute_sql("SELECT count(*) FROM data_value WHERE commune_id = ?", (commune,))
    return int(row.fetchone()[0])


def _feed_ranges(store: Store, origin: str) -> list[tuple[int, int]]:
    return [
        (int(a), int(b))
        for a, b in store.db.execute_sql(
            "SELECT seq_from, seq_to FROM server_feed WHERE origin = ? ORDER BY fseq", (origin,)
        )
    ]


def test_a_commune_syncs_a_period_and_the_province_holds_it(
    province: Province, sqlite_server: ServerThread
) -> None:
    from desktop_app.store.aggregation import aggregate

    commune = province[C1]
    changes = fill_period(commune, 30)
    seen: list[tuple[float | None, str]] = []
    result = sync_office(commune, sqlite_server.url, progress=lambda f, m: seen.append((f, m)))
    assert result.accepted == changes and result.rejected == 0
    assert seen[-1] == (1.0, "Sync finished")
    sqlite_server.wait_applied()  # the server applies what it took behind the pushes
    with Store.open(province.path) as prov:  # the province's window, on the same file
        assert _values(prov, C1) == 30
        assert count_changes(prov, commune.node.node_id) == changes
        assert aggregate(prov, C1, "2024").current.villages == 30
    state = period_sync_state(commune, C1, "2024")
    assert state.state == ACKNOWLEDGED, state
    # a second sync sends nothing
    again = sync_office(commune, sqlite_server.url)
    assert again.pushed_batches == 0 and again.accepted == 0


def test_a_cut_upload_resumes_from_the_last_confirmed_batch_and_nothing_doubles(
    province: Province, sqlite_server: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.netsync import client as netclient

    commune = province[C1]
    changes = fill_period(commune, 175, per_village=7)  # 1,400 changes: three batches
    batches = plan_batches(commune, {}, 500)
    sizes = [len(encode_push(b)) for b in batches]
    assert len(sizes) == 3
    # Which batches the client had confirmed (read the answer of) before the cut: when
    # "Sending batch 3 of 3" is shown, batch 1's answer is read only next, and under
    # load the proxy may not have forwarded all of batches 1 and 2 yet, so the cut may
    # land in any of them. What must hold: a confirmed batch is never sent again.
    confirmed_before_cut: list[str] = []
    answered = netclient._Sync.answered

    def recording(job: Any, answer: dict[str, Any]) -> None:
        if proxy.cuts == 0:
            confirmed_before_cut.append(str(answer["batch_id"]))
        answered(job, answer)

    monkeypatch.setattr(netclient._Sync, "answered", recording)
    with CuttingProxy(sqlite_server.port) as proxy:

        def progress(_fraction: float | None, message: str) -> None:
            if message == "Sending batch 3 of 3" and proxy.cuts == 0:
                proxy.arm(sizes[2] // 2)  # cut about the middle of what is being uploaded

        result = sync_office(commune, proxy.url, progress=progress)
    assert proxy.cuts == 1 and result.retries >= 1
    ids = result.batch_ids
    for batch_id in confirmed_before_cut:
        assert ids.count(batch_id) == 1, (batch_id, ids)  # confirmed: not sent again
    # only unconfirmed ones were sent again (a cut in batch 1 leaves batch 2 after a gap
    # at the server, so then all three go again; ids lists each batch as it is taken up)
    assert 3 < len(ids) <= 6 - len(confirmed_before_cut), (confirmed_before_cut, ids)
    assert result.accepted == changes
    sqlite_server.wait_applied()
    with Store.open(province.path) as prov:
        node = commune.node.node_id
        assert count_changes(prov, node) == changes
        assert _feed_ranges(prov, node) == [(1, 500), (501, 1000), (1001, 1400)]
        assert _values(prov, C1) == 175 * 7


def test_the_same_batch_id_gives_the_same_answer_and_other_bytes_are_refused(
    province: Province, sqlite_server: ServerThread
) -> None:
    commune = province[C1]
    fill_period(commune, 5)
    client = ServerClient(sqlite_server.url)
    try:
        client.sign_in(commune)
        batch = plan_batches(commune, {}, 500)[0]
        body = encode_push(batch)
        first = client.push("same-id", body)
        assert first["accepted"] == 10
        assert client.push("same-id", body) == first
        fill_period(commune, 1)
        other = encode_push(plan_batches(commune, {}, 500)[0])
        with pytest.raises(NetworkSyncError, match="409"):
            client.push("same-id", other)
    finally:
        client.close()


def test_an_unenrolled_office_gets_401(
    province: Province, sqlite_server: ServerThread, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from desktop_app.store.office import create_office
    from desktop_app.sync.certificates import enroll_demo, init_province

    answer = httpx.get(f"{sqlite_server.url}/v1/state")
    assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
    answer = httpx.get(f"{sqlite_server.url}/v1/feed", headers={"Authorization": "Bearer x.y"})
    assert answer.status_code == 401
    # an office enrolled by another province (Lai Châu): its certificate is not ours
    other = tmp_path_factory.mktemp("other")
    with init_province(other / "p.db", "pre2025:12") as foreign:
        with create_office(other / "c.db", "pre2025:03386") as stranger:
            enroll_demo(stranger, foreign)
            fill_period(stranger, 2)
            with pytest.raises(NetworkSyncError, match="401"):
                sync_office(stranger, sqlite_server.url)


def test_a_commune_writing_another_communes_data_gets_that_change_refused(
    province: Province, sqlite_server: ServerThread
) -> None:
    commune = province[C1]
    fill_period(commune, 3)
    forge_value(commune, C2, "999")
    result = sync_office(commune, sqlite_server.url)
    assert result.rejected == 1 and result.accepted == 6  # 7 sent, 1 refused
    sqlite_server.wait_applied()
    with Store.open(province.path) as prov:
        assert _values(prov, C2) == 0  # nothing of it written
        assert _values(prov, C1) == 3  # the rest applied
        reason = prov.db.execute_sql("SELECT reason FROM sync_quarantine").fetchone()[0]
    assert reason == f"{C1} may not write data of {C2}"
    shown = period_sync_state(commune, C2, "2024")
    assert shown.state == REJECTED and C2 in shown.reason


def test_an_oversized_request_gets_413(province: Province, sqlite_server: ServerThread) -> None:
    client = ServerClient(sqlite_server.url)
    try:
        client.sign_in(province[C1])
        answer = client.http.post(
            "/v1/batches/big",
            content=b"\0" * (3 * 1024 * 1024),
            headers={"Authorization": f"Bearer {client.token}"},
        )
    finally:
        client.close()
    assert answer.status_code == 413
    assert answer.json()["error"] == "too_large"


def test_a_garbage_batch_gets_400(province: Province, sqlite_server: ServerThread) -> None:
    client = ServerClient(sqlite_server.url)
    try:
        client.sign_in(province[C1])
        with pytest.raises(NetworkSyncError, match="400"):
            client.push("garbage", b"not zstd at all")
    finally:
        client.close()


def test_too_many_requests_get_429(province: Province) -> None:
    from desktop_app.server.app import create_app

    province.offices[PROVINCE].close()
    with ServerThread(create_app(province.path, rate=0.001, burst=3)) as server:
        client = ServerClient(server.url)
        try:
            client.sign_in(province[C1])  # counts as one request of the office
            auth = {"Authorization": f"Bearer {client.token}"}
            office = [client.http.get("/v1/state", headers=auth) for _ in range(3)]
        finally:
            client.close()
        url = f"{server.url}/v1/auth/challenge"
        codes = [httpx.post(url).status_code for _ in range(30)]
    province.offices[PROVINCE] = Store.open(province.path)
    assert codes[:28] == [200] * 28 and codes[28] == 429  # by address: 10x the office's
    assert [r.status_code for r in office] == [200, 200, 429]
    assert office[2].json()["error"] == "rate_limited" and "Retry-After" in office[2].headers


def test_a_district_relays_its_communes_segments_and_pulls_their_network_data(
    province: Province, sqlite_server: ServerThread, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from desktop_app.sync.exchange import export_bundle, import_bundle

    usb = tmp_path_factory.mktemp("usb") / "c2.cdsync"
    fill_period(province[C2], 4)  # C2 has no network: its data goes by USB to the district
    export_bundle(province[C2], usb, level=3)
    import_bundle(province[DISTRICT], usb, backup=False)
    fill_period(province[C1], 2)  # C1 syncs over the network itself
    sync_office(province[C1], sqlite_server.url)
    result = sync_office(province[DISTRICT], sqlite_server.url)
    assert result.accepted == 8  # C2's segment, relayed unchanged
    assert _values(province[DISTRICT], C1) == 2  # C1's data came down to its district
    sqlite_server.wait_applied()
    with Store.open(province.path) as prov:
        assert _values(prov, C2) == 4
    assert period_sync_state(province[DISTRICT], C2, "2024").state == ACKNOWLEDGED


def test_reference_data_of_the_province_comes_down(
    province: Province, sqlite_server: ServerThread
) -> None:
    with Store.open(province.path) as prov:  # the province's window sets a target
        code = next(iter(prov.catalogue.derived))
        prov.targets.set(C1, 2024, code, 75.0)
    result = sync_office(province[C1], sqlite_server.url)
    assert result.pulled_segments == 1
    assert province[C1].targets.get(C1, 2024) == {code: 75.0}


def test_a_cancelled_sync_stops_between_batches(
    province: Province, sqlite_server: ServerThread
) -> None:
    class Flag:
        def __init__(self) -> None:
            self.calls = 0

        def is_set(self) -> bool:
            self.calls += 1
            return self.calls > 1

    commune = province[C1]
    fill_period(commune, 150, per_village=7)  # 1,200 changes: three batches
    result = sync_office(commune, sqlite_server.url, cancel=Flag())
    assert result.cancelled and result.pushed_batches == 1
    rest = sync_office(commune, sqlite_server.url)
    assert rest.pushed_batches == 2 and not rest.cancelled


def test_an_office_restored_without_a_new_epoch_is_stopped(
    province: Province, sqlite_server: ServerThread
) -> None:
    commune = province[C1]
    fill_period(commune, 3)
    sync_office(commune, sqlite_server.url)
    # the server holds seq 6 of this epoch; pretend the office lost its last changes
    with commune.transaction():
        commune.db.execute_sql("DELETE FROM audit")
        commune.db.execute_sql("DELETE FROM change WHERE seq > 2")
    with pytest.raises(NetworkSyncError, match="restored without a new epoch"):
        sync_office(commune, sqlite_server.url)


def test_many_offices_at_once_share_commits_and_lose_nothing(
    tmp_path_factory: pytest.TempPathFactory, unit_directory: UnitDirectory
) -> None:
    import threading

    from desktop_app.server.app import create_app

    units = tuple(u.id for u in unit_directory.children(DISTRICT))[:12]
    prov = make_province(tmp_path_factory.mktemp("many"), unit_directory, units)
    try:
        expected = {prov[u].node.node_id: fill_period(prov[u], 6, per_village=2) for u in units}
        prov.offices[PROVINCE].close()
        errors: list[BaseException] = []
        with ServerThread(create_app(prov.path, batch_changes=5)) as server:

            def office(unit: str) -> None:
                try:
                    sync_office(prov[unit], server.url, backup=False)
                except BaseException as exc:  # reported below
                    errors.append(exc)

            threads = [threading.Thread(target=office, args=(u,)) for u in units]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
        assert not errors, errors
        with Store.open(prov.path) as p:
            for node, n in expected.items():
                assert count_changes(p, node) == n
            fseqs = [int(r[0]) for r in p.db.execute_sql("SELECT fseq FROM server_feed")]
        assert sorted(fseqs) == list(range(1, len(fseqs) + 1))
        for unit in units:
            assert period_sync_state(prov[unit], unit, "2024").state == ACKNOWLEDGED
    finally:
        for store in prov.offices.values():
            store.close()


def test_a_server_address_that_is_not_http_is_refused_with_a_message(
    province: Province,
) -> None:
    with pytest.raises(NetworkSyncError, match="not a server address: ftp://province"):
        sync_office(province[C1], "ftp://province")


def test_a_restored_province_database_starts_a_new_feed_and_no_office_skips_entries(
    province: Province,
) -> None:
    """The backup holds less of the feed than the district pulled: with the same feed id
    its cursor would pass over the entries added after the restore."""
    from desktop_app.server.app import create_app
    from desktop_app.store.backup import backup_to, restore

    province.offices[PROVINCE].close()
    district, c2 = province[DISTRICT], province[C2]
    with ServerThread(create_app(province.path)) as srv:  # the feed's first entry
        fill_period(c2, 4)
        assert sync_office(c2, srv.url).accepted == 8
        assert sync_office(district, srv.url).applied == 8
        srv.wait_applied()
    backup = province.tmp / "province-backup.db"
    backup_to(province.path, backup)  # holds the feed up to its first entry
    with ServerThread(create_app(province.path)) as srv:
        fill_period(c2, 2)
        assert sync_office(c2, srv.url).accepted == 4
        assert sync_office(district, srv.url).applied == 4  # its cursor passes the backup
        srv.wait_applied()
    restore(province.path, backup)
    with ServerThread(create_app(province.path)) as srv:
        fill_period(c2, 1)  # the changes the restore lost go again with the new ones
        assert sync_office(c2, srv.url).accepted == 4 + 2
        assert sync_office(district, srv.url).applied == 2  # the new ones, not skipped
        srv.wait_applied()
    with Store.open(province.path) as prov:
        assert count_changes(prov, c2.node.node_id) == 14
    assert count_changes(district, c2.node.node_id) == 14


def test_a_pull_cut_before_its_second_page_resumes_after_the_first_committed_page(
    province: Province, sqlite_server: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request for the next feed page that fails leaves the page before it committed
    with its cursor, and the next sync goes on from there (nothing lost, nothing
    doubled): what a pipelined pull must keep too."""
    from desktop_app.netsync.http import _Transient

    commune, district = province[C1], province[DISTRICT]
    changes = fill_period(commune, 150, per_village=7)  # 1,200 changes: three segments
    assert sync_office(commune, sqlite_server.url).accepted == changes
    origin = commune.node.node_id
    with Store.open(province.path) as prov:
        fseqs = [
            int(r[0])
            for r in prov.db.execute_sql(
                "SELECT fseq FROM server_feed WHERE origin = ? ORDER BY fseq", (origin,)
            )
        ]
    assert len(fseqs) == 3
    real = ServerClient.feed
    asked: list[int] = []

    def cut_after_first_page(client: ServerClient, after: int, *args: Any, **kw: Any) -> Any:
        asked.append(after)
        if after == fseqs[0] and asked.count(after) == 1:
            raise _Transient("connection reset")  # the page after the first
        return real(client, after, *args, **kw)

    monkeypatch.setattr(ServerClient, "feed", cut_after_first_page)
    with pytest.raises(NetworkSyncError):
        sync_office(district, sqlite_server.url, page_size=1, retries=0, backup=False)
    assert fseqs[0] in asked
    cursor = district.db.execute_sql(
        "SELECT value FROM meta WHERE key LIKE 'netsync_cursor:%'"
    ).fetchone()
    assert int(cursor[0]) == fseqs[0]  # the first page committed, and only it
    assert count_changes(district, origin) == 500
    asked.clear()
    again = sync_office(district, sqlite_server.url, page_size=1, backup=False)
    assert asked[0] == fseqs[0]  # resumed from the committed cursor
    assert again.applied == changes - 500
    assert count_changes(district, origin) == changes  # none lost, none twice
    assert _values(district, C1) == 150 * 7
