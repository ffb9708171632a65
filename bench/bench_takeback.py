"""What taking back a revoked commune's changes costs a district (issue #14).

    .venv/bin/python -m bench.bench_takeback

A province, a district with a background of another commune's data (``BACKGROUND``
villages with seven values each, by stick, so its ``audit`` table is not empty), and a
commune whose stick of ``TAKEN`` villages with seven values each the district applied
before the province revoked it holding none of them. The clock is CPU time
(``time.process_time``, load-independent) from the district's ``import_bundle`` of the
province's bundle carrying the list to its return (one transaction: the apply of the
bundle, the list, the take-back, COMMIT); no automatic backup. Baselines, in the same
run on copies of the same district file:

- the same bundle at the same district with nothing to take back (the commune's stick
  never applied there): what the import costs without a take-back;
- the same take-back with the temporary child-column indexes off
  (``takeback._INDEX_FROM`` raised), i.e. every deleted change and village checked
  against ``audit`` and ``data_value`` by a full read, as the first version did.

Prints figures; never passes or fails on time.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from desktop_app.store import apply as apply_package
from desktop_app.store.apply import takeback
from desktop_app.store.office import create_office
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from desktop_app.sync.certificates import enroll_demo, init_province, my_certificate, revoke
from desktop_app.sync.exchange import export_bundle, import_bundle
from desktop_app.units_resource import load_unit_directory

PROVINCE, DISTRICT = "pre2025:14", "pre2025:125"
REVOKED, OTHER = "pre2025:04108", "pre2025:04105"
BACKGROUND, TAKEN = 600, 300
CODES = ("so_ho", "dan_so", "so_ho_ngheo", "ho_dttm", "ho_chi_2g", "ho_khong_dtdd",
         "nguoi_tt_dttm")  # fmt: skip


def _fill(store: Store, villages: int) -> int:
    office = store.node.office_id
    writes = []
    for i in range(villages):
        vid = store.villages.add(office, f"Bản {i + 1}").id
        writes += [ValueWrite(office, vid, "2024", code, 10 + i) for code in CODES]
    store.values.set_many(writes)
    return villages * (1 + len(CODES))


def _timed_import(path: Path, bundle: Path, index_from: int) -> tuple[float, int]:
    saved = takeback._INDEX_FROM
    takeback._INDEX_FROM = index_from
    try:
        with Store.open(path) as store:
            started = time.process_time()
            result = import_bundle(store, bundle, backup=False)
            return time.process_time() - started, sum(t.changes for t in result.taken_back)
    finally:
        takeback._INDEX_FROM = saved


def main() -> None:
    """Build the offices, then print the three imports' CPU times."""
    assert apply_package.take_back is takeback.take_back
    directory = load_unit_directory()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        prov = init_province(tmp / "p.db", PROVINCE, directory=directory, user="so")
        offices = {}
        for unit in (DISTRICT, REVOKED, OTHER):
            offices[unit] = create_office(
                tmp / f"{unit[8:]}.db", unit, directory=directory, user="u"
            )
            enroll_demo(offices[unit], prov)
        district = offices[DISTRICT]
        background = _fill(offices[OTHER], BACKGROUND)
        export_bundle(offices[OTHER], tmp / "o.cdsync", to=district.node.node_id)
        import_bundle(district, tmp / "o.cdsync", backup=False)
        district.close()
        shutil.copy(tmp / f"{DISTRICT[8:]}.db", tmp / "clean.db")  # never got the stick
        with Store.open(tmp / f"{DISTRICT[8:]}.db") as store:
            taken = _fill(offices[REVOKED], TAKEN)
            export_bundle(offices[REVOKED], tmp / "c.cdsync", to=store.node.node_id)
            import_bundle(store, tmp / "c.cdsync", backup=False)
            audit = store.db.execute_sql("SELECT count(*) FROM audit").fetchone()[0]
        shutil.copy(tmp / f"{DISTRICT[8:]}.db", tmp / "slow.db")
        revoke(prov, int(my_certificate(offices[REVOKED])[0]["body"]["serial"]), "bench")
        export_bundle(prov, tmp / "p.cdsync", to=DISTRICT)
        now, n = _timed_import(tmp / f"{DISTRICT[8:]}.db", tmp / "p.cdsync", takeback._INDEX_FROM)
        clean, none = _timed_import(tmp / "clean.db", tmp / "p.cdsync", takeback._INDEX_FROM)
        slow, m = _timed_import(tmp / "slow.db", tmp / "p.cdsync", 10**9)
        for store in (prov, *offices.values()):
            store.close()
    assert n == m == taken and none == 0
    print(
        f"district with {background} changes of another commune ({audit} audit rows), "
        f"{taken} changes of the revoked commune applied before the list:"
    )
    print(f"  the province's bundle, {n} changes taken back: {now:.3f} s CPU")
    print(f"  the same bundle, nothing to take back: {clean:.3f} s CPU")
    print(f"  {m} taken back without the child-column indexes: {slow:.3f} s CPU"
          f" ({slow / now:.1f}x the take-back as built)")  # fmt: skip


if __name__ == "__main__":
    main()
