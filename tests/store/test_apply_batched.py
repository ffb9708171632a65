"""The applier's batched reads and buffered conflicts give what one change at a time gives.

Real office databases: two installations of one commune type the same commune-level
cells with different values, a district receives both (every cell a hard conflict)
and decides some; a province receives it all. The changes are read from the real
change logs and applied through :class:`ChangeApplier` with the real authoriser.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from desktop_app.domain.units import UnitDirectory
from desktop_app.store.apply import (
    ApplyReport,
    Batch,
    Change,
    ChangeApplier,
    Signer,
    decide_conflict,
)
from desktop_app.store.office import create_office
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from desktop_app.sync.scope import Authoriser
from tests.helpers.clock import FakeClock

COMMUNE, DISTRICT, PROVINCE = "pre2025:04108", "pre2025:125", "pre2025:14"
LEVEL = {COMMUNE: 3, DISTRICT: 2, PROVINCE: 1}

CONFLICT_ROW = (
    "SELECT entity, entity_key, local_version, remote_version, local_state, remote_state,"
    " winner, status, resolved_by, resolution_version FROM conflict ORDER BY entity_key, id"
)


def office(tmp: Path, name: str, unit: str, clock: FakeClock, directory: UnitDirectory) -> Store:
    seed = sum(map(ord, name))
    return create_office(
        tmp / f"{name}.db", unit, directory=directory, clock=clock, rng=random.Random(seed),
        user=f"user-{name}",
    )  # fmt: skip


def cells(store: Store, count: int) -> list[tuple[str, str, str]]:
    """``count`` commune-level integer cells: (period, indicator, disaggregation key)."""
    cat = store.catalogue
    out = []
    for ind in cat.commune_indicators():
        if ind.kind != "integer":
            continue
        for year in range(2015, 2027):
            periods = (
                [f"{year}Q{q}" for q in range(1, 5)]
                if ind.frequency == "quarterly"
                else [str(year)]
            )
            for period in periods:
                for key in cat.disaggregation_keys(ind.code):
                    out.append((period, ind.code, key))
                    if len(out) == count:
                        return out
    raise AssertionError(f"only {len(out)} integer commune cells")


def type_cells(store: Store, where: list[tuple[str, str, str]], value: int) -> None:
    store.values.set_many(ValueWrite(COMMUNE, None, p, i, value, k) for p, i, k in where)


def batch(store: Store, after: int = 0) -> Batch:
    """The store's own changes above seq ``after``, as a receiver gets them."""
    node = store.node
    rows = store.db.execute_sql(
        "SELECT origin, epoch, seq, entity, entity_key, scope_unit, period, state,"
        " base_version, hlc, schema_version, user FROM change"
        " WHERE origin = ? AND epoch = ? AND seq > ? ORDER BY seq",
        (node.node_id, node.epoch, after),
    ).fetchall()
    return Batch(
        [Change(*r) for r in rows], Signer(node.node_id, node.office_id, LEVEL[node.office_id])
    )


def apply(store: Store, batches: list[Batch]) -> ApplyReport:
    with store.transaction():
        applier = ChangeApplier(
            store, Authoriser(store), received_from="test", my_level=LEVEL[store.node.office_id]
        )
        return applier.apply(batches)


def one_by_one(store: Store, batches: list[Batch]) -> None:
    """Each change in an import of its own (nothing prefetched beyond that one row)."""
    for b in batches:
        for c in b.changes:
            apply(store, [Batch([c], b.signer, b.refused)])


def state_of(store: Store) -> dict[str, Any]:
    db = store.db
    return {
        "values": db.execute_sql(
            "SELECT org_id, period, indicator, disagg, value, version FROM data_value"
            " WHERE commune_id = ? ORDER BY 1, 2, 3, 4",
            (COMMUNE,),
        ).fetchall(),
        "conflicts": db.execute_sql(CONFLICT_ROW).fetchall(),
        "received": db.execute_sql(
            "SELECT origin, epoch, seq FROM change WHERE origin != ? ORDER BY 1, 2, 3",
            (store.node.node_id,),
        ).fetchall(),
        "audit": db.execute_sql(
            "SELECT action, entity_key, old, new FROM audit WHERE change_id IN"
            " (SELECT id FROM change WHERE origin != ?) ORDER BY entity_key, action",
            (store.node.node_id,),
        ).fetchall(),
    }


def test_hundreds_of_conflicting_cells_in_one_import_are_recorded_as_one_at_a_time(
    tmp_path: Path, clock: FakeClock, unit_directory: UnitDirectory
) -> None:
    a = office(tmp_path, "a", COMMUNE, clock, unit_directory)
    b = office(tmp_path, "b", COMMUNE, clock, unit_directory)
    where = cells(a, 450)  # more than two chunks of the batched version reads (200 rows)
    type_cells(a, where, 1)
    clock.advance(60)
    type_cells(b, where, 2)
    batches = [batch(a), batch(b)]
    together = office(tmp_path, "d1", DISTRICT, clock, unit_directory)
    single = office(tmp_path, "d2", DISTRICT, clock, unit_directory)

    # a's cells first; then b's, whose every cell is already here in another version
    first = apply(together, batches[:1])
    report = apply(together, batches[1:])
    apply(single, batches[:1])
    one_by_one(single, batches[1:])

    assert (first.applied, first.conflicts) == (450, 0)
    assert (report.applied, report.conflicts, report.quarantined) == (450, 450, 0)
    got = state_of(together)
    assert got == state_of(single)
    assert len(got["conflicts"]) == 450
    assert {row[7] for row in got["conflicts"]} == {"open"}
    # the later typing wins provisionally (same authority, later HLC); both sides kept
    assert {v for *_k, v, _ver in got["values"]} == {"2"}
    assert {(row[4] is not None, row[5] is not None) for row in got["conflicts"]} == {(True, True)}
    for s in (a, b, together, single):
        s.close()


def test_importing_the_same_changes_again_writes_nothing(
    tmp_path: Path, clock: FakeClock, unit_directory: UnitDirectory
) -> None:
    a = office(tmp_path, "a", COMMUNE, clock, unit_directory)
    b = office(tmp_path, "b", COMMUNE, clock, unit_directory)
    where = cells(a, 30)
    type_cells(a, where, 1)
    clock.advance(60)
    type_cells(b, where, 2)
    d = office(tmp_path, "d", DISTRICT, clock, unit_directory)
    batches = [batch(a), batch(b)]
    apply(d, batches)
    before = state_of(d)
    counts = [
        d.db.execute_sql(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("change", "audit", "conflict", "data_value")
    ]

    again = apply(d, batches)

    assert (again.applied, again.conflicts, again.skipped) == (0, 0, 60)
    assert state_of(d) == before
    assert [
        d.db.execute_sql(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("change", "audit", "conflict", "data_value")
    ] == counts
    for s in (a, b, d):
        s.close()


def test_a_decision_in_the_same_import_as_its_conflict_closes_it_as_two_imports_do(
    tmp_path: Path, clock: FakeClock, unit_directory: UnitDirectory
) -> None:
    a = office(tmp_path, "a", COMMUNE, clock, unit_directory)
    b = office(tmp_path, "b", COMMUNE, clock, unit_directory)
    where = cells(a, 5)
    type_cells(a, where, 1)
    clock.advance(60)
    type_cells(b, where, 2)
    d = office(tmp_path, "d", DISTRICT, clock, unit_directory)
    apply(d, [batch(a), batch(b)])
    ids = [int(r[0]) for r in d.db.execute_sql("SELECT id FROM conflict ORDER BY id")]
    clock.advance(60)
    decide_conflict(d, ids[0], "local", user="truongphong")
    decided = batch(d)
    assert len(decided.changes) == 1

    together = office(tmp_path, "p1", PROVINCE, clock, unit_directory)
    apart = office(tmp_path, "p2", PROVINCE, clock, unit_directory)
    report = apply(together, [batch(a), batch(b), decided])  # conflict and decision at once
    apply(apart, [batch(a), batch(b)])
    apply(apart, [decided])  # the conflict row is in the table: closed by its id

    assert report.conflicts == 5
    got = state_of(together)
    assert got == state_of(apart)
    statuses = [(row[7], row[8]) for row in got["conflicts"]]
    assert sorted(statuses) == sorted([("open", None)] * 4 + [("resolved", "truongphong")])
    resolved = next(row for row in got["conflicts"] if row[7] == "resolved")
    assert resolved[9] == decided.changes[0].version
    # the chosen (local: the first typing) value stands at both
    k = json.loads(resolved[1])
    for s in (together, apart):
        value = s.db.execute_sql(
            "SELECT value FROM data_value WHERE org_id = ? AND period = ? AND indicator = ?"
            " AND disagg = ?",
            (k["org_id"], k["period"], k["indicator"], k["disagg"]),
        ).fetchone()
        assert value == ("1",)
    for s in (a, b, d, together, apart):
        s.close()


def test_an_open_conflict_from_an_earlier_import_is_withdrawn_when_the_clash_goes_away(
    tmp_path: Path, clock: FakeClock, unit_directory: UnitDirectory
) -> None:
    a = office(tmp_path, "a", COMMUNE, clock, unit_directory)
    b = office(tmp_path, "b", COMMUNE, clock, unit_directory)
    where = cells(a, 3)
    type_cells(a, where, 1)
    clock.advance(60)
    type_cells(b, where, 2)
    d = office(tmp_path, "d", DISTRICT, clock, unit_directory)
    apply(d, [batch(a), batch(b)])
    assert [r[0] for r in d.db.execute_sql("SELECT status FROM conflict")] == ["open"] * 3
    seen = int(b.db.execute_sql("SELECT max(seq) FROM change").fetchone()[0])
    clock.advance(60)
    type_cells(b, where[:1], 1)  # b types what a typed: the two no longer clash

    report = apply(d, [batch(b, after=seen)])

    later = batch(b, after=seen).changes[0]
    rows = dict(
        (str(k), (str(st), v))
        for k, st, v in d.db.execute_sql(
            "SELECT entity_key, status, resolution_version FROM conflict"
        )
    )
    assert rows.pop(later.entity_key) == ("withdrawn", later.version)
    assert sorted(rows.values()) == [("open", None), ("open", None)]
    assert report.conflicts == 0
    for s in (a, b, d):
        s.close()


def test_a_received_cell_shows_its_history_at_the_receiver_with_both_typings(
    tmp_path: Path, clock: FakeClock, unit_directory: UnitDirectory
) -> None:
    a = office(tmp_path, "a", COMMUNE, clock, unit_directory)
    b = office(tmp_path, "b", COMMUNE, clock, unit_directory)
    [(period, indicator, disagg)] = cells(a, 1)
    type_cells(a, [(period, indicator, disagg)], 1)
    clock.advance(60)
    type_cells(b, [(period, indicator, disagg)], 2)
    d = office(tmp_path, "d", DISTRICT, clock, unit_directory)
    apply(d, [batch(a)])
    apply(d, [batch(b)])

    history = d.values.history(COMMUNE, period, indicator, disagg)

    # the audit rows name their change for the new state (read through it)
    assert [(h["user"], h["old"], h["new"]) for h in history] == [
        ("user-a", None, "1"),
        ("user-b", "1", "2"),
    ]
    assert d.db.execute_sql(
        "SELECT count(*) FROM audit WHERE change_id IS NOT NULL AND new IS NOT NULL"
    ).fetchone() == (0,)
    for s in (a, b, d):
        s.close()
