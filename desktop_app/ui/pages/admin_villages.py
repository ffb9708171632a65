"""Administration, villages: the register a commune keeps (add, rename, reorder,
deactivate). There is no delete: a village's data stays, so it is only deactivated."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import _
from desktop_app.store.changes import Actor
from desktop_app.store.errors import StoreError
from desktop_app.store.repositories.villages import Village
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs.base import ERROR_STYLE
from desktop_app.ui.dialogs.village_form import VillageNameDialog
from desktop_app.ui.error_text import user_text


class VillagesTab(QWidget):
    """The village register of one commune, in the order the survey forms use."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.communes = ctx.store.reference.communes_under(ctx.office_id)
        self.villages: list[Village] = []
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Commune")))
        self.commune_box = QComboBox()
        for unit in self.communes:
            self.commune_box.addItem(unit.name, unit.id)
        self.commune_box.currentIndexChanged.connect(self._on_commune_changed)
        top.addWidget(self.commune_box, 1)
        layout.addLayout(top)
        note = QLabel(
            _(
                "A village is never deleted, because its figures stay: deactivate one that "
                "no longer exists (for example after a merger)."
            )
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        layout.addWidget(note)
        self.readonly_note = QLabel(
            _("Each commune office keeps its own village register; here it is read-only.")
        )
        self.readonly_note.setWordWrap(True)
        self.readonly_note.setStyleSheet("color: #555;")
        layout.addWidget(self.readonly_note)
        body = QHBoxLayout()
        self.model = QStandardItemModel()
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setSpacing(3)
        body.addWidget(self.list, 1)
        column = QVBoxLayout()
        self.add_button = QPushButton(_("Add a village…"))
        self.rename_button = QPushButton(_("Rename…"))
        self.up_button = QPushButton(_("Move up"))
        self.down_button = QPushButton(_("Move down"))
        self.active_button = QPushButton(_("Deactivate"))
        self.add_button.clicked.connect(self._on_add)
        self.rename_button.clicked.connect(self._on_rename)
        self.up_button.clicked.connect(self._on_move_up)
        self.down_button.clicked.connect(self._on_move_down)
        self.active_button.clicked.connect(self._on_toggle_active)
        for button in (
            self.add_button,
            self.rename_button,
            self.up_button,
            self.down_button,
            self.active_button,
        ):
            column.addWidget(button)
        column.addStretch(1)
        body.addLayout(column)
        layout.addLayout(body, 1)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.message_label)
        self.list.selectionModel().currentChanged.connect(self._on_selection_changed)
        ctx.bus.villages_changed.connect(self._on_villages_changed)
        self.reload()

    # --- reading ---

    @property
    def commune_id(self) -> str:
        """The commune whose register is shown."""
        return str(self.commune_box.currentData() or "")

    @property
    def editable(self) -> bool:
        """Only the commune's own office keeps its register."""
        return self.commune_id == self.ctx.office_id

    def reload(self, select_id: str | None = None) -> None:
        """Read the register again (keeping or moving the selection to ``select_id``)."""
        current = self.selected_village()
        select_id = select_id or (current.id if current else None)
        self.villages = self.ctx.store.villages.for_commune(self.commune_id, include_inactive=True)
        self.model.clear()
        for position, village in enumerate(self.villages, start=1):
            item = QStandardItem(f"{position}. {village.name}")
            if not village.active:
                text = _("{name} (no longer used)").format(name=village.name)
                item.setText(f"{position}. {text}")
                item.setForeground(QColor("#777777"))
            self.model.appendRow(item)
        for row, village in enumerate(self.villages):
            if village.id == select_id:
                self.list.setCurrentIndex(self.model.index(row, 0))
        self._on_selection_changed()

    def selected_village(self) -> Village | None:
        """The village under the cursor."""
        index = self.list.currentIndex()
        if not index.isValid() or index.row() >= len(self.villages):
            return None
        return self.villages[index.row()]

    def select(self, village_id: str) -> None:
        """Put the cursor on a village."""
        self.reload(select_id=village_id)

    # --- controller ---

    def _actor(self) -> Actor:
        return replace(self.ctx.store.local_actor(), user=self.ctx.user.username)

    def _changed(self, select_id: str | None = None) -> None:
        self.message_label.setText("")
        self.reload(select_id)
        self.ctx.bus.villages_changed.emit(self.commune_id)

    def _commune_name(self) -> str:
        return self.commune_box.currentText()

    def _on_add(self) -> None:
        added: list[Village] = []

        def save(name: str) -> None:
            added.append(self.ctx.store.villages.add(self.commune_id, name, actor=self._actor()))

        VillageNameDialog(self._commune_name(), save, parent=self).exec()
        if added:
            self._changed(added[0].id)

    def _on_rename(self) -> None:
        village = self.selected_village()
        if village is None:
            return

        def save(name: str) -> None:
            self.ctx.store.villages.rename(village.id, name, actor=self._actor())

        if VillageNameDialog(self._commune_name(), save, village.name, self).exec():
            self._changed(village.id)

    def _move(self, step: int) -> None:
        village = self.selected_village()
        if village is None:
            return
        ids = [v.id for v in self.villages]
        row = ids.index(village.id)
        target = row + step
        if not 0 <= target < len(ids):
            return
        ids[row], ids[target] = ids[target], ids[row]
        try:
            self.ctx.store.villages.reorder(self.commune_id, ids, actor=self._actor())
        except StoreError as exc:
            self.message_label.setText(user_text(exc))
            return
        self._changed(village.id)

    def _on_move_up(self) -> None:
        self._move(-1)

    def _on_move_down(self) -> None:
        self._move(1)

    def _on_toggle_active(self) -> None:
        village = self.selected_village()
        if village is None:
            return
        try:
            self.ctx.store.villages.set_active(village.id, not village.active, actor=self._actor())
        except StoreError as exc:
            self.message_label.setText(user_text(exc))
            return
        self._changed(village.id)

    def _on_commune_changed(self) -> None:
        self.message_label.setText("")
        self.reload()

    def _on_villages_changed(self, commune_id: str) -> None:
        if commune_id == self.commune_id:
            self.reload()

    def _on_selection_changed(self) -> None:
        village = self.selected_village()
        row = self.villages.index(village) if village else -1
        self.readonly_note.setVisible(not self.editable)
        self.add_button.setEnabled(self.editable)
        self.rename_button.setEnabled(self.editable and village is not None)
        self.up_button.setEnabled(self.editable and row > 0)
        self.down_button.setEnabled(self.editable and 0 <= row < len(self.villages) - 1)
        self.active_button.setEnabled(self.editable and village is not None)
        self.active_button.setText(
            _("Use again") if village is not None and not village.active else _("Deactivate")
        )
