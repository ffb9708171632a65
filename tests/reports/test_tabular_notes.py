"""The workbook and the CSV say what the PDF says beside its figures: the (*) footnote of
"Kỳ trước" (the previous period counts the same communes as this one, and which communes
are absent from one period) and the page-1 notices (data left out, an office holding
only part of the area)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from desktop_app.reports import build_report, write_model
from desktop_app.store.store import Store
from tests.reports.handbuilt import DISTRICT, PROVINCE
from tests.reports.test_previous_basis import _mixed_district

DAY = date(2021, 2, 5)


def _sheet_cells(path: Path) -> list[list[object]]:
    ws = load_workbook(path).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _csv(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))


def test_the_previous_column_footnote_is_in_the_workbook_and_the_csv(
    district_store: Store, tmp_path: Path
) -> None:
    _mixed_district(district_store)
    for lang, head, mark in (
        ("vi", "Kỳ trước (*)", "(*) Cột “Kỳ trước”"),
        ("en", "Previous (*)", "(*) The “Previous”"),
    ):
        model = build_report(
            district_store, "district", DISTRICT, "2020Q4", lang=lang, report_date=DAY
        )  # type: ignore[arg-type]
        note = model.previous_note
        assert note.startswith(mark) and "Xã Mường Bằng" in note  # C: nothing in 2020Q3
        rows = _sheet_cells(write_model(model, tmp_path / f"d-{lang}.xlsx"))
        assert rows[3][3] == head
        assert [r[1] for r in rows if r[1] == note] == [note]
        lines = _csv(write_model(model, tmp_path / f"d-{lang}.csv"))
        assert lines[0][3] == head.removesuffix(" (*)")  # read by programs: unchanged
        assert lines[-1][:2] == ["(*)", note.removeprefix("(*) ")]
        assert len(lines[-1]) == len(lines[0])


def test_no_footnote_no_mark(reports_store: Store, tmp_path: Path) -> None:
    model = build_report(reports_store, "commune", "pre2025:04108", "2020Q4", report_date=DAY)
    assert not model.previous_note
    assert _sheet_cells(write_model(model, tmp_path / "c.xlsx"))[3][3] == "Kỳ trước"
    assert _csv(write_model(model, tmp_path / "c.csv"))[0][3] == "Kỳ trước"


def test_the_page_one_notices_are_in_the_workbook_and_the_csv(
    reports_store: Store, tmp_path: Path
) -> None:
    # a province report at the demo district: what the office holds, what is left out
    model = build_report(reports_store, "province", PROVINCE, "2020Q4", report_date=DAY)
    held, left_out = model.notices[:2]
    assert held.startswith("Đơn vị chỉ có dữ liệu của 22/204 xã")
    cells = [c for r in _sheet_cells(write_model(model, tmp_path / "p.xlsx")) for c in r]
    assert held in cells and left_out in cells
    texts = [r[1] for r in _csv(write_model(model, tmp_path / "p.csv")) if not r[0] and len(r) > 1]
    assert held in texts and left_out in texts
