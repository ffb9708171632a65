"""The status bar's sync figures: changes not yet acknowledged by the province, and open
conflicts for a reviewer of an office above the commune."""

from __future__ import annotations

import random
from pathlib import Path

from desktop_app.domain.units import UnitDirectory
from desktop_app.store.apply import decide_conflict
from desktop_app.store.office import create_office
from desktop_app.store.store import Store
from desktop_app.sync.certificates import enroll_demo
from desktop_app.sync.status import review_queue
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.status import open_conflicts, unsent_changes
from tests.helpers.clock import FakeClock
from tests.sync.conftest import PROVINCE, Net, add_village, set_households
from tests.ui.shell_helpers import context_for

C1, D1 = "pre2025:04108", "pre2025:125"


def test_the_count_falls_only_when_the_province_acknowledges(net: Net) -> None:
    commune = net[C1]
    v = add_village(commune, "Bản Mòng")
    set_households(commune, v, 42)
    assert unsent_changes(commune) == 2
    net.send(C1, D1)
    assert unsent_changes(commune) == 2  # the district holds them, the province does not
    net.send(D1, PROVINCE)
    net.send(PROVINCE, D1)
    assert unsent_changes(net[D1]) == 0
    assert unsent_changes(commune) == 2  # the acknowledgement has not come down yet
    net.send(D1, C1)
    assert unsent_changes(commune) == 0
    set_households(commune, v, 43)
    assert unsent_changes(commune) == 1
    assert unsent_changes(net[PROVINCE]) == 0  # the province waits for nobody


def test_open_conflicts_show_to_a_district_reviewer(  # type: ignore[no-untyped-def]
    qtbot,
    net: Net,
    tmp_path: Path,
    clock: FakeClock,
    unit_directory: UnitDirectory,
) -> None:
    second = create_office(
        tmp_path / "b.db", C1, directory=unit_directory, clock=clock, rng=random.Random(99)
    )
    enroll_demo(second, net[PROVINCE])
    net.offices["B"] = second
    v = add_village(net[C1], "Bản Mòng")
    set_households(net[C1], v, 100)
    net.load("B", net.export(C1))
    set_households(net[C1], v, 120)
    clock.advance(60)
    set_households(second, v, 150)
    net.send(C1, D1)
    net.send("B", D1)
    district: Store = net[D1]
    assert open_conflicts(district) == 1

    windows = {}
    for role, shown in (("reviewer", True), ("clerk", False)):
        windows[role] = window = MainWindow(context_for(district, role, f"u{role}"))
        qtbot.addWidget(window)
        bar = window.status
        assert bar.conflicts.isVisibleTo(window) == shown
        if shown:
            assert bar.conflicts.text() == "Open conflicts: 1"
        # the district holds C1's period; the province has not acknowledged it yet
        assert bar.unsent.text() == "Not yet acknowledged by the province: 1 periods"
    decide_conflict(district, review_queue(district)[0][0], "local", user="huyen")
    reviewer = windows["reviewer"]
    reviewer.status.refresh()
    assert not reviewer.status.conflicts.isVisibleTo(reviewer)  # none left: the label goes
