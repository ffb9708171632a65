"""Plain http to another machine in the window (issue 14): refused in one line unless the
office settings allow it, and then the sync page and the status bar say it is not
encrypted (a warning, not a blocker). Real store, real server, real widgets, Vietnamese."""

from __future__ import annotations

import socket
from functools import partial
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.domain.units import UnitDirectory
from desktop_app.i18n import setup as setup_i18n
from desktop_app.netsync.client import sync_office
from desktop_app.server.app import create_app
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.admin_settings import SettingsTab
from desktop_app.ui.pages.sync import SyncPage
from desktop_app.ui.status import StatusBar
from desktop_app.ui.tasks import SyncTaskRunner
from tests.server.conftest import (
    C1,
    PROVINCE,
    ServerThread,
    count_changes,
    fill_period,
    make_province,
)
from tests.ui.pages_fixtures import make_context

WARNING = "là kết nối http thường tới máy khác"
STATUS = "Đồng bộ qua mạng không mã hóa (http)"


def this_machine() -> str:
    """A name of this machine that is not 'localhost' yet reaches the loopback server."""
    name = socket.gethostname()
    try:
        if socket.gethostbyname(name) == "127.0.0.1" and name.lower() != "localhost":
            return name
    except OSError:
        pass
    pytest.skip(f"the host name {name!r} does not resolve to 127.0.0.1 here")
    return ""


def test_plain_http_elsewhere_is_refused_unless_allowed_and_then_shown(
    qtbot: QtBot, tmp_path: Path, unit_directory: UnitDirectory
) -> None:
    host = this_machine()
    setup_i18n("vi")
    province = make_province(tmp_path, unit_directory, (C1,))
    commune = province[C1]
    try:
        changes = fill_period(commune, 3)
        admin = make_context(commune, "admin", language="vi")
        clerk = AppContext(store=commune, user=admin.user, language="vi")
        clerk.runner = SyncTaskRunner()
        page = SyncPage(clerk)
        status = StatusBar(commune)
        qtbot.addWidget(page)
        qtbot.addWidget(status)
        clerk.bus.status_changed.connect(status.refresh)
        box = page.network_box
        assert box is not None
        box.sync = partial(sync_office, retries=0, backup=False)
        province[PROVINCE].close()  # the server opens the province file itself
        with ServerThread(create_app(province.path)) as server:
            url = f"http://{host}:{server.port}"
            # not allowed: no warning, the sync refused in one line, nothing sent
            box.url_edit.setText(url)
            assert box.warning_label.isHidden() and status.insecure.isHidden()
            box.sync_button.click()
            refusal = box.message_label.text()
            assert refusal == (
                f"{url} là kết nối http thường tới máy khác: hãy dùng https://, hoặc quản trị"
                " viên cho phép http thường trong Quản trị › Thông tin cơ quan (chỉ trên mạng"
                " tin cậy)."
            ), refusal
            assert "sync_server_url" not in commune.reference.settings()
            assert count_changes(commune, commune.node.node_id) == changes
            # the administrator allows it on the settings page
            settings = SettingsTab(admin)
            qtbot.addWidget(settings)
            assert not settings.insecure_box.isChecked()
            settings.insecure_box.setChecked(True)
            settings.save_button.click()
            assert commune.reference.settings()["sync_insecure_http"] == "1"
            box.show_warning()
            assert not box.warning_label.isHidden()
            assert WARNING in box.warning_label.text() and url in box.warning_label.text()
            assert status.insecure.isHidden()  # no server configured yet
            # a warning, not a blocker: the sync goes through
            box.sync_button.click()
            text = box.message_label.text()
            assert text.startswith("Đã đồng bộ với máy chủ của tỉnh."), text
            assert f"Số thay đổi đã gửi: {changes} (tỉnh đã nhận: {changes}" in text, text
            assert WARNING in box.warning_label.text()  # still said after the sync
            # the configured server is saved: the status bar says it too (status_changed)
            assert commune.reference.settings()["sync_server_url"] == url
            assert not status.insecure.isHidden() and status.insecure.text() == STATUS
            assert WARNING in status.insecure.toolTip()
        from desktop_app.store.store import Store

        with Store.open(province.path) as prov:
            assert count_changes(prov, commune.node.node_id) == changes
        # https, or http on this machine: nothing to warn about
        for safe in ("https://so-tttt.sonla.gov.vn:8765", "http://127.0.0.1:8765"):
            box.url_edit.setText(safe)
            assert box.warning_label.isHidden(), safe
            commune.reference.set_settings({"sync_server_url": safe})
            status.refresh()
            assert status.insecure.isHidden(), safe
    finally:
        setup_i18n("en")
        for store in province.offices.values():
            if not store.db.is_closed():
                store.close()
