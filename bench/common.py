"""Shared by the benchmarks: the province-sized demo database, built once and cached."""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CACHE = Path(__file__).resolve().parent / ".cache"


def province_db(seed: int = 1) -> Path:
    """A Sơn La–sized database (12 districts, 204 communes, 8 quarters), built once."""
    from desktop_app.demo import build_demo

    path = CACHE / f"province-son-la-seed{seed}.db"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".building")
        if partial.exists():
            shutil.rmtree(partial) if partial.is_dir() else partial.unlink()
        started = time.perf_counter()
        print(f"building the province-sized database once: {path}", flush=True)
        build_demo(partial, "pre2025:14", seed)
        partial.rename(path)
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
    _migrate_in_place(path)
    return path


def _migrate_in_place(path: Path) -> None:
    """Bring a database built by an older checkout to this schema, once, in place: else
    every working copy would be migrated (and backed up first) at open, inside the
    figures."""
    from desktop_app.store.schema import SCHEMA_VERSION, migrate, read_version

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if read_version(conn) < SCHEMA_VERSION:
            print(f"migrating the cached database to schema {SCHEMA_VERSION}: {path}", flush=True)
            conn.execute("PRAGMA journal_mode = wal")
            migrate(conn)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def working_copy(source: Path, folder: Path) -> Path:
    """A copy of a database to write into, so the cached one stays as built."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    shutil.copyfile(source, target)
    return target


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (0–100) of the samples, nearest rank."""
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def describe(samples_ms: list[float]) -> str:
    """median and p99 of millisecond samples."""
    return f"median {statistics.median(samples_ms):.2f} ms, p99 {percentile(samples_ms, 99):.2f} ms"


def raw_insert(
    path: Path, rows_c: Sequence[Any], rows_a: Sequence[Any], rows_v: Sequence[Any]
) -> float:
    """The baseline of the apply benches: seconds for raw sqlite3 executemany of the
    given change-log, audit and value rows into the database at ``path``, in one
    transaction (WAL, synchronous=full, no foreign keys); the clock stops after COMMIT."""
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        raw.execute("PRAGMA journal_mode = wal")
        raw.execute("PRAGMA synchronous = full")
        raw.execute("PRAGMA foreign_keys = OFF")
        started = time.perf_counter()
        raw.execute("BEGIN")
        raw.executemany(
            "INSERT INTO change (id, origin, epoch, seq, entity, entity_key, scope_unit, period,"
            " state, base_version, hlc, schema_version, user) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows_c,
        )
        raw.executemany(
            "INSERT INTO audit (at, user, action, entity, entity_key, old, new, change_id)"
            " VALUES (?,?,?,?,?,?,?,?)",
            rows_a,
        )
        raw.executemany(
            "INSERT OR REPLACE INTO data_value (org_id, commune_id, village_id, period, indicator,"
            " disagg, value, comment, version, hlc, updated_by) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows_v,
        )
        raw.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        raw.close()
