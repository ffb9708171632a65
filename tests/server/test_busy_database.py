"""The province office writes its own database while the server runs on it (a USB bundle
imported at the province, a long review): a request that must write waits for it
(``busy_timeout``, 5 s), and when the lock outlasts that it is answered 503 ``busy``
with Retry-After and a JSON body, as the OpenAPI description says, never a bare 500;
through real HTTP on a loopback port."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from desktop_app.netsync.client import ServerClient, plan_batches, sync_office
from desktop_app.netsync.wire import PUSH_MEDIA_TYPE, auth_message, encode_push
from desktop_app.store.store import Store
from desktop_app.sync.certificates import my_certificate
from desktop_app.sync.identity import b64, load_identity, sign
from tests.server.conftest import C1, Province, ServerThread, count_changes, fill_period

BUSY = {"error": "busy", "message": "the server's database is busy; try again after Retry-After"}
HOLD = 7.0  # seconds: longer than the 5 s a writer waits for the lock


def hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    """Hold a write lock on ``path`` from another connection (as the province's window
    importing a bundle does) for ``seconds``; returns once the lock is held."""
    held = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            held.set()
            time.sleep(seconds)
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert held.wait(10)
    return thread


def _token_request(url: str, store: Store) -> dict[str, Any]:
    """A sign-in an office would send: its certificate and the signed challenge."""
    cert, _key = my_certificate(store)
    nonce = httpx.post(url + "/v1/auth/challenge").json()["nonce"]
    signature = b64(sign(load_identity(store).private_key, auth_message(nonce)))
    return {"certificate": cert, "nonce": nonce, "signature": signature}


def _busy(answer: httpx.Response) -> None:
    assert answer.status_code == 503, (answer.status_code, answer.text)
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == BUSY and answer.headers["retry-after"] == "5"


@pytest.mark.slow
def test_requests_that_write_on_a_locked_database_are_answered_busy(
    province: Province, sqlite_server: ServerThread
) -> None:
    url = sqlite_server.url
    commune = province[C1]
    changes = fill_period(commune, 3)
    client = ServerClient(url)
    try:
        client.sign_in(commune)
        auth = {"Authorization": f"Bearer {client.token}"}
    finally:
        client.close()
    body = encode_push(plan_batches(commune, {}, 500)[0])
    sign_in = _token_request(url, commune)
    push_headers = {**auth, "Content-Type": PUSH_MEDIA_TYPE}
    answers: dict[str, httpx.Response] = {}

    def send(name: str, path: str, **kwargs: Any) -> None:
        answers[name] = httpx.post(url + path, timeout=60, **kwargs)

    holder = hold_write_lock(province.path, HOLD)
    senders = [  # at once: each waits the 5 s for the lock
        threading.Thread(target=send, args=("token", "/v1/auth/token"), kwargs={"json": sign_in}),
        threading.Thread(
            target=send, args=("push", "/v1/batches/b1"),
            kwargs={"content": body, "headers": push_headers},
        ),
    ]  # fmt: skip
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join(60)
    holder.join(30)
    _busy(answers["token"])  # the challenge is written as used: single use
    _busy(answers["push"])
    described = httpx.get(url + "/openapi.json").json()["paths"]
    for path, method in (("/v1/auth/token", "post"), ("/v1/batches/{batch_id}", "post")):
        assert "503" in described[path][method]["responses"], path
    # nothing of the push was kept: its resend, after the lock, is taken whole
    again = httpx.post(url + "/v1/batches/b1", content=body, headers=push_headers)
    assert again.status_code == 200 and again.json()["accepted"] == changes
    assert sync_office(commune, url).pushed_batches == 0  # the office sees it all held
    sqlite_server.wait_applied()
    with Store.open(province.path) as prov:
        assert count_changes(prov, commune.node.node_id) == changes
