"""Yes/no questions and notices with button texts in the window's language.

Qt ships no Vietnamese for its standard buttons, so every button here is given its
text explicitly. Pages call these through the module (``confirm.ask``) so that tests
can replace them. ``QMessageBox`` is imported when a box is shown: the pages that import
this module are on the window's first paint, and building the class (with its enums)
cost that start about 1 ms.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from desktop_app.i18n import _


def ask(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    yes_text: str | None = None,
    no_text: str | None = None,
    danger: bool = False,
) -> bool:
    """Ask a question; True when the user chose ``yes_text``. "No" is the default."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if danger else QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    yes = box.addButton(yes_text or _("Yes"), QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(no_text or _("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.exec()
    return box.clickedButton() is yes


def inform(parent: QWidget | None, title: str, text: str, *, error: bool = False) -> None:
    """Show a notice (or an error message) with one "OK" button."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical if error else QMessageBox.Icon.Information)
    box.setWindowTitle(title)
    box.setText(text)
    box.addButton(_("OK"), QMessageBox.ButtonRole.AcceptRole)
    box.exec()
