"""Data entry by spreadsheet in the window: «Export Excel template…» and «Import from
Excel…» in the Data menu (the dialogs they open: :mod:`desktop_app.ui.spreadsheet_dialogs`).

The work is the importers' (:mod:`desktop_app.imports`); reading a workbook runs on the
task runner, applying it (one transaction) on the GUI thread once the clerk agreed.
A province imports a commune's template on the commune's behalf (see
:meth:`desktop_app.store.repositories.base.Repository.check_data_scope`).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMainWindow, QWidget

from desktop_app.i18n import _
from desktop_app.store.errors import StoreError
from desktop_app.store.store import Store
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs import confirm
from desktop_app.ui.tasks import CancelFlag, Progress, run_with_progress, runner_of

if TYPE_CHECKING:  # the import machinery loads when the menu is used, not at start-up
    from desktop_app.imports.template import TemplateInfo
    from desktop_app.imports.values_import import ValuesPlan

XLSX_FILTER = "Excel (*.xlsx)"


def _release_connection(store: Store) -> None:
    # peewee opened a connection for this worker thread; the GUI thread keeps its own
    if threading.current_thread() is not threading.main_thread():
        store.db.close()


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
        from PySide6.QtWidgets import QFileDialog

        name, _filter = QFileDialog.getSaveFileName(
            self.window, _("Export Excel template"), str(self.folder / suggested), XLSX_FILTER
        )
        return Path(name) if name else None

    def choose_input(self) -> Path | None:
        """The filled template to import."""
        from PySide6.QtWidgets import QFileDialog

        name, _filter = QFileDialog.getOpenFileName(
            self.window, _("Import from Excel"), str(self.folder), XLSX_FILTER
        )
        return Path(name) if name else None

    def _failed(self, exc: BaseException) -> None:
        message = exc.user_message() if isinstance(exc, StoreError) else str(exc)
        confirm.inform(self.window, _("Import from Excel"), message, error=True)

    def _on_export(self) -> None:
        from desktop_app.ui.spreadsheet_dialogs import ExportDialog

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
        from desktop_app.ui.spreadsheet_dialogs import ImportPreviewDialog

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
