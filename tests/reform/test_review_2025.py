"""The province approves the communes of the 2025 structure directly (no district), in the
window, on the 2025 demo province."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.store.store import Store
from desktop_app.ui.pages.review import ReviewPage, moves_for
from tests.ui.pages_fixtures import answer_confirmations, make_context

NEW = "2025:04108"


def test_moves_of_a_province_without_districts() -> None:
    assert moves_for(1, "submitted") == []
    assert moves_for(1, "submitted", direct=True) == ["approved", "returned"]
    assert moves_for(1, "approved", direct=True) == ["accepted", "returned"]


def test_the_province_approves_a_2025_commune(
    qtbot: QtBot,
    demo: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    province_path = tmp_path / "province.db"
    shutil.copy(demo[1], province_path)
    with Store.open(province_path) as store:
        page = ReviewPage(make_context(store, "reviewer"))
        qtbot.addWidget(page)
        page.year_box.setValue(2026)
        ids = [c.id for c in page.communes]
        assert ids and all(i.startswith("2025:") for i in ids) and NEW in ids
        page.year_box.setValue(2020)
        assert all(c.id.startswith("pre2025:") for c in page.communes)
        page.year_box.setValue(2026)
        page.select(NEW, "2026Q3")
        assert page.approve_button.isVisibleTo(page) and page.approve_button.isEnabled()
        answer_confirmations(monkeypatch, True)
        page.approve_button.click()
        assert store.submissions.get(NEW, "2026Q3").state == "approved"
        assert page.accept_button.isEnabled()
        page.accept_button.click()
        assert store.submissions.get(NEW, "2026Q3").state == "accepted"


def test_the_reports_page_offers_the_province_in_both_structures(
    demo: tuple[Path, Path],
) -> None:
    from datetime import date

    from desktop_app.domain.periods import Period
    from desktop_app.ui.pages.reports_choices import latest_period_with_data, units_for

    with Store.open(demo[1]) as store:
        office = store.node.office_id
        provinces = units_for(store, office, "province")
        assert [u for u, _label in provinces] == ["2025:14", "pre2025:14"]
        communes = [u for u, _label in units_for(store, office, "commune")]
        assert NEW in communes and "pre2025:04108" in communes
        assert latest_period_with_data(store, office, date(2026, 12, 2)) == Period(2026, 3)
