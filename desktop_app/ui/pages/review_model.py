"""The completeness grid: communes × quarters, each cell a submission state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop_app.domain.periods import Period
from desktop_app.domain.units import Unit
from desktop_app.i18n import _
from desktop_app.store.repositories.base import LOCKED_STATES
from desktop_app.store.repositories.submissions import Submission
from desktop_app.store.store import Store

# Light backgrounds with dark text: readable on old screens and when printed in grey;
# the state is always written too, never shown by colour alone.
STATE_COLOURS = {
    "draft": "#ececec",
    "submitted": "#cfe0ff",
    "approved": "#c6e8c6",
    "returned": "#ffd3bd",
    "accepted": "#8fd19e",
}

_Index = QModelIndex | QPersistentModelIndex


def state_label(state: str) -> str:
    """The translated name of a submission state."""
    labels = {
        "draft": _("Draft"),
        "submitted": _("Submitted"),
        "approved": _("Approved"),
        "returned": _("Returned"),
        "accepted": _("Accepted"),
    }
    return labels.get(state, state)


@dataclass(frozen=True)
class Cell:
    """One (commune, period) of the grid."""

    commune: Unit
    period: Period
    submission: Submission
    values: int  # cells typed for that quarter

    @property
    def locked(self) -> bool:
        """Approved (or accepted) periods can no longer be edited."""
        return self.submission.state in LOCKED_STATES


class CellDelegate(QStyledItemDelegate):
    """Paints the selected cell with a thick frame instead of the highlight colour, so
    its state's colour stays visible under the cursor."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        plain = QStyleOptionViewItem(option)
        plain.state &= ~QStyle.StateFlag.State_Selected
        plain.state &= ~QStyle.StateFlag.State_HasFocus
        super().paint(painter, plain, index)
        if selected:
            painter.save()
            painter.setPen(QPen(QColor("#1f4e9c"), 3))
            painter.drawRect(option.rect.adjusted(1, 1, -2, -2))
            painter.restore()


class CompletenessModel(QAbstractTableModel):
    """Rows are communes, columns are periods; read with :meth:`load`."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language
        self._communes: list[Unit] = []
        self._periods: list[Period] = []
        self._cells: list[list[Cell]] = []

    def load(self, store: Store, communes: Sequence[Unit], periods: Sequence[Period]) -> None:
        """Read every submission (and how many values were typed) of the grid."""
        self.beginResetModel()
        self._communes, self._periods = list(communes), list(periods)
        by_period = {p.code: store.submissions.for_period(p.code) for p in self._periods}
        self._cells = []
        for unit in self._communes:
            row = []
            for period in self._periods:
                sub = by_period[period.code].get(unit.id) or Submission(
                    unit.id, period.code, "draft", "", "", ""
                )
                count = sum(
                    1
                    for v in store.values.commune_values(unit.id, period.code)
                    if v.value is not None
                )
                row.append(Cell(unit, period, sub, count))
            self._cells.append(row)
        self.endResetModel()

    def cell(self, row: int, column: int) -> Cell:
        """The cell at (row, column)."""
        return self._cells[row][column]

    def counts(self, column: int) -> dict[str, int]:
        """How many communes are in each state for the period of ``column``."""
        out: dict[str, int] = {}
        for row in self._cells:
            state = row[column].submission.state
            out[state] = out.get(state, 0) + 1
        return out

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._communes)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._periods)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._periods[section].label(self.language)
        return self._communes[section].name

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        cell = self._cells[index.row()][index.column()]
        state = cell.submission.state
        if role == Qt.ItemDataRole.DisplayRole:
            label = state_label(state)
            return _("{state} · locked").format(state=label) if cell.locked else label
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(STATE_COLOURS.get(state, "#ffffff")))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor("#1a1a1a"))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = _("{n} values typed").format(n=cell.values)
            if cell.submission.reason:
                tip += "\n" + _("Reason: {reason}").format(reason=cell.submission.reason)
            return tip
        return None
