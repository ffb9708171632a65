"""Demo build benchmark: ``coverage-desk demo`` (Huyện Mai Sơn, 2019Q1–2020Q4) with its
demo province, which now receives the district's data by a real bundle export and import,
against the plain demo (``--no-province``) built in the same run (target ≤ 2×).

    .venv/bin/python -m bench.bench_demo

Wall and process CPU seconds, median of alternated rounds; prints figures, never passes
or fails on time (it was a test asserting 15 s, which a loaded machine broke).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

ROUNDS = 3


def _build(province: bool) -> tuple[float, float]:
    from desktop_app.demo import build_demo
    from desktop_app.demo.enrolment import province_path_for

    with tempfile.TemporaryDirectory() as folder:
        office = Path(folder) / "demo-office.db"
        wall, cpu = time.perf_counter(), time.process_time()
        build_demo(
            office, "pre2025:125", 1, province_path=province_path_for(office) if province else None
        )
        return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    """Print the figures."""
    samples: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for _ in range(ROUNDS):
        for province in (False, True):
            samples[province].append(_build(province))
    plain_wall = statistics.median(w for w, _c in samples[False])
    plain_cpu = statistics.median(c for _w, c in samples[False])
    wall = statistics.median(w for w, _c in samples[True])
    cpu = statistics.median(c for _w, c in samples[True])
    ratio = wall / plain_wall
    print(f"plain demo (no province):        {plain_wall:6.2f} s wall, {plain_cpu:6.2f} s CPU")
    print(
        f"demo with its province (bundle): {wall:6.2f} s wall, {cpu:6.2f} s CPU"
        f"  = {ratio:.2f}× wall, {cpu / plain_cpu:.2f}× CPU  target ≤ 2×"
        f"  [{'ok' if ratio <= 2 else 'OVER'}]"
    )


if __name__ == "__main__":
    main()
