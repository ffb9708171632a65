"""The bundle file: one signed file carrying changes by USB stick (DESIGN §4).

Layout (all integers big-endian)::

    magic        8 bytes   b"CVDKSYNC"
    version      2 bytes   format version (1)
    manifest_len 4 bytes
    manifest     canonical JSON (bundle id, from, to, certificate chain,
                 schema, minimum app version, seq ranges, payload length,
                 SHA-256 and uncompressed size, the sender's applied vector)
    signature    64 bytes  Ed25519 by the sender over every byte before it
    payload      zstd frame of ``payload.length`` bytes

The uncompressed payload is a sequence of frames ``u32 length + bytes``: frame
0 is the canonical JSON of the extras (acknowledgements, rejections,
revocations), then two frames per signed segment: its header (canonical JSON
with the origin's signature and certificate) and its body
(:mod:`desktop_app.sync.codec`). The manifest signature covers the payload
through its SHA-256; each segment's own signature lets a relay forward it
unchanged and the province verify the original author.

Export writes a temp file, fsyncs, renames, then reads the file back and
verifies it. Reading checks, in order, each with its own error: magic and
version, (signature: by the caller, who knows the keys), addressee (caller),
length and hash, decompression capped at the declared size.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import zstandard

from desktop_app.sync.certificates import write_atomic
from desktop_app.sync.errors import (
    BadSignatureError,
    BundleTooLargeError,
    BundleVersionError,
    CompressionBombError,
    NotABundleError,
    NotEnoughMemoryError,
    PayloadHashError,
    TruncatedBundleError,
)
from desktop_app.sync.identity import canonical_bytes, sign

MAGIC = b"CVDKSYNC"
FORMAT_VERSION = 1
_HEAD = struct.Struct(">8sHI")
SIG_LEN = 64
ZSTD_LEVEL = 19
# a bundle never legitimately expands beyond this (refused before decompressing). Measured
# (``python -m bench.bench_sync --full-export``): every change of the province-sized bench
# database (329,914 changes, 316,753 of them values, from 217 offices) in one bundle
# declares 16.2 MB (51 bytes a change) and compresses to 0.8 MB, so this is about 5
# million changes, 16 times that database; it stops garbage, not a genuine bundle.
MAX_DECLARED_SIZE = 256 * 1024**2
# nor is its file larger (refused from its size, before it is read)
MAX_FILE_SIZE = 256 * 1024**2
# an import holds the compressed file, the payload, its frames and segment bodies (bytes:
# MEMORY_FACTOR times the declared size), and every change decoded before it applies:
# 851 bytes a change measured (16.5 times its share of the declared size; the same bench),
# so CHANGE_MEMORY a declared change. A genuine bundle near the cap (about 5 million
# changes, some 5 GB decoded) is refused on a 4 GB PC in one line, before decompressing.
MEMORY_FACTOR = 4
CHANGE_MEMORY = 1024
_MB = 1024**2


def check_file_size(path: Path) -> None:
    """Refuse a file larger than any bundle, from its size alone."""
    size = Path(path).stat().st_size
    if size > MAX_FILE_SIZE:
        raise BundleTooLargeError(size=size // _MB, limit=MAX_FILE_SIZE // _MB)


def check_declared_size(manifest: dict[str, Any], file_size: int) -> None:
    """Refuse a payload declaring more than any bundle holds, or more than this PC's free
    memory can take (checked before decompressing a byte)."""
    size = (manifest.get("payload") or {}).get("size", 0)
    if not isinstance(size, int) or size < 0:
        raise CompressionBombError(size=size)
    if size > MAX_DECLARED_SIZE:
        raise BundleTooLargeError(size=size // _MB, limit=MAX_DECLARED_SIZE // _MB)
    need = MEMORY_FACTOR * size + file_size + CHANGE_MEMORY * declared_changes(manifest)
    free = free_memory()
    if free is not None and need > free:
        raise NotEnoughMemoryError(need=max(1, need // _MB))


def declared_changes(manifest: dict[str, Any]) -> int:
    """How many changes the manifest's seq ranges declare (0 for ranges it cannot read:
    the checks after it refuse such a bundle anyway)."""
    total = 0
    ranges = manifest.get("ranges")
    if not isinstance(ranges, list):
        return 0
    for item in ranges:
        try:
            _origin, _epoch, seq_from, seq_to = item
            if type(seq_from) is int and type(seq_to) is int and seq_to >= seq_from:
                total += seq_to - seq_from + 1
        except (TypeError, ValueError):
            continue
    return total


def free_memory() -> int | None:
    """Bytes this process may still allocate: the free memory of the PC, and the
    address-space limit (``ulimit -v``) left; None when unknown."""
    limits: list[int] = []
    try:
        import resource

        soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            with open("/proc/self/statm") as fh:
                used = int(fh.read().split()[0]) * resource.getpagesize()
            limits.append(max(0, soft - used))
    except (ImportError, OSError, ValueError):
        pass
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    limits.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError):
        pass
    if not limits:
        limits += _windows_free()
    return min(limits) if limits else None


def _windows_free() -> list[int]:
    try:
        import ctypes

        class _Status(ctypes.Structure):
            _fields_ = [
                ("length", ctypes.c_ulong),
                ("load", ctypes.c_ulong),
                ("total_phys", ctypes.c_ulonglong),
                ("avail_phys", ctypes.c_ulonglong),
                ("total_page", ctypes.c_ulonglong),
                ("avail_page", ctypes.c_ulonglong),
                ("total_virtual", ctypes.c_ulonglong),
                ("avail_virtual", ctypes.c_ulonglong),
                ("avail_ext", ctypes.c_ulonglong),
            ]

        status = _Status()
        status.length = ctypes.sizeof(_Status)
        if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):  # type: ignore[attr-defined]
            return [int(status.avail_phys), int(status.avail_virtual)]
    except (AttributeError, OSError, ImportError):
        pass
    return []


@dataclass(frozen=True)
class RawBundle:
    """A bundle file split into its parts, not yet verified."""

    manifest: dict[str, Any]
    signed: bytes
    signature: bytes
    payload: bytes


def pack_frames(frames: list[bytes]) -> bytes:
    """Length-prefixed frames."""
    out = io.BytesIO()
    for frame in frames:
        out.write(struct.pack(">I", len(frame)))
        out.write(frame)
    return out.getvalue()


def unpack_frames(data: bytes, max_frames: int | None = None) -> list[bytes]:
    """Inverse of :func:`pack_frames` (raises ``ValueError`` on a bad length, or on more
    than ``max_frames`` frames)."""
    frames: list[bytes] = []
    pos = 0
    while pos < len(data):
        if max_frames is not None and len(frames) >= max_frames:
            raise ValueError(f"more than {max_frames} frames")
        if pos + 4 > len(data):
            raise ValueError("frame header cut short")
        (length,) = struct.unpack_from(">I", data, pos)
        pos += 4
        if pos + length > len(data):
            raise ValueError("frame cut short")
        frames.append(data[pos : pos + length])
        pos += length
    return frames


def compress(payload: bytes, level: int = ZSTD_LEVEL) -> bytes:
    """zstd, the content size written in the frame."""
    return zstandard.ZstdCompressor(level=level, write_content_size=True).compress(payload)


def build_file(manifest: dict[str, Any], compressed: bytes, private_key: bytes) -> bytes:
    """The complete bundle bytes for a manifest (payload fields already filled)."""
    manifest_bytes = canonical_bytes(manifest)
    head = _HEAD.pack(MAGIC, FORMAT_VERSION, len(manifest_bytes)) + manifest_bytes
    return head + sign(private_key, head) + compressed


def payload_fields(raw_payload: bytes, compressed: bytes) -> dict[str, Any]:
    """The manifest's ``payload`` entry."""
    return {
        "length": len(compressed),
        "sha256": hashlib.sha256(compressed).hexdigest(),
        "size": len(raw_payload),
        "codec": "zstd",
    }


def write_bundle(path: Path, data: bytes) -> None:
    """Write the bundle atomically (temp, fsync, rename)."""
    write_atomic(Path(path), data)


def split(data: bytes, path: str = "") -> RawBundle:
    """Check magic and version and cut the file into its parts."""
    if len(data) < len(MAGIC) or data[: len(MAGIC)] != MAGIC:
        raise NotABundleError(path=path)
    if len(data) < _HEAD.size:
        raise TruncatedBundleError(detail="header")
    _, version, manifest_len = _HEAD.unpack_from(data, 0)
    if version != FORMAT_VERSION:
        raise BundleVersionError(found=version, supported=FORMAT_VERSION)
    end = _HEAD.size + manifest_len
    if len(data) < end + SIG_LEN:
        raise TruncatedBundleError(detail="manifest")
    try:
        manifest = json.loads(data[_HEAD.size : end])
    except ValueError as exc:  # damaged: the signature cannot match either
        raise BadSignatureError() from exc
    if not isinstance(manifest, dict):
        raise NotABundleError(path=path)
    return RawBundle(manifest, data[:end], data[end : end + SIG_LEN], data[end + SIG_LEN :])


def check_payload(raw: RawBundle) -> None:
    """The payload has the declared length and SHA-256."""
    declared = raw.manifest.get("payload") or {}
    length = declared.get("length")
    if length != len(raw.payload):
        raise PayloadHashError(
            detail=f"{len(raw.payload)} bytes of contents, {length} declared (file cut short?)"
        )
    if hashlib.sha256(raw.payload).hexdigest() != declared.get("sha256"):
        raise PayloadHashError(detail="SHA-256 differs")


def decompress(raw: RawBundle) -> bytes:
    """Decompress the payload, refusing to produce more than its declared size."""
    size = int((raw.manifest.get("payload") or {}).get("size", 0))
    if not 0 <= size <= MAX_DECLARED_SIZE:
        raise CompressionBombError(size=size)
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw.payload))
    try:
        out = reader.read(size + 1)
        # stream_reader.read may return less than asked; keep reading to the cap
        chunks = [out]
        total = len(out)
        while total <= size:
            more = reader.read(size + 1 - total)
            if not more:
                break
            chunks.append(more)
            total += len(more)
    except zstandard.ZstdError as exc:
        raise PayloadHashError(detail=f"cannot decompress: {exc}") from exc
    if total > size:
        raise CompressionBombError(size=size)
    data = b"".join(chunks)
    if len(data) != size:
        raise PayloadHashError(detail=f"{len(data)} bytes decompressed, {size} declared")
    return data
