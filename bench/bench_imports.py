"""Import of a province workbook: every village of Sơn La (about 3,400) for one period.

    .venv/bin/python -m bench.bench_imports

Set-up (not timed): the province-sized database (12 districts, 204 communes, 8
quarters), the province's template of 2020Q4 written by ``coverage-desk template``,
and the clerk's edits: «Số hộ gia đình» +1 in every village of a commune whose
period is not approved (an approved one refuses edits, and would make the import
refuse everything) and «Số hộ có kết nối Internet» set in the same villages.

Timed, whole process from ``exec`` to exit, median of 3:

* the import: ``coverage-desk import values --db COPY t.xlsx`` on a fresh copy of
  the database each time (start-up, file checks, openpyxl reading, every rule over
  every changed village, scope and lock, the automatic backup, one transaction);
* the baseline, what any import of this file must at least do: a Python process
  that reads every cell of the workbook with openpyxl (read-only mode) and writes
  the same changed rows (an UPSERT per cell, a change row and an audit row) with
  raw ``sqlite3`` ``executemany`` in one transaction into a copy of the database.

Printed: both times, their ratio, and the import's seconds against the 10 s target
of issue 18.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import province_db, working_copy

ROOT = Path(__file__).resolve().parents[1]
PERIOD = "2020Q4"
TARGET_S = 10.0
RUNS = 3

_BASELINE = r"""
import json, sqlite3, sys
from openpyxl import load_workbook
db, xlsx, edits = sys.argv[1], sys.argv[2], json.loads(open(sys.argv[3]).read())
wb = load_workbook(xlsx, read_only=True, data_only=False)
cells = 0
for ws in wb.worksheets:
    for row in ws.iter_rows(values_only=True):
        cells += sum(1 for v in row if v is not None)
wb.close()
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.executemany(
    "UPDATE data_value SET value = ?, version = 'bench', hlc = 0 WHERE org_id = ? AND period = ?"
    " AND indicator = ? AND disagg = ''",
    [(v, org, period, ind) for org, period, ind, v in edits],
)
conn.executemany(
    "INSERT INTO change (origin, epoch, seq, entity, entity_key, scope_unit, period, state,"
    " base_version, hlc, schema_version, user)"
    " VALUES ('bench', 1, ?, 'value', ?, 'pre2025:14', ?, ?, NULL, 0, 4, 'b')",
    [(i + 1, f"{org}|{ind}", period, v) for i, (org, period, ind, v) in enumerate(edits)],
)
conn.executemany(
    "INSERT INTO audit (at, user, action, entity, entity_key, old, new, change_id)"
    " VALUES ('now', 'b', 'import', 'value', ?, NULL, NULL, NULL)",
    [(f"{org}|{ind}",) for org, _p, ind, _v in edits],
)
conn.execute("COMMIT")
print(cells)
"""


def _run(args: list[str]) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{result.stderr}")
    return elapsed


def _prepare(folder: Path) -> tuple[Path, Path, Path, int, int]:
    import json

    from openpyxl import load_workbook

    from desktop_app.domain.periods import Period
    from desktop_app.imports.template import write_template
    from desktop_app.store.store import Store

    source = working_copy(province_db(), folder / "source")
    xlsx = folder / "province-2020Q4.xlsx"
    with Store.open(source) as store:
        info = write_template(store, "pre2025:14", Period.parse(PERIOD), xlsx)
        locked = {
            store.reference.unit(c).name
            for c, p in store.db.execute_sql(
                "SELECT commune_id, period FROM submission WHERE state IN ('approved', 'accepted')"
                " AND period IN (?, ?)",
                (PERIOD, "2020Q4"),
            )
        }
    wb = load_workbook(xlsx)
    ws = wb.worksheets[0]
    cols = {c.value: c.column for c in ws[1] if c.value}
    edits: list[tuple[str, str, str, str]] = []
    for row in range(4, ws.max_row + 1):
        if ws.cell(row=row, column=2).value in locked:
            continue
        org = str(ws.cell(row=row, column=1).value)
        households = ws.cell(row=row, column=cols["so_ho"]).value
        if not isinstance(households, int):
            continue
        ws.cell(row=row, column=cols["so_ho"]).value = households + 1
        edits.append((org, "2020", "so_ho", str(households + 1)))
        internet = ws.cell(row=row, column=cols["ho_internet"]).value
        ftth = ws.cell(row=row, column=cols["ho_ftth"]).value or 0
        if isinstance(internet, int) and internet + 1 <= households + 1:
            ws.cell(row=row, column=cols["ho_internet"]).value = max(internet + 1, ftth)
            edits.append((org, PERIOD, "ho_internet", str(max(internet + 1, ftth))))
    wb.save(xlsx)
    edits_path = folder / "edits.json"
    edits_path.write_text(json.dumps(edits), encoding="utf-8")
    return source, xlsx, edits_path, info.villages, len(edits)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source, xlsx, edits, villages, changed = _prepare(folder)
        size_mb = xlsx.stat().st_size / 1e6
        print(
            f"province workbook of {PERIOD}: {villages} villages, {changed} cells edited,"
            f" {size_mb:.1f} MB"
        )
        imports, baselines = [], []
        for n in range(RUNS):
            db = working_copy(source, folder / f"import-{n}")
            cmd = [sys.executable, "-m", "desktop_app", "import", "values", "--db", str(db)]
            imports.append(_run([*cmd, str(xlsx)]))
            db = working_copy(source, folder / f"baseline-{n}")
            baselines.append(
                _run([sys.executable, "-c", _BASELINE, str(db), str(xlsx), str(edits)])
            )
        imp, base = statistics.median(imports), statistics.median(baselines)
        print(
            "  import values, whole process (exec to exit, backup included):"
            f" median {imp:.2f} s of {RUNS}  (target under {TARGET_S:.0f} s:"
            f" {'met' if imp < TARGET_S else 'NOT met'})"
        )
        print(
            "  baseline, openpyxl read of every cell + raw sqlite3 executemany of the same rows,"
            f" whole process: median {base:.2f} s"
        )
        print(f"  ratio import / baseline: {imp / base:.2f}×")


if __name__ == "__main__":
    main()
