"""Administration, office settings: the names, number and signer printed on reports."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import _
from desktop_app.store.errors import StoreError
from desktop_app.ui.background_sync import EVERY_SETTING, minutes_of
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs.base import ERROR_STYLE
from desktop_app.ui.error_text import user_text
from desktop_app.ui.sync_settings import INSECURE_SETTING, insecure_allowed

RECIPIENTS = "recipients"


def fields() -> list[tuple[str, str, str]]:
    """(setting key, label, example) of each one-line setting; the reports read these keys."""
    return [
        ("parent_agency", _("Parent agency"), "UBND HUYỆN MAI SƠN"),
        ("office_name", _("Office name"), "PHÒNG VĂN HÓA VÀ THÔNG TIN"),
        ("report_number", _("Report number"), "…/BC-VHTT"),
        ("place", _("Place (for the date line)"), "Mai Sơn"),
        ("signer_on_behalf", _("Signing on behalf of"), "KT. TRƯỞNG PHÒNG"),
        ("signer_title", _("Signer's title"), "PHÓ TRƯỞNG PHÒNG"),
        ("signer_name", _("Signer's name"), "Lò Văn Minh"),
    ]


class SettingsTab(QWidget):
    """Edit the office settings; nothing is written until "Save"."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        intro = QLabel(_("These appear in the heading and signature block of printed reports."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.edits: dict[str, QLineEdit] = {}
        for key, label, example in fields():
            edit = QLineEdit()
            edit.setPlaceholderText(_("e.g. {example}").format(example=example))
            self.edits[key] = edit
            form.addRow(label, edit)
        self.recipients_edit = QPlainTextEdit()
        self.recipients_edit.setPlaceholderText(
            _("One per line, e.g.") + "\n- Sở TT&TT tỉnh Sơn La;\n- UBND huyện;\n- Lưu: VT."
        )
        self.recipients_edit.setFixedHeight(110)
        form.addRow(_("Recipients (one per line)"), self.recipients_edit)
        self.every_box = QSpinBox()
        self.every_box.setRange(0, 24 * 60)
        self.every_box.setSuffix(" " + _("minutes"))
        self.every_box.setSpecialValueText(_("off"))
        self.every_box.setMaximumWidth(180)  # a number of minutes, not a line of text
        self.every_box.setToolTip(
            _(
                "With a province server set on the Sync page, sync over the network by itself "
                "this often (never while someone is typing). 0: off."
            )
        )
        form.addRow(_("Automatic network sync every"), self.every_box)
        self.insecure_box = QCheckBox(
            _(
                "Allow plain http to the province server (nothing is encrypted; only on a"
                " network you trust)"
            )
        )
        form.addRow("", self.insecure_box)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.save_button = QPushButton(_("Save"))
        self.revert_button = QPushButton(_("Undo changes"))
        self.save_button.clicked.connect(self._on_save)
        self.revert_button.clicked.connect(self._on_revert)
        row.addWidget(self.save_button)
        row.addWidget(self.revert_button)
        self.message_label = QLabel()
        row.addWidget(self.message_label, 1)
        layout.addLayout(row)
        layout.addStretch(1)
        self.load()

    def load(self) -> None:
        """Show the saved settings."""
        saved = self.ctx.store.reference.settings()
        for key, edit in self.edits.items():
            edit.setText(saved.get(key, ""))
        self.recipients_edit.setPlainText(saved.get(RECIPIENTS, ""))
        self.every_box.setValue(minutes_of(saved))
        self.insecure_box.setChecked(insecure_allowed(saved))

    def values(self) -> dict[str, str]:
        """The settings as typed (spaces trimmed, empty recipient lines dropped)."""
        out = {key: " ".join(edit.text().split()) for key, edit in self.edits.items()}
        lines = [line.strip() for line in self.recipients_edit.toPlainText().splitlines()]
        out[RECIPIENTS] = "\n".join(line for line in lines if line)
        out[EVERY_SETTING] = str(self.every_box.value())
        out[INSECURE_SETTING] = "1" if self.insecure_box.isChecked() else ""
        return out

    def _on_save(self) -> None:
        try:
            self.ctx.store.reference.set_settings(self.values())
        except StoreError as exc:
            self.message_label.setStyleSheet(ERROR_STYLE)
            self.message_label.setText(user_text(exc))
            return
        self.message_label.setStyleSheet("color: #1d5e20;")
        self.message_label.setText(_("Saved."))
        self.ctx.bus.status_changed.emit()

    def _on_revert(self) -> None:
        self.load()
        self.message_label.setText("")
