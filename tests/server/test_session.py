"""A kept sign-in: a sync with nothing to send and nothing new is one request (issue 14),
counted at the server over real HTTP on a loopback port, on SQLite and PostgreSQL; a
token that runs out or that the server refuses is replaced without the user seeing it,
and a revoked office's kept token is refused at once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from desktop_app.netsync.client import NetworkSyncError, sync_office
from desktop_app.store.store import Store
from tests.server.conftest import (
    C1,
    C2,
    DISTRICT,
    PROVINCE,
    Province,
    ServerThread,
    count_changes,
    fill_period,
)

FEED = ("GET", "/v1/feed")
SIGN_IN = [("POST", "/v1/auth/challenge"), ("POST", "/v1/auth/token")]


class Counted:
    """The server app, with the requests it is sent recorded (method, path)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] != "/v1/health":
            self.seen.append((scope["method"], scope["path"]))
        await self.app(scope, receive, send)

    def take(self) -> list[tuple[str, str]]:
        seen, self.seen = self.seen, []
        return seen


@pytest.fixture(params=["sqlite", "postgres"])
def counted(
    request: pytest.FixtureRequest, province: Province
) -> Iterator[tuple[str, ServerThread, Counted]]:
    """The server (on the province database, then on PostgreSQL) counting requests."""
    from desktop_app.server.app import create_app

    if request.param == "sqlite":
        province.offices[PROVINCE].close()  # the server opens the file itself
        app = Counted(create_app(province.path))
        with ServerThread(app) as srv:
            yield "sqlite", srv, app
        province.offices[PROVINCE] = Store.open(province.path)
        return
    url = request.getfixturevalue("pg_database")
    app = Counted(create_app(url, province_db=province.path))
    with ServerThread(app) as srv:
        yield "postgres", srv, app


def kept(store: Store, url: str) -> dict[str, Any] | None:
    row = store.db.execute_sql(
        "SELECT value FROM meta WHERE key = ?", (f"netsync_session:{url}",)
    ).fetchone()
    return None if row is None else dict(json.loads(row[0]))


def keep(store: Store, url: str, doc: dict[str, Any]) -> None:
    store.db.execute_sql(
        "UPDATE meta SET value = ? WHERE key = ?", (json.dumps(doc), f"netsync_session:{url}")
    )


def test_a_sync_with_nothing_new_is_one_request_each_way(
    province: Province, counted: tuple[str, ServerThread, Counted]
) -> None:
    _mode, srv, app = counted
    commune, district = province[C1], province[DISTRICT]
    changes = fill_period(commune, 3)
    first = sync_office(commune, srv.url)
    assert first.accepted == changes
    sent = app.take()
    assert sent[:2] == SIGN_IN and sent[-1] == FEED and len(sent) == 4  # + one push
    assert sync_office(district, srv.url).pulled_segments == 1
    assert app.take()[:2] == SIGN_IN
    # again, nothing to send and nothing new: one request each, no sign-in, no push
    pushing, pulling = sync_office(commune, srv.url), sync_office(district, srv.url)
    assert app.take() == [FEED, FEED]
    assert (pushing.pushed_batches, pushing.pulled_segments) == (0, 0)
    assert (pulling.pushed_batches, pulling.pulled_segments) == (0, 0)
    # something new on one side: the kept token, the state with the first page, one push
    more = fill_period(commune, 2)
    assert sync_office(commune, srv.url).accepted == more
    again = app.take()
    assert again[0] == FEED and len(again) == 2 and again[1][1].startswith("/v1/batches/")
    assert sync_office(district, srv.url).pulled_segments == 1
    assert app.take() == [FEED]


def test_a_sync_with_nothing_new_writes_nothing_to_the_office_database(
    province: Province, counted: tuple[str, ServerThread, Counted]
) -> None:
    import sqlite3

    _mode, srv, _app = counted
    commune, district = province[C1], province[DISTRICT]
    fill_period(commune, 3)
    sync_office(commune, srv.url)
    sync_office(district, srv.url)
    for office in (commune, district):
        assert office.path is not None
        watcher = sqlite3.connect(office.path)  # data_version moves with others' commits
        try:
            before = watcher.execute("PRAGMA data_version").fetchone()[0]
            assert sync_office(office, srv.url).pulled_pages == 1
            assert watcher.execute("PRAGMA data_version").fetchone()[0] == before  # no commit
        finally:
            watcher.close()
    # something new for the district: that page is written, cursor and all
    fill_period(commune, 2)
    sync_office(commune, srv.url)
    assert district.path is not None
    watcher = sqlite3.connect(district.path)
    try:
        before = watcher.execute("PRAGMA data_version").fetchone()[0]
        assert sync_office(district, srv.url).pulled_segments == 1
        assert watcher.execute("PRAGMA data_version").fetchone()[0] != before
    finally:
        watcher.close()
    assert sync_office(district, srv.url).pulled_segments == 0  # and not pulled again


def test_a_revocation_that_comes_with_nothing_else_new_is_kept_by_the_office(
    province: Province, sqlite_server: ServerThread
) -> None:
    import sqlite3

    from desktop_app.sync.certificates import my_certificate, revoke

    srv = sqlite_server  # it reads the province's own revocations (no POST needed)
    commune = province[C1]
    fill_period(commune, 2)
    sync_office(commune, srv.url)
    serial = int(my_certificate(province[C2])[0]["body"]["serial"])
    with Store.open(province.path) as prov:
        revoke(prov, serial, "thiết bị bị mất")
    assert commune.path is not None
    watcher = sqlite3.connect(commune.path)
    try:
        sync_office(commune, srv.url)  # nothing new but the list: it is written
        held = commune.db.execute_sql("SELECT serial FROM revocation").fetchall()
        assert [int(r[0]) for r in held] == [serial]
        before = watcher.execute("PRAGMA data_version").fetchone()[0]
        sync_office(commune, srv.url)  # and then nothing is
        assert watcher.execute("PRAGMA data_version").fetchone()[0] == before
    finally:
        watcher.close()


def test_a_kept_token_is_the_servers_own_and_lives_in_the_office_database_only(
    province: Province, counted: tuple[str, ServerThread, Counted]
) -> None:
    _mode, srv, _app = counted
    commune = province[C1]
    sync_office(commune, srv.url)
    doc = kept(commune, srv.url)
    assert doc is not None and doc["expires"] > time.time() + 600
    token = doc["token"].encode("ascii")
    for path in province.tmp.rglob("*"):  # nowhere outside the databases
        if path.is_file() and ".db" not in path.name:
            assert token not in path.read_bytes(), path


def test_a_token_that_ran_out_is_replaced_without_the_user_seeing_it(
    province: Province,
    counted: tuple[str, ServerThread, Counted],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desktop_app.server import auth

    _mode, srv, app = counted
    commune = province[C1]
    sync_office(commune, srv.url)
    app.take()
    # by the office's clock: the kept token has run out, so it signs in first
    doc = kept(commune, srv.url)
    assert doc is not None
    keep(commune, srv.url, {**doc, "expires": time.time() - 1})
    sync_office(commune, srv.url)
    assert app.take() == [*SIGN_IN, FEED]
    # kept for another certificate of this office (enrolled again since): not used
    doc = kept(commune, srv.url)
    assert doc is not None
    keep(commune, srv.url, {**doc, "serial": doc["serial"] + 1})
    sync_office(commune, srv.url)
    assert app.take() == [*SIGN_IN, FEED]
    # by the server's clock only (the office's clock is behind): refused, signed in again
    monkeypatch.setattr(auth, "TOKEN_TTL", 1)
    keep(commune, srv.url, {**doc, "expires": 0})
    sync_office(commune, srv.url)  # a token of one second
    old = kept(commune, srv.url)
    assert old is not None
    time.sleep(1.5)
    keep(commune, srv.url, {**old, "expires": time.time() + 3600})
    monkeypatch.setattr(auth, "TOKEN_TTL", 15 * 60)
    app.take()
    changes = fill_period(commune, 2)
    assert sync_office(commune, srv.url).accepted == changes
    sent = app.take()
    assert sent[:3] == [FEED, *SIGN_IN] and sent[3] == FEED, sent
    new = kept(commune, srv.url)
    assert new is not None and new["token"] != old["token"]
    assert new["expires"] > time.time() + 600


def test_a_revoked_offices_kept_token_is_refused_at_once(
    province: Province, counted: tuple[str, ServerThread, Counted]
) -> None:
    from desktop_app.sync.certificates import my_certificate, revoke

    mode, srv, app = counted
    commune = province[C1]
    sync_office(commune, srv.url)
    assert kept(commune, srv.url) is not None
    serial = int(my_certificate(commune)[0]["body"]["serial"])
    if mode == "sqlite":  # the province's window, on the server's own file
        with Store.open(province.path) as prov:
            revoke(prov, serial)
    else:  # the province office hands its signed list to the server
        revoke(province[PROVINCE], serial)
        sync_office(province[PROVINCE], srv.url, backup=False)
    fill_period(commune, 2)
    app.take()
    with pytest.raises(NetworkSyncError, match="401"):
        sync_office(commune, srv.url)
    # the kept token refused on its first use, the sign-in refused; nothing pushed
    assert app.take() == [FEED, *SIGN_IN]
    assert kept(commune, srv.url) is None
    if mode == "sqlite":
        with Store.open(province.path) as prov:
            assert count_changes(prov, commune.node.node_id) == 0


@pytest.mark.parametrize("kept_token", [False, True], ids=["sign-in", "kept-token"])
def test_a_revoked_office_is_told_why_by_both_backends(
    province: Province, counted: tuple[str, ServerThread, Counted], kept_token: bool
) -> None:
    """The 401 answer carries the province's date and reason on SQLite and PostgreSQL
    alike (PostgreSQL used to keep only the serials, and answered without a reason)."""
    from desktop_app.sync.certificates import my_certificate, revoke

    mode, srv, _app = counted
    commune = province[C1]
    if kept_token:
        sync_office(commune, srv.url)
        assert kept(commune, srv.url) is not None
    serial = int(my_certificate(commune)[0]["body"]["serial"])
    if mode == "sqlite":
        with Store.open(province.path) as prov:
            revoke(prov, serial, "thiết bị bị mất")
    else:
        revoke(province[PROVINCE], serial, "thiết bị bị mất")
        sync_office(province[PROVINCE], srv.url, backup=False)
    fill_period(commune, 1)
    with pytest.raises(NetworkSyncError, match="401") as caught:
        sync_office(commune, srv.url)
    message = str(caught.value)
    assert "thiết bị bị mất" in message, message
    assert f"serial {serial}" in message, message
