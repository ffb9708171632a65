"""Review and approval: a commune sends a period, its district approves or returns it."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.store.errors import LockedPeriodError
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from desktop_app.ui.dialogs.reason import ReasonDialog
from desktop_app.ui.pages.review import ReviewPage, moves_for
from tests.conftest import COMMUNE
from tests.ui.pages_fixtures import (
    COMMUNE_ACTOR,
    answer_confirmations,
    drive,
    make_context,
    type_text,
)


def _page(qtbot: QtBot, store: Store, role: str) -> ReviewPage:
    page = ReviewPage(make_context(store, role))
    qtbot.addWidget(page)
    page.year_box.setValue(2019)
    return page


def test_commune_sends_its_period(qtbot: QtBot, commune_store: Store, monkeypatch) -> None:
    from desktop_app.ui.main_window import MainWindow
    from tests.ui.shell_helpers import context_for

    window = MainWindow(context_for(commune_store, "clerk", "user.clerk"))
    qtbot.addWidget(window)
    page = window.show_page("review")
    assert isinstance(page, ReviewPage)
    page.year_box.setValue(2019)
    assert page.model.rowCount() == 1  # a commune office sees its own row only
    assert not page.approve_button.isVisibleTo(page)
    page.select(COMMUNE, "2019Q1")
    assert page.submit_button.isEnabled()
    asked = answer_confirmations(monkeypatch, True)
    page.submit_button.click()  # sent through the entry page, where the rules are checked
    assert "Xã Chiềng Sung" in asked[0]
    sub = commune_store.submissions.get(COMMUNE, "2019Q1")
    assert (sub.state, sub.updated_by) == ("submitted", "user.clerk")
    assert page.model.index(0, 0).data() == "Submitted"
    assert not page.submit_button.isEnabled()  # sent: nothing more to do here


def test_district_approves_and_the_period_is_locked(
    qtbot: QtBot, district_store: Store, monkeypatch
) -> None:
    # the commune's submission arrived (by sync) in the district's database
    district_store.submissions.move(COMMUNE, "2019Q1", "submitted", actor=COMMUNE_ACTOR)
    page = _page(qtbot, district_store, "reviewer")
    assert page.model.rowCount() > 10 and not page.submit_button.isVisibleTo(page)
    page.select(COMMUNE, "2019Q1")
    answer_confirmations(monkeypatch, True)
    page.approve_button.click()
    assert district_store.submissions.get(COMMUNE, "2019Q1").state == "approved"
    cell = page.selected_cell()
    assert cell is not None and cell.locked
    assert page.model.index(page.table.currentIndex().row(), 0).data() == "Approved · locked"
    assert "Locked" in page.detail_label.text()
    assert not page.approve_button.isEnabled()
    with pytest.raises(LockedPeriodError):
        district_store.values.set_value(
            ValueWrite(COMMUNE, None, "2019Q1", "bts_vi_tri", 1, "viettel"), actor=COMMUNE_ACTOR
        )


def test_district_returns_with_a_reason(qtbot: QtBot, district_store: Store, monkeypatch) -> None:
    district_store.submissions.move(COMMUNE, "2019Q2", "submitted", actor=COMMUNE_ACTOR)
    page = _page(qtbot, district_store, "reviewer")
    page.select(COMMUNE, "2019Q2")
    reasons = iter(["", "Thiếu số liệu bản Nà Sản"])

    def fill(dialog: ReasonDialog) -> None:
        dialog.reason_edit.clear()
        type_text(dialog.reason_edit, next(reasons))

    dialogs = drive(monkeypatch, ReasonDialog, fill)
    page.return_button.click()  # an empty reason is refused: the dialog stays open
    assert dialogs[0].error_label.text() == "Write the reason for returning the period."
    assert district_store.submissions.get(COMMUNE, "2019Q2").state == "submitted"
    page.return_button.click()
    sub = district_store.submissions.get(COMMUNE, "2019Q2")
    assert (sub.state, sub.reason) == ("returned", "Thiếu số liệu bản Nà Sản")
    assert "Thiếu số liệu bản Nà Sản" in page.detail_label.text()


def test_clerk_of_the_district_cannot_approve(qtbot: QtBot, district_store: Store) -> None:
    district_store.submissions.move(COMMUNE, "2019Q3", "submitted", actor=COMMUNE_ACTOR)
    page = _page(qtbot, district_store, "clerk")
    page.select(COMMUNE, "2019Q3")
    assert page.approve_button.isVisibleTo(page) and not page.approve_button.isEnabled()


def test_moves_by_office_level() -> None:
    assert moves_for(3, "returned") == ["submitted"]
    assert moves_for(3, "submitted") == []
    assert moves_for(2, "submitted") == ["approved", "returned"]
    assert moves_for(1, "approved") == ["accepted"]
