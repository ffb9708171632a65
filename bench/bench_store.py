"""Store benchmarks (issue: the offline store).

1. Accept one typed value on a province-sized database: validation, row, change
   and audit committed (fsync), as a clerk's keystroke does. Median and p99, and
   the ratio to a bare one-row INSERT + COMMIT on the same file in the same run.
2. Bulk load: ``ValueRepository.set_many`` of 100,000 cells (each with its change
   and audit entry) against raw ``sqlite3`` executemany of the same value rows
   into the same table layout, in the same run.

Run: ``.venv/bin/python -m bench.bench_store``. Prints figures; never fails on time.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import describe, percentile, province_db, working_copy
from desktop_app.store.changes import Actor
from desktop_app.store.office import create_office
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store

TYPED = 500
BULK = 100_000


def bench_typed_value(db_path: Path) -> None:
    store = Store.open(db_path, user="canbo")
    commune = store.db.execute_sql(
        "SELECT commune_id FROM village GROUP BY commune_id ORDER BY commune_id LIMIT 1 OFFSET 100"
    ).fetchone()[0]
    villages = [v.id for v in store.villages.for_commune(commune)]
    actor = Actor("bench-commune-node", 1, commune, "canbo")
    rng = random.Random(3)
    samples: list[float] = []
    for i in range(TYPED):
        village = villages[i % len(villages)]
        value = rng.randint(0, 40)
        write = ValueWrite(commune, village, "2021Q1", "ho_ftth", value)
        started = time.perf_counter()
        store.values.set_value(write, actor=actor)
        samples.append((time.perf_counter() - started) * 1000)
    # baseline: the cheapest durable write on the same file, same pragmas
    conn = store.db.connection()
    conn.execute("CREATE TABLE IF NOT EXISTS bench_baseline (k INTEGER, v TEXT)")
    base: list[float] = []
    for i in range(TYPED):
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO bench_baseline VALUES (?, ?)", (i, str(i)))
        conn.execute("COMMIT")
        base.append((time.perf_counter() - started) * 1000)
    store.close()
    print(f"accept one typed value ({TYPED} writes, province-sized database)")
    print(f"  through the repository: {describe(samples)}   (target p99 <= 5 ms)")
    print(f"  bare INSERT + COMMIT:   {describe(base)}")
    ratio = percentile(samples, 99) / percentile(base, 99)
    print(
        f"  ratio repository / bare insert: median "
        f"{statistics.median(samples) / statistics.median(base):.1f}x, p99 {ratio:.1f}x"
    )


def bench_bulk(folder: Path) -> None:
    store = create_office(folder / "bulk.db", "pre2025:04108", user="bench")
    commune = "pre2025:04108"
    actor = store.local_actor()
    village_ids = [store.villages.add(commune, f"Bản {i:03d}").id for i in range(300)]
    catalogue = store.catalogue
    quarterly = [
        i.code
        for i in catalogue.village_indicators()
        if i.frequency == "quarterly" and i.kind == "integer"
    ]
    writes: list[ValueWrite] = []
    period_cycle = [f"{y}Q{q}" for y in range(2001, 2100) for q in range(1, 5)]
    i = 0
    while len(writes) < BULK:
        period = period_cycle[i // (len(village_ids) * len(quarterly))]
        village = village_ids[i % len(village_ids)]
        indicator = quarterly[(i // len(village_ids)) % len(quarterly)]
        writes.append(ValueWrite(commune, village, period, indicator, i % 97))
        i += 1
    started = time.perf_counter()
    store.values.set_many(writes, actor=actor)
    ours = time.perf_counter() - started
    rows = store.db.execute_sql(
        "SELECT org_id, commune_id, village_id, period, indicator, disagg, value, comment,"
        " version, hlc, updated_by FROM data_value"
    ).fetchall()
    schema = store.db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE name = 'data_value'"
    ).fetchone()[0]
    store.close()

    raw = sqlite3.connect(folder / "raw.db", isolation_level=None)
    raw.execute("PRAGMA journal_mode = wal")
    raw.execute("PRAGMA synchronous = full")
    raw.execute(
        schema.replace("REFERENCES unit(id)", "")
        .replace("REFERENCES village(id)", "")
        .replace("REFERENCES period(code)", "")
        .replace("REFERENCES indicator(code)", "")
    )
    started = time.perf_counter()
    raw.execute("BEGIN")
    raw.executemany(
        "INSERT INTO data_value (org_id, commune_id, village_id, period, indicator, disagg,"
        " value, comment, version, hlc, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    raw.execute("COMMIT")
    baseline = time.perf_counter() - started
    raw.close()
    print(f"bulk load of {len(rows):,} values")
    print(f"  set_many (row + change + audit each): {len(rows) / ours:,.0f} values/s")
    print(f"  raw sqlite3 executemany (rows only):  {len(rows) / baseline:,.0f} values/s")
    print(f"  ratio: {baseline / ours:.2f}x of raw executemany")


def main() -> None:
    source = province_db()
    with tempfile.TemporaryDirectory() as tmp:
        bench_typed_value(working_copy(source, Path(tmp)))
        bench_bulk(Path(tmp))


if __name__ == "__main__":
    main()
