"""Periods due and late (the 10th of the month after the quarter, or the province's day)
in the status bar and on the entry page; network sync in the background: off by default,
on a timer when a server is set, never while the clerk is typing."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.domain.periods import Period
from desktop_app.domain.units import UnitDirectory
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from desktop_app.sync.status import (
    ACKNOWLEDGED,
    DEADLINE_SETTING,
    deadline_of,
    due_periods,
    period_status,
)
from desktop_app.ui.background_sync import EVERY_SETTING, BackgroundSync, typing_now
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages.entry_view import EntryPage
from tests.conftest import COMMUNE
from tests.helpers.clock import FakeClock
from tests.ui.shell_helpers import context_for, controller_of, go_to, type_chars


def test_the_deadline_is_the_10th_of_the_month_after_the_quarter() -> None:
    assert deadline_of(Period(2019, 1)) == date(2019, 4, 10)
    assert deadline_of(Period(2020, 4)) == date(2021, 1, 10)
    assert deadline_of(Period(2020, 4), 5) == date(2021, 1, 5)


def test_due_then_late_then_sent(qtbot: QtBot, commune_store: Store, clock: FakeClock) -> None:
    village = commune_store.villages.add(COMMUNE, "Bản Nà Sản").id
    commune_store.values.set_value(
        ValueWrite(COMMUNE, None, "2019Q1", "bts_vi_tri", 2, "viettel"), check_rules=False
    )
    assert village
    window = MainWindow(context_for(commune_store))
    qtbot.addWidget(window)
    window.show()
    # the clock says 10 April 2019: Q1 is due today
    assert [(d.period, d.late) for d in due_periods(commune_store, COMMUNE, date(2019, 4, 10))] == [
        ("2019Q1", False)
    ]
    assert window.status.due.text() == "Due: Q1 2019 (by 10/04/2019)"
    clock.advance(86400)
    window.status.refresh()
    assert window.status.due.text() == "Late: Q1 2019"
    assert "b00020" in window.status.due.styleSheet()
    entry = window.page("entry")
    assert isinstance(entry, EntryPage)
    controller_of(entry).open(COMMUNE, Period(2019, 1))
    assert "Late: it was due on 10/04/2019." in entry.state_line.text()

    commune_store.reference.set_settings({DEADLINE_SETTING: "15"})  # the province's day
    window.status.refresh()
    assert window.status.due.text() == "Due: Q1 2019 (by 15/04/2019)"

    commune_store.submissions.move(COMMUNE, "2019Q1", "submitted")
    window.status.refresh()
    assert not window.status.due.isVisibleTo(window)


def test_background_sync_is_off_by_default_and_waits_for_the_typing(
    qtbot: QtBot, tmp_path: Path, unit_directory: UnitDirectory
) -> None:
    from desktop_app.netsync.client import sync_office
    from desktop_app.server.app import create_app
    from desktop_app.ui.pages.entry import make_entry_page
    from tests.server.conftest import PROVINCE, ServerThread, fill_period, make_province

    province = make_province(tmp_path, unit_directory, (COMMUNE,))
    commune = province[COMMUNE]
    try:
        fill_period(commune, 2, period="2024")
        context = context_for(commune)
        background = BackgroundSync(context, partial(sync_office, retries=0))
        assert not background.timer.isActive()  # off: no interval set
        province[PROVINCE].close()
        with ServerThread(create_app(province.path)) as server:
            commune.reference.set_settings({"sync_server_url": server.url})
            background.reconfigure()
            assert not background.timer.isActive()  # a server alone does not turn it on
            commune.reference.set_settings({EVERY_SETTING: "15"})
            background.reconfigure()
            assert background.timer.isActive() and background.timer.interval() == 15 * 60_000

            # the clerk is typing in a cell: this turn waits
            view = make_entry_page(context)
            qtbot.addWidget(view)
            view.show()
            qtbot.waitExposed(view)
            view.activateWindow()
            ctrl = controller_of(view)
            go_to(view.village_table, ctrl.village_model.index(0, 1))
            qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=3000)
            type_chars("12")  # an editor is open, nothing committed yet
            assert typing_now()
            assert not background.tick()
            assert background.retry.isActive()
            assert period_status(commune, COMMUNE, "2024").sync.state != ACKNOWLEDGED

            view.close()
            QApplication.processEvents()
            done: list[object] = []
            background.synced.connect(done.append)
            assert not typing_now()
            assert background.tick()
            assert done  # the synchronous runner of the tests: already back
        assert period_status(commune, COMMUNE, "2024").sync.state == ACKNOWLEDGED
    finally:
        for store in province.offices.values():
            if not store.db.is_closed():
                store.close()
