"""The province's certificates: every office it enrolled, and revoking one.

The list is :func:`desktop_app.sync.certificates.list_certificates` (office, serial,
key fingerprint, expiry, revoked and why). Revoking asks for the reason (told to every
office that later refuses the certificate) and for confirmation, then calls
:func:`desktop_app.sync.certificates.revoke_certificates`; the signed list goes down
with the next bundles and syncs. Shown in the province office's window only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import _
from desktop_app.store.errors import StoreError
from desktop_app.sync.certificates import (
    IssuedRow,
    approve_request,
    day_text,
    list_certificates,
    read_json_file,
    revoke_certificates,
    write_atomic,
)
from desktop_app.sync.errors import KeyReusedError
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs import confirm
from desktop_app.ui.dialogs.base import ERROR_STYLE, FormDialog, FormInvalid
from desktop_app.ui.error_text import user_text
from desktop_app.ui.widgets.tables import list_table

COLUMNS = 6  # office, serial, key fingerprint, issued, expires, state


def state_text(row: IssuedRow) -> str:
    """Valid, or revoked with its date and reason, in words."""
    if row.revoked_at is None:
        return _("Root (the province)") if row.own else _("Valid")
    if row.reason:
        return _("Revoked on {date}: {reason}").format(
            date=day_text(row.revoked_at), reason=row.reason
        )
    return _("Revoked on {date}").format(date=day_text(row.revoked_at))


class RevokeDialog(FormDialog[str]):
    """Asks why a certificate is revoked; the reason is required."""

    def __init__(
        self, what: str, save: Callable[[str], object], parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Revoke a certificate"), save, parent, ok_text=_("Continue"))
        self.setMinimumWidth(480)
        intro = QLabel(what)
        intro.setWordWrap(True)
        self.body.addWidget(intro)
        self.body.addWidget(QLabel(_("Reason (the offices that refuse it will read it):")))
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlaceholderText(_("e.g. The office's computer was stolen."))
        self.reason_edit.setFixedHeight(80)
        self.body.addWidget(self.reason_edit)

    def collect(self) -> str:
        """The reason, trimmed; an empty one is refused."""
        reason = " ".join(self.reason_edit.toPlainText().split())
        if not reason:
            raise FormInvalid(_("Write why the certificate is revoked."))
        return reason


class CertificatesPage(QWidget):
    """The certificates the province issued, with a Revoke action."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[IssuedRow] = []
        layout = QVBoxLayout(self)
        intro = QLabel(
            _(
                "Every office computer the province enrolled. A revoked certificate is "
                "refused by every office once the revocation reaches it (with the next "
                "bundles and syncs); what the province had received from it when revoking "
                "stands everywhere, anything later is refused."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.model = QStandardItemModel(0, COLUMNS)
        self.model.setHorizontalHeaderLabels(
            [_("Office"), _("Serial"), _("Key fingerprint"), _("Issued"), _("Expires"), _("State")]
        )
        self.table = list_table(self.model, stretch_column=5)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.approve_button = QPushButton(_("Approve an enrolment request…"))
        self.approve_button.clicked.connect(self._on_approve)
        row.addWidget(self.approve_button)
        self.revoke_button = QPushButton(_("Revoke the selected certificate…"))
        self.revoke_button.clicked.connect(self._on_revoke)
        row.addWidget(self.revoke_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message_label)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.reload()

    def reload(self) -> None:
        """Read the certificates again."""
        self.rows = list_certificates(self.ctx.store)
        self.model.removeRows(0, self.model.rowCount())
        grey = QBrush(QColor("#777777"))
        for r in self.rows:
            cells = [
                QStandardItem(f"{r.office_name} ({r.office_id})"),
                QStandardItem(str(r.serial)),
                QStandardItem(r.fingerprint),
                QStandardItem(day_text(r.issued)),
                QStandardItem(day_text(r.expires)),
                QStandardItem(state_text(r)),
            ]
            for cell in cells:
                cell.setEditable(False)
                if r.revoked_at is not None:
                    cell.setForeground(grey)
            cells[0].setToolTip(_("Installation {node}").format(node=r.node_id))
            self.model.appendRow(cells)
        self._on_selection_changed()

    def selected(self) -> IssuedRow | None:
        """The certificate of the selected row, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def select_serial(self, serial: int) -> None:
        """Select the row of certificate ``serial``."""
        for n, r in enumerate(self.rows):
            if r.serial == serial:
                self.table.selectRow(n)
                return

    # --- file choices (tests replace these) ---

    def choose_request_file(self) -> Path | None:
        """The enrolment request an office brought."""
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Open the enrolment request"), "", _("Enrolment files (*.json)")
        )
        return Path(name) if name else None

    def choose_certificate_target(self, office_id: str) -> Path | None:
        """Where to save the certificate file for the office."""
        name, _filter = QFileDialog.getSaveFileName(
            self,
            _("Save the certificate file"),
            f"certificate-{office_id.split(':')[-1]}.json",
            _("Enrolment files (*.json)"),
        )
        return Path(name) if name else None

    def _say(self, message: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else "color: #1d5e20;")
        self.message_label.setText(message)

    def _on_selection_changed(self, *_args: object) -> None:
        row = self.selected()
        self.revoke_button.setEnabled(row is not None and row.revoked_at is None and not row.own)

    def _on_approve(self) -> None:
        source = self.choose_request_file()
        if source is None:
            return
        store = self.ctx.store
        try:
            request = read_json_file(source)
            asked = request.get("body")
            office = str(asked.get("office_id", "")) if isinstance(asked, dict) else ""
            target = self.choose_certificate_target(office)
            if target is None:  # nothing is issued without a place to save it
                return
            try:
                cert = approve_request(store, request)
            except KeyReusedError as exc:  # one key, two offices: only when meant
                if not confirm.ask(
                    self,
                    _("Approve an enrolment request"),
                    exc.user_message() + "\n\n" + _("Issue the certificate anyway?"),
                    yes_text=_("Issue anyway"),
                    danger=True,
                ):
                    self._say(_("Nothing was issued."))
                    return
                cert = approve_request(store, request, force=True)
        except StoreError as exc:
            self._say(user_text(exc), error=True)
            return
        body = cert["certificate"]["body"]
        self.reload()
        self.select_serial(int(body["serial"]))
        try:
            write_atomic(target, json.dumps(cert, ensure_ascii=False, indent=1).encode())
        except OSError as exc:
            self._say(
                _(
                    "Certificate {serial} for {office} was issued but could not be saved "
                    "({reason}); approve the request again to save a new one."
                ).format(serial=body["serial"], office=body["office_id"], reason=user_text(exc)),
                error=True,
            )
            return
        self._say(
            _("Certificate {serial} for {office} written to {path}.").format(
                serial=body["serial"], office=body["office_id"], path=target
            )
        )

    def _on_revoke(self) -> None:
        row = self.selected()
        if row is None:
            return
        what = _("Certificate {serial} of {name} ({office}), key {key}.").format(
            serial=row.serial, name=row.office_name, office=row.office_id, key=row.fingerprint
        )
        reasons: list[str] = []
        dialog = RevokeDialog(what, reasons.append, self)
        if not dialog.exec() or not reasons:
            return
        if not confirm.ask(
            self,
            _("Revoke a certificate"),
            _(
                "Revoke certificate {serial} of {name}? Every office will refuse its new "
                "bundles and syncs once the revocation reaches it. This cannot be undone: "
                "the office must be enrolled again."
            ).format(serial=row.serial, name=row.office_name),
            yes_text=_("Revoke"),
            danger=True,
        ):
            return
        try:
            done = revoke_certificates(self.ctx.store, str(row.serial), reasons[0])
        except StoreError as exc:
            self._say(user_text(exc), error=True)
            return
        self.reload()
        self.select_serial(row.serial)
        self._say(
            _(
                "Revoked certificate {serial} of {office} ({name}); the revocation goes down "
                "with the next bundles and syncs."
            ).format(serial=done[0].serial, office=done[0].office_id, name=done[0].office_name)
        )
        self.ctx.bus.status_changed.emit()
