"""What ``/v1/health`` counts is the whole server's, not the answering process's: two
server processes on one PostgreSQL behind a balancer give the operator the same
``dropped_uploads`` whichever answers, and a restart does not reset it; through real
HTTP on loopback ports."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import psycopg
import pytest

from desktop_app.server.limits import TOO_SLOW
from desktop_app.store.store import Store
from tests.server.conftest import PROVINCE, Province, ServerThread, pg_url

# a body must not pause for 0.3 s, and must be in within 1 s
IMPATIENT = {"stall": 0.3, "body_time": 1.0, "min_rate": 1e12}


def _drop_upload(url: str) -> None:
    """Start a sign-in whose JSON body stops after a few bytes; the server answers 408."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        head = (
            f"POST /v1/auth/token HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n"
        )
        sock.sendall(head.encode("ascii") + b'{"nonce"')
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_line, _, body = data.partition(b"\r\n\r\n")
    assert int(status_line.split()[1]) == 408
    assert json.loads(body) == {"error": "too_slow", "message": TOO_SLOW}


def _health(url: str) -> dict[str, Any]:
    answer = httpx.get(url + "/v1/health")
    assert answer.status_code == 200
    health: dict[str, Any] = answer.json()
    return health


@pytest.mark.postgres
def test_two_processes_on_postgres_report_the_same_dropped_uploads(
    province: Province, pg_database: str
) -> None:
    from desktop_app.server.app import create_app

    first = create_app(pg_database, province_db=province.path, **IMPATIENT)
    second = create_app(pg_database, **IMPATIENT)
    with ServerThread(first) as a, ServerThread(second) as b:
        assert _health(a.url)["dropped_uploads"] == 0
        _drop_upload(a.url)
        _drop_upload(a.url)
        _drop_upload(b.url)
        seen = [_health(a.url), _health(b.url)]
        assert [h["dropped_uploads"] for h in seen] == [3, 3]
        # each answer still says which process gave it (status and clock are its own)
        assert all(h["process"] and h["process_started_at"] for h in seen)
    # a process started later (a restart) goes on from the database's count
    with ServerThread(create_app(pg_database)) as c:
        assert _health(c.url)["dropped_uploads"] == 3


@pytest.mark.postgres
def test_health_says_so_when_the_database_is_gone(province: Province, pg_database: str) -> None:
    from desktop_app.server.app import create_app

    app = create_app(pg_database, province_db=province.path, **IMPATIENT)
    with ServerThread(app) as server:
        _drop_upload(server.url)
        assert _health(server.url)["status"] == "ok"
        base = pg_url()
        assert base is not None
        name = pg_database.rsplit("/", 1)[1]
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")
        health = _health(server.url)
        assert health["status"] == "database_error"
        assert health["dropped_uploads"] is None  # unknown, not 0
        _drop_upload(server.url)  # still answered 408, though it cannot be counted


@pytest.fixture
def impatient_sqlite(province: Province) -> Iterator[Callable[[], Any]]:
    """Makes apps on the province database (SQLite mode), one for each start."""
    from desktop_app.server.app import create_app

    province.offices[PROVINCE].close()  # the server opens the file itself
    yield lambda: create_app(province.path, **IMPATIENT)
    province.offices[PROVINCE] = Store.open(province.path)


def test_dropped_uploads_on_sqlite_survive_a_restart(impatient_sqlite: Callable[[], Any]) -> None:
    make_app = impatient_sqlite
    with ServerThread(make_app()) as server:
        _drop_upload(server.url)
        _drop_upload(server.url)
        health = _health(server.url)
        assert health["dropped_uploads"] == 2 and health["status"] == "ok"
    with ServerThread(make_app()) as server:
        _drop_upload(server.url)
        assert _health(server.url)["dropped_uploads"] == 3
