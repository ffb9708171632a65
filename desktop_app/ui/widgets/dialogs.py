"""Message boxes and button boxes whose buttons speak the user's language.

Qt ships no Vietnamese translation of its own buttons (OK, Cancel, Yes, No), so every
standard button gets its text here (STYLE habit 7).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWidget

from desktop_app.i18n import _

SB = QDialogButtonBox.StandardButton
MB = QMessageBox.StandardButton


def _button_texts() -> dict[str, str]:
    return {
        "Ok": _("OK"),
        "Cancel": _("Cancel"),
        "Yes": _("Yes"),
        "No": _("No"),
        "Close": _("Close"),
        "Save": _("Save"),
        "Open": _("Open"),
        "Apply": _("Apply"),
        "Discard": _("Discard"),
        "Retry": _("Retry"),
        "Help": _("Help"),
    }


def translate_buttons(box: QDialogButtonBox) -> QDialogButtonBox:
    """Give every standard button of ``box`` a text in the current language."""
    texts = _button_texts()
    for name, text in texts.items():
        button = box.button(getattr(SB, name))
        if button is not None:
            button.setText(text)
    return box


def button_box(
    buttons: QDialogButtonBox.StandardButton, parent: QWidget | None = None
) -> QDialogButtonBox:
    """A ``QDialogButtonBox`` with translated standard buttons."""
    return translate_buttons(QDialogButtonBox(buttons, parent))


def _message_box(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    buttons: QMessageBox.StandardButton,
    detail: str = "",
) -> QMessageBox:
    box = QMessageBox(icon, title, text, buttons, parent)
    if detail:
        box.setInformativeText(detail)
    texts = _button_texts()
    for name, label in texts.items():
        button = box.button(getattr(MB, name))
        if button is not None:
            button.setText(label)
    return box


def inform(parent: QWidget | None, title: str, text: str, detail: str = "") -> None:
    """Show an information message with an OK button."""
    _message_box(parent, QMessageBox.Icon.Information, title, text, MB.Ok, detail).exec()


def warn(parent: QWidget | None, title: str, text: str, detail: str = "") -> None:
    """Show a warning with an OK button."""
    _message_box(parent, QMessageBox.Icon.Warning, title, text, MB.Ok, detail).exec()


def ask(parent: QWidget | None, title: str, text: str) -> bool:
    """Ask a yes/no question; True for Yes."""
    box = _message_box(parent, QMessageBox.Icon.Question, title, text, MB.Yes | MB.No)
    box.setDefaultButton(MB.No)
    return box.exec() == MB.Yes
