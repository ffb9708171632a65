"""Fixtures of the plan tests: the small enrolled province of the sync tests."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from tests.sync.conftest import net

__all__ = ["fill_sheet", "net"]


def fill_sheet(path: Path, cells: dict[tuple[str, str], object]) -> None:
    """Fill a plan sheet's cells by (unit id, indicator code) → value, as a clerk would."""
    book = load_workbook(path)
    sheet = book.worksheets[0]
    codes = {str(c.value): c.column for c in sheet[5] if c.value}
    rows = {str(r[0].value): r[0].row for r in sheet.iter_rows(min_row=6) if r[0].value}
    for (unit, code), value in cells.items():
        sheet.cell(row=rows[unit], column=codes[code], value=value)
    book.save(path)
