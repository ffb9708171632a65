"""The plan page: the year's targets of every unit of the province, typed like the data grid.

The province's office types targets here (Enter moves down, Tab right, as in data entry);
every other office sees the targets that came down from the province, read-only.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
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
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.year)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self._show_office()
        self.year.valueChanged.connect(self._on_year_changed)
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

    def _on_year_changed(self, year: int) -> None:
        self.model.set_year(year)
        self.message.clear()

    def _on_refused(self, reason: str) -> None:
        self.message.setStyleSheet("color: #a00000")
        self.message.setText(_("Not saved: {reason}").format(reason=reason))

    def _on_saved(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(_("Saved: {what}").format(what=text))
