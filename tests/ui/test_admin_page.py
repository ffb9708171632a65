"""Administration: users, the village register, office settings and backups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.store import backup
from desktop_app.store.store import Store
from desktop_app.ui.dialogs.user_form import PasswordDialog, UserFormDialog
from desktop_app.ui.dialogs.village_form import VillageNameDialog
from desktop_app.ui.pages.admin import AdminPage
from tests.conftest import COMMUNE
from tests.ui.pages_fixtures import answer_confirmations, drive, make_context, type_text


def _page(qtbot: QtBot, store: Store) -> AdminPage:
    page = AdminPage(make_context(store, "admin"))
    qtbot.addWidget(page)
    return page


def test_village_register(qtbot: QtBot, commune_store: Store, monkeypatch) -> None:
    page = _page(qtbot, commune_store)
    tab = page.villages_tab
    names = iter(["Bản Nà Sản", "Bản Áng", "Bản Ánh Sáng"])

    def fill(dialog: VillageNameDialog) -> None:
        dialog.name_edit.clear()
        type_text(dialog.name_edit, next(names))

    drive(monkeypatch, VillageNameDialog, fill)
    tab.add_button.click()
    tab.add_button.click()
    stored = commune_store.villages.for_commune(COMMUNE)
    assert [v.name for v in stored] == ["Bản Nà Sản", "Bản Áng"]
    assert tab.model.rowCount() == 2

    tab.select(stored[1].id)
    tab.rename_button.click()
    assert commune_store.villages.get(stored[1].id).name == "Bản Ánh Sáng"

    tab.up_button.click()  # the renamed village moves first
    assert [v.name for v in commune_store.villages.for_commune(COMMUNE)] == [
        "Bản Ánh Sáng",
        "Bản Nà Sản",
    ]
    assert not tab.up_button.isEnabled()

    tab.select(stored[0].id)
    tab.active_button.click()
    assert not commune_store.villages.get(stored[0].id).active
    assert [v.name for v in commune_store.villages.for_commune(COMMUNE)] == ["Bản Ánh Sáng"]
    assert tab.model.item(1).text() == "2. Bản Nà Sản (no longer used)"
    assert tab.active_button.text() == "Use again"


def test_district_sees_villages_read_only(qtbot: QtBot, district_store: Store) -> None:
    page = _page(qtbot, district_store)
    tab = page.villages_tab
    assert tab.commune_box.count() > 10
    assert not tab.add_button.isEnabled()
    assert tab.readonly_note.isVisibleTo(tab)


def test_users_add_reset_deactivate(qtbot: QtBot, district_store: Store, monkeypatch) -> None:
    page = _page(qtbot, district_store)
    tab = page.users_tab

    def fill_user(dialog: UserFormDialog) -> None:
        qtbot.keyClicks(dialog.username_edit, "hoa.lt")
        type_text(dialog.full_name_edit, "Lò Thị Hoa")
        dialog.role_box.setCurrentIndex(dialog.role_box.findData("reviewer"))
        qtbot.keyClicks(dialog.password_edit, "bimat123")
        qtbot.keyClicks(dialog.again_edit, "bimat123")

    drive(monkeypatch, UserFormDialog, fill_user)
    tab.add_button.click()
    users = {u.username: u for u in district_store.users.all()}
    assert users["hoa.lt"].full_name == "Lò Thị Hoa" and users["hoa.lt"].role == "reviewer"
    assert district_store.users.authenticate("hoa.lt", "bimat123") is not None

    def fill_password(dialog: PasswordDialog) -> None:
        qtbot.keyClicks(dialog.password_edit, "moi12345")
        qtbot.keyClicks(dialog.again_edit, "moi12345")

    drive(monkeypatch, PasswordDialog, fill_password)
    tab.select("hoa.lt")
    tab.password_button.click()
    assert district_store.users.authenticate("hoa.lt", "bimat123") is None
    assert district_store.users.authenticate("hoa.lt", "moi12345") is not None

    tab.active_button.click()
    assert district_store.users.authenticate("hoa.lt", "moi12345") is None
    assert not {u.username: u for u in district_store.users.all()}["hoa.lt"].active

    tab.select("user.admin")  # one's own account is never deactivated
    tab.active_button.click()
    assert "your own account" in tab.message_label.text()
    assert {u.username: u for u in district_store.users.all()}["user.admin"].active


def test_office_settings_are_saved(qtbot: QtBot, district_store: Store) -> None:
    page = _page(qtbot, district_store)
    tab = page.settings_tab
    type_text(tab.edits["parent_agency"], "UBND HUYỆN MAI SƠN")
    tab.edits["office_name"].setText("PHÒNG VĂN HÓA VÀ THÔNG TIN")
    tab.edits["signer_name"].setText("  Lò   Văn Minh ")
    tab.recipients_edit.setPlainText("- Sở KH&CN tỉnh Sơn La;\n\n- Lưu: VT.")
    tab.save_button.click()
    saved = district_store.reference.settings()
    assert saved["parent_agency"] == "UBND HUYỆN MAI SƠN"
    assert saved["office_name"] == "PHÒNG VĂN HÓA VÀ THÔNG TIN"
    assert saved["signer_name"] == "Lò Văn Minh"
    assert saved["recipients"] == "- Sở KH&CN tỉnh Sơn La;\n- Lưu: VT."
    assert tab.message_label.text() == "Saved."


def test_backup_now_and_restore_request(
    qtbot: QtBot, district_store: Store, tmp_path: Path, monkeypatch
) -> None:
    page = _page(qtbot, district_store)
    tab = page.backups_tab
    usb = tmp_path / "usb"
    monkeypatch.setattr(tab, "choose_folder", lambda: usb)
    tab.backup_button.click()
    (written,) = usb.glob("*.db")
    with sqlite3.connect(written) as conn:
        assert conn.execute("SELECT office_id FROM node").fetchone()[0] == "pre2025:125"
    assert str(written) in tab.message_label.text()

    assert district_store.path is not None
    automatic = backup.auto_backup(district_store.path, reason="test")
    tab.reload()
    assert tab.model.rowCount() == 1
    tab.table.selectRow(0)
    answer_confirmations(monkeypatch, False)
    with qtbot.assertNotEmitted(page.restore_requested):
        tab.restore_button.click()
    answer_confirmations(monkeypatch, True)
    with qtbot.waitSignal(page.restore_requested, timeout=1000) as signal:
        tab.restore_button.click()
    assert signal.args == [str(automatic)]


def test_confirmation_buttons_speak_vietnamese(qtbot: QtBot) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop_app.i18n import setup as setup_i18n
    from desktop_app.ui.dialogs import confirm

    setup_i18n("vi")
    seen: list[list[str]] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append([b.text() for b in box.buttons()])
        box.buttons()[[b.text() for b in box.buttons()].index("Khôi phục")].click()

    QTimer.singleShot(0, answer)
    assert confirm.ask(None, "Khôi phục bản sao lưu", "?", yes_text="Khôi phục", danger=True)
    assert sorted(seen[0]) == ["Hủy", "Khôi phục"]
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())  # Esc: "no"
    assert not confirm.ask(None, "Khôi phục bản sao lưu", "?")
