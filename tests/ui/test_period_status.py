"""One truthful state per period, the same in the sync page, the status bar and
``coverage-desk status``: after an export, a district import, the province's
acknowledgement (USB and network) and a return."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from desktop_app.cli import main
from desktop_app.commands.status_command import status_lines
from desktop_app.domain.units import UnitDirectory
from desktop_app.store.store import Store
from desktop_app.sync.exchange import export_bundle, import_bundle
from desktop_app.sync.status import ACKNOWLEDGED, period_status
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages.sync import SyncPage
from tests.helpers.net import PROVINCE, Net, add_village, set_households
from tests.ui.shell_helpers import context_for

C1, D1 = "pre2025:04108", "pre2025:125"


def window_of(qtbot: QtBot, store: Store, user: str = "canbo") -> MainWindow:
    window = MainWindow(context_for(store, "clerk", user))
    qtbot.addWidget(window)
    window.show()
    return window


def sync_page(window: MainWindow) -> SyncPage:
    page = window.page("sync")
    assert isinstance(page, SyncPage)
    return page


def rows(page: SyncPage) -> dict[str, tuple[str, str]]:
    """Period label → (sync state, review state) as the table shows them."""
    page.reload()
    m = page.model
    return {
        m.item(r, 1).text(): (m.item(r, 2).text(), m.item(r, 3).text()) for r in range(m.rowCount())
    }


def bar_reads(qtbot: QtBot, window: MainWindow, text: str) -> None:
    """The status bar (refreshed by the bus, after the event loop turns) says ``text``."""
    qtbot.waitUntil(lambda: window.status.unsent.text() == text, timeout=5000)


def test_export_then_district_import_then_province_acknowledgement_by_usb(
    qtbot: QtBot, net: Net, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commune = net[C1]
    village = add_village(commune, "Bản Nà Sản")
    set_households(commune, village, 120)
    commune.submissions.move(C1, "2019", "submitted")
    window = window_of(qtbot, commune)
    page = sync_page(window)
    assert rows(page) == {"2019": ("not sent", "submitted for review")}
    bar_reads(qtbot, window, "Not yet acknowledged by the province: 1 periods")

    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(usb))
    page.export_button.click()
    (bundle,) = usb.glob("*.cdsync")
    assert rows(page) == {"2019": ("exported", "submitted for review")}
    assert status_lines(commune) == ["Xã Chiềng Sung — 2019: submitted for review; exported"]

    import_bundle(net[D1], bundle, backup=False)
    assert status_lines(net[D1]) == [
        "Xã Chiềng Sung — 2019: submitted for review; received by the district"
    ]
    net.send(D1, C1)  # the district's reply carries what it holds
    assert period_status(commune, C1, "2019").sync.label() == "received by the district"

    net.send(D1, PROVINCE)
    net.send(PROVINCE, D1)
    back = tmp_path / "back.cdsync"
    export_bundle(net[D1], back, level=3)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(back), ""))
    page.import_button.click()
    assert rows(page) == {"2019": ("acknowledged by the province", "submitted for review")}
    bar_reads(qtbot, window, "Everything entered is acknowledged by the province")


def test_a_return_shows_its_reason_everywhere(
    qtbot: QtBot, net: Net, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commune = net[C1]
    set_households(commune, add_village(commune, "Bản Áng"), 80)
    commune.submissions.move(C1, "2019", "submitted")
    net.send(C1, D1)
    net[D1].submissions.move(C1, "2019", "returned", reason="Số hộ chưa khớp sổ hộ khẩu")
    window = window_of(qtbot, commune)
    assert not window.status.returned.isVisibleTo(window)
    back = tmp_path / "returned.cdsync"
    export_bundle(net[D1], back, level=3)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(back), ""))
    page = sync_page(window)
    page.import_button.click()
    assert rows(page) == {"2019": ("returned: Số hộ chưa khớp sổ hộ khẩu", "returned")}
    qtbot.waitUntil(lambda: window.status.returned.isVisibleTo(window), timeout=5000)
    assert window.status.returned.text() == "Returned: 1 periods"
    assert status_lines(commune) == [
        "Xã Chiềng Sung — 2019: returned; returned: Số hộ chưa khớp sổ hộ khẩu;"
        " received by the district"
    ]


def test_a_village_added_refreshes_the_status_bar(qtbot: QtBot, net: Net) -> None:
    commune = net[C1]
    window = window_of(qtbot, commune)
    bar_reads(qtbot, window, "Everything entered is acknowledged by the province")
    set_households(commune, add_village(commune, "Bản Hìn"), 12)
    window.context.bus.villages_changed.emit(C1)  # what the village page says after a write
    bar_reads(qtbot, window, "Not yet acknowledged by the province: 1 periods")


def test_network_sync_after_an_export_and_a_return_says_acknowledged(
    qtbot: QtBot,
    tmp_path: Path,
    unit_directory: UnitDirectory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The case the window got wrong: exported by USB, returned by the district (a
    change the province has not seen yet), corrected, then synced over the network:
    the province holds all the commune wrote, so every period is acknowledged."""
    from functools import partial

    from desktop_app.netsync.client import sync_office
    from desktop_app.server.app import create_app
    from tests.server.conftest import ServerThread, fill_period, make_province

    province = make_province(tmp_path, unit_directory, (D1, C1))
    commune, district = province[C1], province[D1]
    try:
        fill_period(commune, 2, period="2024")
        fill_period(commune, 1, period="2023")
        commune.submissions.move(C1, "2024", "submitted")
        usb = tmp_path / "usb.cdsync"
        export_bundle(commune, usb, level=3)
        import_bundle(district, usb, backup=False)
        district.submissions.move(C1, "2024", "returned", reason="Thiếu số hộ bản 2")
        down = tmp_path / "down.cdsync"
        export_bundle(district, down, level=3)
        import_bundle(commune, down, backup=False)
        fill_period(commune, 1, period="2024")
        commune.submissions.move(C1, "2024", "submitted")

        window = window_of(qtbot, commune)
        page = sync_page(window)
        assert rows(page)["2024"] == ("not sent", "submitted for review")
        bar_reads(qtbot, window, "Not yet acknowledged by the province: 2 periods")
        box = page.network_box
        assert box is not None
        box.sync = partial(sync_office, retries=0)
        province[PROVINCE].close()
        with ServerThread(create_app(province.path)) as server:
            box.url_edit.setText(server.url)
            box.sync_button.click()
        assert "Synced with the province server." in box.message_label.text()
        assert rows(page) == {
            "2024": ("acknowledged by the province", "submitted for review"),
            "2023": ("acknowledged by the province", "draft"),
        }
        bar_reads(qtbot, window, "Everything entered is acknowledged by the province")
        assert all(
            period_status(commune, C1, p).sync.state == ACKNOWLEDGED for p in ("2023", "2024")
        )
        path = commune.path
        assert path is not None
        window.close()
        commune.close()
        capsys.readouterr()
        assert main(["--lang", "vi", "status", "--db", str(path)]) == 0
        assert capsys.readouterr().out.splitlines() == [
            "Xã Chiềng Sung — Năm 2024: đã gửi duyệt; tỉnh đã xác nhận",
            "Xã Chiềng Sung — Năm 2023: chưa gửi duyệt; tỉnh đã xác nhận",
        ]
        assert main(["--lang", "vi", "status", "--db", str(path), "--period", "2023"]) == 0
        assert capsys.readouterr().out.splitlines() == [
            "Xã Chiềng Sung — Năm 2023: chưa gửi duyệt; tỉnh đã xác nhận"
        ]
        assert main(["--lang", "vi", "status", "--db", str(path), "--period", "quý 4"]) == 1
        assert "quý 4 không phải là một kỳ" in capsys.readouterr().err
    finally:
        for store in province.offices.values():
            if not store.db.is_closed():
                store.close()
