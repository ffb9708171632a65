"""The apply of received changes alone (``store/apply/``: :class:`ChangeApplier`).

What it times: ``ChangeApplier.apply`` of N value changes a commune wrote with
``ValueRepository.set_many`` (100,000 by default; about 220 villages), decoded from
a real segment body beforehand (``sync.codec``), so neither decoding, signature
checks nor the backup are inside the clock. The clock runs from building the
applier (and its ``Authoriser``, which reads the receiver's units and villages)
to the end of ``apply`` (its flush of change-log, audit and value rows included),
inside one transaction (``--chunk N``: transactions of about N changes, each with
its own applier, as the provincial server applies held pushes); the COMMITs are
inside too.

Two receivers, each a fresh copy:

* ``fresh``: a new district office database (the commune's first bundle);
* ``province``: a copy of the province-sized bench database (bench/common.py:
  204 communes, about a million values, ~330,000 change-log rows); it already
  holds this commune's commune-level figures, so about 13,000 of the changes
  arrive as conflicts (the slow path: every known version of the row read and
  resolved, the conflict recorded with both sides).

Baseline, in the same run: raw ``sqlite3`` executemany of exactly the rows that
apply wrote (its change-log, audit and value rows, read back afterwards) into
another fresh copy of the same receiver, in one transaction with COMMIT. The
ratio printed is baseline / apply (1.0 would be as fast as raw inserts; the
conflict rows and everything else the apply writes are not in the baseline,
which favours the baseline). Each receiver is measured ``--repeat`` times
(3 by default) and the median printed, with the load average.

Run: ``python -m bench.bench_apply [--count N] [--repeat R] [--only fresh|province]
[--chunk N] [--profile]``. Prints figures; never fails on time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from desktop_app.store.apply import Batch, Change, ChangeApplier, Signer
from desktop_app.store.store import Store

DISTRICT, COMMUNE = "pre2025:125", "pre2025:04108"


def _batches(commune: Store) -> list[Batch]:
    """The commune's change log as the receiver gets it: decoded segments of 500 changes."""
    from desktop_app.sync.codec import decode_segment, encode_segment

    rows = commune.db.execute_sql(
        "SELECT origin, epoch, seq, entity, entity_key, scope_unit, period, state,"
        " base_version, hlc, schema_version, user FROM change ORDER BY origin, epoch, seq"
    ).fetchall()
    changes = [Change(*r) for r in rows]
    signer = Signer(commune.node.node_id, commune.node.office_id, 3)
    out = []
    for i in range(0, len(changes), 500):
        part = changes[i : i + 500]
        body = encode_segment(part)
        out.append(Batch(decode_segment(body, part[0].origin, part[0].epoch, part[0].seq), signer))
    return out


def _groups(batches: list[Batch], chunk: int | None) -> list[list[Batch]]:
    """The batches in transactions of about ``chunk`` changes (all in one without)."""
    if chunk is None:
        return [batches]
    out: list[list[Batch]] = [[]]
    size = 0
    for b in batches:
        if size >= chunk:
            out.append([])
            size = 0
        out[-1].append(b)
        size += len(b.changes)
    return out


def _apply(
    path: Path, batches: list[Batch], level: int, profile: bool, chunk: int | None = None
) -> tuple[float, Any]:
    from desktop_app.sync.scope import Authoriser

    store = Store.open(path)
    try:
        before_c = int(
            store.db.execute_sql("SELECT COALESCE(max(id), 0) FROM change").fetchone()[0]
        )
        before_a = int(store.db.execute_sql("SELECT COALESCE(max(id), 0) FROM audit").fetchone()[0])
        prof = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if prof:
            prof.enable()
        reports = []
        for group in _groups(batches, chunk):
            with store.transaction():
                applier = ChangeApplier(
                    store, Authoriser(store), received_from=COMMUNE, my_level=level
                )
                reports.append(applier.apply(group))
        report = reports[0]
        for more in reports[1:]:
            for name in ("applied", "conflicts", "merged", "skipped"):
                setattr(report, name, getattr(report, name) + getattr(more, name))
        if prof:
            prof.disable()
        elapsed = time.perf_counter() - started
        if prof:
            pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
        rows_c = store.db.execute_sql(
            "SELECT id, origin, epoch, seq, entity, entity_key, scope_unit, period, state,"
            " base_version, hlc, schema_version, user FROM change WHERE id > ?",
            (before_c,),
        ).fetchall()
        rows_a = store.db.execute_sql(
            "SELECT at, user, action, entity, entity_key, old, new, change_id FROM audit"
            " WHERE id > ?",
            (before_a,),
        ).fetchall()
        rows_v = store.db.execute_sql(
            "SELECT org_id, commune_id, village_id, period, indicator, disagg, value, comment,"
            " version, hlc, updated_by FROM data_value WHERE version IN"
            " (SELECT origin || '/' || epoch || '/' || seq FROM change WHERE id > ?)",
            (before_c,),
        ).fetchall()
    finally:
        store.close()
    return elapsed, (report, rows_c, rows_a, rows_v)


def main() -> None:
    from bench.bench_sync import bulk_writes
    from bench.common import province_db, raw_insert, working_copy
    from desktop_app.store.office import create_office

    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=("fresh", "province"))
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--chunk",
        type=int,
        help="changes per transaction, each with its own applier (as the provincial server"
        " applies held pushes: 2,000 doubling up to 16,000); default: all in one",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        commune = create_office(folder / "commune.db", COMMUNE, user="canbo")
        written = commune.values.set_many(bulk_writes(commune, args.count))
        batches = _batches(commune)
        n = sum(len(b.changes) for b in batches)
        commune.close()
        receivers: list[tuple[str, Path, int]] = []
        if args.only in (None, "fresh"):
            district = create_office(folder / "district" / "district.db", DISTRICT, user="pb")
            district.close()
            receivers.append(("fresh district", folder / "district" / "district.db", 2))
        if args.only in (None, "province"):
            receivers.append(("province-sized", province_db(), 1))
        print(f"{written} values written at {COMMUNE}: {n} changes in {len(batches)} segments")
        for name, source, level in receivers:
            applied: list[float] = []
            raws: list[float] = []
            for i in range(args.repeat):
                load = Path("/proc/loadavg").read_text().split()[0]
                copy = working_copy(source, folder / f"{name}-{i}" / "apply")
                s, (report, rows_c, rows_a, rows_v) = _apply(
                    copy, batches, level, args.profile, args.chunk
                )
                copy.unlink()
                base = working_copy(source, folder / f"{name}-{i}" / "raw")
                r = raw_insert(base, rows_c, rows_a, rows_v)
                base.unlink()
                applied.append(s)
                raws.append(r)
                print(
                    f"  {name} run {i + 1} (load {load}): apply {s:.2f} s"
                    f" ({report.applied} applied, {report.conflicts} conflicts,"
                    f" {report.merged} merged, {report.skipped} skipped);"
                    f" raw executemany of its {len(rows_v)} value, {len(rows_c)} change-log"
                    f" and {len(rows_a)} audit rows {r:.2f} s",
                    flush=True,
                )
            med_s, med_r = statistics.median(applied), statistics.median(raws)
            how = "one transaction" if args.chunk is None else f"transactions of {args.chunk}"
            print(
                f"{name}: apply of {n} changes through ChangeApplier ({how}), median of"
                f" {args.repeat}: {med_s:.2f} s; raw executemany of the rows it wrote:"
                f" {med_r:.2f} s; ratio {med_r / med_s:.2f}x raw"
            )


if __name__ == "__main__":
    main()
