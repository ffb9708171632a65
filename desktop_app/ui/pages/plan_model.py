"""The plan grid's item model: the province's units × planned indicators for one year.

A cell shows the unit's target as printed (``87,5``); at the province's office a cell
the indicator is planned for is editable, and what is typed is judged by
:func:`desktop_app.domain.plan.parse_target` before it is stored. Elsewhere the grid
is read-only: targets are the province's and come down with bundles and syncs.
"""

from __future__ import annotations

import textwrap
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from desktop_app.domain.plan import TargetProblem, applies_to, decimals_of, parse_target
from desktop_app.i18n import current_language
from desktop_app.reports.plan_sheet import indicator_heading, problem_text
from desktop_app.reports.texts import display
from desktop_app.store.errors import StoreError
from desktop_app.store.store import Store
from desktop_app.ui.pages.office_scope import office_plan_units

Index = QModelIndex | QPersistentModelIndex
_GREY = QBrush(QColor("#eeeeee"))


class PlanModel(QAbstractTableModel):
    """Targets of one year, one row per unit and one column per planned indicator."""

    refused = Signal(str)  # the reason a typed target was not stored
    saved = Signal(str)  # what was stored

    def __init__(self, store: Store, year: int) -> None:
        super().__init__()
        from desktop_app.domain.plan import plan_indicators

        self.store = store
        self.year = year
        self.units = office_plan_units(store)  # a commune: its own row only
        self.indicators = plan_indicators(store.catalogue)
        office = store.reference.unit(store.node.office_id)
        self.editable = office.level == 1
        self.targets = store.targets.for_year(year)

    def set_year(self, year: int) -> None:
        """Show the targets of ``year``."""
        self.beginResetModel()
        self.year = year
        self.targets = self.store.targets.for_year(year)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.units)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.indicators)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        roles = Qt.ItemDataRole
        wanted = (roles.DisplayRole, roles.FontRole, roles.ToolTipRole)
        if role not in wanted:
            return None
        if orientation == Qt.Orientation.Horizontal:
            heading = indicator_heading(self.indicators[section], current_language())
            if role == Qt.ItemDataRole.DisplayRole:
                # headers do not wrap by themselves: four short lines fit the column
                return textwrap.fill(heading, 18)
            return heading if role == Qt.ItemDataRole.ToolTipRole else None
        unit = self.units[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return unit.id
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(unit.level < 3)
            return font
        return unit.name if unit.level < 3 else "    " + unit.name

    def _planned(self, index: Index) -> bool:
        return applies_to(self.indicators[index.column()], self.units[index.row()].level)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable and self._planned(index):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        unit, indicator = self.units[index.row()], self.indicators[index.column()]
        value = self.targets.get((unit.id, indicator.code))
        if role == Qt.ItemDataRole.DisplayRole:
            if value is None:
                return ""
            return display(value, decimals_of(indicator), "vi")
        if role == Qt.ItemDataRole.EditRole:
            return "" if value is None else display(value, decimals_of(indicator), "vi")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and not self._planned(index):
            return _GREY
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        unit, indicator = self.units[index.row()], self.indicators[index.column()]
        text = str(value).strip()
        if not text:
            return False  # a target is changed, never removed, here as in the sheet
        try:
            target = parse_target(text, indicator, unit.level)
            self.store.targets.set(unit.id, self.year, indicator.code, target)
        except TargetProblem as problem:
            self.refused.emit(f"{unit.name}: {problem_text(problem, indicator)}")
            return False
        except StoreError as exc:
            self.refused.emit(exc.user_message())
            return False
        self.targets[(unit.id, indicator.code)] = target
        self.dataChanged.emit(index, index)
        name = indicator.name_vi if current_language() == "vi" else indicator.name_en
        self.saved.emit(f"{unit.name}: {name} = {self.data(index)}")
        return True
