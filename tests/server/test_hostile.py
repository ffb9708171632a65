"""An enrolled but hostile office cannot block another office, replay a sign-in or
outlive its revocation (issue 14); through real HTTP on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from desktop_app.netsync.client import ServerClient, plan_batches, sync_office
from desktop_app.netsync.wire import PUSH_MEDIA_TYPE, batch_id_for, encode_push
from desktop_app.store.store import Store
from tests.server.conftest import (
    C1,
    C2,
    PROVINCE,
    Province,
    ServerThread,
    count_changes,
    fill_period,
)


@pytest.fixture(params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, province: Province
) -> Iterator[tuple[str, ServerThread]]:
    """The server on the province database, then on PostgreSQL."""
    from desktop_app.server.app import create_app

    if request.param == "sqlite":
        yield "sqlite", request.getfixturevalue("sqlite_server")
        return
    url = request.getfixturevalue("pg_database")
    with ServerThread(create_app(url, province_db=province.path)) as srv:
        yield "postgres", srv


def test_another_office_reusing_a_batch_id_is_just_another_batch(
    province: Province, server: tuple[str, ServerThread]
) -> None:
    mode, srv = server
    victim, squatter = province[C1], province[C2]
    changes = fill_period(victim, 6)
    squatter_changes = fill_period(squatter, 3)
    victim_id = batch_id_for(plan_batches(victim, {}, 500)[0])  # the victim's next id
    client = ServerClient(srv.url)
    try:
        client.sign_in(squatter)
        body = encode_push(plan_batches(squatter, {}, 500)[0])
        squatted = client.push(victim_id, body)
        assert (
            squatted["accepted"] == squatter_changes
        )  # the squatter's own changes, taken as its batch
    finally:
        client.close()
    result = sync_office(victim, srv.url)
    assert result.accepted == changes and result.rejected == 0
    assert victim_id in result.batch_ids
    if mode == "sqlite":
        srv.wait_applied()
        with Store.open(province.path) as prov:
            assert count_changes(prov, victim.node.node_id) == changes
            assert count_changes(prov, squatter.node.node_id) == squatter_changes


def _signed_challenge(store: Store, url: str) -> dict[str, object]:
    """A token request for a fresh challenge, signed by the office (what a replay resends)."""
    from desktop_app.netsync.wire import auth_message
    from desktop_app.sync.certificates import my_certificate
    from desktop_app.sync.identity import b64, load_identity, sign

    cert, _key = my_certificate(store)
    nonce = httpx.post(url + "/v1/auth/challenge").json()["nonce"]
    signature = b64(sign(load_identity(store).private_key, auth_message(nonce)))
    return {"certificate": cert, "nonce": nonce, "signature": signature}


def test_a_signed_challenge_gives_one_token_only(
    province: Province, server: tuple[str, ServerThread]
) -> None:
    _mode, srv = server
    request = _signed_challenge(province[C1], srv.url)
    first = httpx.post(srv.url + "/v1/auth/token", json=request)
    assert first.status_code == 200 and first.json()["token"]
    for _ in range(2):
        again = httpx.post(srv.url + "/v1/auth/token", json=request)
        assert again.status_code == 401
        assert again.json()["message"] == "this challenge was used already; ask for a new one"
    fresh = httpx.post(srv.url + "/v1/auth/token", json=_signed_challenge(province[C1], srv.url))
    assert fresh.status_code == 200


def test_a_replayed_challenge_is_refused_by_another_server_process(
    province: Province, pg_database: str
) -> None:
    from desktop_app.server.app import create_app

    app_a = create_app(pg_database, province_db=province.path)
    app_b = create_app(pg_database)  # a second process on the same database
    with ServerThread(app_a) as a, ServerThread(app_b) as b:
        request = _signed_challenge(province[C1], a.url)
        assert httpx.post(a.url + "/v1/auth/token", json=request).status_code == 200
        replay = httpx.post(b.url + "/v1/auth/token", json=request)
        assert replay.status_code == 401 and "used already" in replay.json()["message"]


def test_a_revocation_ends_the_offices_token_at_once(
    province: Province, server: tuple[str, ServerThread]
) -> None:
    from desktop_app.sync.certificates import my_certificate, revoke

    mode, srv = server
    commune = province[C1]
    client = ServerClient(srv.url)
    try:
        client.sign_in(commune)
        headers = {"Authorization": f"Bearer {client.token}"}
        assert httpx.get(srv.url + "/v1/feed", headers=headers).status_code == 200
        serial = int(my_certificate(commune)[0]["body"]["serial"])
        if mode == "sqlite":  # the province's window, on the server's own file
            with Store.open(province.path) as prov:
                revoke(prov, serial)
        else:  # the province office hands its signed list to the server
            prov = province[PROVINCE]
            revoke(prov, serial)
            sync_office(prov, srv.url, backup=False)
        for path in ("/v1/feed", "/v1/state"):
            answer = httpx.get(srv.url + path, headers=headers)  # the same, unexpired token
            assert answer.status_code == 401, path
            assert answer.json()["message"] == "this office's certificate was revoked"
        fill_period(commune, 1)
        body = encode_push(plan_batches(commune, {}, 500)[0])
        pushed = httpx.post(
            srv.url + "/v1/batches/x1",
            content=body,
            headers={**headers, "Content-Type": PUSH_MEDIA_TYPE},
        )
        assert pushed.status_code == 401
    finally:
        client.close()


def _forge_on_village(store: Store, village: str, owner: str) -> None:
    """A value and a village record of ``owner``'s village, logged by ``store``'s commune
    under its own name, past the repositories' checks (a tampered client)."""
    from desktop_app.store.changes import Entry

    me = store.node.office_id
    state = {"comment": "", "commune_id": me, "disagg": "", "indicator": "so_ho",
             "org_id": village, "period": "2024", "value": "777",
             "village_id": village}  # fmt: skip
    key = {k: state[k] for k in ("disagg", "indicator", "org_id", "period")}
    record = {"id": village, "commune_id": me, "name": "Bản Chiếm", "sort_order": 1,
              "active": True, "demo": False}  # fmt: skip
    with store.write() as ctx:
        ctx.log(Entry("value", key, me, "2024", state, None, None, "create"))
        ctx.log(Entry("village", {"id": village}, me, None, record, None, None, "create"))


@pytest.mark.parametrize("mode", ["sqlite", "postgres"])
def test_a_commune_writing_another_communes_village_is_quarantined(
    request: pytest.FixtureRequest, province: Province, mode: str
) -> None:
    """The owner check runs on the province's own village records: a village the server
    took in an earlier run (another process) still belongs to its commune."""
    from desktop_app.server.app import create_app
    from tests.server.conftest import add_village

    owner, forger = province[C2], province[C1]
    village = add_village(owner, "Bản Của C2")
    if mode == "sqlite":
        province.offices[PROVINCE].close()
        first, second = create_app(province.path), lambda: create_app(province.path)
    else:
        url = request.getfixturevalue("pg_database")
        first, second = create_app(url, province_db=province.path), lambda: create_app(url)
    with ServerThread(first) as srv:
        assert sync_office(owner, srv.url).accepted == 1  # the province now knows whose it is
        if mode == "sqlite":
            srv.wait_applied()
    fill_period(forger, 1)  # its own village and value: allowed
    _forge_on_village(forger, village, C2)
    with ServerThread(second()) as srv:  # a new process: only the records tell the owner
        result = sync_office(forger, srv.url)
        assert result.accepted == 2 and result.rejected == 2
        if mode == "sqlite":
            srv.wait_applied()
    reasons = {str(r[0]) for r in forger.db.execute_sql("SELECT reason FROM sync_rejection")}
    assert reasons == {f"{C1} may not write data of {C2}"}
    if mode == "sqlite":
        with Store.open(province.path) as prov:
            row = prov.db.execute_sql(
                "SELECT commune_id, name FROM village WHERE id = ?", (village,)
            ).fetchone()
            assert row == (C2, "Bản Của C2")  # the owner's record, untouched
            forged = prov.db.execute_sql(
                "SELECT count(*) FROM data_value WHERE village_id = ?", (village,)
            ).fetchone()[0]
            assert forged == 0
        province.offices[PROVINCE] = Store.open(province.path)


def test_each_rejection_is_reported_once_paged_like_the_feed(
    province: Province, server: tuple[str, ServerThread]
) -> None:
    from tests.server.conftest import forge_value

    mode, srv = server
    commune = province[C1]
    fill_period(commune, 2)
    for i in range(7):  # out of scope: each one refused
        forge_value(commune, C2, str(i))
    result = sync_office(commune, srv.url)
    assert (result.accepted, result.rejected) == (4, 7)
    if mode == "sqlite":
        srv.wait_applied()
    client = ServerClient(srv.url)
    try:
        client.sign_in(commune)
        seen: list[tuple[str, int, int]] = []
        cursor, pages = 0, 0
        while True:
            page = client.feed(0, 3, cursor)
            seen += [(r["origin"], r["epoch"], r["seq"]) for r in page["rejections"]]
            assert len(page["rejections"]) <= 3
            cursor, pages = page["rejections_next"], pages + 1
            if not page["rejections_more"]:
                break
        assert pages == 3 and len(seen) == len(set(seen)) == 7
        assert client.feed(0, 3, cursor)["rejections"] == []  # nothing reported twice
        # another office of the province sees none of them
        client.sign_in(province[C2])
        assert client.feed(0, 100)["rejections"] == []
    finally:
        client.close()
    # the client keeps the cursor: a later sync is not sent them again
    stored = commune.db.execute_sql("SELECT count(*) FROM sync_rejection").fetchone()[0]
    assert stored == 7
    again = sync_office(commune, srv.url)
    assert again.pulled_pages == 1
    row = commune.db.execute_sql(
        "SELECT value FROM meta WHERE key LIKE 'netsync_rejections:%'"
    ).fetchone()
    assert int(row[0]) == cursor


def test_postgres_judges_owners_on_the_villages_copied_from_the_province(
    province: Province, pg_database: str
) -> None:
    """A village the province database already holds (copied at bootstrap) belongs to
    its commune on every PostgreSQL server process, before any office pushed it."""
    from desktop_app.server.app import create_app
    from tests.server.conftest import add_village

    village = add_village(province[C2], "Bản Cũ")
    row = (
        province[C2]
        .db.execute_sql(
            "SELECT id, commune_id, name, sort_order, active, demo, version, hlc FROM village"
            " WHERE id = ?",
            (village,),
        )
        .fetchone()
    )
    with province[PROVINCE].transaction():  # the province's record (as a USB import leaves)
        province[PROVINCE].db.execute_sql(
            "INSERT INTO village (id, commune_id, name, sort_order, active, demo, version, hlc)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )
    create_app(pg_database, province_db=province.path).state.backend.close()  # bootstrap
    forger = province[C1]
    _forge_on_village(forger, village, C2)
    with ServerThread(create_app(pg_database)) as srv:  # another process, nothing pushed
        result = sync_office(forger, srv.url)
    assert (result.accepted, result.rejected) == (0, 2)
