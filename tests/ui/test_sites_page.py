"""The site register page against a real commune database."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from desktop_app.i18n import setup as setup_i18n
from desktop_app.store.repositories.sites import Site
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from desktop_app.ui.dialogs.site_form import SiteFormDialog
from desktop_app.ui.pages.sites import SitesPage
from tests.conftest import COMMUNE
from tests.ui.pages_fixtures import answer_confirmations, drive, make_context, type_text


def _site(name: str, operator: str = "viettel", status: str = "active") -> Site:
    return Site(
        "", "bts", COMMUNE, None, name, operator, ("4g",), False, None, None, status, None, None, ""
    )


def _page(qtbot: QtBot, store: Store, language: str = "en") -> SitesPage:
    page = SitesPage(make_context(store, "clerk", language=language))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    return page


def test_add_a_site_through_the_form(qtbot: QtBot, commune_store: Store, monkeypatch) -> None:
    village = commune_store.villages.add(COMMUNE, "Bản Hua Tát")
    page = _page(qtbot, commune_store)

    def fill(dialog: SiteFormDialog) -> None:
        dialog.village_box.setCurrentIndex(dialog.village_box.findData(village.id))
        type_text(dialog.name_edit, "Trạm Hua Tát")
        dialog.operator_box.setCurrentIndex(dialog.operator_box.findData("viettel"))
        dialog.tech_boxes["4g"].setChecked(True)
        dialog.tech_boxes["2g"].setChecked(True)
        qtbot.keyClicks(dialog.lat_edit, "21,1234")  # a comma is a decimal point too
        qtbot.keyClicks(dialog.lon_edit, "104.05")
        assert not dialog.coord_warning.text()  # inside Sơn La
        dialog.start_edit.setDate(QDate(2018, 5, 1))

    dialogs = drive(monkeypatch, SiteFormDialog, fill)
    page.add_button.click()

    assert dialogs[0].result() == SiteFormDialog.DialogCode.Accepted
    (site,) = commune_store.sites.find(COMMUNE)
    assert site.name == "Trạm Hua Tát"
    assert (site.village_id, site.operator, site.status) == (village.id, "viettel", "active")
    assert set(site.technologies) == {"2g", "4g"}
    assert (site.lat, site.lon) == (21.1234, 104.05)
    assert (site.start_date, site.end_date) == ("2018-05-01", None)
    user = commune_store.db.execute_sql(
        "SELECT user FROM audit WHERE entity = 'site' ORDER BY id DESC"
    ).fetchone()[0]
    assert user == "user.clerk"
    assert page.model.rowCount() == 1
    assert page.model.index(0, 0).data() == "Trạm Hua Tát"


def test_form_refuses_bad_coordinates_and_warns_outside_the_province(
    qtbot: QtBot, commune_store: Store, monkeypatch
) -> None:
    page = _page(qtbot, commune_store)

    def bad(dialog: SiteFormDialog) -> None:
        type_text(dialog.name_edit, "Trạm Nà Sản")
        dialog.operator_box.setCurrentIndex(dialog.operator_box.findData("vnpt"))
        # pasted from a map application: both numbers land in their boxes
        dialog.lat_edit.setText("")
        qtbot.keyClicks(dialog.lat_edit, "95.1, 104.2")

    dialogs = drive(monkeypatch, SiteFormDialog, bad)
    page.add_button.click()
    dialog = dialogs[0]
    assert dialog.lon_edit.text() == "104.2"
    assert "between -90 and 90" in dialog.error_label.text()
    assert commune_store.sites.find(COMMUNE) == []

    # Hà Nội is outside Sơn La: a warning, and the site is still saved
    dialog.lat_edit.setText("21.03")
    dialog.lon_edit.setText("105.85")
    assert "outside Tỉnh Sơn La" in dialog.coord_warning.text()
    dialog.ok_button.click()
    assert [s.lon for s in commune_store.sites.find(COMMUNE)] == [105.85]


def test_filters_and_search_without_diacritics(qtbot: QtBot, commune_store: Store) -> None:
    commune_store.sites.save(_site("Trạm Hua Tát"))
    commune_store.sites.save(_site("Trạm Chiềng Sung", "vnpt", "planned"))
    page = _page(qtbot, commune_store)
    assert page.model.rowCount() == 2
    qtbot.keyClicks(page.search_edit, "chieng")
    assert [page.model.site(0).name] == ["Trạm Chiềng Sung"] and page.model.rowCount() == 1
    page.search_edit.clear()
    page.status_filter.setCurrentIndex(page.status_filter.findData("active"))
    assert page.model.rowCount() == 1 and page.model.site(0).name == "Trạm Hua Tát"
    assert page.count_label.text() == "1 of 2 sites"


def test_register_mismatch_banner(qtbot: QtBot, commune_store: Store) -> None:
    for name in ("Trạm A", "Trạm B", "Trạm C"):
        commune_store.sites.save(_site(name))
    commune_store.sites.save(_site("Trạm D", status="planned"))  # planned: not counted
    commune_store.values.set_value(ValueWrite(COMMUNE, None, "2019Q1", "bts_vi_tri", 2, "viettel"))
    setup_i18n("vi")
    page = _page(qtbot, commune_store, "vi")
    assert page.banner.isVisibleTo(page)
    assert page.banner.text() == (
        "Xã Chiềng Sung: sổ trạm có 3 vị trí BTS Viettel, số liệu quý 1/2019 nhập 2."
    )
    commune_store.values.set_value(ValueWrite(COMMUNE, None, "2019Q1", "bts_vi_tri", 3, "viettel"))
    page.ctx.bus.values_changed.emit(COMMUNE, "2019Q1")
    assert not page.banner.isVisibleTo(page)


@pytest.mark.parametrize("answer", [False, True])
def test_delete_marks_deleted_after_confirmation(
    qtbot: QtBot, commune_store: Store, monkeypatch, answer: bool
) -> None:
    site = commune_store.sites.save(_site("Trạm Hua Tát"))
    page = _page(qtbot, commune_store)
    asked = answer_confirmations(monkeypatch, answer)
    page.table.selectRow(0)
    page.delete_button.click()
    assert "Trạm Hua Tát" in asked[0]
    stored = commune_store.sites.get(site.id)
    assert stored is not None and stored.deleted is answer
    assert page.model.rowCount() == (0 if answer else 1)


def test_district_sees_the_register_read_only(qtbot: QtBot, district_store: Store) -> None:
    page = _page(qtbot, district_store)
    assert not page.add_button.isVisibleTo(page)
    assert page.commune_filter.isVisibleTo(page)
    assert page.commune_filter.count() > 10  # all communes of Mai Sơn


def test_sorting_follows_vietnamese_order(qtbot: QtBot, commune_store: Store) -> None:
    for name in ("Trạm Đông", "Trạm Ăng", "Trạm Dương", "Trạm An"):
        commune_store.sites.save(_site(name))
    page = _page(qtbot, commune_store)
    names = [page.model.site(r).name for r in range(page.model.rowCount())]
    assert names == ["Trạm An", "Trạm Ăng", "Trạm Dương", "Trạm Đông"]
    page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    page.ctx.bus.sites_changed.emit(COMMUNE)  # a reload keeps the chosen order
    assert page.model.site(0).name == "Trạm Đông"


def test_edit_a_site(qtbot: QtBot, commune_store: Store, monkeypatch) -> None:
    site = commune_store.sites.save(_site("Trạm Hua Tát"))
    page = _page(qtbot, commune_store)

    def fill(dialog: SiteFormDialog) -> None:
        assert dialog.name_edit.text() == "Trạm Hua Tát"
        dialog.status_box.setCurrentIndex(dialog.status_box.findData("out_of_order"))
        type_text(dialog.notes_edit, "Mất điện lưới")

    drive(monkeypatch, SiteFormDialog, fill)
    page.table.selectRow(0)
    page.edit_button.click()
    stored = commune_store.sites.get(site.id)
    assert stored is not None
    assert (stored.status, stored.notes, stored.technologies) == (
        "out_of_order",
        "Mất điện lưới",
        ("4g",),
    )
    assert commune_store.sites.count() == 1
    assert page.model.index(0, 7).data() == "Out of order"
