"""What drawing a locked period with its own catalogue costs (issue #12).

    .venv/bin/python -m bench.bench_locked_catalogue

On a copy of the Sơn La–sized database (``bench.common.province_db``; its approvals
record the catalogue version, so 2020Q4's district and province reports take the
locked path: the catalogue read back from ``catalogue_archive``), in one process,
rounds interleaved after a warm-up, median of 5:

- the district (Huyện Mai Sơn) and province (Tỉnh Sơn La) PDF as this branch builds
  it, from ``build_report`` to the written file;
- the same with the catalogue choice replaced by the catalogue in force (what the
  report did before: the baseline);
- the choice alone (``report_catalogue``: which communes count, their locks, the
  archived catalogue, read once per version and kept).

Each round runs the two reports of a unit back to back, in swapped order every other
round, and prints the median of the per-round ratios (paired: a load spike on a
shared machine hits both of a pair) beside the medians.

The clock starts before ``build_report`` and stops when the PDF is written. Then the
whole process (``coverage-desk report district|province``, median of 3) as
``bench.bench_reports`` prints it. Prints figures; never passes or fails on time.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bench.bench_reports import PERIOD, whole_process
from bench.common import province_db, working_copy

ROUNDS = 5
UNITS = {"district": "pre2025:125", "province": "pre2025:14"}


def main() -> None:
    """Print the figures."""
    import desktop_app.reports.catalogue_choice as choice
    from desktop_app.domain.periods import Period
    from desktop_app.reports import build_report, write_model
    from desktop_app.store.store import Store

    day = date(2021, 2, 5)
    real = choice.report_catalogue

    def in_force(store: Store, *_args: object) -> choice.ReportCatalogue:
        return choice.ReportCatalogue(store.catalogue_in_force, locked=False)

    with tempfile.TemporaryDirectory() as folder:
        db = working_copy(province_db(1), Path(folder) / "db")
        with Store.open(db) as store:
            for kind, unit in UNITS.items():
                chosen = real(store, unit, Period.parse(PERIOD), {"approved", "accepted"})
                print(
                    f"{kind} {PERIOD}: catalogue {chosen.catalogue.version},"
                    f" {'locked (archived)' if chosen.locked else 'in force'}"
                )

            def report(kind: str, patched: bool) -> Callable[[], object]:
                def run() -> object:
                    choice.report_catalogue = in_force if patched else real  # type: ignore[assignment]
                    try:
                        model = build_report(
                            store,
                            kind,  # type: ignore[arg-type]
                            UNITS[kind],
                            PERIOD,
                            report_date=day,
                        )
                        return write_model(model, Path(folder) / f"{kind}.pdf")
                    finally:
                        choice.report_catalogue = real

                return run

            period = Period.parse(PERIOD)
            for kind in UNITS:  # warm: fonts, pages, both catalogues read once
                report(kind, False)()
                report(kind, True)()
            times: dict[str, list[float]] = {}
            ratios: dict[str, list[float]] = {k: [] for k in UNITS}
            for n in range(ROUNDS):
                for kind, unit in UNITS.items():
                    # paired, the order swapped every round (a busy machine hits both alike)
                    order = (False, True) if n % 2 == 0 else (True, False)
                    took = {}
                    for patched in order:
                        started = time.perf_counter()
                        report(kind, patched)()
                        took[patched] = time.perf_counter() - started
                    started = time.perf_counter()
                    real(store, unit, period, {"approved", "accepted"})
                    alone = time.perf_counter() - started
                    for key, value in (("branch", took[False]), ("baseline", took[True]),
                                       ("choice", alone)):  # fmt: skip
                        times.setdefault(f"{kind} {key}", []).append(value)
                    ratios[kind].append(took[False] / took[True])
    for kind in UNITS:
        new, old, alone = (
            statistics.median(times[f"{kind} {k}"]) for k in ("branch", "baseline", "choice")
        )
        spread = ", ".join(f"{r:.3f}" for r in sorted(ratios[kind]))
        print(
            f"{kind} PDF: {new * 1000:8.1f} ms with the lock's catalogue,"
            f" {old * 1000:8.1f} ms with the catalogue in force (baseline), median of"
            f" {ROUNDS}; paired ratio median {statistics.median(ratios[kind]):.3f}×"
            f" (rounds: {spread}); the choice alone {alone * 1000:.1f} ms"
        )
    whole_process(province_db(1))


if __name__ == "__main__":
    main()
