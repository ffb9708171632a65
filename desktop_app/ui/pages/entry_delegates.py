"""Cell editors: a line for numbers, a list for yes/no and choices, checkboxes for several.

Every editor hands the model text that ``domain.values.parse_input`` reads, so typing,
choosing and pasting all go through one parser. Enter and Tab commit; when the value
is refused the editor stays open with the text, so the clerk can correct it.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop_app.domain.catalogue import Catalogue
from desktop_app.i18n import _, current_language
from desktop_app.ui.pages.entry_data import Cell
from desktop_app.ui.pages.entry_models import CELL_ROLE

Index = QModelIndex | QPersistentModelIndex
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class CellDelegate(QStyledItemDelegate):
    """Creates the editor for each kind of indicator; emits ``advance(direction)``."""

    advance = Signal(str)  # "down" after Enter, "right" after Tab, "left" after Shift+Tab

    def __init__(self, catalogue: Catalogue, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.catalogue = catalogue
        self.last_accepted = True

    def _lang(self) -> str:
        return "vi" if current_language() == "vi" else "en"

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        cell: Cell = index.data(CELL_ROLE)
        kind = cell.indicator.kind
        if kind == "boolean" or kind == "choice":
            # Editable: the clerk may type "c", "k", "có", "yếu"... parse_input reads them all.
            combo = QComboBox(parent)
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            combo.addItem("")
            if kind == "boolean":
                combo.addItems([_("Yes"), _("No")])
            else:
                combo.addItems(
                    [
                        self.catalogue.choice_label(cell.indicator, code, self._lang())  # type: ignore[arg-type]
                        for code in cell.indicator.choices
                    ]
                )
            completer = combo.completer()
            if completer is not None:
                completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
                completer.setCompletionMode(completer.CompletionMode.InlineCompletion)
            return combo
        if kind == "multichoice":
            box = QListWidget(parent)
            for code in cell.indicator.choices:
                label = self.catalogue.choice_label(cell.indicator, code, self._lang())  # type: ignore[arg-type]
                item = QListWidgetItem(label, box)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
            box.setCurrentRow(0)
            return box
        line = QLineEdit(parent)
        line.setFrame(False)
        return line

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        text = str(index.data(Qt.ItemDataRole.EditRole) or "")
        if isinstance(editor, QComboBox):
            editor.setEditText(text)
            line = editor.lineEdit()
            if line is not None:
                line.selectAll()
        elif isinstance(editor, QListWidget):
            chosen = {part.strip() for part in text.split(",")}
            for i in range(editor.count()):
                item = editor.item(i)
                state = Qt.CheckState.Checked if item.text() in chosen else Qt.CheckState.Unchecked
                item.setCheckState(state)
        elif isinstance(editor, QLineEdit):
            editor.setText(text)
            editor.selectAll()

    def editor_text(self, editor: QWidget) -> str:
        """What the editor holds, as text for ``parse_input`` ("" clears the cell)."""
        if isinstance(editor, QComboBox):
            return editor.currentText()
        if isinstance(editor, QListWidget):
            checked = [
                editor.item(i).text()
                for i in range(editor.count())
                if editor.item(i).checkState() == Qt.CheckState.Checked
            ]
            return ", ".join(checked) if checked else "-"
        if isinstance(editor, QLineEdit):
            return editor.text()
        return ""

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        current = str(index.data(Qt.ItemDataRole.EditRole) or "")
        text = self.editor_text(editor)
        if text == current or (text == "-" and current in ("", "–")):
            self.last_accepted = True
            return
        self.last_accepted = bool(model.setData(index, text, Qt.ItemDataRole.EditRole))

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        rect = option.rect
        if isinstance(editor, QListWidget):
            height = editor.sizeHintForRow(0) * editor.count() + 6
            editor.setGeometry(rect.x(), rect.y(), max(rect.width(), 160), height)
            return
        editor.setGeometry(rect)

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            key_event = event
            key = key_event.key()
            if key in ENTER_KEYS or key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                self.commitData.emit(editor)
                if not self.last_accepted:
                    return True  # keep the editor open: the reason is shown beside the grid
                self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)
                if key in ENTER_KEYS:
                    self.advance.emit("down")
                elif key == Qt.Key.Key_Backtab or (
                    key_event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                ):
                    self.advance.emit("left")
                else:
                    self.advance.emit("right")
                return True
            if key == Qt.Key.Key_Escape:
                self.last_accepted = True
                self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.RevertModelCache)
                return True
            if isinstance(editor, QListWidget) and key == Qt.Key.Key_Space:
                item = editor.currentItem()
                if item is not None:
                    checked = item.checkState() == Qt.CheckState.Checked
                    item.setCheckState(
                        Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked
                    )
                return True
        return super().eventFilter(editor, event)
