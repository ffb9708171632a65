"""Enrolment by file, on the sync page of an office the province has not enrolled yet.

The office writes a request file, carries it to the province, and brings back the
certificate file the province issued. Until then it can neither sign nor check
bundles, so the sync page shows only this box.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import _
from desktop_app.store.errors import StoreError
from desktop_app.sync.certificates import (
    accept_certificate,
    make_request,
    read_json_file,
    write_atomic,
)
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs.base import ERROR_STYLE
from desktop_app.ui.error_text import user_text

OK_STYLE = "color: #1d5e20;"


class EnrolBox(QGroupBox):
    """Request a certificate, then accept it; ``enrolled`` is emitted once it is installed."""

    enrolled = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(_("This office is not enrolled with the province yet"), parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        intro = QLabel(
            "\n".join(
                [
                    _(
                        "Before bundles can be exchanged, the province must issue this office "
                        "a certificate."
                    ),
                    _(
                        "1. Make an enrolment request file and take it to the province "
                        "on a USB stick."
                    ),
                    _("2. When the province gives you the certificate file, accept it here."),
                ]
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.request_button = QPushButton(_("Make an enrolment request…"))
        self.accept_button = QPushButton(_("Accept the certificate…"))
        self.request_button.clicked.connect(self._on_request)
        self.accept_button.clicked.connect(self._on_accept)
        row.addWidget(self.request_button)
        row.addWidget(self.accept_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        layout.addWidget(self.message_label)

    # --- file choices (tests replace these) ---

    def choose_request_file(self) -> Path | None:
        """Where to save the request."""
        office = self.ctx.office_id.split(":")[-1]
        name, _filter = QFileDialog.getSaveFileName(
            self,
            _("Save the enrolment request"),
            f"enrolment-request-{office}.json",
            _("Enrolment files (*.json)"),
        )
        return Path(name) if name else None

    def choose_certificate_file(self) -> Path | None:
        """The certificate file the province issued."""
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Open the certificate file"), "", _("Enrolment files (*.json)")
        )
        return Path(name) if name else None

    def _say(self, message: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message_label.setText(message)
        self.message_label.setVisible(bool(message))

    # --- slots ---

    def _on_request(self) -> None:
        target = self.choose_request_file()
        if target is None:
            return
        try:
            request = make_request(self.ctx.store)
            write_atomic(target, json.dumps(request, ensure_ascii=False, indent=1).encode())
        except StoreError as exc:
            self._say(user_text(exc), error=True)
            return
        except OSError as exc:
            self._say(user_text(exc), error=True)
            return
        self._say(_("Request saved to {path}. Take it to the province office.").format(path=target))

    def _on_accept(self) -> None:
        source = self.choose_certificate_file()
        if source is None:
            return
        try:
            info = accept_certificate(self.ctx.store, read_json_file(source))
        except StoreError as exc:
            self._say(user_text(exc), error=True)
            return
        self._say(
            _("Enrolled: certificate {serial}, valid until {expires}.").format(
                serial=info.serial, expires=info.expires[:10]
            )
        )
        self.enrolled.emit()
