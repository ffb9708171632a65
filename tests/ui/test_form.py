"""The form: sections that fold, the indicator search, the figures panel, completeness;
the comment and village dialogs by keyboard alone; the period list without duplicates."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.periods import Period
from desktop_app.store.store import Store
from desktop_app.ui.pages.admin import AdminPage
from desktop_app.ui.pages.entry import make_entry_page
from desktop_app.ui.pages.entry_view import EntryPage
from desktop_app.ui.widgets.period_picker import PeriodPicker, periods_until
from tests.conftest import COMMUNE
from tests.ui.pages_fixtures import make_context
from tests.ui.shell_helpers import context_for, controller_of, enter_value, go_to, press

VILLAGES = ("Bản Nà Sản", "Bản Hìn")


@pytest.fixture
def page(qtbot: QtBot, commune_store: Store) -> Iterator[EntryPage]:
    for name in VILLAGES:
        commune_store.villages.add(COMMUNE, name)
    view = make_entry_page(context_for(commune_store))
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    yield view


def test_the_commune_form_is_in_sections_that_fold(page: EntryPage, commune_store: Store) -> None:
    model = controller_of(page).commune_model
    table = page.commune_table
    titles = [model.row_titles[r] for r in sorted(model.header_rows)]
    catalogue = commune_store.catalogue
    sections = list(dict.fromkeys(i.section for i in catalogue.commune_indicators()))
    assert len(titles) == len(sections) >= 3  # one title row per catalogue section
    assert "Postal services" in titles
    postal = next(r for r, s in model.header_rows.items() if s == "postal")
    postal_rows = [r for r, s in enumerate(model.sections) if s == "postal" and r != postal]
    assert postal_rows and not any(table.isRowHidden(r) for r in postal_rows)
    assert model.headerData(postal, Qt.Orientation.Vertical).startswith("▾ ")

    table.verticalHeader().sectionClicked.emit(postal)  # a click on the section's title
    assert all(table.isRowHidden(r) for r in postal_rows)
    assert not table.isRowHidden(postal)  # the title stays, to open it again
    assert model.headerData(postal, Qt.Orientation.Vertical).startswith("▸ ")

    # Enter from the row above the folded section goes past it (and past the titles)
    page.tabs.setCurrentIndex(1)
    before = postal - 1
    go_to(table, model.index(before, 0))
    press(Qt.Key.Key_Return)
    row = table.currentIndex().row()
    assert row > postal_rows[-1] and row not in model.header_rows

    table.verticalHeader().sectionClicked.emit(postal)
    assert not any(table.isRowHidden(r) for r in postal_rows)


def test_the_search_box_shows_only_matching_indicators(page: EntryPage) -> None:
    ctrl = controller_of(page)
    QTest.keyClicks(page.search, "POPUL")  # any case; Vietnamese folds its diacritics too
    village = ctrl.village_model
    shown = [
        village.column_titles[c]
        for c in range(village.columnCount())
        if not page.village_table.isColumnHidden(c)
    ]
    assert shown and all("population" in t.lower() for t in shown)
    form = ctrl.commune_model
    visible = [r for r in range(form.rowCount()) if not page.commune_table.isRowHidden(r)]
    assert all("population" in form.row_titles[r].lower() for r in visible)
    page.search.clear()
    assert not any(page.village_table.isColumnHidden(c) for c in range(village.columnCount()))


def test_the_figures_panel_hides_and_the_completeness_counts_cells(
    page: EntryPage, commune_store: Store
) -> None:
    ctrl = controller_of(page)
    assert page.side.isVisible()
    page.summary_toggle.click()
    assert not page.side.isVisible()
    page.summary_toggle.click()
    assert page.side.isVisible()

    catalogue = commune_store.catalogue
    period = page.period.period()
    assert period.kind == "quarterly"
    per_village = sum(
        len(catalogue.disaggregation_keys(i.code)) for i in catalogue.village_indicators()
    )
    per_commune = sum(
        len(catalogue.disaggregation_keys(i.code)) for i in catalogue.commune_indicators()
    )
    total = per_village * len(VILLAGES) + per_commune
    assert page.completeness.text() == f"entered 0/{total} cells (0%)"
    col = next(
        c for c, cell in enumerate(ctrl.village_model.cells[0]) if cell.indicator.code == "so_ho"
    )
    enter_value(page.village_table, ctrl.village_model.index(0, col), "120")
    percent = round(100 / total)
    assert page.completeness.text() == f"entered 1/{total} cells ({percent}%)"


def later(action: Callable[[], None]) -> None:
    """Run ``action`` once the modal dialog about to open is up."""
    QTimer.singleShot(50, action)


def modal() -> QWidget:
    widget = QApplication.activeModalWidget()
    assert widget is not None, "no dialog is open"
    return widget


def keys_into_focus(text: str) -> None:
    target = modal().focusWidget()
    assert target is not None
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, target, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def test_the_comment_dialog_by_keyboard_alone(page: EntryPage, commune_store: Store) -> None:
    ctrl = controller_of(page)
    table = page.village_table
    col = next(
        c for c, cell in enumerate(ctrl.village_model.cells[0]) if cell.indicator.code == "so_ho"
    )
    enter_value(table, ctrl.village_model.index(0, col), "120")
    go_to(table, ctrl.village_model.index(0, col))

    def type_comment_and_save() -> None:
        dialog = modal()
        editor = dialog.focusWidget()
        assert type(editor).__name__ == "QPlainTextEdit"  # the keyboard starts in the box
        keys_into_focus("Theo sổ hộ khẩu")
        QTest.keyClick(editor, Qt.Key.Key_Tab)  # Tab leaves the box, it types no tab
        assert "\t" not in editor.toPlainText()  # type: ignore[attr-defined]
        editor.setFocus()
        QTest.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    later(type_comment_and_save)
    QTest.keyClick(table, Qt.Key.Key_F4)
    village = commune_store.villages.for_commune(COMMUNE)[0].id
    stored = commune_store.values.get(village, "2019", "so_ho", "")
    assert stored is not None and stored.comment == "Theo sổ hộ khẩu"


def test_the_village_dialog_by_keyboard_alone(qtbot: QtBot, commune_store: Store) -> None:
    admin = AdminPage(make_context(commune_store, "admin"))
    qtbot.addWidget(admin)
    admin.show()
    tab = admin.villages_tab

    def type_name_and_enter() -> None:
        dialog = modal()
        focus = dialog.focusWidget()
        assert type(focus).__name__ == "QLineEdit"  # the name field has the keyboard
        keys_into_focus("Bản Mòng")
        QTest.keyClick(focus, Qt.Key.Key_Return)  # Enter saves (never Cancel)

    later(type_name_and_enter)
    tab.add_button.click()
    assert [v.name for v in commune_store.villages.for_commune(COMMUNE)] == ["Bản Mòng"]

    def escape() -> None:
        QTest.keyClick(modal().focusWidget(), Qt.Key.Key_Escape)

    later(escape)
    tab.add_button.click()
    assert len(commune_store.villages.for_commune(COMMUNE)) == 1


def test_the_period_list_holds_each_period_once(qtbot: QtBot) -> None:
    picker = PeriodPicker(date(2021, 2, 1))
    qtbot.addWidget(picker)
    count = picker.count()
    texts = [picker.itemText(i) for i in range(count)]
    assert len(texts) == len(set(texts)) == len(periods_until(date(2021, 2, 1)))
    picker.set_period(Period(2020, 4))  # an equal Period, not the one in the list
    assert picker.count() == count
    assert picker.itemText(picker.currentIndex()) == Period(2020, 4).label("en")
    picker.set_period(Period(2018, 3))  # outside the list: added once
    picker.set_period(Period(2018, 3))
    assert picker.count() == count + 1


def test_the_search_finds_vietnamese_names_typed_without_diacritics(
    qtbot: QtBot, commune_store: Store
) -> None:
    from desktop_app.i18n import setup as setup_i18n

    setup_i18n("vi")  # the autouse fixture puts English back afterwards
    commune_store.villages.add(COMMUNE, "Bản Nà Sản")
    view = make_entry_page(context_for(commune_store))
    qtbot.addWidget(view)
    QTest.keyClicks(view.search, "dan so")
    model = controller_of(view).village_model
    shown = [
        model.column_titles[c]
        for c in range(model.columnCount())
        if not view.village_table.isColumnHidden(c)
    ]
    assert shown and all(t.startswith("Dân số") for t in shown)


def test_the_site_form_grows_when_a_warning_appears(qtbot: QtBot, commune_store: Store) -> None:
    from desktop_app.ui.dialogs.site_form import SiteFormDialog

    context = make_context(commune_store, "clerk")
    dialog = SiteFormDialog(
        context, commune_store.reference.communes_under(COMMUNE), lambda _site: None
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.resize(dialog.width(), dialog.minimumSizeHint().height())
    QApplication.processEvents()
    dialog.lat_edit.setText("21.03")  # Hà Nội: outside the office's province
    dialog.lon_edit.setText("105.85")
    QApplication.processEvents()
    assert dialog.coord_warning.isVisible()
    notes = dialog.notes_edit.geometry()
    notes_bottom = dialog.notes_edit.mapTo(dialog, notes.bottomLeft() - notes.topLeft()).y()
    buttons_top = dialog.ok_button.mapTo(dialog, dialog.ok_button.rect().topLeft()).y()
    assert notes_bottom < buttons_top  # the notes box never covers the buttons
    assert dialog.height() >= dialog.sizeHint().height()
