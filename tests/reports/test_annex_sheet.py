"""The workbook's annex sheet says what the PDF's annex says: its title, the line tying it
to the report, every row's figures as printed, and the lines printed with it (the area
decisions the annex by area groups the communes by). Both files are written from one
model and read back: the PDF with pypdf, the workbook with openpyxl."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from pypdf import PdfReader

from desktop_app.reports import build_report, write_model
from desktop_app.reports.model import attached_line
from desktop_app.reports.texts import display, label
from desktop_app.store.store import Store

DAY = date(2021, 2, 5)


def _words(text: str) -> str:
    return " ".join(text.split())


def _sheet_texts(path: Path) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The annex sheet's text cells, and its rows under the column titles."""
    sheet = load_workbook(path)[label("annex", "vi").capitalize()]
    texts = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v]
    rows = [r for r in sheet.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]
    return texts, rows


def test_the_annex_sheet_carries_the_pdf_s_words_and_figures(
    reports_store: Store, tmp_path: Path
) -> None:
    model = build_report(
        reports_store, "district", "pre2025:125", "2020Q4", report_date=DAY, annex_by_area=True
    )
    assert len(model.annex_notes) == 3  # "Phân loại địa bàn theo:" and two decisions
    pdf = _words(
        " ".join(p.extract_text() for p in PdfReader(write_model(model, tmp_path / "a.pdf")).pages)
    )
    texts, rows = _sheet_texts(write_model(model, tmp_path / "a.xlsx"))
    cells = "\n".join(texts)
    for line in (model.annex_title, attached_line(model), *model.annex_notes):
        assert _words(line) in pdf, line
        assert line in cells, line
    # each commune's row, the figures as the PDF prints them
    assert len(rows) == 22
    for row in rows:
        printed = [
            v if isinstance(v, str) else display(v, model.annex_decimals[i], "vi")
            for i, v in enumerate(row)
        ]
        assert _words(" ".join(printed)) in pdf, printed


def test_the_by_area_sheet_carries_the_pdf_s_section(reports_store: Store, tmp_path: Path) -> None:
    # the PDF's "Các chỉ tiêu chính theo địa bàn": its heading, its rows' figures as
    # printed (numbers in the workbook), and the area decisions under it
    model = build_report(reports_store, "district", "pre2025:125", "2020Q4", report_date=DAY)
    section = model.areas
    assert section is not None and len(section.rows) == 4
    pdf = _words(
        " ".join(p.extract_text() for p in PdfReader(write_model(model, tmp_path / "a.pdf")).pages)
    )
    sheet = load_workbook(write_model(model, tmp_path / "a.xlsx"))["Theo địa bàn"]
    cells = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    rows = [r for r in sheet.iter_rows(min_row=5, max_row=8, values_only=True)]
    assert section.heading in cells and _words(section.heading) in pdf
    for note in section.notes:
        assert note in cells and _words(note) in pdf, note
    decimals = (0, 0, 1, 1, 1, 0)
    for row, printed in zip(rows, section.rows, strict=True):
        assert row[0] == printed[0]
        for value, text, places in zip(row[1:], printed[1:], decimals, strict=True):
            assert value == "—" if text == "—" else display(value, places, "vi") == text
        assert _words(" ".join(printed)) in pdf, printed
    assert rows[2][1:3] == (16, 273) and isinstance(rows[2][4], float)  # 95,8 %
