"""``holes export`` / ``holes import``: the province edits its programme in a workbook."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop_app import cli
from desktop_app.reports.hole_sheet import SHEET
from desktop_app.store.repositories.holes import HoleRepository
from desktop_app.store.store import Store
from tests.plan.conftest import copy_pair
from tests.plan.test_areas import _carry


def test_the_programme_round_trips_and_bad_rows_are_refused(
    demo_pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office, province = copy_pair(demo_pair, tmp_path)
    _carry(office, province, tmp_path / "up")  # the province holds the villages
    sheet = tmp_path / "holes.xlsx"
    assert cli.main(["holes", "export", "--db", str(province), "--out", str(sheet)]) == 0
    with Store.open(province) as store:
        before = HoleRepository(store).all()
        village = store.db.execute_sql("SELECT id, commune_id FROM village LIMIT 1").fetchone()
    book = load_workbook(sheet)
    ws = book[SHEET]
    assert ws.max_row - 3 == len(before) > 0
    late = next(
        r for r in ws.iter_rows(min_row=4) if r[10].value == "planned" and r[8].value == 2020
    )
    late[10].value, late[11].value = "closed", "2021Q1"
    ws.append(["", village[0], "", "", "broadband", "2020Q1", None, "vnpt", 2022,
               "Doanh nghiệp tự đầu tư", "planned", None, "Kéo cáp quang"])  # fmt: skip
    bad = [
        ["", "khong-co", "", "", "mobile", "2020Q1", None, "", None, "", "open", None, ""],
        ["", village[0], "", "", "5g", "2020Q1", None, "", None, "", "open", None, ""],
        ["", village[0], "", "", "4g", "2020", None, "", None, "", "open", None, ""],
        ["", village[0], "", "", "4g", "2020Q2", None, "", None, "", "closed", None, ""],
    ]
    for row in bad:
        ws.append(row)
    book.save(sheet)
    assert cli.main(["holes", "import", "--db", str(province), str(sheet)]) == 1
    err = capsys.readouterr().err
    assert err.count("Trang Thôn lõm sóng, dòng") == 4
    assert "không có thôn mã khong-co" in err and "không phải 5g" in err
    assert "2020 không phải là một quý" in err and "phải ghi kỳ xóa lõm" in err
    with Store.open(province) as store:
        assert HoleRepository(store).all() == before
    assert cli.main(["holes", "import", "--db", str(province), str(sheet), "--partial"]) == 0
    assert "2 thay đổi" in capsys.readouterr().out
    with Store.open(province) as store:
        after = {h.id: h for h in HoleRepository(store).all()}
    assert len(after) == len(before) + 1
    closed = after[str(late[0].value)]
    assert (closed.status, closed.closed_period) == ("closed", "2021Q1")
    assert closed.state_in(2021) == "closed" and closed.state_in(2020) == "overdue"
    new = next(h for h in after.values() if h.lack == "broadband")
    assert (new.village_id, new.commune_id, new.target_year) == (village[0], village[1], 2022)
