"""The conflicts page: the same household count typed differently on two computers of one
commune reaches the district; its reviewer keeps the other value with a comment."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.domain.units import UnitDirectory
from desktop_app.store.office import create_office
from desktop_app.store.store import Store
from desktop_app.sync.certificates import enroll_demo
from desktop_app.sync.status import review_queue
from desktop_app.ui.pages.conflicts import ConflictsPage
from tests.helpers.clock import FakeClock
from tests.sync.conftest import PROVINCE, Net, add_village, make_net, set_households, values_of
from tests.ui.pages_fixtures import make_context, type_text

C1, D1 = "pre2025:04108", "pre2025:125"


@pytest.fixture
def net(tmp_path: Path, clock: FakeClock, unit_directory: UnitDirectory) -> Iterator[Net]:
    """The enrolled offices of a small province, and a second computer of commune C1."""
    n = make_net(tmp_path, clock, unit_directory)
    second = create_office(
        tmp_path / "c1-b.db",
        C1,
        directory=unit_directory,
        clock=clock,
        rng=random.Random(99),
        user="canbo2",
    )
    enroll_demo(second, n[PROVINCE])
    n.offices["B"] = second
    yield n
    for store in n.offices.values():
        store.close()


def make_conflict(net: Net) -> str:
    """Households of one village: 120 on the first computer, 150 on the second."""
    village = add_village(net[C1], "Bản Nà Sản")
    set_households(net[C1], village, 100)
    net.load("B", net.export(C1))
    net.clock.advance(60)
    set_households(net[C1], village, 120)
    net.clock.advance(60)
    set_households(net["B"], village, 150)
    net.send(C1, D1)
    report = net.send("B", D1).report
    assert report.conflicts == 1
    return village


def page_of(qtbot: QtBot, store: Store, role: str = "reviewer") -> ConflictsPage:
    page = ConflictsPage(make_context(store, role))
    qtbot.addWidget(page)
    return page


def test_reviewer_keeps_the_other_value_with_a_comment(qtbot: QtBot, net: Net) -> None:
    village = make_conflict(net)
    district = net[D1]
    assert values_of(district, C1)[(village, "2019", "so_ho", "")] == "150"  # later HLC wins
    net.send(D1, PROVINCE)  # the province holds both values before the district decides
    page = page_of(qtbot, district)
    assert page.model.rowCount() == 1
    assert page.model.item(0, 1).text() == "Xã Chiềng Sung"
    conflict = page.selected()
    assert conflict is not None
    shown = {conflict.local.shown, conflict.remote.shown}
    assert shown == {"120", "150"}
    box_120 = page.local_box if conflict.local.shown == "120" else page.remote_box
    box_150 = page.remote_box if box_120 is page.local_box else page.local_box
    assert box_150.winner_label.isVisibleTo(page) and not box_120.winner_label.isVisibleTo(page)
    assert "Office: Xã Chiềng Sung" in box_120.who_label.text()
    assert "canbo2" in box_150.who_label.text()
    assert "10/04/2019" in box_150.who_label.text()

    # a choice without a comment is refused
    box_120.keep_button.setChecked(True)
    page.decide_button.click()
    assert "Write a comment" in page.message_label.text()
    assert len(review_queue(district)) == 1

    statuses: list[bool] = []
    page.ctx.bus.status_changed.connect(lambda: statuses.append(True))
    type_text(page.comment_edit, "Đã hỏi trưởng bản: 120 hộ")
    page.decide_button.click()
    assert values_of(district, C1)[(village, "2019", "so_ho", "")] == "120"
    version = district.db.execute_sql(
        "SELECT version FROM data_value WHERE org_id = ? AND indicator = 'so_ho'", (village,)
    ).fetchone()[0]
    origin, epoch, seq = version.split("/")
    entity, state, user = district.db.execute_sql(
        "SELECT entity, state, user FROM change WHERE origin = ? AND epoch = ? AND seq = ?",
        (origin, int(epoch), int(seq)),
    ).fetchone()
    assert origin == district.node.node_id and entity == "decision"
    decision = json.loads(state)
    assert decision["state"]["value"] == "120" and user == "user.reviewer"
    assert decision["comment"] == "Đã hỏi trưởng bản: 120 hộ"
    status = district.db.execute_sql("SELECT status, resolved_by FROM conflict").fetchone()
    assert status == ("resolved", "user.reviewer")
    assert not review_queue(district)
    assert page.model.rowCount() == 0 and not page.detail.isVisibleTo(page)
    assert "Decision recorded" in page.message_label.text()
    assert statuses == [True]

    # the decision travels: the province ends with the same value and no open conflict
    net.send(D1, PROVINCE)
    assert values_of(net[PROVINCE], C1)[(village, "2019", "so_ho", "")] == "120"
    assert not review_queue(net[PROVINCE])


def test_reviewer_types_the_right_value(qtbot: QtBot, net: Net) -> None:
    village = make_conflict(net)
    district = net[D1]
    page = page_of(qtbot, district)
    type_text(page.value_edit, "abc")
    type_text(page.comment_edit, "Đếm lại")
    page.decide_button.click()
    assert "is not a whole number" in page.message_label.text()
    page.value_edit.clear()
    type_text(page.value_edit, "1.130")
    page.decide_button.click()
    assert values_of(district, C1)[(village, "2019", "so_ho", "")] == "1130"
    assert not review_queue(district)
    net.send(D1, PROVINCE)
    assert values_of(net[PROVINCE], C1)[(village, "2019", "so_ho", "")] == "1130"


def test_the_commune_sees_but_does_not_decide(qtbot: QtBot, net: Net) -> None:
    make_conflict(net)
    net.send("B", C1)  # the second computer's bundle, imported at the first
    commune = net[C1]
    assert len(review_queue(commune)) == 1
    page = page_of(qtbot, commune)
    assert page.readonly_note.isVisibleTo(page)
    assert not page.decide_button.isEnabled()


def test_no_conflicts(qtbot: QtBot, net: Net) -> None:
    page = page_of(qtbot, net[D1])
    assert page.empty_label.isVisibleTo(page) and not page.detail.isVisibleTo(page)
