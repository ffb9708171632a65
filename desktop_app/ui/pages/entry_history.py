"""A cell's history (who, when, old → new) and its comment."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.catalogue import Catalogue
from desktop_app.i18n import _
from desktop_app.ui.pages.entry_data import Cell, display
from desktop_app.ui.widgets.dialogs import SB, button_box


def when_text(at: str) -> str:
    """An ISO time as "05/02/2025 14:03" in local time."""
    try:
        return datetime.fromisoformat(at).astimezone().strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return at


class CellHistoryDialog(QDialog):
    """Shows the history; ``comment()`` is the edited comment after ``exec()``."""

    def __init__(
        self,
        catalogue: Catalogue,
        cell: Cell,
        title: str,
        history: list[dict[str, object]],
        comment: str,
        editable: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("History and comment"))
        self.resize(640, 420)
        heading = QLabel(title, self)
        heading.setWordWrap(True)
        table = QTableWidget(len(history), 4, self)
        table.setHorizontalHeaderLabels([_("When"), _("Who"), _("Before"), _("After")])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, entry in enumerate(reversed(history)):
            old, new = entry.get("old"), entry.get("new")
            texts = [
                when_text(str(entry.get("at", ""))),
                str(entry.get("user", "")),
                display(catalogue, cell.indicator, old if isinstance(old, str) else None),
                display(catalogue, cell.indicator, new if isinstance(new, str) else None),
            ]
            for column, text in enumerate(texts):
                table.setItem(row, column, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        if not history:
            empty = QLabel(_("Nothing was entered in this cell yet."), self)
        self.editor = QPlainTextEdit(comment, self)
        self.editor.setReadOnly(not editable)
        self.editor.setPlaceholderText(
            _("A note for the reviewer, e.g. where the figure comes from")
        )
        self.editor.setMaximumHeight(90)
        self.editor.setTabChangesFocus(True)  # Tab leaves the box: the keyboard reaches Save
        self.buttons = buttons = button_box(SB.Ok | SB.Cancel if editable else SB.Close, self)
        if editable:
            save = buttons.button(SB.Ok)
            save.setText(_("Save the comment"))
            save.setDefault(True)
            save.setToolTip(_("Ctrl+Enter"))
            for keys in ("Ctrl+Return", "Ctrl+Enter"):
                QShortcut(QKeySequence(keys), self).activated.connect(self.accept)
            self.editor.installEventFilter(self)  # Ctrl+Enter in the box itself, too
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(table if history else empty, 1)
        layout.addWidget(QLabel(_("Comment"), self))
        layout.addWidget(self.editor)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        if editable:
            self.editor.setFocus()
            self.editor.moveCursor(QTextCursor.MoveOperation.End)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Ctrl+Enter in the comment box saves (Enter alone starts a new line)."""
        if watched is self.editor and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
            if ctrl and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.accept()
                return True
        return super().eventFilter(watched, event)

    def comment(self) -> str:
        """The comment as edited."""
        return self.editor.toPlainText().strip()
