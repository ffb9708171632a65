"""The Areas and Plan pages list the office's own units, not the whole province.

Every office holds the province's reference data (all its units), so a page that listed
what the database holds showed a district every commune of the province on the Areas
page and a commune clerk every other district's communes on the Plan page.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop_app.domain.units import UnitDirectory
from desktop_app.reports.plan_sheet import plan_units
from desktop_app.store.store import Store
from desktop_app.sync.certificates import init_province
from desktop_app.ui.pages.areas import AreasPage
from desktop_app.ui.pages.plan import PlanPage
from tests.helpers.clock import FakeClock
from tests.ui.shell_helpers import context_for

PROVINCE, DISTRICT, COMMUNE = "pre2025:14", "pre2025:125", "pre2025:04108"
OTHER_DISTRICTS_COMMUNE = "pre2025:03646"  # Phường Chiềng Lề, Thành phố Sơn La


@pytest.fixture
def province(tmp_path: Path, clock: FakeClock, unit_directory: UnitDirectory) -> Iterator[Store]:
    store = init_province(
        tmp_path / "province.db", PROVINCE, directory=unit_directory, clock=clock,
        rng=random.Random(5), user="so",
    )  # fmt: skip
    yield store
    store.close()


def _shown(page, qtbot):  # type: ignore[no-untyped-def]
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    return page


def _row_names(model) -> list[str]:  # type: ignore[no-untyped-def]
    """The row headers as the table paints them."""
    role = Qt.ItemDataRole.DisplayRole
    return [
        str(model.headerData(r, Qt.Orientation.Vertical, role)).strip()
        for r in range(model.rowCount())
    ]


def test_the_areas_page_of_a_district_lists_its_own_communes(qtbot, district_store: Store) -> None:  # type: ignore[no-untyped-def]
    page = _shown(AreasPage(context_for(district_store)), qtbot)
    own = district_store.reference.communes_under(DISTRICT)
    assert len(own) > 5  # Mai Sơn has its communes...
    assert [c.id for c in page.communes] == [c.id for c in own]
    assert _row_names(page.model) == [c.name for c in own]
    # ...and the province's other communes, held as reference data, are not listed
    assert OTHER_DISTRICTS_COMMUNE not in {c.id for c in page.communes}
    province_communes = [u for u in plan_units(district_store) if u.level == 3]
    assert len(province_communes) > 3 * len(own)


def test_the_areas_page_of_the_province_lists_every_commune(qtbot, province: Store) -> None:  # type: ignore[no-untyped-def]
    page = _shown(AreasPage(context_for(province, "admin")), qtbot)
    every = [u.id for u in plan_units(province) if u.level == 3]
    assert [c.id for c in page.communes] == every
    assert page.model.rowCount() == len(every)


def test_the_plan_page_of_a_commune_lists_its_own_commune(qtbot, commune_store: Store) -> None:  # type: ignore[no-untyped-def]
    page = _shown(PlanPage(context_for(commune_store)), qtbot)
    assert [u.id for u in page.model.units] == [COMMUNE]
    assert _row_names(page.model) == [commune_store.reference.unit(COMMUNE).name]
    assert page.table.currentIndex().row() == 0  # it starts on the office's own row


def test_the_plan_page_of_a_district_lists_its_communes(qtbot, district_store: Store) -> None:  # type: ignore[no-untyped-def]
    page = _shown(PlanPage(context_for(district_store)), qtbot)
    own = [c.id for c in district_store.reference.communes_under(DISTRICT)]
    assert [u.id for u in page.model.units] == [DISTRICT, *own]
    assert OTHER_DISTRICTS_COMMUNE not in {u.id for u in page.model.units}
    assert PROVINCE not in {u.id for u in page.model.units}
    assert page.table.currentIndex().row() == 0


def test_the_plan_page_of_the_province_lists_every_unit(qtbot, province: Store) -> None:  # type: ignore[no-untyped-def]
    page = _shown(PlanPage(context_for(province, "reviewer")), qtbot)
    every = [u.id for u in plan_units(province)]
    assert [u.id for u in page.model.units] == every
    assert {PROVINCE, DISTRICT, COMMUNE, OTHER_DISTRICTS_COMMUNE} <= set(every)
