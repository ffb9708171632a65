"""Conflicts: the same data changed differently in two places, waiting for a reviewer.

The list shows the open conflicts of the review queue; the selected one shows both
values side by side (office, user, time; the provisional winner marked). The
reviewer keeps one, or types the right value (checked like data entry), writes a
required comment, and records the decision: a new change that every office applies.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import _
from desktop_app.store.errors import StoreError
from desktop_app.sync.status import period_label
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs.base import ERROR_STYLE
from desktop_app.ui.error_text import user_text
from desktop_app.ui.pages.conflicts_data import (
    LOCAL,
    OTHER,
    REMOTE,
    OpenConflict,
    RefusedValue,
    Side,
    decide,
    may_decide,
    open_conflicts,
    typed_state,
)
from desktop_app.ui.pages.sync_enrol import OK_STYLE
from desktop_app.ui.widgets.tables import list_table

WINNER_STYLE = "background: #fff4c2; border: 1px solid #d8b800; padding: 2px 6px;"


class SideBox(QGroupBox):
    """One of the two values: what it is, who wrote it and when, and "keep this one"."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        layout = QVBoxLayout(self)
        self.value_label = QLabel()
        self.value_label.setWordWrap(True)
        self.value_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.value_label)
        self.who_label = QLabel()
        self.who_label.setWordWrap(True)
        layout.addWidget(self.who_label)
        self.winner_label = QLabel(_("Shown everywhere until a decision (provisional winner)"))
        self.winner_label.setWordWrap(True)
        self.winner_label.setStyleSheet(WINNER_STYLE)
        layout.addWidget(self.winner_label)
        self.keep_button = QRadioButton(_("Keep this value"))
        layout.addWidget(self.keep_button)
        layout.addStretch(1)

    def show_side(self, side: Side) -> None:
        """Fill in one side of a conflict."""
        self.value_label.setText(side.shown)
        self.who_label.setText(
            "\n".join(
                [
                    _("Office: {office}").format(office=side.office),
                    _("Entered by: {user}").format(user=side.user),
                    _("At: {when}").format(when=side.when),
                ]
            )
        )
        self.winner_label.setVisible(side.winner)


class ConflictsPage(QWidget):
    """The review queue of hard conflicts and the reviewer's decision."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.conflicts: list[OpenConflict] = []
        self._build()
        self.reload()

    # --- view ---

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        intro = QLabel(
            _(
                "The same data was changed differently in two places. Check with the "
                "commune, keep the right value (or type it), and say why: the decision "
                "is sent to every office."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.model = QStandardItemModel(0, 4)
        self.table = list_table(self.model)
        layout.addWidget(self.table, 1)
        self.empty_label = QLabel(_("No open conflicts: every office agrees."))
        self.empty_label.setStyleSheet("color: #555;")
        layout.addWidget(self.empty_label)

        self.detail = QGroupBox(_("The selected conflict"))
        inner = QVBoxLayout(self.detail)
        self.what_label = QLabel()
        self.what_label.setWordWrap(True)
        self.what_label.setStyleSheet("font-weight: bold;")
        inner.addWidget(self.what_label)
        sides = QHBoxLayout()
        self.local_box = SideBox(_("First value (here before the bundle)"))
        self.remote_box = SideBox(_("Second value (arrived in a bundle)"))
        sides.addWidget(self.local_box, 1)
        sides.addWidget(self.remote_box, 1)
        inner.addLayout(sides)
        typed_row = QHBoxLayout()
        self.type_button = QRadioButton(_("Neither: the right value is"))
        self.value_edit = QLineEdit()
        self.value_edit.setPlaceholderText(_("type it as in data entry, e.g. 1.234"))
        self.value_edit.textEdited.connect(lambda _text: self.type_button.setChecked(True))
        typed_row.addWidget(self.type_button)
        typed_row.addWidget(self.value_edit, 1)
        inner.addLayout(typed_row)
        self.choice = QButtonGroup(self)
        for button in (self.local_box.keep_button, self.remote_box.keep_button, self.type_button):
            self.choice.addButton(button)
        comment_row = QHBoxLayout()
        comment_row.addWidget(QLabel(_("Comment (required):")))
        self.comment_edit = QLineEdit()
        self.comment_edit.setPlaceholderText(_("e.g. Checked by phone with the commune clerk."))
        comment_row.addWidget(self.comment_edit, 1)
        inner.addLayout(comment_row)
        self.decide_button = QPushButton(_("Record the decision"))
        self.decide_button.clicked.connect(self._on_decide)
        comment_row.addWidget(self.decide_button)
        self.readonly_note = QLabel(
            _("The office above this commune decides this conflict; it is shown here to inform.")
        )
        self.readonly_note.setWordWrap(True)
        self.readonly_note.setStyleSheet("color: #555;")
        inner.addWidget(self.readonly_note)
        layout.addWidget(self.detail)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)

    def reload(self) -> None:
        """Read the open conflicts again, keeping the selection when it is still open."""
        keep = self.selected()
        self.conflicts = open_conflicts(self.ctx.store)
        self.model.clear()
        self.model.setHorizontalHeaderLabels([_("What"), _("Commune"), _("Period"), _("Raised")])
        for conflict in self.conflicts:
            self.model.appendRow(
                [
                    QStandardItem(conflict.what),
                    QStandardItem(conflict.commune),
                    QStandardItem(period_label(conflict.period) if conflict.period else "—"),
                    QStandardItem(conflict.raised),
                ]
            )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.empty_label.setVisible(not self.conflicts)
        ids = [c.id for c in self.conflicts]
        if ids:
            self.select(keep.id if keep is not None and keep.id in ids else ids[0])
        else:
            self._show(None)

    def showEvent(self, event: QShowEvent) -> None:
        """An import elsewhere may have raised conflicts: read them when the page shows."""
        super().showEvent(event)
        self.reload()

    def select(self, conflict_id: int) -> None:
        """Select a conflict of the list by id."""
        for row, conflict in enumerate(self.conflicts):
            if conflict.id == conflict_id:
                self.table.selectRow(row)
                self._show(conflict)
                return

    def selected(self) -> OpenConflict | None:
        """The conflict selected in the list."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return (
            self.conflicts[rows[0].row()] if rows and rows[0].row() < len(self.conflicts) else None
        )

    def _show(self, conflict: OpenConflict | None) -> None:
        self.detail.setVisible(conflict is not None)
        if conflict is None:
            return
        where = [conflict.commune]
        if conflict.period:
            where.append(period_label(conflict.period))
        self.what_label.setText(f"{conflict.what} — {', '.join(where)}")
        self.local_box.show_side(conflict.local)
        self.remote_box.show_side(conflict.remote)
        self.choice.setExclusive(False)
        for button in self.choice.buttons():
            button.setChecked(False)
        self.choice.setExclusive(True)
        typeable = conflict.indicator is not None
        self.type_button.setVisible(typeable)
        self.value_edit.setVisible(typeable)
        self.value_edit.clear()
        self.comment_edit.clear()
        self._say("")
        allowed = self.ctx.can("reviewer") and may_decide(self.ctx.store, conflict)
        for widget in (
            self.local_box.keep_button,
            self.remote_box.keep_button,
            self.type_button,
            self.value_edit,
            self.comment_edit,
            self.decide_button,
        ):
            widget.setEnabled(allowed)
        self.readonly_note.setVisible(not allowed)

    def _say(self, message: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message_label.setText(message)

    # --- slots ---

    def _on_selection_changed(self) -> None:
        conflict = self.selected()
        if conflict is not None:
            self._show(conflict)

    def _on_decide(self) -> None:
        conflict = self.selected()
        if conflict is None:
            return
        comment = " ".join(self.comment_edit.text().split())
        checked = self.choice.checkedButton()
        if checked is None:
            self._say(_("Choose one of the two values, or type the right one."), error=True)
            return
        if not comment:
            self._say(_("Write a comment: why is this the right value?"), error=True)
            self.comment_edit.setFocus()
            return
        store = self.ctx.store
        try:
            if checked is self.type_button:
                state = typed_state(store, conflict, self.value_edit.text())
                decide(
                    store,
                    conflict,
                    OTHER,
                    user=self.ctx.user.username,
                    comment=comment,
                    state=state,
                )
            else:
                choice = LOCAL if checked is self.local_box.keep_button else REMOTE
                decide(store, conflict, choice, user=self.ctx.user.username, comment=comment)
        except RefusedValue as exc:
            self._say(_("Not recorded: {reason}").format(reason=exc), error=True)
            return
        except StoreError as exc:
            self._say(user_text(exc), error=True)
            return
        self.reload()
        self._say(_("Decision recorded; it goes out with the next bundle."))
        bus = self.ctx.bus
        if conflict.period and conflict.entity == "value":
            bus.values_changed.emit(conflict.commune_id, conflict.period)
        elif conflict.entity == "site":
            bus.sites_changed.emit(conflict.commune_id)
        elif conflict.entity == "village":
            bus.villages_changed.emit(conflict.commune_id)
        elif conflict.period:
            bus.submissions_changed.emit(conflict.period)
        bus.status_changed.emit()
