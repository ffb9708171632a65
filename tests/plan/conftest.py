"""Fixtures of the plan tests (the small enrolled province, ``net``, is
:mod:`tests.helpers.net`, registered for the whole suite)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

__all__ = ["copy_pair", "fill_sheet"]


def fill_sheet(path: Path, cells: dict[tuple[str, str], object]) -> None:
    """Fill a plan sheet's cells by (unit id, indicator code) → value, as a clerk would."""
    book = load_workbook(path)
    sheet = book.worksheets[0]
    codes = {str(c.value): c.column for c in sheet[5] if c.value}
    rows = {str(r[0].value): r[0].row for r in sheet.iter_rows(min_row=6) if r[0].value}
    for (unit, code), value in cells.items():
        sheet.cell(row=rows[unit], column=codes[code], value=value)
    book.save(path)


@pytest.fixture(scope="session")
def demo_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo district office with its demo province beside it, built once per session.

    Read-only: copy both files (:func:`copy_pair`) before writing.
    """
    from desktop_app.demo import build_demo

    folder = tmp_path_factory.mktemp("demo-pair")
    office, province = folder / "office.db", folder / "office-province.db"
    build_demo(office, "pre2025:125", 1, province_path=province)
    return office, province


def copy_pair(pair: tuple[Path, Path], folder: Path) -> tuple[Path, Path]:
    """Private copies of the demo pair in ``folder``."""
    office, province = folder / "office.db", folder / "province.db"
    shutil.copy(pair[0], office)
    shutil.copy(pair[1], province)
    return office, province
