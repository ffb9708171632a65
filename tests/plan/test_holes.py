"""The coverage-hole programme: the year's states, the demo's programme, the PDF report."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.domain.holes import Hole
from desktop_app.store.errors import InvalidValueError, OutOfScopeError
from desktop_app.store.repositories.holes import HoleRepository
from desktop_app.store.store import Store
from tests.reports.conftest import pdf_text
from tests.sync.conftest import PROVINCE, Net, add_village

DISTRICT, COMMUNE = "pre2025:125", "pre2025:04108"


def _hole(**kw: object) -> Hole:
    base: dict[str, object] = {"id": "h", "commune_id": COMMUNE, "village_id": "v",
                               "lack": "mobile", "since": "2019Q1"}  # fmt: skip
    return Hole(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("hole", "states"),
    [
        (_hole(status="closed", closed_period="2020Q3", target_year=2020),
         {2019: "planned", 2020: "closed", 2021: None}),
        (_hole(status="planned", target_year=2020), {2019: "planned", 2020: "overdue"}),
        (_hole(status="planned", target_year=2022), {2021: "planned", 2022: "overdue"}),
        (_hole(), {2018: None, 2019: "open", 2025: "open"}),
        (_hole(since="2020Q2", status="closed", closed_period="2020Q4"),
         {2019: None, 2020: "closed"}),
        (_hole(status="dropped", target_year=2020), {2020: None}),
    ],
)  # fmt: skip
def test_where_a_hole_stands_in_each_year(hole: Hole, states: dict[int, str | None]) -> None:
    assert {year: hole.state_in(year) for year in states} == states


def _count(store: Store, sql: str) -> int:
    return int(store.db.execute_sql(sql).fetchone()[0])


def test_the_demo_programme_and_its_report(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    mobile = "SELECT count(*) FROM coverage_hole WHERE lack = 'mobile' AND "
    with Store.open(db) as store:
        closed = {y: _count(store, f"{mobile} closed_period LIKE '{y}%'") for y in (2019, 2020)}
        overdue = _count(store, f"{mobile} closed_period IS NULL AND target_year <= 2020")
        planned = _count(store, f"{mobile} closed_period IS NULL AND target_year > 2020")
        still = _count(store, f"{mobile} closed_period IS NULL AND target_year IS NULL")
        late = [
            str(r[0])
            for r in store.db.execute_sql(
                "SELECT v.name FROM coverage_hole h JOIN village v ON v.id = h.village_id"
                " WHERE h.lack = 'mobile' AND h.closed_period IS NULL AND h.target_year <= 2020"
            )
        ]
        with_site = _count(store, f"{mobile} closed_period IS NOT NULL AND site_id IS NOT NULL")
    # a realistic programme: holes closed by new sites over 2019-2020, some planned, some late
    assert closed[2019] > 0 and closed[2020] > 0 and with_site > 0
    assert planned > 0 and overdue > 0 and still > 0

    out = tmp_path / "holes.pdf"
    args = ["--db", str(db), "--unit", DISTRICT, "--year", "2020", "--out", str(out)]
    assert cli.main(["report", "holes", *args]) == 0
    text = re.sub(r"\s+", " ", pdf_text(out))
    assert "Kết quả xóa thôn, bản lõm sóng di động năm 2020" in text
    n = closed[2020] + overdue + planned + still
    assert f"theo dõi {n} thôn, bản chưa có sóng di động: {closed[2020]} thôn đã được xóa" in text
    total = f"Tổng cộng {closed[2020]} {overdue + planned + still} {planned} {overdue} {still}"
    assert total in text
    assert "Xã biên giới" in text and "MẪU-02/QĐ-TTg" in text
    lists = text[text.index("2. Thôn, bản quá hạn kế hoạch") : text.index("3. Thôn, bản đã")]
    assert all(name in lists for name in late)

    assert cli.main(["report", "holes", *args[:-1], str(tmp_path / "h.xlsx")]) == 1
    assert ".pdf" in capsys.readouterr().err


def test_the_programme_travels_down_and_only_the_province_writes_it(net: Net) -> None:
    province, district = net[PROVINCE], net[DISTRICT]
    village = add_village(net[COMMUNE], "Bản Nà Sản")
    with pytest.raises(InvalidValueError):  # the province does not hold the village yet
        HoleRepository(province).save_many([_hole(id="h0", village_id=village)])
    net.send(COMMUNE, DISTRICT)
    net.send(DISTRICT, PROVINCE)
    hole = _hole(id="h1", village_id=village, status="planned", target_year=2021,
                 operator="viettel", funding="Viễn thông công ích")  # fmt: skip
    assert HoleRepository(province).save_many([hole]) == 1
    assert HoleRepository(province).save_many([hole]) == 0  # nothing new
    net.send(PROVINCE, DISTRICT)
    assert HoleRepository(district).all() == [hole]
    with pytest.raises(OutOfScopeError):
        HoleRepository(district).save_many([hole])
    with pytest.raises(InvalidValueError):
        HoleRepository(province).save_many([_hole(id="h2", village_id=village, status="closed")])
