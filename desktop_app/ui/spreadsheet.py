"""Data entry by spreadsheet in the window: «Export Excel template…» and «Import from
Excel…» in the Data menu, and the preview of what an import changes before it is applied.

The work is the importers' (:mod:`desktop_app.imports`); reading a workbook runs on the
task runner, applying it (one transaction) on the GUI thread once the clerk agreed.
A province imports a commune's template on the commune's behalf (see
:meth:`desktop_app.store.repositories.base.Repository.check_data_scope`).
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QColor, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.periods import Period
from desktop_app.domain.values import encode
from desktop_app.i18n import _
from desktop_app.store.errors import StoreError
from desktop_app.store.store import Store
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs import confirm
from desktop_app.ui.tasks import CancelFlag, Progress, run_with_progress, runner_of
from desktop_app.ui.widgets.period_picker import PeriodPicker

if TYPE_CHECKING:  # the import machinery loads when the menu is used, not at start-up
    from desktop_app.imports.template import TemplateInfo
    from desktop_app.imports.values_import import ValuesPlan

REFUSED_COLOUR = QColor("#a00000")
XLSX_FILTER = "Excel (*.xlsx)"


def _release_connection(store: Store) -> None:
    # peewee opened a connection for this worker thread; the GUI thread keeps its own
    if threading.current_thread() is not threading.main_thread():
        store.db.close()


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


class SpreadsheetActions(QObject):
    """The two menu actions and what they do."""

    def __init__(self, window: QWidget, ctx: AppContext) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.folder = Path.home()
        self.export_action = QAction(_("Export Excel template…"), window)
        self.export_action.triggered.connect(self._on_export)
        self.import_action = QAction(_("Import from Excel…"), window)
        self.import_action.triggered.connect(self._on_import)
        self.last_plan: ValuesPlan | None = None

    def choose_output(self, suggested: str) -> Path | None:
        """Where to write the template."""
        name, _filter = QFileDialog.getSaveFileName(
            self.window, _("Export Excel template"), str(self.folder / suggested), XLSX_FILTER
        )
        return Path(name) if name else None

    def choose_input(self) -> Path | None:
        """The filled template to import."""
        name, _filter = QFileDialog.getOpenFileName(
            self.window, _("Import from Excel"), str(self.folder), XLSX_FILTER
        )
        return Path(name) if name else None

    def _failed(self, exc: BaseException) -> None:
        message = exc.user_message() if isinstance(exc, StoreError) else str(exc)
        confirm.inform(self.window, _("Import from Excel"), message, error=True)

    def _on_export(self) -> None:
        dialog = ExportDialog(self.ctx, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        unit_id, period = dialog.choice()
        out = self.choose_output(f"mau-{unit_id.split(':')[-1]}-{period.code}.xlsx")
        if out is None:
            return
        self.folder = out.parent
        store = self.ctx.store

        from desktop_app.imports.template import TemplateInfo, write_template

        def task(progress: Progress, cancel: CancelFlag) -> TemplateInfo:
            try:
                progress(None, _("Writing the template…"))
                return write_template(store, unit_id, period, out)
            finally:
                _release_connection(store)

        def done(info: object) -> None:
            assert isinstance(info, TemplateInfo)
            confirm.inform(
                self.window,
                _("Export Excel template"),
                _("Template written to {path}: {villages} villages, {cells} cells.").format(
                    path=info.path, villages=info.villages, cells=info.cells
                ),
            )

        run_with_progress(
            runner_of(self.ctx), self.window, _("Export Excel template"), task, done, self._failed
        )

    def _on_import(self) -> None:
        path = self.choose_input()
        if path is None:
            return
        self.folder = path.parent
        store = self.ctx.store

        from desktop_app.imports.values_import import plan_values_import

        def task(progress: Progress, cancel: CancelFlag) -> ValuesPlan:
            try:
                progress(None, _("Checking every cell…"))
                return plan_values_import(store, path)
            finally:
                _release_connection(store)

        run_with_progress(
            runner_of(self.ctx),
            self.window,
            _("Import from Excel"),
            task,
            self._preview,
            self._failed,
        )

    def _preview(self, result: object) -> None:
        from desktop_app.imports.values_import import ValuesPlan

        assert isinstance(result, ValuesPlan)
        self.last_plan = result
        dialog = ImportPreviewDialog(self.ctx.store, result, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            written = result.apply(self.ctx.store, partial=dialog.partial)
        except StoreError as exc:
            self._failed(exc)
            return
        for commune_id in result.communes:
            self.ctx.bus.values_changed.emit(commune_id, result.period.code)
        self.ctx.bus.status_changed.emit()
        confirm.inform(
            self.window,
            _("Import from Excel"),
            _("{count} cell(s) imported.").format(count=written),
        )


def add_spreadsheet_menu(window: QMainWindow, ctx: AppContext) -> SpreadsheetActions:
    """Add the Data menu with the two actions to ``window``; returns them."""
    actions = SpreadsheetActions(window, ctx)
    menu = window.menuBar().addMenu(_("&Data"))
    menu.addAction(actions.import_action)
    menu.addAction(actions.export_action)
    return actions
