"""SIGKILL in the middle of an import and of an export (real subprocesses)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.bench_sync import bulk_writes
from desktop_app.store.office import create_office
from desktop_app.store.store import Store
from desktop_app.sync.certificates import enroll_demo, init_province
from desktop_app.sync.exchange import export_bundle, import_bundle

ROOT = Path(__file__).resolve().parents[2]
COUNT = 10_000

IMPORT = """
import sys
from pathlib import Path
from desktop_app.store.store import Store
from desktop_app.sync.exchange import import_bundle
store = Store.open(Path(sys.argv[1]))
print("start", flush=True)
while True:
    import_bundle(store, Path(sys.argv[2]), backup=False)
    store.db.execute_sql("SELECT 1")
    print("done", flush=True)
    break
"""

EXPORT = """
import sys
from pathlib import Path
from desktop_app.store.store import Store
from desktop_app.sync.exchange import export_bundle
store = Store.open(Path(sys.argv[1]))
print("start", flush=True)
while True:
    export_bundle(store, Path(sys.argv[2]), level=3)
"""


@pytest.fixture(scope="module")
def offices(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(district template db, commune db, big bundle) built once for the module."""
    tmp = tmp_path_factory.mktemp("kill")
    province = init_province(tmp / "p.db", "pre2025:14")
    district = create_office(tmp / "d.db", "pre2025:125")
    commune = create_office(tmp / "c.db", "pre2025:04108")
    enroll_demo(district, province)
    enroll_demo(commune, province)
    commune.values.set_many(bulk_writes(commune, COUNT))
    bundle = tmp / "big.cdsync"
    export_bundle(commune, bundle, level=3)
    for s in (province, district, commune):
        s.close()
    return tmp / "d.db", tmp / "c.db", bundle


def _run_and_kill(code: str, args: list[str], delay: float) -> bool:
    """Run, wait ``delay`` after it starts, SIGKILL; True when it was still working."""
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "start"
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    rest = proc.stdout.read()
    proc.stdout.close()
    return "done" not in rest


def _consistent(store: Store) -> tuple[int, int]:
    assert store.db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    changes = store.db.execute_sql("SELECT count(*) FROM change").fetchone()[0]
    values = store.db.execute_sql("SELECT count(*) FROM data_value").fetchone()[0]
    audits = store.db.execute_sql(
        "SELECT count(*) FROM audit WHERE change_id IS NOT NULL"
    ).fetchone()[0]
    assert changes == audits
    return changes, values


def test_kill_mid_import_then_reimport(offices: tuple[Path, Path, Path], tmp_path: Path) -> None:
    template, _commune, bundle = offices
    killed_mid_way = 0
    for i, delay in enumerate((0.05, 0.3, 0.7)):
        db = tmp_path / f"d{i}.db"
        shutil.copy(template, db)
        killed_mid_way += _run_and_kill(IMPORT, [str(db), str(bundle)], delay)
        store = Store.open(db)
        try:
            changes, values = _consistent(store)
            assert changes == 0 or (changes > COUNT and values == COUNT)  # all or nothing
            import_bundle(store, bundle, backup=False)
            changes, values = _consistent(store)
            assert changes > COUNT and values == COUNT
            again = import_bundle(store, bundle, backup=False)
            assert again.already and _consistent(store) == (changes, values)
        finally:
            store.close()
    assert killed_mid_way >= 1


@pytest.mark.parametrize("delay", [0.3])
def test_kill_mid_export_leaves_no_half_file(
    offices: tuple[Path, Path, Path], tmp_path: Path, delay: float
) -> None:
    template, commune_db, _bundle = offices
    commune = tmp_path / "c.db"
    shutil.copy(commune_db, commune)
    out = tmp_path / "out.cdsync"
    _run_and_kill(EXPORT, [str(commune), str(out)], delay)
    with Store.open(commune) as store:
        _consistent(store)
    db = tmp_path / "d.db"
    shutil.copy(template, db)
    if out.exists():  # whatever is under the final name is a complete, valid bundle
        with Store.open(db) as district:
            result = import_bundle(district, out, backup=False)
            assert result.report.applied > COUNT
