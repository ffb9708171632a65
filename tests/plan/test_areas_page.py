"""The areas page: the province ticks communes of a new decision and saves; a district reads."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt  # noqa: TID251 (a page test)

from desktop_app.domain.units import UnitDirectory
from desktop_app.store.repositories.areas import AreaRepository
from desktop_app.store.store import Store
from desktop_app.sync.certificates import init_province
from desktop_app.ui.pages.areas import COMMUNE_KINDS, AreasPage
from tests.helpers.clock import FakeClock
from tests.ui.shell_helpers import context_for, type_into

PROVINCE, COMMUNE = "pre2025:14", "pre2025:04108"


@pytest.fixture
def province(tmp_path: Path, clock: FakeClock, unit_directory: UnitDirectory) -> Iterator[Store]:
    store = init_province(
        tmp_path / "p.db", PROVINCE, directory=unit_directory, clock=clock,
        rng=random.Random(4), user="so",
    )  # fmt: skip
    yield store
    store.close()


def _tick(page: AreasPage, commune: str, kind: str) -> None:
    row = [c.id for c in page.communes].index(commune)
    item = page.model.item(row, COMMUNE_KINDS.index(kind))
    assert item is not None and item.isCheckable()
    item.setCheckState(Qt.CheckState.Checked)


def test_the_province_publishes_a_new_decision_from_the_page(qtbot, province: Store) -> None:  # type: ignore[no-untyped-def]
    page = AreasPage(context_for(province, "admin"))
    qtbot.addWidget(page)
    page.show()
    assert page.decision_box.currentData() == ""  # nothing yet: a new decision
    type_into(page.number, "861/QĐ-TTg")
    type_into(page.title_edit, "Danh sách xã khu vực III giai đoạn 2021-2025")
    page.valid_from.setValue(2021)
    page.valid_to.setValue(2025)
    _tick(page, COMMUNE, "region3")
    _tick(page, "pre2025:04105", "border")
    page.save_button.click()
    assert "861/QĐ-TTg" in page.message.text()
    areas = AreaRepository(province)
    (decision,) = areas.decisions()
    assert (decision.id, decision.valid_from, decision.valid_to) == ("861/QĐ-TTg", 2021, 2025)
    assert {(m.kind, m.place_id) for m in areas.members()} == {
        ("region3", COMMUNE), ("border", "pre2025:04105"),
    }  # fmt: skip
    assert page.decision_box.currentData() == "861/QĐ-TTg"

    # untick one, save: it is marked removed and no longer in force anywhere
    row = [c.id for c in page.communes].index("pre2025:04105")
    page.model.item(row, COMMUNE_KINDS.index("border")).setCheckState(Qt.CheckState.Unchecked)
    page.save_button.click()
    assert {(m.kind, m.place_id) for m in areas.members()} == {("region3", COMMUNE)}
    assert areas.in_force(2024)[1] == {COMMUNE: {"region3"}}
    assert areas.in_force(2026)[1] == {}

    page.valid_from.setValue(2026)
    page.save_button.click()
    assert "before the first" in page.message.text()
    assert areas.decisions()[0].valid_from == 2021


def test_a_district_reads_the_classifications(qtbot, district_store: Store) -> None:  # type: ignore[no-untyped-def]
    page = AreasPage(context_for(district_store))
    qtbot.addWidget(page)
    assert not page.editable and not page.save_button.isVisibleTo(page)
    assert "read-only" in page.hint.text()
    assert page.decision_box.count() == 0
