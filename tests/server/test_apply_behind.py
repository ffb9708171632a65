"""SQLite mode: pushes are taken into the feed at once and applied to the province's
tables behind them (see :mod:`desktop_app.server.sqlite_backend`)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from desktop_app.netsync.client import ServerClient, plan_batches, sync_office
from desktop_app.netsync.wire import batch_id_for, encode_push
from desktop_app.server.app import create_app
from desktop_app.server.sqlite_backend import SqliteBackend
from desktop_app.store.store import Store
from desktop_app.sync.status import ACKNOWLEDGED, period_sync_state
from tests.server.conftest import (
    C1,
    PROVINCE,
    Province,
    ServerThread,
    count_changes,
    fill_period,
)

ROOT = Path(__file__).resolve().parents[2]


def _values(path: Path, commune: str) -> int:
    with Store.open(path) as prov:
        row = prov.db.execute_sql(
            "SELECT count(*) FROM data_value WHERE commune_id = ?", (commune,)
        ).fetchone()
        return int(row[0])


def _pending(url: str) -> int:
    return int(httpx.get(url + "/v1/health").json()["pending_apply"])


def test_a_push_is_held_at_once_and_applied_when_pushes_pause(province: Province) -> None:
    commune = province[C1]
    changes = fill_period(commune, 20)
    province.offices[PROVINCE].close()
    backend = SqliteBackend(province.path, quiet=3600, max_lag=3600)  # no apply yet
    with ServerThread(create_app(province.path, backend=backend)) as server:
        result = sync_office(commune, server.url)
        assert result.accepted == changes
        # durably held: acknowledged to the office, in the feed, not yet in the tables
        assert period_sync_state(commune, C1, "2024").state == ACKNOWLEDGED
        assert _pending(server.url) == changes
        assert _values(province.path, C1) == 0
        again = sync_office(commune, server.url)  # held counts: nothing is sent twice
        assert again.pushed_batches == 0
        backend.quiet = 0.0  # pushes have paused
        assert backend.wait_applied(30)
        assert _pending(server.url) == 0
        assert _values(province.path, C1) == 20
        with Store.open(province.path) as prov:
            assert count_changes(prov, commune.node.node_id) == changes


def test_a_stopping_server_applies_what_it_holds_first(province: Province) -> None:
    commune = province[C1]
    fill_period(commune, 5)
    province.offices[PROVINCE].close()
    backend = SqliteBackend(province.path, quiet=3600, max_lag=3600)
    with ServerThread(create_app(province.path, backend=backend)) as server:
        sync_office(commune, server.url)
        assert _pending(server.url) == 10
    assert _values(province.path, C1) == 5  # applied on the way out


def test_a_segment_past_a_gap_is_held_back_until_the_gap_is_filled(
    province: Province, sqlite_server: ServerThread
) -> None:
    commune = province[C1]
    fill_period(commune, 150, per_village=3)  # 600 changes: two batches
    first, second = plan_batches(commune, {}, 500)
    client = ServerClient(sqlite_server.url)
    try:
        client.sign_in(commune)
        # answered "held" after waiting a moment for a push in flight to fill the gap
        early = client.push("second", encode_push(second))
        assert early["accepted"] == 0 and early["held"] == 100
        assert client.push("first", encode_push(first))["accepted"] == 500
        # the same id and bytes again: a held batch has no final answer, it is taken now
        late = client.push("second", encode_push(second))
        assert late["accepted"] == 100 and late["skipped"] == 0 and late["held"] == 0
        assert client.push("second", encode_push(second)) == late  # now it has one
        resent = client.push("first-again", encode_push(first))
        assert resent["accepted"] == 0 and resent["skipped"] == 500
    finally:
        client.close()
    sqlite_server.wait_applied()
    with Store.open(province.path) as prov:
        assert count_changes(prov, commune.node.node_id) == 600
        ranges = list(prov.db.execute_sql("SELECT seq_from, seq_to FROM server_feed"))
    assert ranges == [(1, 500), (501, 600)]


KILLED = """
import json, sys, time
from pathlib import Path
from desktop_app.server.auth import Claims
from desktop_app.server.sqlite_backend import SqliteBackend
from desktop_app.netsync.wire import decode_push, body_sha256, batch_id_for

path, body_file, claims_json = sys.argv[1:4]
backend = SqliteBackend(Path(path), quiet=3600, max_lag=3600)
claims = json.loads(claims_json)
claims["scope"] = frozenset(claims["scope"])
body = Path(body_file).read_bytes()
segments = decode_push(body)
answer = backend.push(Claims(**claims), batch_id_for(segments), body_sha256(body), segments)
print("taken", answer["accepted"], flush=True)
time.sleep(600)
"""


def test_a_server_killed_before_applying_applies_at_its_next_start(
    province: Province, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.server.test_apply_once import count_decodes

    commune = province[C1]
    changes = fill_period(commune, 30)
    province.offices[PROVINCE].close()
    (batch,) = plan_batches(commune, {}, 500)
    body = tmp_path / "batch.bin"
    body.write_bytes(encode_push(batch))
    node = commune.node
    claims = {
        "node_id": node.node_id,
        "office_id": node.office_id,
        "level": 3,
        "serial": 0,
        "scope": [node.office_id],
        "expires": 2**40,
    }
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(province.path), str(body), json.dumps(claims)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().split() == ["taken", str(changes)]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        if proc.stdout is not None:
            proc.stdout.close()
    assert _values(province.path, C1) == 0  # held in the feed only
    decodes = count_decodes(monkeypatch)
    backend = SqliteBackend(province.path)  # the next start finds the feed unapplied
    try:
        assert backend.pending_apply() == changes
        assert backend.wait_applied(30)
        assert backend.pending_apply() == 0
    finally:
        backend.close()
    assert _values(province.path, C1) == 30
    assert len(decodes) == 1  # its one segment, decoded from the feed (the memory is gone)
    with Store.open(province.path) as prov:
        assert count_changes(prov, node.node_id) == changes
        # the batch answer survived: the same id and bytes get the same answer again
        stored = prov.db.execute_sql(
            "SELECT count(*) FROM server_batch WHERE batch_id = ?", (batch_id_for(batch),)
        ).fetchone()[0]
    assert stored == 1


def later_batch_first(province: Province, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Send an office's second batch, then its first while the second waits (both servers)."""
    import threading
    import time

    from desktop_app.server import backend

    # the servers run in this process: wait long enough for the slowest machine
    monkeypatch.setattr(backend, "HOLD_WAIT", 30.0)

    commune = province[C1]
    fill_period(commune, 150, per_village=3)
    first, second = plan_batches(commune, {}, 500)
    answers: dict[str, dict[str, object]] = {}

    def push(name: str, batch: list[tuple[bytes, bytes]]) -> None:
        client = ServerClient(url)
        try:
            client.sign_in(commune)
            answers[name] = client.push(name, encode_push(batch))
        finally:
            client.close()

    late = threading.Thread(target=push, args=("second", second))
    late.start()  # the later batch first ...
    time.sleep(0.3)
    push("first", first)  # ... then the earlier one, while the later one waits
    late.join(60)
    assert answers["first"]["accepted"] == 500
    assert answers["second"]["accepted"] == 100 and answers["second"]["held"] == 0


def test_a_later_batch_that_arrives_first_waits_for_the_earlier_one(
    province: Province, sqlite_server: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    later_batch_first(province, sqlite_server.url, monkeypatch)


def test_an_apply_that_fails_is_shown_and_tried_again(
    province: Province, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.server import sqlite_apply
    from desktop_app.store.errors import DiskFullError

    commune = province[C1]
    fill_period(commune, 4)
    province.offices[PROVINCE].close()
    real = sqlite_apply.apply_verified
    failures = []

    def full_disk_once(*args: object, **kwargs: object) -> object:
        if not failures:
            failures.append(1)
            raise DiskFullError(detail="database or disk is full")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite_apply, "apply_verified", full_disk_once)
    monkeypatch.setattr(sqlite_apply, "APPLY_RETRY", 0.5)
    backend = SqliteBackend(province.path, quiet=0.0)
    with ServerThread(create_app(province.path, backend=backend)) as server:
        sync_office(commune, server.url)
        deadline = time.monotonic() + 10
        seen = None
        while seen is None and time.monotonic() < deadline:
            seen = httpx.get(server.url + "/v1/health").json()["apply_problem"]
        assert seen is not None and "full" in seen  # shown while it waits to try again
        assert _values(province.path, C1) == 0  # nothing of the failed chunk kept
        assert backend.wait_applied(30)  # tried again, and it went through
        health = httpx.get(server.url + "/v1/health").json()
        assert health["apply_problem"] is None and health["pending_apply"] == 0
    assert _values(province.path, C1) == 4
