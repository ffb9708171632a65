"""The data entry page, driven with key events over a real commune database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_app.domain.periods import Period
from desktop_app.store.changes import Actor
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from desktop_app.ui.pages.entry import make_entry_page
from desktop_app.ui.pages.entry_view import EntryPage
from tests.conftest import COMMUNE
from tests.ui.shell_helpers import context_for, controller_of, enter_value, go_to, press

VILLAGES = ("Bản Nà Sản", "Bản Hìn", "Tiểu khu 3")


def stored(store: Store, org_id: str, period: str, code: str, disagg: str = "") -> str | None:
    value = store.values.get(org_id, period, code, disagg)
    return None if value is None else value.value


@pytest.fixture
def page(qtbot, commune_store: Store) -> Iterator[EntryPage]:  # type: ignore[no-untyped-def]
    for name in VILLAGES:
        commune_store.villages.add(COMMUNE, name)
    view = make_entry_page(context_for(commune_store))
    qtbot.addWidget(view)
    view.resize(1280, 720)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    yield view


def column(page: EntryPage, code: str, disagg: str = "") -> int:
    model = controller_of(page).village_model
    for c, cell in enumerate(model.cells[0]):
        if cell is not None and cell.indicator.code == code and cell.disagg == disagg:
            return c
    raise AssertionError(code)


def village_ids(store: Store) -> list[str]:
    return [v.id for v in store.villages.for_commune(COMMUNE)]


def test_the_page_opens_on_the_commune_and_current_quarter(page: EntryPage) -> None:
    ctrl = controller_of(page)
    assert ctrl.commune_id == COMMUNE
    assert page.period.period() == Period(2019, 2)  # the clock says 10 April 2019
    assert ctrl.village_model.row_titles == [*VILLAGES, "Total"]
    assert not page.banner.isVisible()


def test_typed_values_are_saved_at_enter_and_the_cursor_moves_down(
    page: EntryPage, commune_store: Store
) -> None:
    ctrl, table = controller_of(page), page.village_table
    col = column(page, "so_ho")
    enter_value(table, ctrl.village_model.index(0, col), "120")
    assert table.currentIndex().row() == 1  # Enter moved to the next village
    ids = village_ids(commune_store)
    # so_ho is yearly: typed in 2019Q2, stored in 2019.
    assert stored(commune_store, ids[0], "2019", "so_ho") == "120"
    assert ctrl.village_model.index(0, col).data() == "120"
    assert ctrl.village_model.index(ctrl.village_model.total_row, col).data() == "120"
    assert "Saved" in page.message.text()


def test_a_value_breaking_an_error_rule_is_refused_with_the_reason(
    page: EntryPage, commune_store: Store
) -> None:
    ctrl, table = controller_of(page), page.village_table
    enter_value(table, ctrl.village_model.index(0, column(page, "so_ho")), "100")
    enter_value(table, ctrl.village_model.index(0, column(page, "dan_so")), "50")
    ids = village_ids(commune_store)
    assert stored(commune_store, ids[0], "2019", "dan_so") is None
    assert "Not saved" in page.message.text()
    assert "100" in page.message.text() and "50" in page.message.text()
    # The editor stays open on the refused cell with what was typed.
    assert table.currentIndex().column() == column(page, "dan_so")
    assert table.state() == table.State.EditingState


def test_a_text_that_is_no_number_is_refused(page: EntryPage, commune_store: Store) -> None:
    ctrl, table = controller_of(page), page.village_table
    enter_value(table, ctrl.village_model.index(1, column(page, "so_ho")), "abc")
    assert "not a whole number" in page.message.text()
    assert stored(commune_store, village_ids(commune_store)[1], "2019", "so_ho") is None


def test_a_warning_saves_and_marks_the_cell(page: EntryPage, commune_store: Store) -> None:
    ctrl, table = controller_of(page), page.village_table
    model = ctrl.village_model
    enter_value(table, model.index(0, column(page, "so_ho")), "10")
    enter_value(table, model.index(0, column(page, "dan_so")), "400")  # > 15 × 10
    assert stored(commune_store, village_ids(commune_store)[0], "2019", "dan_so") == "400"
    index = model.index(0, column(page, "dan_so"))
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "15" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert "warning" in page.message.text()


def test_ctrl_z_writes_the_old_value_back(page: EntryPage, commune_store: Store) -> None:
    ctrl, table = controller_of(page), page.village_table
    col = column(page, "so_ho")
    enter_value(table, ctrl.village_model.index(0, col), "120")
    enter_value(table, ctrl.village_model.index(0, col), "130")
    village = village_ids(commune_store)[0]
    assert stored(commune_store, village, "2019", "so_ho") == "130"
    go_to(table, ctrl.village_model.index(2, col))
    press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(commune_store, village, "2019", "so_ho") == "120"
    press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(commune_store, village, "2019", "so_ho") is None
    assert ctrl.village_model.index(0, col).data() == ""
    ctrl.undo.redo()
    assert stored(commune_store, village, "2019", "so_ho") == "120"


def test_a_pasted_block_writes_the_valid_cells_and_reports_the_others(
    page: EntryPage, commune_store: Store
) -> None:
    ctrl, table = controller_of(page), page.village_table
    go_to(table, ctrl.village_model.index(0, column(page, "so_ho")))
    # so_ho, dan_so for three villages; the third dan_so is below so_ho (an error).
    QApplication.clipboard().setText("100\t450\n80\tabc\n1.200\t1.000\n")
    press(Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    ids = village_ids(commune_store)
    assert [stored(commune_store, v, "2019", "so_ho") for v in ids] == ["100", "80", "1200"]
    assert [stored(commune_store, v, "2019", "dan_so") for v in ids] == ["450", None, None]
    assert "Pasted 4 values" in page.message.text()
    assert "Not pasted (2)" in page.message.text()
    ctrl.undo.undo()  # one paste, one undo
    assert [stored(commune_store, v, "2019", "so_ho") for v in ids] == [None, None, None]


def test_copy_last_period_fills_only_the_empty_cells(page: EntryPage, commune_store: Store) -> None:
    ids = village_ids(commune_store)
    commune_store.values.set_many(
        [
            ValueWrite(COMMUNE, ids[0], "2019Q1", "song_di_dong", "yeu"),
            ValueWrite(COMMUNE, ids[1], "2019Q1", "song_di_dong", "on_dinh"),
            ValueWrite(COMMUNE, ids[1], "2019Q1", "phu_4g", True),
            ValueWrite(COMMUNE, None, "2019Q1", "bts_vi_tri", 2, "viettel"),
        ]
    )
    ctrl = controller_of(page)
    enter_value(page.village_table, ctrl.village_model.index(1, column(page, "phu_4g")), "không")
    assert ctrl.copy_last_period() == 3  # phu_4g of the second village is not empty
    assert stored(commune_store, ids[0], "2019Q2", "song_di_dong") == "yeu"
    assert stored(commune_store, ids[1], "2019Q2", "song_di_dong") == "on_dinh"
    assert stored(commune_store, ids[1], "2019Q2", "phu_4g") == "0"
    assert stored(commune_store, COMMUNE, "2019Q2", "bts_vi_tri", "viettel") == "2"
    assert "Copied 3 values" in page.message.text()
    ctrl.undo.undo()
    assert stored(commune_store, ids[0], "2019Q2", "song_di_dong") is None


def test_the_commune_form_takes_disaggregated_values(page: EntryPage, commune_store: Store) -> None:
    ctrl = controller_of(page)
    page.tabs.setCurrentIndex(1)
    model = ctrl.commune_model
    row = next(
        r
        for r, (cell,) in enumerate(model.cells)
        if cell is not None and (cell.indicator.code, cell.disagg) == ("bts_tram", "viettel.4g")
    )
    enter_value(page.commune_table, model.index(row, 0), "3")
    assert stored(commune_store, COMMUNE, "2019Q2", "bts_tram", "viettel.4g") == "3"


def test_an_approved_period_is_read_only_with_a_banner(qtbot, commune_store: Store) -> None:  # type: ignore[no-untyped-def]
    commune_store.villages.add(COMMUNE, "Bản Nà Sản")
    commune_store.submissions.move(COMMUNE, "2019Q2", "submitted")
    node = commune_store.node
    district = Actor(node.node_id, node.epoch, "pre2025:125", "lanhdao")
    commune_store.submissions.move(COMMUNE, "2019Q2", "approved", actor=district)
    view = make_entry_page(context_for(commune_store))
    qtbot.addWidget(view)
    view.show()
    assert view.banner.isVisible() and "approved" in view.banner.text()
    model = controller_of(view).village_model
    signal = model.index(0, column(view, "song_di_dong"))
    assert not model.flags(signal) & Qt.ItemFlag.ItemIsEditable
    # Yearly figures lock with Q4 (the store's rule), so they stay open here.
    assert model.flags(model.index(0, column(view, "so_ho"))) & Qt.ItemFlag.ItemIsEditable
    assert not view.copy_button.isEnabled()


def test_a_district_sees_its_communes_read_only(qtbot, district_store: Store) -> None:  # type: ignore[no-untyped-def]
    view = make_entry_page(context_for(district_store, "reviewer"))
    qtbot.addWidget(view)
    view.show()
    ctrl = controller_of(view)
    assert ctrl.commune_id.startswith("pre2025:")
    assert view.banner.isVisible() and "read-only" in view.banner.text()
    view.units.select_commune(view.units.communes()[3])
    assert ctrl.commune_id == view.units.communes()[3]
    assert view.banner.isVisible()


def test_several_operators_are_ticked_in_a_checkable_list(
    page: EntryPage, commune_store: Store
) -> None:
    from PySide6.QtWidgets import QListWidget

    ctrl, table = controller_of(page), page.village_table
    go_to(table, ctrl.village_model.index(0, column(page, "nha_mang")))
    press(Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QListWidget)
    press(Qt.Key.Key_Space)  # Viettel
    press(Qt.Key.Key_Down)
    press(Qt.Key.Key_Space)  # VNPT-VinaPhone
    press(Qt.Key.Key_Return)
    village = village_ids(commune_store)[0]
    assert stored(commune_store, village, "2019Q2", "nha_mang") == "viettel|vnpt"
    assert ctrl.village_model.index(0, column(page, "nha_mang")).data() == "Viettel, VNPT-VinaPhone"


def test_delete_clears_and_a_comment_is_kept_with_its_history(
    page: EntryPage, commune_store: Store
) -> None:
    ctrl, table = controller_of(page), page.village_table
    col = column(page, "so_ho")
    enter_value(table, ctrl.village_model.index(0, col), "90")
    cell = ctrl.village_model.cell(0, col)
    assert cell is not None
    ctrl.set_comment(cell, "Số liệu của trưởng bản")
    village = village_ids(commune_store)[0]
    saved = commune_store.values.get(village, "2019", "so_ho")
    assert saved is not None and (saved.value, saved.comment) == ("90", "Số liệu của trưởng bản")
    tip = ctrl.village_model.index(0, col).data(Qt.ItemDataRole.ToolTipRole)
    assert "Số liệu của trưởng bản" in tip
    go_to(table, ctrl.village_model.index(0, col))
    press(Qt.Key.Key_Delete)
    assert stored(commune_store, village, "2019", "so_ho") is None
    history = commune_store.values.history(village, "2019", "so_ho")
    assert [(h["old"], h["new"]) for h in history] == [(None, "90"), ("90", "90"), ("90", None)]


def test_a_marked_cell_is_painted_in_its_colour(page: EntryPage, commune_store: Store) -> None:
    from desktop_app.ui.pages.entry_models import WARNING_BG

    ctrl, table = controller_of(page), page.village_table
    model = ctrl.village_model
    enter_value(table, model.index(0, column(page, "so_ho")), "10")
    enter_value(table, model.index(0, column(page, "dan_so")), "400")  # a warning
    table.setCurrentIndex(model.index(1, column(page, "so_ho")))
    table.clearSelection()
    rect = table.visualRect(model.index(0, column(page, "dan_so")))
    image = table.viewport().grab().toImage()
    assert image.pixelColor(rect.left() + 3, rect.center().y()) == WARNING_BG
