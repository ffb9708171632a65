"""Choose an administrative unit: browse province → district → commune, or search by name.

Searching ignores diacritics ("chieng sung" finds "Xã Chiềng Sung") through
``UnitDirectory.search``; each hit shows the units above it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.units import PRE2025, Unit, UnitDirectory
from desktop_app.i18n import _

UNIT_ROLE = Qt.ItemDataRole.UserRole
LOADED_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_LIMIT = 60


class UnitSearch(QWidget):
    """Emits ``unit_chosen(unit_id)`` (or "" when nothing is chosen)."""

    unit_chosen = Signal(str)

    def __init__(self, directory: UnitDirectory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.directory = directory
        self.structure = QComboBox(self)
        self.structure.addItem(_("Before 1 July 2025 (with districts)"), PRE2025)
        self.structure.addItem(_("From 1 July 2025 (no districts)"), "2025")
        self.query = QLineEdit(self)
        self.query.setPlaceholderText(_("Type a name, with or without diacritics…"))
        self.query.setClearButtonEnabled(True)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        top = QHBoxLayout()
        top.addWidget(self.query, 3)
        top.addWidget(self.structure, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.tree)
        self._browse()
        self.query.textChanged.connect(self._on_query_changed)
        self.structure.currentIndexChanged.connect(self._on_structure_changed)
        self.tree.itemExpanded.connect(self._on_item_expanded)
        self.tree.currentItemChanged.connect(self._on_current_item_changed)

    def chosen(self) -> str:
        """The chosen unit id, or ""."""
        item = self.tree.currentItem()
        return "" if item is None else str(item.data(0, UNIT_ROLE) or "")

    def _item(self, unit: Unit, label: str | None = None) -> QTreeWidgetItem:
        item = QTreeWidgetItem([label or unit.name])
        item.setData(0, UNIT_ROLE, unit.id)
        return item

    def _browse(self) -> None:
        self.tree.clear()
        for province in self.directory.provinces(str(self.structure.currentData())):
            item = self._item(province)
            item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
            self.tree.addTopLevelItem(item)

    def _on_item_expanded(self, item: QTreeWidgetItem) -> None:
        if item.data(0, LOADED_ROLE):
            return
        item.setData(0, LOADED_ROLE, True)
        for child in self.directory.children(str(item.data(0, UNIT_ROLE))):
            sub = self._item(child)
            if child.level < 3:
                sub.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
            item.addChild(sub)

    def _on_query_changed(self, text: str) -> None:
        if not text.strip():
            self._browse()
            return
        self.tree.clear()
        hits = self.directory.search(
            text, structure=str(self.structure.currentData()), limit=SEARCH_LIMIT
        )
        for unit in hits:
            above = ", ".join(u.name for u in reversed(self.directory.ancestors(unit.id)))
            label = f"{unit.name} — {above}" if above else unit.name
            self.tree.addTopLevelItem(self._item(unit, label))
        first = self.tree.topLevelItem(0)
        if first is not None:
            self.tree.setCurrentItem(first)

    def _on_structure_changed(self, _index: int) -> None:
        self._on_query_changed(self.query.text())

    def _on_current_item_changed(
        self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None
    ) -> None:
        self.unit_chosen.emit("" if current is None else str(current.data(0, UNIT_ROLE) or ""))
