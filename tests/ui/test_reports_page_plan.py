"""The reports page of a district and of the demo province: the plan follow-up and the
coverage-hole reports of the period's year, and the annex grouped by area, produced from
the page (real widgets, the real store) and read back from the PDF."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from desktop_app.store.store import Store
from desktop_app.ui.pages.reports import ReportsPage
from desktop_app.ui.tasks import SyncTaskRunner
from tests.reports.conftest import pdf_text
from tests.ui.pages_fixtures import make_context

DISTRICT, PROVINCE = "pre2025:125", "pre2025:14"


@pytest.fixture(scope="module")
def demo_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from desktop_app.demo import build_demo

    folder = tmp_path_factory.mktemp("reports-demo-pair")
    office, province = folder / "office.db", folder / "office-province.db"
    build_demo(office, DISTRICT, 1, province_path=province)
    return office, province


def _open(source: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / source.name
    shutil.copy(source, path)
    store = Store.open(path)
    yield store
    store.close()


@pytest.fixture
def district(demo_pair: tuple[Path, Path], tmp_path: Path) -> Iterator[Store]:
    yield from _open(demo_pair[0], tmp_path)


@pytest.fixture
def province(demo_pair: tuple[Path, Path], tmp_path: Path) -> Iterator[Store]:
    yield from _open(demo_pair[1], tmp_path)


def _page(qtbot: QtBot, store: Store) -> ReportsPage:
    ctx = make_context(store, "reviewer")
    ctx.runner = SyncTaskRunner()
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    return page


def _save(page: ReportsPage, monkeypatch: pytest.MonkeyPatch, out: Path) -> str:
    seen: list[str] = []

    def fake(_parent: object, _title: str, suggested: str, filters: str, _chosen: str) -> tuple:
        seen.append(filters)
        assert Path(suggested).suffix == ".pdf"
        return str(out), filters.split(";;")[0]

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    page.save_button.click()
    assert out.exists(), page.status_label.text()
    return seen[0]


def report_subject(store: Store) -> str:
    from desktop_app.reports.holes import build_holes_report

    return build_holes_report(store, PROVINCE, 2020).subject


def _flat(pdf: Path, *, layout: bool = False) -> str:
    return re.sub(r"\s+", " ", pdf_text(pdf, layout=layout))


def test_the_district_previews_and_saves_its_plan_follow_up(
    qtbot: QtBot, district: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, district)
    page.select("plan", DISTRICT, "2020Q4")
    assert not page.dhis2_button.isEnabled() and not page.by_area_box.isEnabled()
    page.preview_button.click()
    assert page.preview is not None and page.preview.model is None
    assert page.viewer.page_count() == len(PdfReader(page.preview.pdf).pages) >= 1
    out = tmp_path / "plan.pdf"
    filters = _save(page, monkeypatch, out)
    assert filters.count("*.") == 1  # PDF only
    text = _flat(out)
    assert "năm 2020" in text and "Huyện Mai Sơn" in text
    assert re.search(r"\b(Đạt|Chưa đạt|Vượt|đạt|chưa đạt|vượt)\b", text)
    # the page's PDF is the command line's
    from desktop_app.reports.plan import build_plan_report

    report = build_plan_report(district, DISTRICT, 2020)
    assert report.lines and all(line.name in text for line in report.lines)


def test_the_province_saves_its_holes_report_without_preview(
    qtbot: QtBot, province: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, province)
    kinds = [page.kind_box.itemData(i) for i in range(page.kind_box.count())]
    assert kinds[-2:] == ["plan", "holes"]
    page.select("holes", PROVINCE, "2020Q4")
    units = [page.unit_box.itemData(i) for i in range(page.unit_box.count())]
    assert PROVINCE in units and DISTRICT in units
    out = tmp_path / "holes.pdf"
    _save(page, monkeypatch, out)
    text = _flat(out)
    assert report_subject(province) in text
    from desktop_app.reports.holes import build_holes_report

    report = build_holes_report(province, PROVINCE, 2020)
    assert report.lines  # the demo province holds the district's hole programme
    assert all(line.village in text for line in report.lines)


def test_the_province_annex_grouped_by_area_from_the_page(
    qtbot: QtBot, province: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, province)
    page.select("province", PROVINCE, "2020Q4")
    assert page.by_area_box.isEnabled()
    page.by_area_box.setChecked(True)
    page.preview_button.click()
    assert page.preview is not None and page.preview.choice.annex_by_area
    out = tmp_path / "province.pdf"
    _save(page, monkeypatch, out)
    text = _flat(out, layout=True)
    assert "Các chỉ tiêu chính theo xã, nhóm theo địa bàn, Quý 4/2020" in text
    assert "Xã Chiềng Sung (Huyện Mai Sơn)" in text
    for group in ("I Xã biên giới (", "II Xã khu vực III (", "III Các xã khác ("):
        assert group in text
    page.by_area_box.setChecked(False)
    assert "press Preview" in page.status_label.text()  # the preview no longer matches
