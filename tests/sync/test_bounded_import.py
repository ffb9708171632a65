"""Bounded import: a bundle declaring more than any bundle holds, a file larger than any
bundle, a PC short of memory: one clear line before anything is decompressed, nothing
changed. (Peak memory is measured in ``bench/bench_sync.py --bounded``.)"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard

from desktop_app.store.store import Store
from desktop_app.sync import bundle as fmt
from desktop_app.sync.errors import BundleTooLargeError, NotEnoughMemoryError
from desktop_app.sync.identity import load_identity
from tests.sync.conftest import Net, add_village, set_households
from tests.sync.test_faults import snapshot
from tests.sync.test_traced_cases import C1, D, Offices, offices  # noqa: F401 (fixture)

D1 = "pre2025:125"
GIB = 1024**3


def honest_zeros(size: int) -> bytes:
    """A zstd frame that really decompresses to ``size`` zero bytes (streamed: a few MB)."""
    cctx = zstandard.ZstdCompressor(level=1, write_content_size=True)
    chunk = bytes(64 * 1024**2)
    obj = cctx.compressobj(size=size)
    parts = [obj.compress(chunk) for _ in range(size // len(chunk))]
    parts.append(obj.flush())
    return b"".join(parts)


def declaring(store: Store, good: Path, out: Path, payload: bytes, size: int) -> Path:
    """``good``'s manifest, re-signed by its sender, over ``payload`` declared as ``size``."""
    raw = fmt.split(good.read_bytes())
    manifest = dict(raw.manifest)
    manifest["payload"] = {
        "length": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
        "size": size,
        "codec": "zstd",
    }
    out.write_bytes(fmt.build_file(manifest, payload, load_identity(store).private_key))
    return out


@pytest.fixture(scope="module")
def two_gib() -> bytes:
    return honest_zeros(2 * GIB)


def test_a_bundle_honestly_declaring_2_gib_is_refused_before_decompressing(
    net: Net, two_gib: bytes
) -> None:
    c = net[C1]
    set_households(c, add_village(c, "Bản Lớn"), 1)
    big = declaring(c, net.export(C1), net.tmp / "big.cdsync", two_gib, 2 * GIB)
    assert big.stat().st_size < 1024**2  # a small file
    before = snapshot(net, D1)
    with pytest.raises(BundleTooLargeError) as caught:
        net.load(D1, big)
    assert caught.value.user_message() == (
        "This bundle is too large to import (2048 MB; at most 256 MB): refused before reading it."
    )
    assert snapshot(net, D1) == before


def test_a_file_larger_than_any_bundle_is_refused_from_its_size(
    net: Net, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = net[C1]
    set_households(c, add_village(c, "Bản Lớn"), 1)
    path = net.export(C1)
    monkeypatch.setattr(fmt, "MAX_FILE_SIZE", path.stat().st_size - 1)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read whole"))
    with pytest.raises(BundleTooLargeError):
        net.load(D1, path)


def test_a_pc_short_of_memory_gets_one_line_and_nothing_changes(
    net: Net, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.bench_sync import bulk_writes

    c = net[C1]
    c.values.set_many(bulk_writes(c, 3000))
    path = net.export(C1)
    before = snapshot(net, D1)
    monkeypatch.setattr(fmt, "free_memory", lambda: 64 * 1024)  # the edge: 64 KB free
    with pytest.raises(NotEnoughMemoryError) as caught:
        net.load(D1, path)
    assert caught.value.user_message().startswith("Not enough free memory to import")
    assert snapshot(net, D1) == before
    monkeypatch.undo()
    assert net.load(D1, path).report.applied > 3000  # with memory, the same file imports


def test_the_memory_check_counts_the_changes_a_bundle_declares(
    net: Net, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.bench_sync import bulk_writes

    c = net[C1]
    c.values.set_many(bulk_writes(c, 3000))
    path = net.export(C1)
    manifest = fmt.split(path.read_bytes()).manifest
    changes = fmt.declared_changes(manifest)
    assert changes > 3000
    bytes_only = fmt.MEMORY_FACTOR * manifest["payload"]["size"] + path.stat().st_size
    before = snapshot(net, D1)
    # room for the bytes but not for the decoded changes: refused before decompressing
    monkeypatch.setattr(fmt, "free_memory", lambda: bytes_only + changes * 100)
    monkeypatch.setattr(fmt, "decompress", lambda raw: pytest.fail("decompressed"))
    with pytest.raises(NotEnoughMemoryError) as caught:
        net.load(D1, path)
    assert caught.value.user_message().startswith("Not enough free memory to import")
    assert snapshot(net, D1) == before
    monkeypatch.undo()
    monkeypatch.setattr(fmt, "free_memory", lambda: bytes_only + changes * fmt.CHANGE_MEMORY)
    assert net.load(D1, path).report.applied > 3000


@pytest.mark.skipif(sys.platform == "win32", reason="ulimit is POSIX")
def test_under_ulimit_v_the_command_says_one_line(
    offices: Offices,  # noqa: F811 (the fixture)
    two_gib: bytes,
) -> None:
    with offices.open(C1) as c:
        set_households(c, add_village(c, "Bản Lớn"), 1)
    good = offices.tmp / "good.cdsync"
    from tests.sync.test_traced_cases import cli

    cli("bundle", "export", "--db", str(offices.db(C1)), "--out", str(good))
    with offices.open(C1) as c:
        honest = declaring(c, good, offices.tmp / "big.cdsync", two_gib, 2 * GIB)
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    run = subprocess.run(
        ["bash", "-c", 'ulimit -v 1500000 && exec "$0" -m desktop_app --lang en bundle'
         ' import --db "$1" "$2"', sys.executable, str(offices.db(D)), str(honest)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 1 and len(lines) == 1 and "too large" in lines[0], run.stderr
