"""The reports page's exports beside the report itself (issue 12): the CSV separator
chosen in the save dialog, the DHIS2 export following the "include data not yet
approved" checkbox, and the blank collection form of a commune. Real widgets on a copy
of the demo district office; every file read back."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from desktop_app.domain.periods import Period
from desktop_app.i18n import setup as setup_i18n
from desktop_app.reports.dhis2 import data_values
from desktop_app.store.store import Store
from desktop_app.ui.pages.reports import ReportsPage
from desktop_app.ui.pages.reports_choices import report_filters, semicolon_csv_filter
from desktop_app.ui.tasks import SyncTaskRunner
from tests.ui.pages_fixtures import make_context

DISTRICT = "pre2025:125"
COMMUNE = "pre2025:04108"  # Xã Chiềng Sung


@pytest.fixture
def demo_store(demo_db: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    store = Store.open(path)
    yield store
    store.close()


@pytest.fixture
def page(qtbot: QtBot, demo_store: Store) -> ReportsPage:
    setup_i18n("vi")  # the window as the clerk sees it (english_messages resets it)
    ctx = make_context(demo_store, "clerk", language="vi")
    ctx.runner = SyncTaskRunner()
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    return page


class SaveDialog:
    """Answers QFileDialog.getSaveFileName with a path and a chosen filter; keeps what
    the page offered."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answer: tuple[str, str] = ("", "")
        self.offered: list[str] = []
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(self._ask))

    def _ask(self, _parent: object, _title: str, _start: str, filters: str, _first: str) -> object:
        self.offered = filters.split(";;")
        return self.answer


def _rows(path: Path, sep: str) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM either way
    return list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=sep))


def test_the_save_dialog_offers_a_semicolon_csv_for_a_vietnamese_excel(
    page: ReportsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = SaveDialog(monkeypatch)
    page.select("district", DISTRICT, "2020Q4")
    page.preview_button.click()
    plain = tmp_path / "plain.csv"
    dialog.answer = (str(plain), "")
    page.save_button.click()
    assert semicolon_csv_filter() in dialog.offered
    assert "dấu chấm phẩy" in semicolon_csv_filter()  # the window speaks Vietnamese
    vn = tmp_path / "excel-vn"
    dialog.answer = (str(vn), semicolon_csv_filter())
    page.save_button.click()
    vn = vn.with_suffix(".csv")  # the filter's extension added
    assert str(vn) in page.status_label.text().replace("\u200b", "")

    commas = _rows(plain, ",")
    semis = _rows(vn, ";")
    assert len(semis) == len(commas) > 10
    assert all(len(r) == 8 for r in semis)  # columns split on ';', none merged
    changed = 0
    for a, b in zip(commas, semis, strict=True):
        assert b[:3] == a[:3] and b[6:] == a[6:]  # names, units, codes as they were
        for x, y in zip(a[3:6], b[3:6], strict=True):
            assert "." not in y
            assert y.replace(",", ".") == x  # the same figure, decimal comma
            changed += "," in y
    assert changed > 0
    ratio = next(r for r in semis if r[6] == "ty_le_thon_co_song")
    assert Decimal(ratio[4].replace(",", ".")) > 0


def test_the_xlsx_and_pdf_filters_are_unchanged_by_the_csv_choice() -> None:
    exts = [ext for _name, ext in report_filters()]
    assert exts[:3] == [".pdf", ".xlsx", ".csv"] and exts.count(".csv") == 2


def test_dhis2_export_follows_the_drafts_checkbox(
    page: ReportsPage, demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = SaveDialog(monkeypatch)
    page.select("district", DISTRICT, "2020Q4")
    period = Period(2020, 4)

    def export(name: str) -> list[dict[str, str]]:
        dialog.answer = (str(tmp_path / name), "")
        page.dhis2_button.click()
        doc = json.loads((tmp_path / name).read_text(encoding="utf-8"))
        return list(doc["dataValues"])

    approved = export("approved.json")
    assert "chưa duyệt" not in page.status_label.text()
    page.drafts_box.setChecked(True)
    everything = export("all.json")
    assert "chưa duyệt" in page.status_label.text()

    def keys(values: list[dict[str, str]]) -> set[tuple[str, str, str, str]]:
        return {(v["dataElement"], v["period"], v["orgUnit"], v["value"]) for v in values}

    official = data_values(demo_store, DISTRICT, period)
    drafts = data_values(demo_store, DISTRICT, period, include_drafts=True)
    assert len(approved) == len(official) and len(everything) == len(drafts)
    assert len(drafts) > len(official) > 0  # the demo district has communes not approved
    assert keys(approved) < keys(everything)


def test_the_blank_form_of_a_commune_from_the_window(
    page: ReportsPage, demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = SaveDialog(monkeypatch)
    page.select("district", DISTRICT, "2020Q4")
    assert not page.form_button.isEnabled()  # a district has no village sheets
    page.select("commune", COMMUNE, "2021Q1")
    assert page.form_button.isEnabled()
    dialog.answer = (str(tmp_path / "phieu"), "")
    page.form_button.click()
    out = tmp_path / "phieu.pdf"
    assert [n for n in dialog.offered] == [report_filters()[0][0]]  # PDF only
    reader = PdfReader(out)
    sheets = [p.extract_text() for p in reader.pages]
    status = page.status_label.text().replace("\u200b", "")
    assert f"({len(sheets)} trang)" in status and str(out) in status
    villages = demo_store.villages.for_commune(COMMUNE)
    assert len(sheets) > len(villages) > 0
    for v in villages:
        assert any(f"{v.name}, Xã Chiềng Sung - quý 1/2021" in s for s in sheets), v.name
    assert "PHIẾU THU THẬP SỐ LIỆU" in sheets[0]
    assert page.preview is None  # the form is no report preview
