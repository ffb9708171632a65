"""The two dialogs of the window's Data menu (:mod:`desktop_app.ui.spreadsheet`): which
unit and period a template is exported for, and the preview of what an import changes
before it is applied. Imported when the menu is used: their widgets (the file dialog's
and the table's classes among them) cost the window's start about 3 ms otherwise.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.periods import Period
from desktop_app.domain.values import encode
from desktop_app.i18n import _
from desktop_app.store.store import Store
from desktop_app.ui.context import AppContext
from desktop_app.ui.widgets.period_picker import PeriodPicker

if TYPE_CHECKING:  # the import machinery loads when the menu is used, not at start-up
    from desktop_app.imports.values_import import ValuesPlan

REFUSED_COLOUR = QColor("#a00000")


def _shown(plan_store: Store, indicator_code: str, text: str | None) -> str:
    from desktop_app.imports import layout
    from desktop_app.imports.template import cell_value

    indicator = plan_store.catalogue.indicator(indicator_code)
    value = cell_value(plan_store.catalogue, indicator, text, layout.language())
    if value is None:
        return "—"
    return str(value)


class ExportDialog(QDialog):
    """Which unit (the office's commune, or one of the province's communes) and period."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Export Excel template"))
        form = QFormLayout(self)
        self.unit_box = QComboBox(self)
        office = ctx.store.reference.unit(ctx.office_id)
        communes = ctx.store.reference.communes_under(office.id)
        if office.level != 3:
            self.unit_box.addItem(_("{unit} (every commune)").format(unit=office.name), office.id)
        for commune in communes:
            self.unit_box.addItem(commune.name, commune.id)
        form.addRow(_("Unit"), self.unit_box)
        self.period_picker = PeriodPicker(date.fromtimestamp(ctx.store.clock()), self)
        form.addRow(_("Period"), self.period_picker)
        buttons = QDialogButtonBox(self)
        self.ok_button = buttons.addButton(_("Export…"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def choice(self) -> tuple[str, Period]:
        """(unit id, period) chosen."""
        return str(self.unit_box.currentData()), self.period_picker.period()


class ImportPreviewDialog(QDialog):
    """Every cell the import would change, every cell it refuses, and Apply."""

    def __init__(self, store: Store, plan: ValuesPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle(_("Import from Excel: preview"))
        self.resize(1000, 560)
        layout_ = QVBoxLayout(self)
        lines = [
            _("{changed} cell(s) will change, {unchanged} unchanged, {refused} refused.").format(
                changed=len(plan.changes), unchanged=plan.unchanged, refused=len(plan.refusals)
            ),
            *plan.notes,
        ]
        if plan.on_behalf:
            lines.append(_("Entered on behalf of the commune: the history will say so."))
        self.summary = QLabel("<br>".join(lines), self)
        self.summary.setWordWrap(True)
        layout_.addWidget(self.summary)
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels(
            [_("Sheet"), _("Cell"), _("Village / indicator"), _("Now"), _("After the import")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for refusal in plan.refusals:
            self._row(refusal.sheet, refusal.coordinate, refusal.place, "", refusal.reason, True)
        for change in plan.changes:
            code = change.indicator.code
            new_text = None
            if change.write.value is not None:
                new_text = encode(change.indicator, change.write.value)
            self._row(
                change.sheet,
                change.coordinate,
                change.place,
                _shown(store, code, change.old_text),
                _shown(store, code, new_text),
                False,
            )
        self.table.setWordWrap(True)
        layout_.addWidget(self.table, 1)
        self.partial_box = QCheckBox(_("Apply the other cells, leave the refused ones"), self)
        self.partial_box.setVisible(bool(plan.refusals))
        self.partial_box.toggled.connect(self._update_buttons)
        layout_.addWidget(self.partial_box)
        buttons = QDialogButtonBox(self)
        self.apply_button: QPushButton = buttons.addButton(
            _("Apply"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button: QPushButton = buttons.addButton(
            _("Cancel"), QDialogButtonBox.ButtonRole.RejectRole
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout_.addWidget(buttons)
        self._update_buttons()

    def _row(self, sheet: str, cell: str, place: str, old: str, new: str, refused: bool) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, text in enumerate((sheet, cell, place, old, new)):
            item = QTableWidgetItem(text)
            if refused:
                item.setForeground(REFUSED_COLOUR)
            if column == 4:
                item.setToolTip(text)
            self.table.setItem(row, column, item)

    def showEvent(self, event: QShowEvent) -> None:
        """Fit the rows to their wrapped text once the columns have their widths."""
        super().showEvent(event)
        self.table.resizeRowsToContents()

    @property
    def partial(self) -> bool:
        """True when the clerk chose to apply what passes despite refusals."""
        return self.partial_box.isChecked()

    def _update_buttons(self) -> None:
        blocked = bool(self.plan.refusals) and not self.partial
        self.apply_button.setEnabled(bool(self.plan.changes) and not blocked)
