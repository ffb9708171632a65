"""Undoable value writes and the clipboard block parser of the data entry page.

A :class:`WriteCells` command records cells already written (old and new canonical
text and comment). The first ``redo`` — Qt calls it on push — does nothing, since the
write is done; later undo/redo write the recorded side back through the repository.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QUndoCommand

from desktop_app.domain.frozen import Frozen, set_field
from desktop_app.ui.pages.entry_data import Cell


class CellChange(Frozen):
    """One cell before and after a write (canonical text; None when empty)."""

    __slots__ = ("cell", "new_comment", "new_text", "old_comment", "old_text")
    cell: Cell
    old_text: str | None
    old_comment: str
    new_text: str | None
    new_comment: str

    def __init__(
        self,
        cell: Cell,
        old_text: str | None,
        old_comment: str,
        new_text: str | None,
        new_comment: str,
    ) -> None:
        set_field(self, "cell", cell)
        set_field(self, "old_text", old_text)
        set_field(self, "old_comment", old_comment)
        set_field(self, "new_text", new_text)
        set_field(self, "new_comment", new_comment)


Restore = Callable[[Sequence[tuple[Cell, str | None, str]]], None]


class WriteCells(QUndoCommand):
    """Writes of one action (a typed value, a pasted block, a copied period)."""

    def __init__(self, restore: Restore, changes: Sequence[CellChange], text: str) -> None:
        super().__init__(text)
        self.restore = restore
        self.changes = list(changes)
        self._done = True  # pushed after the write happened

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self.restore([(c.cell, c.new_text, c.new_comment) for c in self.changes])

    def undo(self) -> None:
        self.restore([(c.cell, c.old_text, c.old_comment) for c in reversed(self.changes)])


def parse_block(text: str) -> list[list[str]]:
    """Rows of cells from tab-separated clipboard text (Excel, LibreOffice)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.split("\t") for line in lines]
