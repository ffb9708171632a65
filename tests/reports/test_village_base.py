"""Every village count of one report is over one stated base: the villages known at the
office, with "(22/204 xã có danh sách thôn)" where not every commune's list is known.

At the demo province office only Huyện Mai Sơn has sent its village lists (its 22
communes, 375 villages). The province report said "toàn tỉnh có 375 thôn" and "Số
thôn/bản 375" as if they were the province's, printed "Toàn tỉnh 204 xã, 375 thôn" in
the by-area table, and, in the annex by area, 0 villages for each of the 182 communes
whose list it does not hold. Read back from the PDF (pdftotext) and the workbook."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop_app.demo import build_demo
from desktop_app.reports import build_report, write_model
from desktop_app.store.store import Store
from tests.reports.conftest import pdf_text

DAY = date(2021, 2, 5)
BASE = "(22/204 xã có danh sách thôn)"


@pytest.fixture(scope="module")
def province_office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo province office: the demo district's bundle imported, nothing else."""
    folder = tmp_path_factory.mktemp("province-office")
    province = folder / "demo-office-province.db"
    build_demo(folder / "demo-office.db", "pre2025:125", seed=1, province_path=province)
    return province


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_province_report_counts_its_villages_on_one_base(
    province_office: Path, tmp_path: Path
) -> None:
    store = Store.open(province_office)
    try:
        villages = int(store.db.execute_sql("SELECT count(*) FROM village").fetchone()[0])
        assert villages == 375
        model = build_report(
            store, "province", "pre2025:14", "2020Q4", report_date=DAY, annex_by_area=True
        )
        pdf = write_model(model, tmp_path / "p.pdf")
        xlsx = write_model(model, tmp_path / "p.xlsx")
    finally:
        store.close()
    text = _flat(pdf_text(pdf, layout=False))
    table = _flat(pdf_text(pdf))
    # page 1 and the indicator table: the count and its base
    assert f"Quý 4/2020, toàn tỉnh có 375 thôn, bản đang hoạt động {BASE};" in text
    assert f"Số thôn/bản {BASE} thôn 375 375" in table
    # the by-area table: the same villages, and what they are of, group by group
    assert "Toàn tỉnh 204 375" in table
    assert (
        "Cột “Số thôn” chỉ tính thôn, bản của 22/204 xã có danh sách thôn (Xã biên giới:"
        " 2/2 xã; Xã khu vực III: 4/4 xã; Các xã khác: 16/198 xã)." in text
    )
    # every "x/N thôn" and "có N thôn" of the report is of the same N
    bases = {int(n.replace(".", "")) for n in re.findall(r"/([\d.]+) thôn", text)}
    bases |= {int(n.replace(".", "")) for n in re.findall(r"có ([\d.]+) thôn", text)}
    assert bases == {villages}
    # the annex by area: a commune whose list is not here has "—" villages, not 0, and the
    # communes' villages add up to the same 375
    annex = [r for r in model.annex_rows if r[0] not in ("I", "II", "III")]
    assert len(annex) == 204
    assert sum(int(r[2]) for r in annex if r[2] is not None) == villages
    assert sum(1 for r in annex if r[2] is None) == 182
    assert re.search(r"Phường Chiềng Lề \(Thành phố Sơn +— ", table), "printed 0 villages"

    book = load_workbook(xlsx)
    rows = [r for r in book["Chỉ tiêu"].iter_rows(values_only=True) if r[1]]
    assert any(r[1] == f"Số thôn/bản {BASE}" and r[3] == r[4] == 375 for r in rows)
    area = [str(c) for row in book["Theo địa bàn"].iter_rows(values_only=True) for c in row if c]
    assert any(c.startswith("Cột “Số thôn” chỉ tính thôn, bản của 22/204 xã") for c in area)
    annex_sheet = [r for r in book["Phụ lục"].iter_rows(min_row=5, values_only=True)]
    assert not any(str(r[1]).startswith("Phường Chiềng Lề") and r[2] == 0 for r in annex_sheet)


def test_a_district_with_every_list_states_no_base(reports_store: Store) -> None:
    model = build_report(reports_store, "district", "pre2025:125", "2020Q4", report_date=DAY)
    assert "danh sách thôn" not in " ".join(model.summary)
    assert model.rows[1].label == "Số thôn/bản"
