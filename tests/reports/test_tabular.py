"""The XLSX and CSV versions of the district report hold the same figures as the aggregation."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop_app.reports import write_model
from desktop_app.reports.texts import rounded
from tests.reports.conftest import Built
from tests.reports.expected import expected_row


@pytest.fixture(scope="module")
def xlsx(district_vi: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_model(district_vi.model, tmp_path_factory.mktemp("x") / "district.xlsx")


@pytest.fixture(scope="module")
def csv_file(district_vi: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_model(district_vi.model, tmp_path_factory.mktemp("c") / "district.csv")


def test_xlsx_numbers_are_numbers_and_match(xlsx: Path, district_vi: Built) -> None:
    wb = load_workbook(xlsx)
    ws = wb.worksheets[0]
    assert ws.title == "Chỉ tiêu"
    assert ws.freeze_panes == "C5"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.cell(row=4, column=2).value == "Chỉ tiêu"
    assert ws.column_dimensions["B"].width >= 40
    checked = 0
    for r in range(5, ws.max_row + 1):
        number = ws.cell(row=r, column=1).value
        code = ws.cell(row=r, column=7).value
        cell = ws.cell(row=r, column=8).value or ""
        got = [ws.cell(row=r, column=c).value for c in (4, 5, 6)]
        if not number or not code or (all(v is None for v in got) and "." not in str(number)):
            continue
        want = expected_row(district_vi.aggregate, code, cell)
        for g, w in zip(got, want, strict=True):
            if w is None:
                assert g == "—"  # no data is said, never a blank or a zero
            else:
                assert isinstance(g, int | float) and not isinstance(g, bool), (r, g)
                assert g == pytest.approx(float(w)), (r, code, cell, g, w)
        checked += 1
    assert checked > 60
    # the TT column holds numbers where they are numbers ("12"), text for "12.1"
    tts = [ws.cell(row=r, column=1).value for r in range(5, ws.max_row + 1)]
    assert 12 in tts and "44.1" in tts
    assert all(isinstance(t, int) or "." in str(t) or t in (None, "") for t in tts)
    notes = wb["Gửi số liệu"]
    assert notes.cell(row=4, column=4).value == "Ghi chú"
    assert notes.column_dimensions["D"].width >= 60
    names = [s.title for s in wb.worksheets]
    assert names == ["Chỉ tiêu", "Thôn lõm sóng", "Gửi số liệu", "Theo địa bàn", "Phụ lục"]
    annex = wb["Phụ lục"]
    assert annex.page_setup.orientation == "landscape"
    assert isinstance(annex.cell(row=5, column=3).value, int | float)
    holes = wb["Thôn lõm sóng"]
    villages = [
        holes.cell(row=r, column=3).value
        for r in range(5, holes.max_row + 1)
        if isinstance(holes.cell(row=r, column=1).value, int)  # not the sentence under it
    ]
    assert villages == [v for w in district_vi.aggregate.without_signal for v in w.villages]


def test_csv_has_bom_vietnamese_and_figures(csv_file: Path, district_vi: Built) -> None:
    raw = csv_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "Số thôn chưa có sóng di động (lõm sóng)" in text
    rows = list(csv.reader(text.splitlines()))
    assert rows[0][:3] == ["TT", "Chỉ tiêu", "Đơn vị tính"]
    by_key = {(r[6], r[7]): r for r in rows[1:]}
    for row in district_vi.model.rows:
        if row.heading:
            continue
        line = by_key[(row.code, row.cell)]
        want = expected_row(district_vi.aggregate, row.code, row.cell)
        for got, w in zip(line[3:6], want, strict=True):
            if w is None:
                assert got == ""
            else:
                assert Decimal(got) == rounded(w, row.decimals)


def test_csv_with_semicolons_has_decimal_commas(
    district_vi: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str], reports_db: Path
) -> None:
    from desktop_app import cli

    out = tmp_path / "vi.csv"
    argv = ["report", "district", "--db", str(reports_db), "--unit", "pre2025:125"]
    argv += ["--period", "2020Q4", "--out", str(out), "--csv-sep", ";"]
    modules = cli.COMMAND_MODULES
    if "report_commands" not in modules:
        cli.COMMAND_MODULES = (*modules, "report_commands")
    try:
        assert cli.main(argv) == 0
    finally:
        cli.COMMAND_MODULES = modules
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][:3] == ["TT", "Chỉ tiêu", "Đơn vị tính"]
    by_key = {(r[6], r[7]): r for r in rows[1:]}
    ratio = by_key[("ty_le_thon_co_song", "")]
    assert "," in ratio[4] and "." not in ratio[4]
    assert Decimal(ratio[4].replace(",", ".")) > 0
    area = by_key[("dien_tich", "")]
    assert "," in area[4]


def test_xlsx_of_the_annex_by_area(reports_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # its group rows are numbered I, II, III (the workbook took every "TT" for a number)
    from datetime import date

    from desktop_app.reports import build_report

    model = build_report(
        reports_store, "district", "pre2025:125", "2020Q4", report_date=date(2021, 2, 5),
        annex_by_area=True,
    )  # fmt: skip
    book = load_workbook(write_model(model, tmp_path / "a.xlsx"))
    rows = [r for r in book["Phụ lục"].iter_rows(min_row=5, values_only=True) if any(r)]
    assert [r[0] for r in rows if isinstance(r[0], str)] == ["I", "II", "III"]
    assert [r[1] for r in rows if r[0] == "I"] == [model.annex_rows[0][1]]
    assert sum(isinstance(r[0], int) for r in rows) == 22
