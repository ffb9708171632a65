"""The server's database reads never hold its event loop: while one office's sign-in or
state request waits on a slow database (a PostgreSQL across a congested link, a disk
the province's window is hammering), ``/v1/health`` and every other office's requests
are still answered at once. Through real HTTP on a loopback port; the slow database is
an injected fault (each read sleeps)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from desktop_app.netsync.client import ServerClient
from desktop_app.store.store import Store
from tests.server.conftest import C1, PROVINCE, Province, ServerThread
from tests.server.test_busy_database import _token_request

SLOW = 1.5  # seconds each injected read takes
# what health may take meanwhile: well under a read held on the loop (which would make it
# wait about SLOW), loose enough for a loaded machine (1.07 s seen at nice 19, load 6);
# the proof is structural: every slowed read says which thread ran it (_slowed)
QUICK = 1.2


@pytest.fixture
def slow_reads(province: Province) -> Iterator[tuple[ServerThread, Any]]:
    from desktop_app.server.app import create_app

    province.offices[PROVINCE].close()
    app = create_app(province.path)
    with ServerThread(app) as server:
        yield server, app.state.backend
    province.offices[PROVINCE] = Store.open(province.path)


ON_LOOP: list[bool] = []  # per slowed read: did it run on the event loop's thread?


def _slowed(read: Callable[..., Any]) -> Callable[..., Any]:
    def slow(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
            ON_LOOP.append(True)  # called from a coroutine: it holds the loop
        except RuntimeError:
            ON_LOOP.append(False)  # a worker thread
        time.sleep(SLOW)
        return read(*args, **kwargs)

    return slow


def _health_while(server: ServerThread, request: Callable[[], httpx.Response]) -> float:
    """Run ``request`` in a thread; the longest ``/v1/health`` time while it runs."""
    answers: list[httpx.Response] = []
    ON_LOOP.clear()
    worker = threading.Thread(target=lambda: answers.append(request()), daemon=True)
    worker.start()
    time.sleep(0.2)  # the request is in its slow read now
    longest = 0.0
    while worker.is_alive():
        started = time.monotonic()
        assert httpx.get(server.url + "/v1/health", timeout=30).status_code == 200
        longest = max(longest, time.monotonic() - started)
        time.sleep(0.05)
    worker.join()
    assert answers and answers[0].status_code == 200, answers[0].text if answers else None
    assert ON_LOOP and not any(ON_LOOP), f"slowed reads on the event loop: {ON_LOOP}"
    return longest


def test_a_slow_state_read_does_not_hold_the_others(
    province: Province, slow_reads: tuple[ServerThread, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, backend = slow_reads
    client = ServerClient(server.url)
    try:
        client.sign_in(province[C1])
        auth = {"Authorization": f"Bearer {client.token}"}
    finally:
        client.close()
    monkeypatch.setattr(backend, "vector_for", _slowed(backend.vector_for))

    longest = _health_while(
        server, lambda: httpx.get(server.url + "/v1/state", headers=auth, timeout=30)
    )

    assert longest < QUICK, f"/v1/health took {longest:.2f} s while /v1/state read"


def test_a_slow_sign_in_read_does_not_hold_the_others(
    province: Province, slow_reads: tuple[ServerThread, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, backend = slow_reads
    monkeypatch.setattr(backend, "revoked", _slowed(backend.revoked))
    monkeypatch.setattr(backend, "vector_for", _slowed(backend.vector_for))
    body = {**_token_request(server.url, province[C1]), "epoch": 0, "seq": 0}

    longest = _health_while(
        server, lambda: httpx.post(server.url + "/v1/auth/token", json=body, timeout=30)
    )

    assert longest < QUICK, f"/v1/health took {longest:.2f} s while a sign-in read"
