"""The data entry page's widgets: unit tree, period, the two grids, totals. No behaviour.

:class:`EntryTable` only translates keys into moves and requests (Enter moves down,
Tab right, Ctrl+V asks to paste, Delete asks to clear); the controller does the rest.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.periods import Period
from desktop_app.domain.text import fold_diacritics
from desktop_app.i18n import _
from desktop_app.store.store import Store
from desktop_app.sync.status import reviewed_by_province
from desktop_app.ui.widgets.period_picker import PeriodPicker
from desktop_app.ui.widgets.unit_tree import UnitTree

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class EntryTable(QTableView):
    """A grid that moves like a spreadsheet."""

    paste_requested = Signal()
    clear_requested = Signal()
    history_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        triggers = QAbstractItemView.EditTrigger
        self.setEditTriggers(
            triggers.AnyKeyPressed | triggers.DoubleClicked | triggers.EditKeyPressed
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.setTabKeyNavigation(True)
        self.setAlternatingRowColors(False)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(24)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)

    def move(self, direction: str) -> None:  # type: ignore[override]
        """Move the current cell: "down" (Enter), "right" (Tab), "left" (Shift+Tab).

        Hidden rows and columns (a folded section, a search) and section titles are
        stepped over.
        """
        model = self.model()
        if model is None:
            return
        rows, columns = model.rowCount(), model.columnCount()
        current = self.currentIndex()
        row, column = (current.row(), current.column()) if current.isValid() else (0, 0)
        last_row = rows - 1
        total_row = getattr(model, "total_row", -1)
        if total_row >= 0:
            last_row = total_row - 1
        headers = getattr(model, "header_rows", {})
        for _step in range(rows * max(columns, 1) + 1):
            if direction == "down":
                row += 1
                if row > last_row:
                    row, column = 0, min(column + 1, columns - 1)
            elif direction == "right":
                column += 1
                if column >= columns:
                    column, row = 0, min(row + 1, last_row)
            elif direction == "left":
                column -= 1
                if column < 0:
                    column, row = columns - 1, max(row - 1, 0)
            hidden = self.isRowHidden(row) or self.isColumnHidden(column) or row in headers
            if not hidden:
                break
        target = model.index(max(row, 0), max(column, 0))
        self.setCurrentIndex(target)
        self.scrollTo(target)

    def focusNextPrevChild(self, next: bool) -> bool:
        if self.tabKeyNavigation() and self.state() != QAbstractItemView.State.EditingState:
            self.move("right" if next else "left")
            return True
        return super().focusNextPrevChild(next)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_requested.emit()
            return
        if self.state() != QAbstractItemView.State.EditingState:
            if event.key() in ENTER_KEYS:
                self.move("down")
                return
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.clear_requested.emit()
                return
            if event.key() == Qt.Key.Key_F4:
                self.history_requested.emit()
                return
        super().keyPressEvent(event)

    def current_index(self) -> QModelIndex:
        """The current cell (for the controller)."""
        return self.currentIndex()


class EntryPage(QWidget):
    """Lays out the data entry page; ``controller`` is attached by :func:`make_entry_page`."""

    def __init__(self, store: Store, office_id: str, today: date, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller: object = None
        self.units = UnitTree(store, office_id, self)
        self.title = QLabel(self)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        # A long commune name must not widen the window: it is cut, the tooltip keeps it.
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(120)
        self.period = PeriodPicker(today, self)
        self.copy_button = QPushButton(_("Copy last period"), self)
        self.copy_button.setToolTip(
            _("Copy every value of the previous period into the empty cells of this one")
        )
        self.history_button = QPushButton(_("History and comment…"), self)
        self.history_button.setToolTip(_("Who changed the current cell and when (F4)"))
        self.undo_button = QToolButton(self)
        self.redo_button = QToolButton(self)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(_("Find an indicator…"))
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip(_("Show only the indicators whose name holds these words"))
        self.search.setMaximumWidth(220)
        self.completeness = QLabel(self)
        self.completeness.setToolTip(_("Cells of this period with a value, of all the cells"))
        self.summary_toggle = QToolButton(self)
        self.summary_toggle.setText(_("Figures panel"))
        self.summary_toggle.setToolTip(_("Show or hide the commune figures on the right"))
        self.summary_toggle.setCheckable(True)
        self.summary_toggle.setChecked(True)
        self.submit_button = QPushButton(_("Send the report…"), self)
        self.submit_button.setToolTip(
            _("Check every rule and the site register, then send this period to the province")
            if reviewed_by_province(office_id)
            else _("Check every rule and the site register, then send this period to the district")
        )
        bar = QHBoxLayout()
        bar.addWidget(QLabel(_("Period:"), self))
        bar.addWidget(self.period)
        bar.addWidget(self.copy_button)
        bar.addWidget(self.history_button)
        bar.addWidget(self.undo_button)
        bar.addWidget(self.redo_button)
        bar.addStretch(1)
        bar.addWidget(self.submit_button)
        tools = QHBoxLayout()
        tools.addWidget(self.search)
        tools.addWidget(self.completeness)
        tools.addStretch(1)
        tools.addWidget(self.summary_toggle)
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "background: #fff4ce; border: 1px solid #e0c060; padding: 6px; color: #5a4600;"
        )
        self.banner.hide()
        # Where the period stands (sent? returned, and why?), always in view above the grid.
        self.state_line = QLabel(self)
        self.state_line.setWordWrap(True)
        self.state_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.village_table = EntryTable(self)
        self.village_table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        )
        # four lines of a long indicator name, not cut (112 px columns wrap them)
        lines = self.fontMetrics().lineSpacing()
        self.village_table.horizontalHeader().setMinimumHeight(4 * lines + 10)
        self.village_table.horizontalHeader().setDefaultSectionSize(112)
        self.commune_table = EntryTable(self)
        self.commune_table.horizontalHeader().setStretchLastSection(True)
        self.commune_table.verticalHeader().setMinimumWidth(360)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.village_table, _("Villages"))
        self.tabs.addTab(self.commune_table, _("Commune"))
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(22)
        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(4, 0, 4, 0)
        centre_layout.addWidget(self.title)
        centre_layout.addLayout(bar)
        centre_layout.addWidget(self.state_line)
        centre_layout.addLayout(tools)
        centre_layout.addWidget(self.banner)
        centre_layout.addWidget(self.tabs, 1)
        centre_layout.addWidget(self.message)
        self.derived_title = QLabel(_("Commune figures (live)"), self)
        self.derived_title.setStyleSheet("font-weight: bold;")
        # Read-only rich text that wraps long indicator names to the panel's width and
        # scrolls itself: laid out once per text, where a word-wrapped rich-text QLabel in
        # a QScrollArea was laid out again for every height-for-width question the layouts
        # asked (about 80 M instructions of the window's start, callgrind).
        self.derived = QTextBrowser(self)
        self.derived.setOpenLinks(False)
        self.derived.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.side = side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.derived_title)
        side_layout.addWidget(self.derived)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.units)
        splitter.addWidget(centre)
        splitter.addWidget(side)
        splitter.setStretchFactor(1, 1)
        self.units.setMinimumWidth(170)
        side.setMinimumWidth(170)
        side.setMaximumWidth(300)
        splitter.setSizes([220, 700, 240])
        splitter.setChildrenCollapsible(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        self.summary_toggle.toggled.connect(side.setVisible)
        self.search.textChanged.connect(self.apply_filters)
        self.commune_table.verticalHeader().sectionClicked.connect(self._on_form_row_clicked)
        self.folded: set[str] = set()

    def fold(self, section: str, folded: bool = True) -> None:
        """Fold (or open) one section of the commune form."""
        if folded:
            self.folded.add(section)
        else:
            self.folded.discard(section)
        self.apply_filters()

    def _on_form_row_clicked(self, row: int) -> None:
        section = getattr(self.commune_table.model(), "header_rows", {}).get(row)
        if section is not None:
            self.fold(section, section not in self.folded)

    def apply_filters(self) -> None:
        """Hide what the search leaves out (village columns, form rows) and folded sections."""
        words = fold_diacritics(self.search.text()).split()

        def hit(title: str) -> bool:
            folded = fold_diacritics(title)
            return all(w in folded for w in words)

        village = self.village_table.model()
        if village is not None:
            titles = getattr(village, "column_titles", [])
            for column, title in enumerate(titles):
                self.village_table.setColumnHidden(column, bool(words) and not hit(title))
        form = self.commune_table.model()
        if form is None:
            return
        rows = getattr(form, "row_titles", [])
        sections = getattr(form, "sections", [])
        headers = getattr(form, "header_rows", {})
        shown_in: dict[str, bool] = {}
        for row, title in enumerate(rows):
            if row in headers:
                continue
            section = sections[row] if row < len(sections) else ""
            show = hit(title) if words else section not in self.folded
            shown_in[section] = shown_in.get(section, False) or (bool(words) and show)
            self.commune_table.setRowHidden(row, not show)
        for row, section in headers.items():
            self.commune_table.setRowHidden(row, bool(words) and not shown_in.get(section))
        if hasattr(form, "folded"):
            form.folded = set() if words else set(self.folded)
            form.headerDataChanged.emit(Qt.Orientation.Vertical, 0, max(len(rows) - 1, 0))

    def submit_period(self, commune_id: str, period: Period) -> bool:
        """Open ``commune_id`` in ``period`` and run the checked sending (review page asks)."""
        submit = getattr(self.controller, "submit_period", None)
        return bool(submit(commune_id, period)) if callable(submit) else False

    def tables(self) -> tuple[EntryTable, EntryTable]:
        """The village grid and the commune form."""
        return self.village_table, self.commune_table

    def current_table(self) -> EntryTable:
        """The grid on the visible tab."""
        return self.village_table if self.tabs.currentIndex() == 0 else self.commune_table
