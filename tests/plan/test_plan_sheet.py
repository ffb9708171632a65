"""The plan sheet: export, fill, import; every bad cell refused with its row and reason."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from desktop_app import cli
from desktop_app.domain.plan import TargetProblem, parse_target
from desktop_app.domain.units import UnitDirectory
from desktop_app.i18n import setup as setup_i18n
from desktop_app.reports.plan_sheet import import_plan_sheet, read_plan_sheet, write_plan_sheet
from desktop_app.store.errors import OutOfScopeError
from desktop_app.store.store import Store
from tests.plan.conftest import fill_sheet
from tests.sync.conftest import PROVINCE, Net

DISTRICT, COMMUNE = "pre2025:125", "pre2025:04108"


def _state(store: Store) -> tuple[list[tuple[object, ...]], int]:
    targets = store.db.execute_sql("SELECT * FROM target ORDER BY id").fetchall()
    changes = store.db.execute_sql("SELECT count(*) FROM change").fetchone()[0]
    return targets, int(changes)


def test_filled_sheet_sets_targets_and_exports_them_back(net: Net, tmp_path: Path) -> None:
    province = net[PROVINCE]
    sheet = write_plan_sheet(province, 2021, tmp_path / "plan.xlsx")
    fill_sheet(
        sheet,
        {
            (PROVINCE, "ty_le_thon_4g"): 92.5,
            (DISTRICT, "ty_le_thon_4g"): "88,5",  # typed as text, the Vietnamese way
            (COMMUNE, "so_thon_lom_song"): 2,
            (DISTRICT, "ty_le_xa_bdvhx"): 100,
        },
    )
    result = import_plan_sheet(province, sheet)
    assert result.applied and result.problems == () and result.changed == 4
    assert province.targets.for_year(2021) == {
        (PROVINCE, "ty_le_thon_4g"): 92.5,
        (DISTRICT, "ty_le_thon_4g"): 88.5,
        (COMMUNE, "so_thon_lom_song"): 2.0,
        (DISTRICT, "ty_le_xa_bdvhx"): 100.0,
    }
    again = write_plan_sheet(province, 2021, tmp_path / "again.xlsx")
    assert read_plan_sheet(province, again).writes == read_plan_sheet(province, sheet).writes
    assert import_plan_sheet(province, again).changed == 0  # nothing new: no change logged


def _bad_sheet(province: Store, tmp_path: Path) -> Path:
    sheet = write_plan_sheet(province, 2021, tmp_path / "bad.xlsx")
    fill_sheet(
        sheet,
        {
            (DISTRICT, "ty_le_thon_co_song"): 95,  # good
            (DISTRICT, "ty_le_thon_4g"): 120,  # ratio above 100
            (COMMUNE, "ty_le_ho_internet"): "nhiều",  # text in a number cell
            (COMMUNE, "ty_le_xa_bdvhx"): 100,  # a district-level ratio for a commune
        },
    )
    book = load_workbook(sheet)
    ws = book.worksheets[0]
    ws.cell(row=5, column=ws.max_column + 1, value="ty_le_khong_co")  # unknown indicator
    last = ws.max_row + 1
    ws.cell(row=last, column=1, value="pre2025:99999")  # unknown unit
    ws.cell(row=last, column=4, value=50)
    book.save(sheet)
    return sheet


def test_every_bad_cell_is_refused_with_its_row_and_reason_and_nothing_applied(
    net: Net, tmp_path: Path
) -> None:
    province = net[PROVINCE]
    sheet = _bad_sheet(province, tmp_path)
    before = _state(province)
    setup_i18n("vi")
    result = import_plan_sheet(province, sheet)
    assert not result.applied and result.changed == 0
    assert _state(province) == before
    lines = [p.line() for p in result.problems]
    rows = {str(c.value): c.row for c in load_workbook(sheet).worksheets[0]["A"][5:]}
    assert len(lines) == 5, lines
    joined = "\n".join(lines)
    assert f"Dòng {rows[DISTRICT]}, cột " in joined
    assert "tỷ lệ phải từ 0 đến 100 (120)" in joined
    assert f"Dòng {rows[COMMUNE]}, cột " in joined and "“nhiều” không phải là số" in joined
    assert "không đặt chỉ tiêu cho cấp xã" in joined
    assert "Dòng 5, cột " in joined and "chỉ tiêu không có trong danh mục: ty_le_khong_co" in joined
    assert "đơn vị không có: pre2025:99999" in joined

    partial = import_plan_sheet(province, sheet, partial=True)
    assert partial.applied and partial.changed == 1
    assert province.targets.for_year(2021) == {(DISTRICT, "ty_le_thon_co_song"): 95.0}


def test_cli_refuses_a_bad_sheet_in_vietnamese_and_applies_with_partial(
    net: Net, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    province = net[PROVINCE]
    sheet = _bad_sheet(province, tmp_path)
    db = str(province.path)
    before = _state(province)
    assert cli.main(["plan", "import", "--db", db, str(sheet)]) == 1
    err = capsys.readouterr().err
    assert "không có chỉ tiêu nào được thay đổi" in err and "tỷ lệ phải từ 0 đến 100" in err
    assert _state(province) == before
    assert cli.main(["plan", "import", "--db", db, str(sheet), "--partial"]) == 0
    assert "1 đã thay đổi" in capsys.readouterr().out
    assert province.targets.for_year(2021) == {(DISTRICT, "ty_le_thon_co_song"): 95.0}


def test_a_district_office_cannot_import_targets(net: Net, tmp_path: Path) -> None:
    district = net[DISTRICT]
    sheet = write_plan_sheet(district, 2021, tmp_path / "d.xlsx")
    fill_sheet(sheet, {(COMMUNE, "ty_le_thon_4g"): 80})
    before = _state(district)
    with pytest.raises(OutOfScopeError):
        import_plan_sheet(district, sheet)
    assert _state(district) == before


def test_not_a_workbook_is_one_clear_line(
    net: Net, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "plan.xlsx"
    bogus.write_text("không phải bảng tính", encoding="utf-8")
    assert cli.main(["plan", "import", "--db", str(net[PROVINCE].path), str(bogus)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "không phải là bảng kế hoạch" in err[0]


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False))
def test_a_ratio_target_is_taken_exactly_when_it_lies_in_0_to_100(number) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.domain.catalogue import load_catalogue
    from desktop_app.paths import resources_dir

    ratio = load_catalogue(resources_dir() / "catalog").derived["ty_le_thon_4g"]
    text = str(number).replace(".", ",")
    if 0 <= number <= 100:
        assert parse_target(text, ratio, 2) == float(round(number, 1))
        assert parse_target(float(number), ratio, 3) == float(round(number, 1))
    else:
        with pytest.raises(TargetProblem):
            parse_target(text, ratio, 2)


@pytest.mark.parametrize("office", ["2025:14", "pre2025:14"])
def test_the_plan_lists_each_unit_once_in_order(
    office: str, tmp_path: Path, unit_directory: UnitDirectory
) -> None:
    """In the real 2025 structure the province's children are the communes: each was
    listed twice (151 rows for 76 units), so the sheet had two rows for one commune."""
    from desktop_app.reports.plan_sheet import plan_units
    from desktop_app.store.office import create_office

    store = create_office(
        tmp_path / "p.db", office, directory=unit_directory, rng=random.Random(5), user="u"
    )
    try:
        units = plan_units(store)
        ids = [u.id for u in units]
        assert len(ids) == len(set(ids))
        expected = [office]
        for child in store.reference.children(office):
            expected.append(child.id)
            if child.level != 3:
                expected.extend(u.id for u in store.reference.communes_under(child.id))
        assert ids == expected
        assert len([u for u in units if u.level == 3]) == (75 if office == "2025:14" else 204)
        sheet = load_workbook(write_plan_sheet(store, 2026, tmp_path / "plan.xlsx")).active
        assert sheet is not None
        rows = [r[0] for r in sheet.iter_rows(min_row=6, values_only=True) if r[0]]
        assert rows == ids
    finally:
        store.close()
