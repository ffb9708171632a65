"""What one office's heavy or hostile request may cost the server (issue 14): a push
that expands far past its size, one with a flood of frames, a body sent too slowly or
not at all, the wrong media type; through real HTTP on a loopback port."""

from __future__ import annotations

import json
import socket
import struct
import time
from collections.abc import Iterator

import httpx
import pytest
import zstandard

from desktop_app.netsync.client import ServerClient, plan_batches
from desktop_app.netsync.wire import (
    MAX_PUSH_RAW,
    PUSH_MEDIA_TYPE,
    PUSH_RATIO,
    PUSH_RAW_FLOOR,
    WireError,
    decode_push,
    encode_push,
    raw_limit,
)
from desktop_app.server.limits import TOO_SLOW
from desktop_app.store.store import Store
from tests.server.conftest import C1, PROVINCE, Province, ServerThread, count_changes, fill_period


def _signed_in(province: Province, url: str) -> dict[str, str]:
    client = ServerClient(url)
    try:
        client.sign_in(province[C1])
        return {"Authorization": f"Bearer {client.token}", "Content-Type": PUSH_MEDIA_TYPE}
    finally:
        client.close()


def _bomb(size: int) -> bytes:
    """A few kilobytes of zstd that expand to ``size`` zero bytes."""
    return zstandard.ZstdCompressor(level=19).compress(b"\0" * size)


def test_a_decompression_bomb_is_refused_after_the_floor(
    province: Province, sqlite_server: ServerThread
) -> None:
    bomb = _bomb(63 * 1024 * 1024)
    assert len(bomb) < 8192
    headers = _signed_in(province, sqlite_server.url)
    answer = httpx.post(sqlite_server.url + "/v1/batches/bomb", content=bomb, headers=headers)
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "bad_batch",
        "message": f"the batch cannot be read: the body expands beyond {PUSH_RAW_FLOOR} bytes",
    }
    assert httpx.get(sqlite_server.url + "/v1/health").json()["status"] == "ok"


def test_a_flood_of_frames_is_refused(province: Province, sqlite_server: ServerThread) -> None:
    state = ServerClient(sqlite_server.url)
    try:
        state.sign_in(province[C1])
        batch_changes = int(state._call("GET", "/state")["batch_changes"])
    finally:
        state.close()
    frames = struct.pack(">I", 0) * (2 * batch_changes + 2)  # empty frames: 4 bytes each
    body = zstandard.ZstdCompressor().compress(frames)
    headers = _signed_in(province, sqlite_server.url)
    answer = httpx.post(sqlite_server.url + "/v1/batches/frames", content=body, headers=headers)
    assert answer.status_code == 400
    assert answer.json()["message"] == (
        f"the batch cannot be read: more than {2 * batch_changes} frames"
    )


@pytest.mark.parametrize("villages", [1, 40, 2000])
def test_a_real_push_of_any_size_stays_within_its_limit(province: Province, villages: int) -> None:
    commune = province[C1]
    fill_period(commune, villages, per_village=7)
    for segments in plan_batches(commune, {}, 100_000):
        body = encode_push(segments)
        assert decode_push(body, max_segments=len(segments)) == segments
        raw = sum(len(h) + len(b) + 8 for h, b in segments)
        assert raw * 2 <= raw_limit(len(body))  # a margin of two at least


def test_the_raw_limit_grows_with_the_body_up_to_the_ceiling() -> None:
    assert raw_limit(10) == PUSH_RAW_FLOOR
    assert raw_limit(2 * PUSH_RAW_FLOOR // PUSH_RATIO) == 2 * PUSH_RAW_FLOOR
    assert raw_limit(10**9) == MAX_PUSH_RAW
    with pytest.raises(WireError, match="expands beyond"):
        decode_push(_bomb(PUSH_RAW_FLOOR + 1))


@pytest.fixture
def impatient_server(province: Province) -> Iterator[ServerThread]:
    """The server with short body deadlines: 0.5 s without a byte, 1.5 s for a body."""
    from desktop_app.server.app import create_app

    province.offices[PROVINCE].close()
    app = create_app(province.path, stall=0.5, body_time=1.5, min_rate=1e12)
    with ServerThread(app) as server:
        yield server
    province.offices[PROVINCE] = Store.open(province.path)


def _open_request(url: str, path: str, headers: dict[str, str], declared: int) -> socket.socket:
    """A connection that sent a request's headers, declaring ``declared`` body bytes."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {declared}",
             *(f"{k}: {v}" for k, v in headers.items())]  # fmt: skip
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))
    return sock


def _answer(sock: socket.socket) -> tuple[int, dict[str, str]]:
    """The status and JSON body of the answer, read until the server closes."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_stalled_and_slow_uploads_are_dropped_and_counted(
    province: Province, impatient_server: ServerThread
) -> None:
    url = impatient_server.url
    headers = _signed_in(province, url)
    stalled = []
    for i in range(20):  # 3 of 1,000 declared bytes, then nothing
        sock = _open_request(url, f"/v1/batches/s{i}", headers, 1000)
        sock.sendall(b"abc")
        stalled.append(sock)
    json_stalled = _open_request(url, "/v1/auth/token", {"Content-Type": "application/json"}, 500)
    json_stalled.sendall(b'{"nonce"')
    assert httpx.get(url + "/v1/health").json()["status"] == "ok"  # others are served
    expected = {"error": "too_slow", "message": TOO_SLOW}
    for sock in [*stalled, json_stalled]:
        with sock:
            assert _answer(sock) == (408, expected)
    assert httpx.get(url + "/v1/health").json()["dropped_uploads"] == 21
    sent = 0
    with _open_request(url, "/v1/batches/slow", headers, 1000) as slow:
        for _ in range(20):  # a byte every 0.3 s: never a stall, but too slow in all
            try:
                slow.sendall(b"x")
            except OSError:  # dropped: the server closed the connection
                break
            sent += 1
            time.sleep(0.3)
    assert 3 <= sent < 20  # held past several stall windows, then dropped
    assert httpx.get(url + "/v1/health").json()["dropped_uploads"] == 22


def test_a_push_in_another_media_type_is_refused(
    province: Province, sqlite_server: ServerThread
) -> None:
    fill_period(province[C1], 1)
    body = encode_push(plan_batches(province[C1], {}, 500)[0])
    headers = _signed_in(province, sqlite_server.url)
    for media in ("application/json", None):
        sent = dict(headers)
        if media is None:
            del sent["Content-Type"]
        else:
            sent["Content-Type"] = media
        answer = httpx.post(sqlite_server.url + "/v1/batches/m1", content=body, headers=sent)
        assert answer.status_code == 415
        assert answer.json() == {
            "error": "bad_media_type",
            "message": f"a batch is sent as {PUSH_MEDIA_TYPE}, not {media or 'nothing'}",
        }
    answer = httpx.post(sqlite_server.url + "/v1/batches/m1", content=body, headers=headers)
    assert answer.status_code == 200 and answer.json()["accepted"] == 2


def test_a_push_the_writer_cannot_take_in_time_gets_503_and_its_resend_the_answer(
    province: Province, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.server import backend
    from desktop_app.server.app import create_app

    monkeypatch.setattr(backend, "PUSH_WAIT", 0.5)
    province.offices[PROVINCE].close()
    app = create_app(province.path)
    fill_period(province[C1], 2)
    body = encode_push(plan_batches(province[C1], {}, 500)[0])
    with ServerThread(app) as srv:
        headers = _signed_in(province, srv.url)
        with app.state.backend._lock:  # the writer is busy (a long apply, a slow disk)
            busy = httpx.post(srv.url + "/v1/batches/w1", content=body, headers=headers)
        assert busy.status_code == 503 and busy.headers["retry-after"] == "5"
        assert busy.json() == {
            "error": "busy",
            "message": "the server is busy; send the batch again later",
        }
        again = httpx.post(srv.url + "/v1/batches/w1", content=body, headers=headers)
        assert again.status_code == 200 and again.json()["accepted"] == 4
        srv.wait_applied()
    province.offices[PROVINCE] = Store.open(province.path)
    assert count_changes(province[PROVINCE], province[C1].node.node_id) == 4
