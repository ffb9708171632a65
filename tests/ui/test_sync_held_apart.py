"""The Sync page shows what the office holds apart (a revocation's take-back, a change
out of its sender's scope) in a box of its own, read again after every import."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app import i18n
from desktop_app.sync.certificates import day_text
from desktop_app.ui.pages.sync import HELD_LINES, SyncPage
from desktop_app.ui.tasks import SyncTaskRunner
from tests.helpers.net import PROVINCE, Net
from tests.helpers.quarantine import (
    DISTRICT,
    FORGER,
    REVOKED,
    WHY,
    forge_village_of,
    stick_past_the_position,
)
from tests.ui.pages_fixtures import make_context


def district_page(qtbot: QtBot, net: Net) -> SyncPage:
    context = make_context(net[DISTRICT], "reviewer", language="vi")
    context.runner = SyncTaskRunner()
    page = SyncPage(context)
    qtbot.addWidget(page)
    return page


def import_through_page(page: SyncPage, bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page, "choose_bundle_file", lambda: bundle)
    page.import_button.click()


def test_the_sync_page_shows_what_is_held_apart_after_each_import(
    qtbot: QtBot, net: Net, monkeypatch: pytest.MonkeyPatch
) -> None:
    i18n.setup("vi")
    stick_past_the_position(net)
    page = district_page(qtbot, net)
    assert page.held_box.title() == "Thay đổi đang giữ riêng"
    assert not page.held_box.isVisibleTo(page)  # nothing held apart yet

    import_through_page(page, net.export(PROVINCE, DISTRICT), monkeypatch)  # the revocation
    (at,) = net[DISTRICT].db.execute_sql("SELECT revoked_at FROM revocation").fetchone()
    revoked = (
        f"Đang giữ riêng 4 thay đổi của Xã Chiềng Sung (04108): chứng thư bị thu hồi ngày "
        f"{day_text(str(at))} ({WHY})"
    )
    assert page.held_box.isVisibleTo(page)
    assert page.held_label.text().splitlines() == [revoked]
    # the log's own record of the take-back is not shown as a warning: the box says it
    assert "epoch" not in page.warnings_label.text(), page.warnings_label.text()

    forge_village_of(net, FORGER, REVOKED, "forged-1")
    import_through_page(page, net.export(FORGER, DISTRICT), monkeypatch)
    assert page.held_label.text().splitlines() == [
        "Đang giữ riêng 1 thay đổi của Thị trấn Hát Lót (04105): ngoài phạm vi của đơn vị gửi",
        revoked,
    ]
    count = net[DISTRICT].db.execute_sql("SELECT count(*) FROM sync_quarantine").fetchone()
    assert count == (5,)


def test_a_long_quarantine_shows_its_first_lines_and_a_count(
    qtbot: QtBot, net: Net, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each sender office is a line; past HELD_LINES the box ends with how many more."""
    district = net[DISTRICT]
    page = district_page(qtbot, net)
    offices = [u.id for u in net[PROVINCE].reference.communes_under(PROVINCE)][: HELD_LINES + 2]
    with district.transaction():
        district.db.cursor().executemany(
            "INSERT INTO sync_quarantine (origin, epoch, seq, entity, entity_key, scope_unit,"
            " reason, signer, received_from, received_at) VALUES (?, 1, 1, 'village', '{}',"
            " ?, ?, ?, ?, '2019-04-10')",
            [(f"node-{o}", o, f"{o} may not write data of {REVOKED}", o, o) for o in offices],
        )
    page.reload()
    lines = page.held_label.text().splitlines()
    assert len(lines) == HELD_LINES + 1
    assert all(
        line.endswith("held apart: outside the sending office's scope") for line in lines[:-1]
    )
    assert lines[-1] == "…and 2 more lines: coverage-desk status lists them all."
