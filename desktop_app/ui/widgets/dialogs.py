"""Button boxes whose buttons speak the user's language (message boxes: ``ui.dialogs.confirm``).

Qt ships no Vietnamese translation of its own buttons (OK, Cancel, Yes, No), so every
standard button gets its text here (STYLE habit 7).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QWidget

from desktop_app.i18n import _

SB = QDialogButtonBox.StandardButton


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
