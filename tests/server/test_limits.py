"""What one office's heavy or hostile request may cost the server (issue 14): a push
that expands far past its size, one with a flood of frames, a body sent too slowly or
not at all, the wrong media type; through real HTTP on a loopback port."""

from __future__ import annotations

import struct

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
from tests.server.conftest import C1, Province, ServerThread, fill_period


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
