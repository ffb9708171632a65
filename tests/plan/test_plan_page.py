"""The plan page: the province types targets with the keyboard; other offices only read."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt  # noqa: TID251 (a page test)

from desktop_app.domain.units import UnitDirectory
from desktop_app.store.store import Store
from desktop_app.sync.certificates import init_province
from desktop_app.ui.pages.plan import PlanPage
from tests.helpers.clock import FakeClock
from tests.ui.shell_helpers import context_for, enter_value, press, type_chars

PROVINCE, DISTRICT, COMMUNE = "pre2025:14", "pre2025:125", "pre2025:04108"


@pytest.fixture
def province(tmp_path: Path, clock: FakeClock, unit_directory: UnitDirectory) -> Iterator[Store]:
    store = init_province(
        tmp_path / "province.db",
        PROVINCE,
        directory=unit_directory,
        clock=clock,
        rng=random.Random(3),
        user="so",
    )
    yield store
    store.close()


def _page(qtbot, store: Store) -> PlanPage:  # type: ignore[no-untyped-def]
    page = PlanPage(context_for(store, "reviewer"))
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    return page


def _cell(page: PlanPage, unit: str, code: str):  # type: ignore[no-untyped-def]
    row = [u.id for u in page.model.units].index(unit)
    column = [d.code for d in page.model.indicators].index(code)
    return page.model.index(row, column)


def test_the_province_types_targets_and_a_bad_one_is_refused(qtbot, province: Store) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, province)
    assert page.year.value() == 2019  # the clock says April 2019
    enter_value(page.table, _cell(page, DISTRICT, "ty_le_thon_4g"), "87,5")
    assert page.message.text() == "Saved: Huyện Mai Sơn: Villages with 4G = 87,5"  # English window
    assert province.targets.get(DISTRICT, 2019) == {"ty_le_thon_4g": 87.5}
    assert page.model.data(_cell(page, DISTRICT, "ty_le_thon_4g")) == "87,5"
    # Enter moved down to the district's first commune, ready for the next figure
    assert page.table.currentIndex().row() == _cell(page, DISTRICT, "ty_le_thon_4g").row() + 1
    first_commune = page.model.units[page.table.currentIndex().row()].id
    type_chars("120")
    press(Qt.Key.Key_Return)
    assert province.targets.get(first_commune, 2019) == {}
    assert "a ratio must be between 0 and 100 (120)" in page.message.text()
    assert page.table.state() == page.table.State.EditingState  # kept open to correct it
    press(Qt.Key.Key_Escape)

    enter_value(page.table, _cell(page, COMMUNE, "so_thon_lom_song"), "2")
    assert province.targets.get(COMMUNE, 2019) == {"so_thon_lom_song": 2.0}
    # a district-level ratio is not planned for a commune: the cell does not open
    assert not page.model.flags(_cell(page, COMMUNE, "ty_le_xa_bdvhx")) & Qt.ItemFlag.ItemIsEditable

    page.year.setValue(2020)
    assert page.model.data(_cell(page, DISTRICT, "ty_le_thon_4g")) == ""
    page.year.setValue(2019)
    assert page.model.data(_cell(page, DISTRICT, "ty_le_thon_4g")) == "87,5"


def test_a_district_sees_the_targets_read_only(qtbot, district_store: Store) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, district_store)
    assert not page.model.editable
    index = _cell(page, DISTRICT, "ty_le_thon_4g")
    assert not page.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    enter_value(page.table, index, "90")
    assert district_store.targets.for_year(2019) == {}
    assert "read-only" in page.hint.text()


def test_the_province_exports_and_imports_the_sheet_from_the_page(
    qtbot,  # type: ignore[no-untyped-def]
    province: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.plan.conftest import fill_sheet

    page = _page(qtbot, province)
    sheet = tmp_path / "ke-hoach.xlsx"
    monkeypatch.setattr(page, "choose_export_file", lambda: sheet)
    monkeypatch.setattr(page, "choose_import_file", lambda: sheet)
    page.export_button.click()
    assert sheet.exists() and str(sheet) in page.message.text()
    fill_sheet(sheet, {(DISTRICT, "ty_le_thon_4g"): 120, (COMMUNE, "ty_le_thon_4g"): 80})
    page.import_button.click()
    assert "no target was changed, 1 cells refused" in page.message.text()
    assert "a ratio must be between 0 and 100 (120)" in page.message.text()
    assert province.targets.for_year(2019) == {}
    fill_sheet(sheet, {(DISTRICT, "ty_le_thon_4g"): 91.5})
    page.import_button.click()
    assert "2 targets of 2019 changed" in page.message.text()
    assert page.model.data(_cell(page, DISTRICT, "ty_le_thon_4g")) == "91,5"
    assert (
        page.model.data(_cell(page, COMMUNE, "ty_le_thon_4g")) == "80,0"
    )  # a percentage: one decimal, as in the reports
