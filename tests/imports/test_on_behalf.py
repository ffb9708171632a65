"""The province fills a commune's template on its behalf (a commune without a PC); the
history says so. A district may not: receivers would quarantine its change."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop_app.domain.periods import Period
from desktop_app.imports.errors import WrongWorkbookError
from desktop_app.imports.template import write_template
from desktop_app.imports.values_import import plan_values_import
from desktop_app.store.office import create_office
from desktop_app.store.store import Store
from tests.imports.conftest import COMMUNE, table_state

Q4 = Period.parse("2020Q4")


@pytest.fixture(scope="session")
def province_demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo province (Sơn La, 2020Q4 only), built once."""
    from desktop_app.demo import build_demo

    path = tmp_path_factory.mktemp("province") / "province.db"
    build_demo(path, "pre2025:14", 1, first_period="2020Q4", last_period="2020Q4")
    return path


def test_the_province_enters_a_communes_template_on_its_behalf(
    province_demo_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "province.db"
    shutil.copy(province_demo_db, db)
    with Store.open(db, user="so.tttt") as store:
        path = tmp_path / "chieng-sung.xlsx"
        info = write_template(store, COMMUNE, Q4, path)
        assert info.communes == 1 and info.villages > 0
        wb = load_workbook(path)
        ws = wb.worksheets[0]
        column = next(c.column for c in ws[1] if c.value == "so_ho")
        village = ws.cell(row=4, column=1).value
        households = int(ws.cell(row=4, column=column).value)
        ws.cell(row=4, column=column).value = households + 2
        wb.save(path)
        plan = plan_values_import(store, path)
        assert plan.on_behalf and plan.refusals == [] and len(plan.changes) == 1
        assert plan.apply(store) == 1
        [last] = store.values.history(village, "2020", "so_ho")[-1:]
        assert last["action"] == "import-on-behalf" and last["user"] == "so.tttt"
        assert last["new"] == str(households + 2)


def test_a_district_may_not(commune_demo_db: Path, tmp_path: Path, unit_directory) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "t.xlsx"
    with Store.open(commune_demo_db) as commune:
        write_template(commune, COMMUNE, Q4, path)
    district = create_office(
        tmp_path / "district.db", "pre2025:125", directory=unit_directory, rng=random.Random(2)
    )
    with district:
        before = table_state(district)
        with pytest.raises(
            WrongWorkbookError, match="this database is the office of Huyện Mai Sơn"
        ):
            plan_values_import(district, path)
        assert table_state(district) == before
