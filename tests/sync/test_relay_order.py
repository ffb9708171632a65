"""A district bundle relaying two computers of one commune: segment order must not matter.

Computer A of the commune creates a village; computer B (same commune, its own
installation) receives it and types a value in it, and creates a village in
which A then types a value; both edit one cell (a conflict the district
decides). The district forwards both computers' segments with its own
decision. Whatever the order of the three segments inside the bundle, the
province ends with the same rows, nothing quarantined, nothing held back.
"""

from __future__ import annotations

import itertools
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_app.domain.units import UnitDirectory
from desktop_app.store.apply import decide_conflict
from desktop_app.store.office import create_office
from desktop_app.store.store import Store
from desktop_app.sync import bundle as fmt
from desktop_app.sync.certificates import enroll_demo
from desktop_app.sync.exchange import import_bundle
from desktop_app.sync.status import review_queue
from tests.helpers.clock import FakeClock
from tests.sync.conftest import PROVINCE, Net, add_village, set_households, values_of

C1, D1 = "pre2025:04108", "pre2025:125"


@pytest.fixture
def two_computers(net: Net, tmp_path: Path, clock: FakeClock, unit_directory: UnitDirectory) -> Net:
    """The net with a second enrolled computer ``B`` of commune C1, data sent to D1."""
    b = create_office(
        tmp_path / "b.db", C1, directory=unit_directory, clock=clock, rng=random.Random(99)
    )
    enroll_demo(b, net[PROVINCE])
    net.offices["B"] = b
    a = net[C1]
    v = add_village(a, "Bản A")
    set_households(a, v, 100)
    net.load("B", net.export(C1))
    clock.advance(60)
    w = add_village(b, "Bản B")
    set_households(b, v, 150, "2020")  # B's value in A's village
    set_households(b, w, 7)
    net.load(C1, net.export("B"))
    clock.advance(60)
    set_households(a, w, 9, "2020")  # A's value in B's village
    set_households(a, v, 120)
    clock.advance(60)
    set_households(b, v, 130)  # the same cell: a conflict at the district
    net.send(C1, D1)
    net.send("B", D1)
    decide_conflict(net[D1], review_queue(net[D1])[0][0], "local", user="huyen")
    return net


def _permuted_exports(net: Net) -> Iterator[tuple[tuple[int, ...], Path]]:
    """The district's bundle to the province, once per order of its three segments."""
    original = fmt.pack_frames
    for perm in itertools.permutations(range(3)):

        def pack(frames: list[bytes], perm: tuple[int, ...] = perm) -> bytes:
            segments = [frames[i : i + 2] for i in range(1, len(frames), 2)]
            assert len(segments) == 3  # computer A, computer B, the district
            frames[1:] = [f for j in perm for f in segments[j]]  # in place: read-back agrees
            return original(frames)

        fmt.pack_frames = pack
        try:
            out = net.export(D1, PROVINCE)
        finally:
            fmt.pack_frames = original
        yield perm, out


def _outcome(store: Store) -> dict[str, Any]:
    def q(sql: str) -> list[tuple[Any, ...]]:
        return sorted(tuple(r) for r in store.db.execute_sql(sql))

    return {
        "values": values_of(store, C1),
        "villages": q("SELECT id, name FROM village WHERE commune_id = 'pre2025:04108'"),
        "conflicts": q("SELECT entity_key, status FROM conflict WHERE status = 'open'"),
        "quarantine": q("SELECT origin, seq, reason FROM sync_quarantine"),
        "backlog": q("SELECT origin, seq FROM sync_backlog"),
        "changes": q("SELECT origin, epoch, seq FROM change"),
    }


def test_segment_order_does_not_change_the_province(
    two_computers: Net, tmp_path: Path, clock: FakeClock
) -> None:
    net = two_computers
    expected_values = values_of(net[D1], C1)
    net[PROVINCE].close()
    pristine = tmp_path / "province.db"
    outcomes = {}
    for perm, bundle in _permuted_exports(net):
        copy = tmp_path / f"province-{''.join(map(str, perm))}.db"
        shutil.copy(pristine, copy)
        with Store.open(copy, clock=clock) as province:
            result = import_bundle(province, bundle, backup=False)
            assert result.report.quarantined == 0, (perm, result.report.reasons)
            assert result.report.backlog == 0, perm
            assert not result.refused_segments
            outcomes[perm] = _outcome(province)
    first = outcomes[(0, 1, 2)]
    assert first["values"] == expected_values
    assert len(first["villages"]) == 2
    assert not first["quarantine"] and not first["backlog"] and not first["conflicts"]
    for perm, outcome in outcomes.items():
        assert outcome == first, perm
