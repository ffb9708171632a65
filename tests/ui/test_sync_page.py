"""The sync page: a commune exports a bundle, its district imports it; errors in words;
enrolment by file; each period's sync state."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from desktop_app.domain.units import UnitDirectory
from desktop_app.store.office import create_office
from desktop_app.store.store import Store
from desktop_app.sync.certificates import approve_request, read_json_file, write_atomic
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.sync import SyncPage
from desktop_app.ui.tasks import SyncTaskRunner
from tests.helpers.clock import FakeClock
from tests.helpers.net import PROVINCE, Net, add_village, set_households, values_of
from tests.ui.pages_fixtures import make_context

C1, D1 = "pre2025:04108", "pre2025:125"


def page_of(qtbot: QtBot, store: Store, role: str = "clerk") -> SyncPage:
    user = {u.username: u for u in store.users.all()}.get(f"user.{role}")
    context = (
        make_context(store, role)
        if user is None
        else AppContext(store=store, user=user, language="en")
    )
    context.runner = SyncTaskRunner()
    page = SyncPage(context)
    qtbot.addWidget(page)
    return page


def pick_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))


def pick_file(monkeypatch: pytest.MonkeyPatch, file: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(file), ""))


def export_from(qtbot: QtBot, store: Store, usb: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    page = page_of(qtbot, store)
    pick_folder(monkeypatch, usb)
    before = set(usb.glob("*.cdsync")) if usb.exists() else set()
    page.export_button.click()
    (written,) = set(usb.glob("*.cdsync")) - before
    return written


def test_commune_exports_and_district_imports(
    qtbot: QtBot, net: Net, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commune = net[C1]
    village = add_village(commune, "Bản Nà Sản")
    set_households(commune, village, 120)
    set_households(commune, village, 125, period="2018")
    page = page_of(qtbot, commune)
    assert page.exchange.isVisibleTo(page) and not page.enrol_box.isVisibleTo(page)
    states = [page.model.item(r, 2).text() for r in range(page.model.rowCount())]
    assert states == ["not sent", "not sent"]
    statuses: list[bool] = []
    page.ctx.bus.status_changed.connect(lambda: statuses.append(True))

    usb = tmp_path / "usb-stick"
    pick_folder(monkeypatch, usb)
    page.export_button.click()
    (bundle,) = usb.glob("*.cdsync")
    assert bundle.name.startswith("xa-chieng-sung-2019")
    text = page.result_label.text()
    assert f"Bundle written: {bundle.name}" in text
    assert "Changes in the bundle: 3 (values: 2, villages: 1), from Xã Chiềng Sung." in text
    assert statuses == [True]
    assert page.model.item(0, 0).text() == "Xã Chiềng Sung"
    assert page.model.item(0, 2).text() == "exported"

    district = net[D1]
    dpage = page_of(qtbot, district)
    pick_file(monkeypatch, bundle)
    changed: list[tuple[str, str]] = []
    dpage.ctx.bus.values_changed.connect(lambda c, p: changed.append((c, p)))
    dpage.import_button.click()
    assert values_of(district, C1)[(village, "2019", "so_ho", "")] == "120"
    assert values_of(district, C1)[(village, "2018", "so_ho", "")] == "125"
    text = dpage.result_label.text()
    assert "Bundle from Xã Chiềng Sung imported." in text
    assert "Changes received: 3 (values: 2, villages: 1), written by Xã Chiềng Sung." in text
    assert (C1, "2019") in changed
    rows = {
        (dpage.model.item(r, 0).text(), dpage.model.item(r, 1).text()): dpage.model.item(
            r, 2
        ).text()
        for r in range(dpage.model.rowCount())
    }
    assert rows[("Xã Chiềng Sung", "2019")] == "received by the district"

    # the same file again changes nothing and says so
    dpage.import_button.click()
    assert "already imported; nothing changed" in dpage.result_label.text()


def test_acknowledgement_comes_back_down(
    qtbot: QtBot, net: Net, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commune = net[C1]
    set_households(commune, add_village(commune, "Bản Áng"), 80)
    net.send(C1, D1)
    net.send(D1, PROVINCE)
    net.send(PROVINCE, D1)
    bundle = export_from(qtbot, net[D1], tmp_path / "down", monkeypatch)
    page = page_of(qtbot, commune)
    pick_file(monkeypatch, bundle)
    page.import_button.click()
    text = page.result_label.text()
    assert "Changes of this office newly acknowledged by the province: 2." in text
    assert "Everything this office sent is acknowledged by the province." in text
    assert page.model.item(0, 2).text() == "acknowledged by the province"


def test_a_damaged_bundle_is_refused_and_changes_nothing(
    qtbot: QtBot, net: Net, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commune = net[C1]
    set_households(commune, add_village(commune, "Bản Khóa"), 40)
    bundle = export_from(qtbot, commune, tmp_path / "usb", monkeypatch)
    data = bytearray(bundle.read_bytes())
    data[60] ^= 0xFF  # inside the signed manifest
    tampered = tmp_path / "tampered.cdsync"
    tampered.write_bytes(bytes(data))
    district = net[D1]
    page = page_of(qtbot, district)
    pick_file(monkeypatch, tampered)
    page.import_button.click()
    assert values_of(district, C1) == {}
    assert "the file was changed or damaged" in page.result_label.text()
    assert "a00000" in page.result_label.styleSheet()

    not_a_bundle = tmp_path / "notes.cdsync"
    not_a_bundle.write_text("Báo cáo quý 1", encoding="utf-8")
    pick_file(monkeypatch, not_a_bundle)
    page.import_button.click()
    assert "is not a Coverage Desk sync bundle" in page.result_label.text()

    pick_file(monkeypatch, bundle)  # the commune's own bundle, back at the commune
    own = page_of(qtbot, commune)
    own.import_button.click()
    assert "import it at the other office" in own.result_label.text()


def test_enrolment_by_file(
    qtbot: QtBot,
    net: Net,
    tmp_path: Path,
    clock: FakeClock,
    unit_directory: UnitDirectory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    office = create_office(
        tmp_path / "new.db",
        "pre2025:04105",
        directory=unit_directory,
        clock=clock,
        rng=random.Random(3),
        user="moi",
    )
    try:
        page = page_of(qtbot, office)
        assert page.enrol_box.isVisibleTo(page) and not page.exchange.isVisibleTo(page)
        request = tmp_path / "request.json"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(request), ""))
        page.enrol_box.request_button.click()
        assert "Take it to the province office" in page.enrol_box.message_label.text()
        certificate = approve_request(net[PROVINCE], read_json_file(request))
        cert_file = tmp_path / "certificate.json"
        write_atomic(cert_file, json.dumps(certificate).encode())
        pick_file(monkeypatch, cert_file)
        page.enrol_box.accept_button.click()
        assert page.exchange.isVisibleTo(page) and not page.enrol_box.isVisibleTo(page)

        pick_file(monkeypatch, request)  # not a certificate: refused in words
        page.enrol_box.accept_button.click()
        assert "Enrolment refused" in page.enrol_box.message_label.text()
    finally:
        office.close()


def test_sync_over_the_network(qtbot: QtBot, tmp_path: Path, unit_directory: UnitDirectory) -> None:
    from functools import partial

    from desktop_app.netsync.client import sync_office
    from desktop_app.server.app import create_app
    from tests.server.conftest import (
        ServerThread,
        fill_period,
        free_port,
        make_province,
    )

    province = make_province(tmp_path, unit_directory, (C1,))
    commune = province[C1]
    try:
        changes = fill_period(commune, 3)
        page = page_of(qtbot, commune)
        box = page.network_box
        assert box is not None and box.isVisibleTo(page)
        box.sync = partial(sync_office, retries=0)
        box.url_edit.setText(f"http://127.0.0.1:{free_port()}")  # nobody listens there
        box.sync_button.click()
        assert "Network sync with the province failed" in box.message_label.text()

        province[PROVINCE].close()  # the server opens the province file itself
        with ServerThread(create_app(province.path)) as server:
            box.url_edit.setText(server.url + "/")
            box.sync_button.click()
        text = box.message_label.text()
        assert "Synced with the province server." in text, text
        assert f"Changes sent: {changes} (accepted by the province: {changes}, rejected: 0)" in text
        assert page.model.item(0, 2).text() == "acknowledged by the province"
        assert commune.reference.settings()["sync_server_url"] == server.url
    finally:
        for store in province.offices.values():
            store.close()


def test_export_and_import_run_off_the_gui_thread(
    qtbot: QtBot, net: Net, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.ui.tasks import TaskRunner

    commune = net[C1]
    village = add_village(commune, "Bản Mòng")
    set_households(commune, village, 64)
    page = page_of(qtbot, commune)
    page.ctx.runner = TaskRunner()
    pick_folder(monkeypatch, tmp_path / "usb")
    page.export_button.click()
    qtbot.waitUntil(lambda: "Bundle written" in page.result_label.text(), timeout=20000)
    (bundle,) = (tmp_path / "usb").glob("*.cdsync")
    district = net[D1]
    dpage = page_of(qtbot, district)
    dpage.ctx.runner = TaskRunner()
    pick_file(monkeypatch, bundle)
    dpage.import_button.click()
    qtbot.waitUntil(lambda: "imported" in dpage.result_label.text(), timeout=20000)
    assert values_of(district, C1)[(village, "2019", "so_ho", "")] == "64"
    assert dpage.import_button.isEnabled()
