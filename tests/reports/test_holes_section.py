"""The section of villages without signal speaks of the villages that answered only:
"no village without signal" of 48 answering villages out of 375 is not said of all 375,
and a list of villages without signal says it lists only those that answered. PDF and
workbook read back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from desktop_app.reports import build_report, write_model
from desktop_app.store.store import Store
from tests.reports.test_area_rows import _half_entered

DISTRICT = "pre2025:125"
DAY = date(2021, 2, 5)


def _text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def test_no_village_without_signal_of_the_villages_that_answered(
    reports_store: Store, tmp_path: Path
) -> None:
    # approved data only: 3 communes, 48 of the 375 villages
    model = build_report(reports_store, "district", DISTRICT, "2020Q4", report_date=DAY)
    said = "Trong 48/375 thôn, bản có số liệu về sóng di động, không có thôn, bản nào chưa có sóng."
    assert model.holes == (said,)
    text = _text(write_model(model, tmp_path / "d.pdf"))
    assert said in text and "Không còn thôn, bản chưa có sóng di động" not in text
    # the workbook's sheet says it too (it was empty: no village listed, nothing said)
    sheet = load_workbook(write_model(model, tmp_path / "d.xlsx"))["Thôn lõm sóng"]
    assert said in [v for row in sheet.iter_rows(values_only=True) for v in row if v]
    empty = build_report(reports_store, "district", DISTRICT, "2021Q1", report_date=DAY)
    sheet = load_workbook(write_model(empty, tmp_path / "e.xlsx"))["Thôn lõm sóng"]
    cells = [v for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert "Chưa có số liệu về sóng di động của các thôn, bản." in cells
    en = build_report(reports_store, "district", DISTRICT, "2020Q4", lang="en", report_date=DAY)
    assert en.holes == (
        "Of the 48 of 375 villages with data on mobile signal, none is without signal.",
    )
    # every village answered (Q3, all approved): the plain sentence, no note
    q3 = build_report(reports_store, "district", DISTRICT, "2020Q3", report_date=DAY)
    assert q3.holes_note == "" and q3.holes and "Trong" not in q3.holes[0]


def test_a_list_of_the_answering_villages_says_so(demo_db: Path, tmp_path: Path) -> None:
    store = _half_entered(demo_db, tmp_path)  # 6 of Chiềng Nơi's villages unanswered
    try:
        model = build_report(
            store, "district", DISTRICT, "2020Q4", include_drafts=True, report_date=DAY
        )
        note = "Danh sách chỉ gồm các thôn, bản có số liệu về sóng di động: 369/375 thôn, bản."
        assert model.holes and model.holes_note == note
        assert _text(write_model(model, tmp_path / "d.pdf")).count(note) == 1
        sheet = load_workbook(write_model(model, tmp_path / "d.xlsx"))["Thôn lõm sóng"]
        assert note in [v for row in sheet.iter_rows(values_only=True) for v in row if v]
    finally:
        store.close()


def test_the_submission_sheet_says_the_pdf_s_sentence(reports_store: Store, tmp_path: Path) -> None:
    model = build_report(reports_store, "district", DISTRICT, "2020Q4", report_date=DAY)
    said = (
        "Có 20/22 xã đã gửi số liệu quý 4/2020 (3 đã duyệt, 2 bị trả lại, 15 chờ duyệt);"
        " 2 xã chưa gửi."
    )
    assert model.completeness_text == said
    assert said in _text(write_model(model, tmp_path / "d.pdf"))
    sheet = load_workbook(write_model(model, tmp_path / "d.xlsx"))["Gửi số liệu"]
    assert said in [v for row in sheet.iter_rows(values_only=True) for v in row if v]
