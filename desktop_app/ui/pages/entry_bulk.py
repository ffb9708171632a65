"""Writes of many cells at once on the data entry page: clear, paste a block, copy the
previous period. Mixed into :class:`~desktop_app.ui.pages.entry_controller.EntryController`.

A pasted block goes cell by cell through the same parse and rule check as typing
(``set_value``), so each cell sees the ones pasted before it; the valid ones are
written and the others reported. Copying a period writes with ``set_many`` in one
transaction. Either is one step on the undo stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication, QUndoStack

from desktop_app.domain import values as typed
from desktop_app.domain.periods import PeriodError
from desktop_app.i18n import _, current_language
from desktop_app.store.errors import StoreError
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.ui.error_text import user_text
from desktop_app.ui.pages.entry_commands import CellChange, WriteCells, parse_block
from desktop_app.ui.pages.entry_data import Cell, Snapshot, load_snapshot
from desktop_app.ui.pages.entry_models import EntryGridModel, indicator_title
from desktop_app.ui.pages.entry_view import EntryPage, EntryTable

if TYPE_CHECKING:
    from desktop_app.store.store import Store
    from desktop_app.ui.context import AppContext


class BulkEntry:
    """Clear, paste and copy-last-period slots; needs the controller's state and helpers."""

    context: AppContext
    store: Store
    view: EntryPage
    undo: QUndoStack
    snapshot: Snapshot | None
    commune_id: str
    village_model: EntryGridModel
    commune_model: EntryGridModel

    if TYPE_CHECKING:

        def say(self, text: str, error: bool = False) -> None: ...
        def reload(self) -> None: ...
        def refusal(self, cell: Cell, text: str) -> tuple[typed.Value | None, str]: ...
        def restore(self, items: Sequence[tuple[Cell, str | None, str]]) -> None: ...
        def _save(self, cell: Cell, value: typed.Value | None) -> CellChange | None: ...
        def _after_write(self, cells: Sequence[Cell]) -> None: ...
        def _announce(self) -> None: ...
        def _write_of(self, cell: Cell, value: typed.Value | None, comment: str) -> ValueWrite: ...
        def may_edit(self) -> bool: ...

    def _on_clear_requested(self) -> None:
        table = self.view.current_table()
        cells = self._selected_cells(table)
        if not any(self.snapshot and self.snapshot.text(c.key) is not None for c in cells):
            return
        if not self.may_edit():
            return
        changes = [
            c
            for c in (
                self._save(cell, None)
                for cell in cells
                if self.snapshot and self.snapshot.text(cell.key) is not None
            )
            if c is not None
        ]
        if changes:
            self.undo.push(WriteCells(self.restore, changes, _("Clear cells")))
            self._after_write([c.cell for c in changes])

    def _selected_cells(self, table: EntryTable) -> list[Cell]:
        model = table.model()
        assert isinstance(model, EntryGridModel)
        indexes = table.selectionModel().selectedIndexes() or [table.currentIndex()]
        cells = [model.cell(i.row(), i.column()) for i in indexes if i.isValid()]
        return [c for c in cells if c is not None and model.is_editable(c)]

    def _on_paste_requested(self) -> None:
        self.paste(QGuiApplication.clipboard().text())

    def paste(self, text: str) -> tuple[int, list[str]]:
        """Write a tab-separated block at the current cell; (written, problems)."""
        table = self.view.current_table()
        model = table.model()
        assert isinstance(model, EntryGridModel) and self.snapshot is not None
        start = table.currentIndex()
        row0, col0 = (start.row(), start.column()) if start.isValid() else (0, 0)
        if not self.may_edit():
            return 0, []
        changes: list[CellChange] = []
        problems: list[str] = []
        for dr, line in enumerate(parse_block(text)):
            for dc, raw in enumerate(line):
                if not raw.strip():
                    continue
                cell = model.cell(row0 + dr, col0 + dc)
                if cell is None or not model.is_editable(cell):
                    continue
                title = indicator_title(cell.indicator, cell.disagg, self.store.catalogue)
                where = f"{model.row_titles[row0 + dr]} / {title}"
                value, reason = self.refusal(cell, raw)
                if reason:
                    problems.append(f"{where}: {reason}")
                    continue
                if value is None or typed.encode(cell.indicator, value) == self.snapshot.text(
                    cell.key
                ):
                    continue
                change = self._save(cell, value)
                if change is not None:
                    changes.append(change)
        if changes:
            self.undo.push(WriteCells(self.restore, changes, _("Paste")))
            self._after_write([c.cell for c in changes])
        summary = _("Pasted {count} values.").format(count=len(changes))
        if problems:
            summary += " " + _("Not pasted ({count}): {list}").format(
                count=len(problems), list="; ".join(problems)
            )
        self.say(summary, error=bool(problems))
        return len(changes), problems

    def _on_copy_last_period_clicked(self) -> None:
        self.copy_last_period()

    def copy_last_period(self) -> int:
        """Copy the previous period's values into this period's empty cells; how many."""
        snap = self.snapshot
        if snap is None or not self.may_edit():
            return 0
        try:
            previous = snap.period.previous()
        except PeriodError:
            return 0
        source = load_snapshot(self.store, self.commune_id, previous, self.context.office_id)
        changes: list[CellChange] = []
        writes: list[ValueWrite] = []
        for model in (self.village_model, self.commune_model):
            for row in model.cells:
                for cell in row:
                    if cell is None or not model.is_editable(cell):
                        continue
                    same_year = (
                        cell.indicator.frequency == "annual" and previous.year == snap.period.year
                    )
                    old = source.text(cell.key)
                    if same_year or old is None or snap.text(cell.key) is not None:
                        continue
                    writes.append(self._write_of(cell, typed.decode(cell.indicator, old), ""))
                    changes.append(CellChange(cell, None, "", old, ""))
        if not writes:
            self.say(
                _("Nothing to copy: {period} has no values for the empty cells.").format(
                    period=previous.label(current_language())
                )
            )
            return 0
        try:
            self.store.values.set_many(writes)
        except StoreError as exc:
            self.say(user_text(exc), error=True)
            return 0
        self.undo.push(WriteCells(self.restore, changes, _("Copy last period")))
        self.reload()
        self.say(
            _("Copied {count} values from {period}.").format(
                count=len(writes), period=previous.label(current_language())
            )
        )
        self._announce()
        return len(writes)
