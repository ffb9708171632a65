"""The areas page: the province's classification decisions and the communes each lists.

Choose a decision (or type a new number), set its title and years, tick the communes
it lists as border, region III, highland or ethnic-minority area, and save: the
decision is published as the province's reference data and reaches every office with
its next sync. Especially difficult villages are listed by XLSX
(``coverage-desk areas import``); here they are counted. Other offices read only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.areas import AREA_KINDS, VILLAGE_KINDS, Decision, area_name
from desktop_app.i18n import _, current_language
from desktop_app.store.errors import StoreError
from desktop_app.store.repositories.areas import AreaRepository, Member
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs.base import ERROR_STYLE
from desktop_app.ui.pages.office_scope import office_communes

COMMUNE_KINDS = tuple(k for k in AREA_KINDS if k not in VILLAGE_KINDS)
NO_END = 1999  # the "to" box's special value: still in force


class AreasPage(QWidget):
    """Decision form over a grid of communes × kinds of area (ticks)."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.areas = AreaRepository(context.store)
        self.communes = office_communes(context.store)  # a district: its own communes
        office = context.store.reference.unit(context.office_id)
        self.editable = office.level == 1
        title = QLabel(_("Area classifications"), self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        title.setFont(font)
        self.decision_box = QComboBox(self)
        self.number = QLineEdit(self)
        self.title_edit = QLineEdit(self)
        self.signed = QLineEdit(self)
        self.valid_from = QSpinBox(self)
        self.valid_from.setRange(2000, 2100)
        self.valid_to = QSpinBox(self)
        self.valid_to.setRange(NO_END, 2100)
        self.valid_to.setSpecialValueText(_("still in force"))
        self.save_button = QPushButton(_("Save and publish"), self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.model = QStandardItemModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().setDefaultSectionSize(24)
        form = QFormLayout()
        form.addRow(_("Decision"), self.decision_box)
        form.addRow(_("Decision number"), self.number)
        form.addRow(_("Title"), self.title_edit)
        form.addRow(_("Date signed"), self.signed)
        years = QHBoxLayout()
        years.addWidget(self.valid_from)
        years.addWidget(QLabel("–"))
        years.addWidget(self.valid_to)
        years.addStretch(1)
        form.addRow(_("In force"), years)
        hint = (
            _("Tick the communes this decision lists, then save: every office receives it.")
            if self.editable
            else _("Classifications are published by the province (read-only).")
        )
        self.hint = QLabel(hint, self)
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.save_button)
        layout.addLayout(bottom)
        for widget in (self.number, self.title_edit, self.signed, self.valid_from, self.valid_to):
            widget.setEnabled(self.editable)
        self.save_button.setVisible(self.editable)
        self.decision_box.currentIndexChanged.connect(self._on_decision_chosen)
        self.save_button.clicked.connect(self._on_save)
        self._reload()

    def _reload(self, choose: str | None = None) -> None:
        self.decisions = {d.id: d for d in self.areas.decisions()}
        self.decision_box.blockSignals(True)
        self.decision_box.clear()
        for d in self.decisions.values():
            self.decision_box.addItem(f"{d.id} ({d.years_text(self.context.language)})", d.id)
        if self.editable:
            self.decision_box.addItem(_("New decision…"), "")
        index = self.decision_box.findData(choose) if choose is not None else 0
        self.decision_box.setCurrentIndex(max(index, 0))
        self.decision_box.blockSignals(False)
        self._on_decision_chosen(self.decision_box.currentIndex())

    def _on_decision_chosen(self, _index: int) -> None:
        ident = str(self.decision_box.currentData() or "")
        decision = self.decisions.get(ident)
        self.number.setText(ident)
        self.number.setReadOnly(bool(ident) or not self.editable)
        self.title_edit.setText(decision.title if decision else "")
        self.signed.setText(decision.signed if decision else "")
        self.valid_from.setValue(decision.valid_from if decision else 2021)
        end = decision.valid_to if decision and decision.valid_to is not None else NO_END
        self.valid_to.setValue(end)
        listed = {(m.kind, m.place_id) for m in self.areas.members(ident)} if ident else set()
        villages = self.areas.villages()
        difficult: dict[str, int] = {}
        for kind, place in listed:
            if kind in VILLAGE_KINDS and place in villages:
                home = villages[place][1]
                difficult[home] = difficult.get(home, 0) + 1
        self.model.clear()
        lang = current_language()
        heads = [area_name(k, lang) for k in COMMUNE_KINDS]
        heads.append(area_name("difficult_village", lang))
        self.model.setHorizontalHeaderLabels(heads)
        self.model.setVerticalHeaderLabels([c.name for c in self.communes])
        for row, commune in enumerate(self.communes):
            for col, kind in enumerate(COMMUNE_KINDS):
                item = QStandardItem()
                item.setCheckable(self.editable)
                item.setEditable(False)
                ticked = (kind, commune.id) in listed
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
                item.setData(commune.id, Qt.ItemDataRole.UserRole)
                self.model.setItem(row, col, item)
            count = QStandardItem(str(difficult.get(commune.id, "")))
            count.setEditable(False)
            self.model.setItem(row, len(COMMUNE_KINDS), count)
        self.table.resizeColumnsToContents()
        self.message.clear()

    def ticked(self) -> list[tuple[str, str]]:
        """(kind, commune id) of every ticked cell."""
        out: list[tuple[str, str]] = []
        for row in range(self.model.rowCount()):
            for col, kind in enumerate(COMMUNE_KINDS):
                item = self.model.item(row, col)
                if item is not None and item.checkState() == Qt.CheckState.Checked:
                    out.append((kind, str(item.data(Qt.ItemDataRole.UserRole))))
        return out

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setText(text)

    def _on_save(self) -> None:
        ident = self.number.text().strip()
        if not ident:
            self._say(_("Type the decision's number first."), error=True)
            return
        end = None if self.valid_to.value() == NO_END else self.valid_to.value()
        if end is not None and end < self.valid_from.value():
            self._say(_("The last year in force comes before the first."), error=True)
            return
        decision = Decision(
            ident, self.title_edit.text().strip(), self.signed.text().strip(),
            self.valid_from.value(), end,
        )  # fmt: skip
        kept = [m for m in self.areas.members(ident) if m.kind in VILLAGE_KINDS]
        members = kept + [Member(ident, kind, place) for kind, place in self.ticked()]
        try:
            changed = self.areas.publish([decision], members)
        except StoreError as exc:
            self._say(exc.user_message(), error=True)
            return
        self._reload(choose=ident)
        self._say(
            _("Decision {number} saved: {n} changes to send.").format(number=ident, n=changed)
        )
        self.context.bus.status_changed.emit()
