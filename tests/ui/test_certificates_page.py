"""The province's certificates page: the list, and Revoke with a reason and confirmation."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.domain.units import UnitDirectory
from desktop_app.store.office import create_office
from desktop_app.store.store import Store
from desktop_app.sync.certificates import (
    enroll_demo,
    init_province,
    read_revocations,
    revocation_list,
)
from desktop_app.sync.identity import fingerprint, load_identity
from desktop_app.ui.pages.certificates import CertificatesPage, RevokeDialog
from tests.helpers.clock import FakeClock
from tests.ui.pages_fixtures import answer_confirmations, drive, type_text
from tests.ui.shell_helpers import context_for

DISTRICT, COMMUNE = "pre2025:125", "pre2025:04108"


@pytest.fixture
def offices(
    tmp_path: Path, clock: FakeClock, unit_directory: UnitDirectory
) -> Iterator[tuple[Store, Store, Store]]:
    """A province database that enrolled a district and a commune (real files)."""
    rng = random.Random(3)
    prov = init_province(
        tmp_path / "p.db", "pre2025:14", directory=unit_directory, clock=clock, rng=rng, user="so"
    )
    others = []
    for unit in (DISTRICT, COMMUNE):
        store = create_office(
            tmp_path / f"{unit[8:]}.db", unit, directory=unit_directory, clock=clock, rng=rng
        )
        enroll_demo(store, prov)
        others.append(store)
    yield prov, others[0], others[1]
    for s in (prov, *others):
        s.close()


def _page(qtbot: QtBot, store: Store) -> CertificatesPage:
    from desktop_app.ui.main_window import MainWindow

    window = MainWindow(context_for(store, "admin", "admin.so"))
    qtbot.addWidget(window)
    page = window.show_page("certificates")
    assert isinstance(page, CertificatesPage)
    return page


def _cells(page: CertificatesPage, row: int) -> list[str]:
    return [str(page.model.index(row, c).data()) for c in range(page.model.columnCount())]


def test_lists_every_certificate_and_revokes_with_reason_and_confirmation(
    qtbot: QtBot, offices: tuple[Store, Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    prov, _district, commune = offices
    page = _page(qtbot, prov)
    assert page.model.rowCount() == 3
    serial = int(load_identity(commune).certificate["body"]["serial"])  # type: ignore[index]
    row = [r.serial for r in page.rows].index(serial)
    office, shown_serial, key, _issued, expires, state = _cells(page, row)
    assert office == f"Xã Chiềng Sung ({COMMUNE})" and shown_serial == str(serial)
    assert key == fingerprint(load_identity(commune).public_key)
    assert expires.count("/") == 2 and state == "Valid"
    assert _cells(page, 0)[5] == "Root (the province)"

    page.table.selectRow(0)  # the province's own root certificate cannot be revoked
    assert not page.revoke_button.isEnabled()
    page.select_serial(serial)
    assert page.revoke_button.isEnabled()

    reasons = iter(["", "Máy tính của xã bị mất cắp", "Máy tính của xã bị mất cắp"])

    def fill(dialog: RevokeDialog) -> None:
        dialog.reason_edit.clear()
        type_text(dialog.reason_edit, next(reasons))

    dialogs = drive(monkeypatch, RevokeDialog, fill)
    answer_confirmations(monkeypatch, False)
    page.revoke_button.click()  # an empty reason: the dialog says so and nothing happens
    assert dialogs[0].error_label.text() == "Write why the certificate is revoked."
    page.revoke_button.click()  # a reason, but "Cancel" at the confirmation
    assert prov.db.execute_sql("SELECT COUNT(*) FROM revocation").fetchone()[0] == 0
    assert _cells(page, row)[5] == "Valid"

    asked = answer_confirmations(monkeypatch, True)
    page.revoke_button.click()
    assert f"Revoke certificate {serial} of Xã Chiềng Sung?" in asked[0]
    assert _cells(page, row)[5].startswith("Revoked on ")
    assert _cells(page, row)[5].endswith(": Máy tính của xã bị mất cắp")
    assert not page.revoke_button.isEnabled()  # already revoked
    assert f"Revoked certificate {serial} of {COMMUNE}" in page.message_label.text()
    # the signed list that goes down carries it, with the reason
    doc = revocation_list(prov)
    key_bytes = load_identity(prov).public_key
    assert [s for s, _at in read_revocations(doc, key_bytes) or []] == [serial]
    assert doc["body"]["reasons"] == {str(serial): "Máy tính của xã bị mất cắp"}


def test_only_the_province_admin_sees_the_page(
    qtbot: QtBot, offices: tuple[Store, Store, Store]
) -> None:
    from desktop_app.ui.main_window import MainWindow

    prov, district, _commune = offices
    for store, role, shown in [(district, "admin", False), (prov, "reviewer", False)]:
        window = MainWindow(context_for(store, role, f"u.{role}"))
        qtbot.addWidget(window)
        assert (window.page("certificates") is not None) is shown
    assert _page(qtbot, prov).model.rowCount() == 3


def test_approves_a_request_and_asks_before_reusing_a_key(
    qtbot: QtBot,
    offices: tuple[Store, Store, Store],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    clock: FakeClock,
    unit_directory: UnitDirectory,
) -> None:
    import json

    from desktop_app.sync.certificates import REQUEST_KIND, accept_certificate, make_request
    from desktop_app.sync.identity import b64, canonical_bytes, sign

    prov, _district, commune = offices
    page = _page(qtbot, prov)
    newcomer = create_office(
        tmp_path / "04105.db", "pre2025:04105", directory=unit_directory, clock=clock
    )
    request = tmp_path / "req.json"
    request.write_text(json.dumps(make_request(newcomer)), encoding="utf-8")
    target = tmp_path / "usb" / "cert.json"
    target.parent.mkdir()
    monkeypatch.setattr(page, "choose_request_file", lambda: request)
    monkeypatch.setattr(page, "choose_certificate_target", lambda _office: None)
    page.approve_button.click()  # no place to save it chosen: nothing is issued
    assert page.model.rowCount() == 3
    monkeypatch.setattr(page, "choose_certificate_target", lambda _office: target)
    page.approve_button.click()
    assert page.model.rowCount() == 4 and target.exists()
    assert "written to" in page.message_label.text()
    info = accept_certificate(newcomer, json.loads(target.read_text(encoding="utf-8")))
    assert page.selected() is not None and page.selected().serial == info.serial  # type: ignore[union-attr]
    newcomer.close()

    # the commune's key asking for the district's certificate (a copied database)
    ident = load_identity(commune)
    body = {
        "node_id": "0193a000-0000-7000-8000-000000000002",
        "office_id": DISTRICT,
        "public_key": b64(ident.public_key),
        "scope": [DISTRICT],
        "created": commune.now_iso(),
    }
    reused = {
        "kind": REQUEST_KIND,
        "body": body,
        "sig": b64(sign(ident.private_key, canonical_bytes(body))),
    }
    request.write_text(json.dumps(reused), encoding="utf-8")
    target.unlink()
    asked = answer_confirmations(monkeypatch, False)
    page.approve_button.click()
    assert f"already holds certificate {commune_serial(commune)} for {COMMUNE}" in asked[0]
    assert page.model.rowCount() == 4 and not target.exists()
    assert page.message_label.text() == "Nothing was issued."
    answer_confirmations(monkeypatch, True)
    page.approve_button.click()
    assert page.model.rowCount() == 5 and target.exists()
    assert _cells(page, 4)[0] == f"Huyện Mai Sơn ({DISTRICT})"


def commune_serial(store: Store) -> int:
    cert = load_identity(store).certificate
    assert cert is not None
    return int(cert["body"]["serial"])


def test_the_revoked_office_reads_it_on_its_sync_page(
    qtbot: QtBot,
    offices: tuple[Store, Store, Store],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from desktop_app.sync.exchange import export_bundle
    from desktop_app.ui.pages.sync import SyncPage

    prov, _district, commune = offices
    page = _page(qtbot, prov)
    page.select_serial(commune_serial(commune))
    drive(monkeypatch, RevokeDialog, lambda d: type_text(d.reason_edit, "Máy bị mất"))
    answer_confirmations(monkeypatch, True)
    page.revoke_button.click()
    bundle = export_bundle(prov, tmp_path / "p.cdsync").path  # straight down to the commune
    sync = SyncPage(context_for(commune, "clerk", "canbo.xa"))
    qtbot.addWidget(sync)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bundle), ""))
    sync.import_button.click()
    text = sync.result_label.text()
    assert "Bundle from Tỉnh Sơn La imported." in text
    assert (
        f"The province revoked this office's certificate (serial {commune_serial(commune)})" in text
    )
    assert "Máy bị mất" in text
