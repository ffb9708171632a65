"""Where the server's time goes: cumulative seconds and counts by phase.

Each backend keeps one :class:`PhaseTimes` (a ``perf_counter`` pair and a
dictionary update per phase, a few per push, apply chunk or feed page: nothing
measurable beside them). They answer "where does push-until-applied spend its
time" on a real server, without a profiler's distortion; ``bench/bench_server.py``
prints them beside its ratios. The server writes them as JSON to the file named
by ``COVERAGE_DESK_SERVER_TIMINGS`` when it stops (nothing is written otherwise).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

TIMINGS_ENV = "COVERAGE_DESK_SERVER_TIMINGS"


class PhaseTimes:
    """Cumulative wall seconds and counts by phase name (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def add(self, name: str, seconds: float, count: int = 1) -> None:
        """Count ``seconds`` (and ``count`` occurrences) against ``name``."""
        with self._lock:
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds
            self.counts[name] = self.counts.get(name, 0) + count

    @contextlib.contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Time the block against ``name`` (also when it raises)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def snapshot(self) -> dict[str, dict[str, float]]:
        """``{name: {"seconds": s, "count": n}}``."""
        with self._lock:
            return {
                name: {"seconds": round(s, 6), "count": self.counts.get(name, 0)}
                for name, s in sorted(self.seconds.items())
            }

    def write_if_asked(self) -> None:
        """Write :meth:`snapshot` to the file ``COVERAGE_DESK_SERVER_TIMINGS`` names, if any."""
        path = os.environ.get(TIMINGS_ENV)
        if path:
            Path(path).write_text(json.dumps(self.snapshot(), indent=1), encoding="utf-8")
