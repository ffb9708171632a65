"""Item models of the data entry page: the village × indicator grid and the commune form.

Both adapt a :class:`~desktop_app.ui.pages.entry_data.Snapshot`; neither writes. An edit
goes to ``commit(cell, text)`` (the controller), which validates, saves and answers.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from desktop_app.domain import values as typed
from desktop_app.domain.catalogue import Catalogue, Indicator, Lang, by_section
from desktop_app.i18n import _, current_language
from desktop_app.ui.pages.entry_data import Cell, Snapshot, display, sentence

Index = QModelIndex | QPersistentModelIndex
Commit = Callable[[Cell, str], bool]

WARNING_BG = QColor("#ffe8a3")
ERROR_BG = QColor("#f8c6c6")
READ_ONLY_BG = QColor("#eeeeee")
TOTAL_BG = QColor("#e3ecf7")
CELL_ROLE = Qt.ItemDataRole.UserRole
_R = Qt.ItemDataRole
# data() runs for every role of every painted cell: answer the others at once.
HANDLED_ROLES = frozenset(
    int(r)
    for r in (
        _R.DisplayRole,
        _R.EditRole,
        _R.ToolTipRole,
        _R.BackgroundRole,
        _R.TextAlignmentRole,
        _R.FontRole,
        CELL_ROLE,
    )
)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_STYLE: dict[str, QColor | QFont] = {}


def _style(name: str) -> Any:
    """Colours and fonts made once (after the QApplication exists), not per painted cell.

    A background is a QColor, which Qt paints as a solid brush: making a ``QBrush`` of it
    in Python makes PySide create ``QGradient`` and its seven enums (one of 169 members)
    to choose the constructor, 1.6 ms of the window's start."""
    found = _STYLE.get(name)
    if found is None:
        colours = {"warning": WARNING_BG, "error": ERROR_BG, "read_only": READ_ONLY_BG}
        colours["total"] = TOTAL_BG
        if name in colours:
            found = colours[name]
        else:
            found = QFont()
            found.setBold(name == "bold")
            found.setItalic(name == "comment")
            found.setUnderline(name == "comment")
        _STYLE[name] = found
    return found


def indicator_title(indicator: Indicator, disagg: str, catalogue: Catalogue) -> str:
    """A column or row title: the indicator's name, its cell and its unit."""
    lang: Lang = "vi" if current_language() == "vi" else "en"
    name = indicator.name(lang)
    if disagg:
        name += " — " + catalogue.disaggregation_label(indicator.code, disagg, lang)
    unit = indicator.unit_vi if lang == "vi" else indicator.unit_en
    return f"{name} ({unit})" if unit else name


def section_title(code: str) -> str:
    """The name of a catalogue section (its code when the catalogue has a new one)."""
    return {
        "population": _("Population"),
        "devices": _("Devices"),
        "fixed": _("Fixed telephone and Internet"),
        "mobile": _("Mobile networks"),
        "postal": _("Postal services"),
        "radio": _("Radio and loudspeakers"),
        "egov": _("E-government"),
    }.get(code, code)


class EntryGridModel(QAbstractTableModel):
    """A table of cells; ``level`` "village" (villages × indicators) or "commune" (a form)."""

    def __init__(self, catalogue: Catalogue, level: str) -> None:
        super().__init__()
        self.catalogue = catalogue
        self.level = level
        self.snapshot: Snapshot | None = None
        self.cells: list[list[Cell | None]] = []
        self.row_titles: list[str] = []
        self.column_titles: list[str] = []
        self.column_tips: list[str] = []
        self.total_row = -1
        self.sections: list[str] = []  # per row of the commune form: its section's code
        self.header_rows: dict[int, str] = {}  # row -> section code, for section title rows
        self.folded: set[str] = set()  # sections the view folded (their title shows ▸)
        self.commit: Commit | None = None
        self._shown: dict[tuple[str, str, str], str] = {}  # display text, decoded once

    # --- layout ---

    def set_snapshot(self, snapshot: Snapshot) -> None:
        """Show ``snapshot`` (one reset, no queries)."""
        self.beginResetModel()
        self.snapshot = snapshot
        self._shown.clear()
        cat = self.catalogue
        shown = snapshot.shown_indicators(cat, self.level)
        if self.level == "commune":
            # the form's sections each under one title, also after a catalogue version
            # moved an indicator to another section and kept its row where it was
            shown = by_section(shown)
        pairs = [(ind, key) for ind in shown for key in cat.disaggregation_keys(ind.code)]
        cid = snapshot.commune_id
        if self.level == "village":
            self.column_titles = [indicator_title(i, k, cat) for i, k in pairs]
            self.column_tips = [_tip(i) for i, _k in pairs]
            self.row_titles = [v.name for v in snapshot.villages]
            self.cells = [[Cell(cid, v.id, i, k) for i, k in pairs] for v in snapshot.villages]
            self.total_row = len(self.cells) if self.cells else -1
            if self.cells:
                self.row_titles.append(_("Total"))
                self.cells.append([None] * len(pairs))
        else:
            # the form in sections, each under a title row that folds it
            self.column_titles = [_("Value")]
            self.column_tips = [""]
            self.row_titles, self.cells, self.sections = [], [], []
            self.header_rows = {}
            for i, k in pairs:
                if not self.sections or self.sections[-1] != i.section:
                    self.header_rows[len(self.cells)] = i.section
                    self.row_titles.append(section_title(i.section))
                    self.cells.append([None])
                    self.sections.append(i.section)
                self.row_titles.append(indicator_title(i, k, cat))
                self.cells.append([Cell(cid, None, i, k)])
                self.sections.append(i.section)
            self.total_row = -1
        self.endResetModel()

    def input_cells(self) -> list[Cell]:
        """Every cell one types into (no total row, no section titles)."""
        return [c for row in self.cells for c in row if c is not None]

    def cell(self, row: int, column: int) -> Cell | None:
        """The cell at (row, column), None outside the grid or on the total row."""
        if 0 <= row < len(self.cells) and 0 <= column < len(self.cells[row]):
            return self.cells[row][column]
        return None

    def index_of(self, org_id: str, code: str, disagg: str) -> QModelIndex:
        """The index showing that cell (invalid when not shown)."""
        for r, row in enumerate(self.cells):
            for c, cell in enumerate(row):
                if cell is not None and cell.key == (org_id, code, disagg):
                    return self.index(r, c)
        return QModelIndex()

    def refresh_org(self, org_id: str) -> None:
        """Repaint the rows of one village (or the whole form) and the total row."""
        self._shown = {k: v for k, v in self._shown.items() if k[0] != org_id}
        for r, row in enumerate(self.cells):
            if any(c is not None and c.org_id == org_id for c in row) or r == self.total_row:
                self.dataChanged.emit(self.index(r, 0), self.index(r, self.columnCount() - 1))

    def is_editable(self, cell: Cell | None) -> bool:
        """True when the cell may be written now."""
        return (
            cell is not None
            and self.snapshot is not None
            and not self.snapshot.read_only(cell.indicator)
        )

    # --- Qt model interface ---

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.cells)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.column_titles)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        titles = self.column_titles if orientation == Qt.Orientation.Horizontal else self.row_titles
        if not 0 <= section < len(titles):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            code = self.header_rows.get(section) if orientation == Qt.Orientation.Vertical else None
            if code is not None:
                return ("▸ " if code in self.folded else "▾ ") + titles[section]
            return titles[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            if orientation == Qt.Orientation.Vertical and section in self.header_rows:
                return _("Click to fold or open this section")
            tip = self.column_tips[section] if orientation == Qt.Orientation.Horizontal else ""
            return "\n".join(t for t in (titles[section], tip) if t)
        vertical = orientation == Qt.Orientation.Vertical
        if role == Qt.ItemDataRole.FontRole and vertical:
            if section == self.total_row or section in self.header_rows:
                return _style("bold")
        if role == Qt.ItemDataRole.BackgroundRole and vertical and section in self.header_rows:
            return _style("total")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.is_editable(self.cell(index.row(), index.column())):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        snapshot = self.snapshot
        if role not in HANDLED_ROLES or snapshot is None or not index.isValid():
            return None
        if index.row() == self.total_row:
            return self._total_data(index.column(), role)
        if index.row() in self.header_rows:
            return _style("total") if role == Qt.ItemDataRole.BackgroundRole else None
        cell = self.cell(index.row(), index.column())
        if cell is None:
            return None
        key = cell.key
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            shown = self._shown.get(key)
            if shown is None:
                shown = display(self.catalogue, cell.indicator, snapshot.text(key))
                self._shown[key] = shown
            return shown
        if role == CELL_ROLE:
            return cell
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if cell.indicator.kind in ("integer", "decimal") else LEFT
        flags = snapshot.flags.get(key, [])
        if role == Qt.ItemDataRole.BackgroundRole:
            if any(v.severity == "error" for v in flags):
                return _style("error")
            if flags:
                return _style("warning")
            if snapshot.read_only(cell.indicator):
                return _style("read_only")
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [sentence(v) for v in flags]
            comment = snapshot.comment(key)
            if comment:
                lines.append(_("Comment: {text}").format(text=comment))
            if cell.indicator.frequency == "annual" and snapshot.period.kind == "quarterly":
                lines.append(_("Yearly indicator: one value for the whole year."))
            return "\n".join(lines) or None
        if role == Qt.ItemDataRole.FontRole and snapshot.comment(key):
            return _style("comment")
        return None

    def _total_data(self, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole:
            return _style("total")
        if role == Qt.ItemDataRole.FontRole:
            return _style("bold")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT
        if role != Qt.ItemDataRole.DisplayRole or self.snapshot is None:
            return None
        first = self.cells[0][column] if self.cells else None
        if first is None:
            return None
        kind = first.indicator.kind
        numbers: list[Decimal] = []
        for row in self.cells[: self.total_row]:
            cell = row[column]
            text = self.snapshot.text(cell.key) if cell is not None else None
            if text is None:
                continue
            if kind in ("integer", "decimal"):
                numbers.append(Decimal(text))
            elif kind == "boolean" and text == "1":
                numbers.append(Decimal(1))
        if kind not in ("integer", "decimal", "boolean") or (not numbers and kind == "boolean"):
            return "" if kind != "boolean" else "0"
        return typed.format_number(sum(numbers, Decimal(0)), current_language())

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        cell = self.cell(index.row(), index.column())
        if role != Qt.ItemDataRole.EditRole or cell is None or self.commit is None:
            return False
        return self.commit(cell, str(value))


def _tip(indicator: Indicator) -> str:
    if indicator.frequency == "annual":
        return _("Yearly indicator: one value for the whole year.")
    return ""
