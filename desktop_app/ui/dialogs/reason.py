"""Return a commune's period with a reason: the reason is required."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from desktop_app.i18n import _
from desktop_app.ui.dialogs.base import FormDialog, FormInvalid


class ReasonDialog(FormDialog[str]):
    """Asks why a period is returned; ``save`` receives the reason."""

    def __init__(
        self,
        what: str,
        save: Callable[[str], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_("Return for correction"), save, parent, ok_text=_("Return"))
        self.setMinimumWidth(460)
        intro = QLabel(what)
        intro.setWordWrap(True)
        self.body.addWidget(intro)
        self.body.addWidget(QLabel(_("Reason (the commune office will read it):")))
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlaceholderText(_("e.g. The figures of Bản Nà Sản are missing."))
        self.reason_edit.setFixedHeight(96)
        self.body.addWidget(self.reason_edit)

    def collect(self) -> str:
        """The reason, trimmed; an empty one is refused."""
        reason = " ".join(self.reason_edit.toPlainText().split())
        if not reason:
            raise FormInvalid(_("Write the reason for returning the period."))
        return reason
