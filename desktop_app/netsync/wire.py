"""What travels on the wire between an office and the provincial server.

A push body is the bundles' own segment encoding: the frames
``header, body, header, body, ...`` of :func:`desktop_app.sync.bundle.pack_frames`
(each header the author's signed canonical JSON with its certificate, each body
the columnar :mod:`desktop_app.sync.codec` text), compressed with zstd. A
district relays its communes' segments unchanged in the same body.

The batch id is derived from the segment headers (which carry the SHA-256 of
each body and the author's deterministic Ed25519 signature), so a client that
resends the same changes after a cut link sends the same id with the same
bytes and gets the server's stored answer.
"""

from __future__ import annotations

import hashlib
import io

import zstandard

from desktop_app.sync.bundle import pack_frames, unpack_frames

PUSH_MEDIA_TYPE = "application/octet-stream"
AUTH_CONTEXT = b"coverage-desk-auth-v1\n"
# a push body never legitimately expands beyond this...
MAX_PUSH_RAW = 64 * 1024 * 1024
# ...nor beyond this many times its own size (signed segments compress 3-15 times: the
# headers with their certificates hardly at all, the columnar bodies better), with this
# floor for small bodies: a small "zstd bomb" costs the server no more than the floor
PUSH_RATIO = 64
PUSH_RAW_FLOOR = 4 * 1024 * 1024
ZSTD_LEVEL = 3
API = "/v1"

Segment = tuple[bytes, bytes]


class WireError(ValueError):
    """A push body that cannot be read (its reason in English for the 400 answer)."""


def encode_push(segments: list[Segment]) -> bytes:
    """The body of a push: zstd of the framed (header, body) pairs."""
    frames: list[bytes] = []
    for header, body in segments:
        frames += [header, body]
    raw = pack_frames(frames)
    return zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_content_size=True).compress(raw)


def raw_limit(compressed: int, max_raw: int = MAX_PUSH_RAW) -> int:
    """How far a push body of ``compressed`` bytes may expand (see :data:`PUSH_RATIO`)."""
    return min(max_raw, max(PUSH_RAW_FLOOR, PUSH_RATIO * compressed))


def decode_push(
    data: bytes, max_raw: int = MAX_PUSH_RAW, max_segments: int | None = None
) -> list[Segment]:
    """Inverse of :func:`encode_push`, decompressing at most :func:`raw_limit` bytes
    (never past ``max_raw``) and reading at most ``max_segments`` (header, body) pairs;
    a body over either is refused before the rest of it is expanded."""
    if not data:
        raise WireError("empty body")
    max_raw = raw_limit(len(data), max_raw)
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data))
        chunks: list[bytes] = []
        total = 0
        while total <= max_raw:
            more = reader.read(min(1 << 20, max_raw + 1 - total))
            if not more:
                break
            chunks.append(more)
            total += len(more)
    except zstandard.ZstdError as exc:
        raise WireError(f"not a zstd body: {exc}") from exc
    if total > max_raw:
        raise WireError(f"the body expands beyond {max_raw} bytes")
    try:
        frames = unpack_frames(b"".join(chunks), None if max_segments is None else 2 * max_segments)
    except ValueError as exc:
        raise WireError(str(exc)) from exc
    if not frames or len(frames) % 2:
        raise WireError("expected header and body frames in pairs")
    return [(frames[i], frames[i + 1]) for i in range(0, len(frames), 2)]


def batch_id_for(segments: list[Segment]) -> str:
    """A stable id for a batch of segments (same segments, same id)."""
    digest = hashlib.sha256()
    for header, _body in segments:
        digest.update(len(header).to_bytes(4, "big"))
        digest.update(header)
    return "b" + digest.hexdigest()[:32]


def body_sha256(data: bytes) -> str:
    """Hex SHA-256 of a request body (what the server compares on a resent batch id)."""
    return hashlib.sha256(data).hexdigest()


def auth_message(nonce: str) -> bytes:
    """The bytes an office signs to prove it holds its certificate's key."""
    return AUTH_CONTEXT + nonce.encode("ascii")
