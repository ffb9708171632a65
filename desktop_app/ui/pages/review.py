"""Review and approval: the completeness grid of communes × quarters, and the moves
each office may make on the selected cell (a commune submits; its district approves
or returns with a reason; the province accepts)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.periods import Period
from desktop_app.domain.units import Unit
from desktop_app.i18n import _
from desktop_app.store.changes import Actor
from desktop_app.store.errors import StoreError
from desktop_app.store.reform import unmapped_line
from desktop_app.store.repositories.submissions import STATES
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs import confirm
from desktop_app.ui.dialogs.base import ERROR_STYLE
from desktop_app.ui.dialogs.reason import ReasonDialog
from desktop_app.ui.error_text import user_text
from desktop_app.ui.pages.review_model import (
    STATE_COLOURS,
    Cell,
    CellDelegate,
    CompletenessModel,
    state_label,
)
from desktop_app.ui.pages.sites import BANNER_STYLE

FIRST_YEAR = 2015
YEARS_BACK = 10  # how far back the page looks for the latest year with submissions


def moves_for(office_level: int, state: str, direct: bool = False) -> list[str]:
    """The states an office of ``office_level`` may move a submission in ``state`` to.

    ``direct``: the commune has no district above it (the 2025 structure), so the
    province reviews it itself: approves or returns, then accepts."""
    if office_level == 1 and direct:
        return {"submitted": ["approved", "returned"], "approved": ["accepted", "returned"]}.get(
            state, []
        )
    if office_level == 3:
        return ["submitted"] if state in ("draft", "returned") else []
    if office_level == 2:
        return {"submitted": ["approved", "returned"], "approved": ["returned"]}.get(state, [])
    if office_level == 1:
        return ["accepted"] if state == "approved" else []
    return []


class ReviewPage(QWidget):
    """Who sent what, for which quarter, and what became of it."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.office_level = ctx.store.reference.unit(ctx.office_id).level
        self.communes = self._communes_for(self._default_year())
        self.model = CompletenessModel(ctx.language)
        self._build()
        ctx.bus.submissions_changed.connect(self._on_data_changed)
        ctx.bus.values_changed.connect(self._on_data_changed)
        self.year_box.setValue(self._default_year())
        self.reload()

    # --- view ---

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Year")))
        self.year_box = QSpinBox()
        self.year_box.setRange(FIRST_YEAR, self._this_year() + 1)
        self.year_box.valueChanged.connect(self._on_year_changed)
        top.addWidget(self.year_box)
        top.addSpacing(24)
        for state in STATES:
            chip = QLabel(state_label(state))
            chip.setStyleSheet(
                f"background: {STATE_COLOURS[state]}; color: #1a1a1a; padding: 2px 8px;"
                " border: 1px solid #b0b0b0;"
            )
            top.addWidget(chip)
        top.addStretch(1)
        layout.addLayout(top)
        # a province of the 2025 structure: the pre-2025 communes it still has to map
        self.todo_label = QLabel()
        self.todo_label.setWordWrap(True)
        self.todo_label.setStyleSheet(BANNER_STYLE)
        self.todo_label.hide()
        layout.addWidget(self.todo_label)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setItemDelegate(CellDelegate(self.table))
        # a commune office has one row: the grid takes its height, the rest goes below
        single = len(self.communes) == 1
        layout.addWidget(self.table, 0 if single else 1)

        box = QGroupBox(_("Selected commune and quarter"))
        inner = QVBoxLayout(box)
        self.detail_label = QLabel(_("Select a cell of the grid."))
        self.detail_label.setWordWrap(True)
        inner.addWidget(self.detail_label)
        buttons = QHBoxLayout()
        self.submit_button = QPushButton(_("Send the report"))
        self.approve_button = QPushButton(_("Approve"))
        self.return_button = QPushButton(_("Return…"))
        self.accept_button = QPushButton(_("Accept"))
        self.submit_button.clicked.connect(self._on_submit)
        self.approve_button.clicked.connect(self._on_approve)
        self.return_button.clicked.connect(self._on_return)
        self.accept_button.clicked.connect(self._on_accept)
        self._buttons = {
            "submitted": self.submit_button,
            "approved": self.approve_button,
            "returned": self.return_button,
            "accepted": self.accept_button,
        }
        for button in self._buttons.values():
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.summary_label = QLabel()
        buttons.addWidget(self.summary_label)
        inner.addLayout(buttons)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        inner.addWidget(self.error_label)
        layout.addWidget(box)
        if single:
            layout.addStretch(1)
        self.table.selectionModel().currentChanged.connect(self._on_cell_changed)

    # --- reading ---

    def _this_year(self) -> int:
        return datetime.fromtimestamp(self.ctx.store.clock(), UTC).year

    def _default_year(self) -> int:
        """The newest year in which any commune has a recorded submission."""
        year = self._this_year()
        for candidate in range(year, year - YEARS_BACK, -1):
            if any(
                self.ctx.store.submissions.for_period(q.code) for q in Period(candidate).quarters()
            ):
                return candidate
        return year

    def _communes_for(self, year: int) -> list[Unit]:
        """The communes of the grid: a province's are those of the structure in force in
        ``year`` (both in 2025, the year of the reform)."""
        reference = self.ctx.store.reference
        if self.office_level != 1:
            return reference.communes_under(self.ctx.office_id)
        code = self.ctx.office_id.partition(":")[2]
        found: list[Unit] = []
        for structure, wanted in (("pre2025", year <= 2025), ("2025", year >= 2025)):
            try:
                if wanted:
                    found += reference.communes_under(f"{structure}:{code}")
            except StoreError:
                continue  # this database holds only one structure
        return found

    def _direct(self, cell: Cell | None) -> bool:
        """Whether the province reviews this commune itself (no district above it)."""
        return cell is not None and cell.commune.structure == "2025"

    def reload(self) -> None:
        """Read the grid again, keeping the selected cell."""
        self.communes = self._communes_for(self.year_box.value())
        todo = unmapped_line(self.ctx.store) if self.office_level == 1 else ""
        self.todo_label.setText(_("To do: {what}").format(what=todo) if todo else "")
        self.todo_label.setVisible(bool(todo))
        current = self.table.currentIndex()
        where = (current.row(), current.column()) if current.isValid() else None
        periods = list(Period(self.year_box.value()).quarters())
        self.model.load(self.ctx.store, self.communes, periods)
        if where is not None:
            self.table.setCurrentIndex(self.model.index(*where))
        elif self.model.rowCount() == 1:
            self.table.setCurrentIndex(self.model.index(0, self._column_to_act_on()))
        if self.model.rowCount() == 1:
            height = self.table.horizontalHeader().height() + self.table.rowHeight(0)
            self.table.setFixedHeight(height + 2 * self.table.frameWidth() + 2)
        self._show_cell()

    def _column_to_act_on(self) -> int:
        """For a single commune: a returned quarter, else the last with data not sent."""
        cells = [self.model.cell(0, c) for c in range(self.model.columnCount())]
        for column, cell in enumerate(cells):
            if cell.submission.state == "returned":
                return column
        waiting = [
            c for c, cell in enumerate(cells) if cell.values and cell.submission.state == "draft"
        ]
        return waiting[-1] if waiting else 0

    def selected_cell(self) -> Cell | None:
        """The cell under the cursor, if any."""
        index = self.table.currentIndex()
        return self.model.cell(index.row(), index.column()) if index.isValid() else None

    def select(self, commune_id: str, period: str) -> None:
        """Put the cursor on (commune, period) (for tests and links from other pages)."""
        for row, unit in enumerate(self.communes):
            for column in range(self.model.columnCount()):
                if unit.id == commune_id and self.model.cell(row, column).period.code == period:
                    self.table.setCurrentIndex(self.model.index(row, column))

    def _show_cell(self) -> None:
        cell = self.selected_cell()
        allowed = (
            moves_for(self.office_level, cell.submission.state, self._direct(cell)) if cell else []
        )
        for state, button in self._buttons.items():
            needed = "clerk" if state == "submitted" else "reviewer"
            button.setVisible(state in self._office_moves())
            button.setEnabled(state in allowed and self.ctx.can(needed))
        if cell is None:
            self.detail_label.setText(_("Select a cell of the grid."))
            self.summary_label.setText("")
            return
        sub = cell.submission
        lines = [
            _("{commune}, {period}: {state}.").format(
                commune=cell.commune.name,
                period=cell.period.label(self.ctx.language),
                state=state_label(sub.state),
            ),
            _("{n} values typed").format(n=cell.values) + ".",
        ]
        if sub.reason:
            lines.append(_("Reason: {reason}").format(reason=sub.reason))
        if sub.updated_by:
            lines.append(_("Last changed by {user}.").format(user=sub.updated_by))
        if cell.locked:
            lines.append(_("Locked: the figures of this quarter can no longer be changed."))
        self.detail_label.setText("\n".join(lines))
        counts = self.model.counts(self.table.currentIndex().column())
        self.summary_label.setText(
            "   ".join(f"{state_label(s)}: {counts[s]}" for s in STATES if counts.get(s))
        )

    def _office_moves(self) -> set[str]:
        direct = any(c.structure == "2025" for c in self.communes)
        level = self.office_level
        return {m for s in STATES for d in {False, direct} for m in moves_for(level, s, d)}

    # --- controller ---

    def _actor(self) -> Actor:
        return replace(self.ctx.store.local_actor(), user=self.ctx.user.username)

    def _move(self, state: str, reason: str = "") -> None:
        cell = self.selected_cell()
        if cell is None:
            return
        self.ctx.store.submissions.move(
            cell.commune.id, cell.period.code, state, reason=reason, actor=self._actor()
        )
        self._show_error("")
        self.ctx.bus.submissions_changed.emit(cell.period.code)
        self.ctx.bus.status_changed.emit()

    def _confirm_then_move(self, state: str, title: str, question: str, yes: str) -> None:
        cell = self.selected_cell()
        if cell is None:
            return
        text = question.format(
            commune=cell.commune.name, period=cell.period.label(self.ctx.language)
        )
        if not confirm.ask(self, title, text, yes_text=yes):
            return
        try:
            self._move(state)
        except StoreError as exc:
            self._show_error(user_text(exc))

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _on_submit(self) -> None:
        # Sent from the entry page: every rule and the site register are checked there,
        # and a problem opens its cell.
        cell = self.selected_cell()
        if cell is not None:
            self.ctx.bus.submit_requested.emit(cell.commune.id, cell.period.code)

    def _on_approve(self) -> None:
        self._confirm_then_move(
            "approved",
            _("Approve"),
            _("Approve the figures of {commune} for {period}? They will be locked."),
            _("Approve"),
        )

    def _on_accept(self) -> None:
        self._confirm_then_move(
            "accepted",
            _("Accept"),
            _("Accept the approved figures of {commune} for {period}?"),
            _("Accept"),
        )

    def _on_return(self) -> None:
        cell = self.selected_cell()
        if cell is None:
            return
        what = _("Return the figures of {commune} for {period} to the commune office.").format(
            commune=cell.commune.name, period=cell.period.label(self.ctx.language)
        )
        ReasonDialog(what, lambda reason: self._move("returned", reason), self).exec()

    def _on_year_changed(self) -> None:
        self.table.setCurrentIndex(QModelIndex())
        self.reload()

    def _on_cell_changed(self) -> None:
        self._show_error("")
        self._show_cell()

    def _on_data_changed(self, *_args: object) -> None:
        self.reload()
