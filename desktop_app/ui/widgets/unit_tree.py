"""The office's units as a tree: (districts →) communes → villages, with a filter box.

Villages are read when a commune is expanded, so a province opens as fast as a commune.
The filter matches names with or without diacritics ("chieng sung" finds "Chiềng Sung").
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from desktop_app.domain.text import fold_diacritics
from desktop_app.domain.units import Unit
from desktop_app.i18n import _
from desktop_app.store.store import Store

UNIT_ROLE = Qt.ItemDataRole.UserRole
VILLAGE_ROLE = Qt.ItemDataRole.UserRole + 1
LOADED_ROLE = Qt.ItemDataRole.UserRole + 2


class UnitTree(QWidget):
    """Emits ``commune_chosen(commune_id, village_id or "")`` when a row is chosen."""

    commune_chosen = Signal(str, str)

    def __init__(self, store: Store, office_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(_("Find a commune or village…"))
        self.filter.setClearButtonEnabled(True)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree)
        self._communes: dict[str, QTreeWidgetItem] = {}
        self._fill(office_id)
        self.tree.itemExpanded.connect(self._on_item_expanded)
        self.tree.currentItemChanged.connect(self._on_current_item_changed)
        self.filter.textChanged.connect(self._on_filter_changed)

    # --- building ---

    def _fill(self, office_id: str) -> None:
        office = self.store.reference.unit(office_id)
        if office.level >= 3:
            self._add_commune(None, office)
            item = self._communes[office.id]
            self._load_villages(item)
            item.setExpanded(True)  # a commune office sees its villages
            return
        districts = [office] if office.level == 2 else self.store.reference.children(office_id)
        if office.level == 1 and not any(d.level == 2 for d in districts):
            districts = [office]  # the 2025 structure: communes directly under the province
        for district in districts:
            # Communes sit right under a district (or a 2025 province): one query each.
            communes = [u for u in self.store.reference.children(district.id) if u.level == 3]
            if office.level == 2:
                for commune in communes:
                    self._add_commune(None, commune)
                continue
            item = QTreeWidgetItem([district.name])
            item.setData(0, UNIT_ROLE, district.id)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            self.tree.addTopLevelItem(item)
            for commune in communes:
                self._add_commune(item, commune)

    def _add_commune(self, parent: QTreeWidgetItem | None, commune: Unit) -> None:
        item = QTreeWidgetItem([commune.name])
        item.setData(0, UNIT_ROLE, commune.id)
        item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        if parent is None:
            self.tree.addTopLevelItem(item)
        else:
            parent.addChild(item)
        self._communes[commune.id] = item

    def _load_villages(self, item: QTreeWidgetItem) -> None:
        if item.data(0, LOADED_ROLE) or item.data(0, UNIT_ROLE) not in self._communes:
            return
        item.setData(0, LOADED_ROLE, True)
        commune_id = str(item.data(0, UNIT_ROLE))
        for village in self.store.villages.for_commune(commune_id):
            child = QTreeWidgetItem([village.name])
            child.setData(0, UNIT_ROLE, commune_id)
            child.setData(0, VILLAGE_ROLE, village.id)
            item.addChild(child)
        item.setChildIndicatorPolicy(
            QTreeWidgetItem.ChildIndicatorPolicy.DontShowIndicatorWhenChildless
        )

    def reload_villages(self, commune_id: str) -> None:
        """Read a commune's villages again (after the register changed)."""
        item = self._communes.get(commune_id)
        if item is None:
            return
        item.takeChildren()
        item.setData(0, LOADED_ROLE, False)
        if item.isExpanded():
            self._load_villages(item)

    # --- choosing ---

    def communes(self) -> list[str]:
        """Commune ids in tree order."""
        return list(self._communes)

    def select_commune(self, commune_id: str) -> None:
        """Make ``commune_id`` the current row (emits ``commune_chosen``)."""
        item = self._communes.get(commune_id)
        if item is not None:
            self.tree.setCurrentItem(item)

    def _on_item_expanded(self, item: QTreeWidgetItem) -> None:
        self._load_villages(item)

    def _on_current_item_changed(
        self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None
    ) -> None:
        if current is None or current.data(0, UNIT_ROLE) is None:
            return
        commune_id = str(current.data(0, UNIT_ROLE))
        if commune_id not in self._communes:
            return
        self.commune_chosen.emit(commune_id, str(current.data(0, VILLAGE_ROLE) or ""))

    def _on_filter_changed(self, text: str) -> None:
        words = fold_diacritics(text).split()
        for item in self._communes.values():
            if words:
                self._load_villages(item)
            names = [fold_diacritics(item.text(0))]
            child_match = False
            for i in range(item.childCount()):
                child = item.child(i)
                if child is None:
                    continue
                hit = all(w in fold_diacritics(child.text(0)) for w in words)
                child.setHidden(bool(words) and not hit and not _all_in(words, names[0]))
                child_match = child_match or hit
            commune_hit = _all_in(words, names[0])
            item.setHidden(bool(words) and not (commune_hit or child_match))
            if words and child_match and not commune_hit:
                item.setExpanded(True)
            parent = item.parent()
            if parent is not None:
                kids = (parent.child(i) for i in range(parent.childCount()))
                visible = any(kid is not None and not kid.isHidden() for kid in kids)
                parent.setHidden(not visible)
                if words and visible:
                    parent.setExpanded(True)


def _all_in(words: list[str], folded: str) -> bool:
    return all(w in folded for w in words)
