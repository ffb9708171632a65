"""The plan page: the year's targets of every unit of the province, typed like the data grid.

The province's office types targets here (Enter moves down, Tab right, as in data entry);
every other office sees the targets that came down from the province, read-only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import _
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.entry_delegates import CellDelegate
from desktop_app.ui.pages.entry_view import EntryTable
from desktop_app.ui.pages.plan_model import PlanModel


class TargetDelegate(CellDelegate):
    """The data grid's editor behaviour (Enter commits and moves down, a refused target
    keeps the editor open) with a plain line for every target."""

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        line = QLineEdit(parent)
        line.setFrame(False)
        return line


def default_year(context: AppContext) -> int:
    """The year shown first: this year by the store's clock."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(context.store.clock(), UTC).year


class PlanPage(QWidget):
    """Year picker over the grid of targets, with a line telling what was saved or refused."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        year = default_year(context)
        self.model = PlanModel(context.store, year)
        title = QLabel(_("Plan targets"), self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        title.setFont(font)
        self.year = QSpinBox(self)
        self.year.setRange(2000, 2100)
        self.year.setValue(year)
        self.year.setPrefix(_("Year") + " ")
        self.table = EntryTable(self)
        self.table.setModel(self.model)
        self.delegate = TargetDelegate(context.store.catalogue, self)
        self.table.setItemDelegate(self.delegate)
        self.delegate.advance.connect(self.table.move)
        self.table.horizontalHeader().setDefaultSectionSize(128)
        self.table.horizontalHeader().setMinimumSectionSize(80)
        self.table.horizontalHeader().setFixedHeight(84)
        self.table.horizontalHeader().setHighlightSections(False)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        if self.model.editable:
            hint = _(
                "Type a target and press Enter. Ratios in percent, 0 to 100; grey cells "
                "are not planned for that level. Offices receive the targets with "
                "their next sync."
            )
        else:
            hint = _("Targets are set by the province and arrive with each sync (read-only).")
        self.hint = QLabel(hint, self)
        self.hint.setWordWrap(True)
        self.export_button = QPushButton(_("Export the plan sheet…"), self)
        self.import_button = QPushButton(_("Import a filled plan sheet…"), self)
        self.import_button.setVisible(self.model.editable)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.export_button)
        top.addWidget(self.import_button)
        top.addWidget(self.year)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self._show_office()
        self.year.valueChanged.connect(self._on_year_changed)
        self.export_button.clicked.connect(self._on_export)
        self.import_button.clicked.connect(self._on_import)
        self.model.refused.connect(self._on_refused)
        self.model.saved.connect(self._on_saved)

    def _show_office(self) -> None:
        """Start on the office's own unit (a district sees its communes first)."""
        ids = [u.id for u in self.model.units]
        office = self.context.office_id
        row = ids.index(office) if office in ids else 0
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index, self.table.ScrollHint.PositionAtTop)

    # --- file choices (tests replace these) ---

    def choose_export_file(self) -> Path | None:
        """Where to save the plan sheet."""
        name, _filter = QFileDialog.getSaveFileName(
            self,
            _("Save the plan sheet"),
            f"ke-hoach-{self.model.year}.xlsx",
            _("Workbooks (*.xlsx)"),
        )
        return Path(name) if name else None

    def choose_import_file(self) -> Path | None:
        """The filled plan sheet to read."""
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Open a filled plan sheet"), "", _("Workbooks (*.xlsx)")
        )
        return Path(name) if name else None

    def _on_export(self) -> None:
        from desktop_app.reports.plan_sheet import write_plan_sheet
        from desktop_app.store.errors import StoreError

        path = self.choose_export_file()
        if path is None:
            return
        try:
            write_plan_sheet(self.context.store, self.model.year, path)
        except StoreError as exc:
            self._on_refused(exc.user_message())
            return
        self._on_saved(_("plan sheet written to {path}").format(path=path))

    def _on_import(self) -> None:
        from desktop_app.reports.plan_sheet import import_plan_sheet
        from desktop_app.store.errors import StoreError

        path = self.choose_import_file()
        if path is None:
            return
        try:
            result = import_plan_sheet(self.context.store, path)
        except StoreError as exc:
            self._on_refused(exc.user_message())
            return
        if not result.applied:
            lines = [p.line() for p in result.problems[:8]]
            more = len(result.problems) - len(lines)
            if more > 0:
                lines.append(_("… and {n} more").format(n=more))
            self._on_refused(
                _("no target was changed, {n} cells refused:").format(n=len(result.problems))
                + "\n" + "\n".join(lines)
            )  # fmt: skip
            return
        if result.year != self.model.year:
            self.year.setValue(result.year)
        else:
            self.model.set_year(result.year)
        self._on_saved(
            _("{changed} targets of {year} changed from the sheet").format(
                changed=result.changed, year=result.year
            )
        )
        self.context.bus.status_changed.emit()

    def _on_year_changed(self, year: int) -> None:
        self.model.set_year(year)
        self.message.clear()

    def _on_refused(self, reason: str) -> None:
        self.message.setStyleSheet("color: #a00000")
        self.message.setText(_("Not saved: {reason}").format(reason=reason))

    def _on_saved(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(_("Saved: {what}").format(what=text))
