"""Sending from the entry page: the period's state line, the checks before sending (a
broken rule blocks and its line goes to the cell; warnings ask), "sent" only once the
data left, and editing a submitted period asks and takes it back to draft."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop_app.store.changes import Actor
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages.entry import make_entry_page
from desktop_app.ui.pages.entry_submit import SubmitCheckDialog
from desktop_app.ui.pages.entry_view import EntryPage
from desktop_app.ui.pages.review import ReviewPage
from tests.conftest import COMMUNE
from tests.ui.pages_fixtures import answer_confirmations
from tests.ui.shell_helpers import context_for, controller_of, enter_value

DISTRICT_ACTOR = Actor("district-node", 2, "pre2025:125", "huyen")


@pytest.fixture
def village(commune_store: Store) -> str:
    return commune_store.villages.add(COMMUNE, "Bản Nà Sản").id


@pytest.fixture
def page(qtbot: QtBot, commune_store: Store, village: str) -> Iterator[EntryPage]:
    view = make_entry_page(context_for(commune_store))
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    qtbot.waitExposed(view)
    yield view


def put(store: Store, village: str, code: str, value: int) -> None:
    """A value written past the typing checks (as a sync or an old version could)."""
    store.values.set_value(ValueWrite(COMMUNE, village, "2019", code, value), check_rules=False)


def drive_check(monkeypatch: pytest.MonkeyPatch, act: Any) -> list[SubmitCheckDialog]:
    """Make the check dialog run ``act(dialog)`` instead of waiting for the clerk."""
    seen: list[SubmitCheckDialog] = []

    def fake_exec(dialog: SubmitCheckDialog) -> int:
        seen.append(dialog)
        act(dialog)
        return int(dialog.result())

    monkeypatch.setattr(SubmitCheckDialog, "exec", fake_exec)
    return seen


def test_a_broken_rule_blocks_sending_and_its_line_goes_to_the_cell(
    qtbot: QtBot,
    page: EntryPage,
    commune_store: Store,
    village: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    put(commune_store, village, "so_ho", 120)
    put(commune_store, village, "dan_so", 100)  # fewer people than households: an error
    ctrl = controller_of(page)
    ctrl.reload()
    assert page.state_line.text().startswith("Not sent yet")

    def open_first(dialog: SubmitCheckDialog) -> None:
        assert not dialog.send_button.isVisibleTo(dialog)  # errors: no way to send
        assert dialog.list.count() >= 1
        first = dialog.list.item(0).text()
        assert first.startswith("Error — Bản Nà Sản / ") and "so_ho" not in first
        QTest.keyClick(dialog.list, Qt.Key.Key_Return)  # Enter on the line: go there

    dialogs = drive_check(monkeypatch, open_first)
    page.tabs.setCurrentIndex(1)
    page.submit_button.click()
    assert len(dialogs) == 1 and dialogs[0].chosen is not None
    assert commune_store.submissions.get(COMMUNE, "2019Q2").state == "draft"
    assert page.tabs.currentIndex() == 0  # back on the village grid, at the broken cell
    key = dialogs[0].chosen.key
    assert key[0] == village and key[1] in ("so_ho", "dan_so")
    index = ctrl.village_model.index_of(*key)
    assert index.isValid() and page.village_table.currentIndex() == index
    assert page.village_table.hasFocus()


def test_warnings_ask_then_send_and_sent_only_once_the_data_left(
    qtbot: QtBot,
    page: EntryPage,
    commune_store: Store,
    village: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctrl = controller_of(page)
    table = page.village_table
    col = {c.indicator.code: n for n, c in enumerate(ctrl.village_model.cells[0]) if c}
    enter_value(table, ctrl.village_model.index(0, col["so_ho"]), "100")
    enter_value(table, ctrl.village_model.index(0, col["dan_so"]), "2000")  # > 15 per household
    assert commune_store.values.get(village, "2019", "dan_so", "") is not None

    dialogs = drive_check(monkeypatch, lambda d: d.send_button.click())
    page.submit_button.click()
    assert dialogs and all(not p.error for p in dialogs[0].problems)
    assert commune_store.submissions.get(COMMUNE, "2019Q2").state == "submitted"
    # marked for sending, not "sent": nothing has left this computer
    assert page.state_line.text().startswith("Ready to send, but it has not left this computer")
    assert not page.submit_button.isEnabled()


def test_a_clean_period_is_sent_after_one_question(
    qtbot: QtBot,
    page: EntryPage,
    commune_store: Store,
    village: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    put(commune_store, village, "so_ho", 100)
    put(commune_store, village, "dan_so", 400)
    controller_of(page).reload()
    asked = answer_confirmations(monkeypatch, False)
    page.submit_button.click()
    assert "Every rule is met" in asked[0]
    assert commune_store.submissions.get(COMMUNE, "2019Q2").state == "draft"
    answer_confirmations(monkeypatch, True)
    page.submit_button.click()
    assert commune_store.submissions.get(COMMUNE, "2019Q2").state == "submitted"


def test_editing_a_submitted_period_asks_and_takes_it_back_to_draft(
    qtbot: QtBot,
    page: EntryPage,
    commune_store: Store,
    village: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commune_store.submissions.move(COMMUNE, "2019Q2", "submitted")
    ctrl = controller_of(page)
    ctrl.open(COMMUNE, page.period.period())
    table = page.village_table
    col = {c.indicator.code: n for n, c in enumerate(ctrl.village_model.cells[0]) if c}
    asked = answer_confirmations(monkeypatch, False)
    enter_value(table, ctrl.village_model.index(0, col["so_ho"]), "90")
    assert "already submitted" in asked[0]
    assert commune_store.values.get(village, "2019", "so_ho", "") is None  # nothing written
    assert commune_store.submissions.get(COMMUNE, "2019Q2").state == "submitted"
    assert "stays submitted" in page.message.text()

    asked = answer_confirmations(monkeypatch, True)
    enter_value(table, ctrl.village_model.index(0, col["so_ho"]), "90")
    assert len(asked) == 1
    assert commune_store.values.get(village, "2019", "so_ho", "").value == "90"  # type: ignore[union-attr]
    sub = commune_store.submissions.get(COMMUNE, "2019Q2")
    assert (sub.state, sub.updated_by) == ("draft", "canbo")
    logged = commune_store.db.execute_sql(
        "SELECT user, action FROM audit WHERE entity = 'submission' ORDER BY id"
    ).fetchall()
    # the move is in the audit log (and the change log it syncs by), with who made it
    assert logged == [
        ("canbo", "submitted"),
        ("canbo", "draft"),
    ]
    enter_value(table, ctrl.village_model.index(0, col["dan_so"]), "400")
    assert len(asked) == 1  # a draft is edited without asking again
    assert page.submit_button.isEnabled()


def test_a_returned_period_shows_its_reason_on_the_entry_page(
    qtbot: QtBot, commune_store: Store, village: str
) -> None:
    commune_store.submissions.move(COMMUNE, "2019Q2", "submitted")
    commune_store.submissions.move(
        COMMUNE, "2019Q2", "returned", reason="Dân số bản Nà Sản chưa khớp", actor=DISTRICT_ACTOR
    )
    view = make_entry_page(context_for(commune_store))
    qtbot.addWidget(view)
    view.show()
    text = view.state_line.text()
    assert text == (
        "Returned by the district: Dân số bản Nà Sản chưa khớp. Correct it, then send the "
        "report again."
    )
    assert "#ffe0e0" in view.state_line.styleSheet() and view.state_line.isVisible()
    assert view.submit_button.isEnabled()


def test_the_review_page_sends_through_the_entry_page_checks(
    qtbot: QtBot, commune_store: Store, village: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(commune_store, village, "so_ho", 120)
    put(commune_store, village, "dan_so", 100)
    window = MainWindow(context_for(commune_store))
    qtbot.addWidget(window)
    window.show()
    review = window.show_page("review")
    assert isinstance(review, ReviewPage)
    review.year_box.setValue(2019)
    review.select(COMMUNE, "2019Q2")
    dialogs = drive_check(monkeypatch, lambda d: d.close_button.click())
    review.submit_button.click()
    assert len(dialogs) == 1 and any(p.error for p in dialogs[0].problems)
    assert window.stack.currentWidget() is window.page("entry")
    assert commune_store.submissions.get(COMMUNE, "2019Q2").state == "draft"


@pytest.mark.parametrize(
    ("commune_id", "above"), [("pre2025:04108", "district"), ("2025:04108", "province")]
)
def test_the_state_line_names_the_office_that_reviews_the_commune(
    commune_id: str, above: str
) -> None:
    """A 2025 commune has no district: its province receives, returns and approves it."""
    from desktop_app.sync.status import EXPORTED, PeriodStatus, PeriodSyncState
    from desktop_app.ui.pages.entry_submit import state_line

    def line(submission: str, sync: str = EXPORTED, reason: str = "") -> str:
        status = PeriodStatus(commune_id, "2025Q3", submission, reason, PeriodSyncState(sync))
        return state_line(status)[0]

    assert line("submitted") == f"Sent: the bundle is written. Take it to the {above}."
    assert line("approved") == f"Approved by the {above}."
    assert line("returned", reason="Thiếu số hộ.").startswith(
        f"Returned by the {above}: Thiếu số hộ. Correct it"
    )
