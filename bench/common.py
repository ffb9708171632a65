"""Shared by the benchmarks: the province-sized demo database, built once and cached."""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

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
    return path


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
