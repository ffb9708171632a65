"""The base of the form dialogs: OK/Cancel in the window's language and inline errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import _
from desktop_app.store.errors import StoreError
from desktop_app.ui.error_text import user_text

T = TypeVar("T")

ERROR_STYLE = "color: #a00000;"
WARNING_STYLE = "color: #7a4a00;"


class FormInvalid(Exception):
    """What the user typed cannot be saved; the message says why, in words."""


class FormDialog(QDialog, Generic[T]):
    """A dialog whose OK collects a value and hands it to ``save``.

    Subclasses put their fields in ``self.body`` and implement :meth:`collect`. When
    ``save`` raises a :class:`StoreError`, its translated message is shown in the
    dialog, which stays open with what the user typed.
    """

    def __init__(
        self,
        title: str,
        save: Callable[[T], object],
        parent: QWidget | None = None,
        *,
        ok_text: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._save = save
        self.saved: T | None = None
        layout = QVBoxLayout(self)
        self.body = QVBoxLayout()
        layout.addLayout(self.body)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox()
        self.ok_button: QPushButton = self.buttons.addButton(
            ok_text or _("Save"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button: QPushButton = self.buttons.addButton(
            _("Cancel"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.ok_button.setDefault(True)
        # Enter anywhere means OK: Cancel never takes the default when it has the focus
        self.cancel_button.setAutoDefault(False)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def showEvent(self, event: QShowEvent) -> None:
        """The keyboard starts in the first field, so one can type at once."""
        super().showEvent(event)
        focus = self.focusWidget()
        if focus is None or isinstance(focus, QPushButton):
            for field in self.findChildren(QWidget):
                if isinstance(field, QLineEdit | QPlainTextEdit | QComboBox) and field.isEnabled():
                    field.setFocus()
                    break

    def collect(self) -> T:
        """The value the fields describe; raise :class:`FormInvalid` when it cannot be."""
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        """Show ``message`` under the fields (empty hides it)."""
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _on_ok(self) -> None:
        try:
            value = self.collect()
            self._save(value)
        except FormInvalid as exc:  # from collect, or from a save that checks (a password)
            self.show_error(str(exc))
            return
        except StoreError as exc:
            self.show_error(user_text(exc))
            return
        self.saved = value
        self.accept()
