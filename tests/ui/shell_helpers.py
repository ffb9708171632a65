"""Helpers for the shell and data entry tests: a context, a page, typing into a grid."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.store.store import Store
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.entry_controller import EntryController
from desktop_app.ui.pages.entry_view import EntryPage, EntryTable
from desktop_app.ui.tasks import SyncTaskRunner, attach_runner


def context_for(store: Store, role: str = "clerk", username: str = "canbo") -> AppContext:
    """A logged-in user of ``role`` on ``store`` with a synchronous task runner."""
    user = store.users.add(username, "Lò Thị Hoa", role, "matkhau1")
    store.user = user.username
    context = AppContext(store, user, "en")
    attach_runner(context, SyncTaskRunner())
    return context


def controller_of(page: EntryPage) -> EntryController:
    """The page's controller."""
    assert isinstance(page.controller, EntryController)
    return page.controller


def type_chars(text: str) -> None:
    """Type ``text`` into whatever has the focus, key by key (Vietnamese safe, DESIGN §12)."""
    for ch in text:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def type_into(widget: QWidget, text: str) -> None:
    """Give ``widget`` the focus and type ``text`` into it."""
    widget.setFocus()
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Press a key in whatever has the focus."""
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    QTest.keyClick(widget, key, modifier)


def go_to(table: EntryTable, index: QModelIndex) -> None:
    """Make ``index`` the current cell and give the grid the focus."""
    table.setFocus()
    table.setCurrentIndex(index)


def enter_value(table: EntryTable, index: QModelIndex, text: str) -> None:
    """Type ``text`` into a cell the way a clerk does, then press Enter."""
    go_to(table, index)
    type_chars(text)
    press(Qt.Key.Key_Return)
