"""Administration, users: add an account with a role, reset a password, deactivate."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import _
from desktop_app.store.errors import StoreError
from desktop_app.store.repositories.users import User
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs.base import ERROR_STYLE
from desktop_app.ui.dialogs.user_form import NewUser, PasswordDialog, UserFormDialog, role_label
from desktop_app.ui.error_text import user_text
from desktop_app.ui.widgets.tables import list_table


class UsersTab(QWidget):
    """The local accounts of this installation (accounts are never deleted)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.users: list[User] = []
        self.model = QStandardItemModel(0, 4)
        self.model.setHorizontalHeaderLabels(
            [_("Username"), _("Full name"), _("Role"), _("Account")]
        )
        layout = QVBoxLayout(self)
        self.table = list_table(self.model, stretch_column=1)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(_("Add a user…"))
        self.password_button = QPushButton(_("Reset password…"))
        self.active_button = QPushButton(_("Deactivate"))
        self.unlock_button = QPushButton(_("Unlock"))
        self.unlock_button.setToolTip(_("Let a user locked out by wrong passwords sign in again"))
        self.unlock_button.clicked.connect(self._on_unlock)
        self.add_button.clicked.connect(self._on_add)
        self.password_button.clicked.connect(self._on_reset_password)
        self.active_button.clicked.connect(self._on_toggle_active)
        for button in (
            self.add_button,
            self.password_button,
            self.active_button,
            self.unlock_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.reload()

    def reload(self) -> None:
        """Read the accounts again."""
        self.users = self.ctx.store.users.all()
        self.model.removeRows(0, self.model.rowCount())
        for user in self.users:
            state = _("active") if user.active else _("deactivated")
            until = self.ctx.store.users.locked_until(user.username)
            if user.active and until is not None:
                state = _("locked until {time} (wrong passwords)").format(
                    time=datetime.fromtimestamp(until).strftime("%H:%M")
                )
            row = [QStandardItem(t) for t in (user.username, user.full_name, "", state)]
            row[2].setText(role_label(user.role))
            if not user.active:
                for item in row:
                    item.setForeground(QColor("#777777"))
            self.model.appendRow(row)
        self._on_selection_changed()

    def selected_user(self) -> User | None:
        """The account of the selected row."""
        rows = self.table.selectionModel().selectedRows()
        return self.users[rows[0].row()] if rows else None

    def select(self, username: str) -> None:
        """Select the row of ``username``."""
        for row, user in enumerate(self.users):
            if user.username == username:
                self.table.selectRow(row)

    def _say(self, message: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else "color: #1d5e20;")
        self.message_label.setText(message)

    # --- slots ---

    def _add(self, new: NewUser) -> None:
        self.ctx.store.users.add(
            new.username, new.full_name, new.role, new.password, by=self.ctx.user.username
        )

    def _on_add(self) -> None:
        dialog = UserFormDialog(self._add, self)
        if dialog.exec() and dialog.saved is not None:
            self.reload()
            self.select(dialog.saved.username)
            self._say(_("Account {user} added.").format(user=dialog.saved.username))

    def _on_reset_password(self) -> None:
        user = self.selected_user()
        if user is None:
            return

        def save(password: str) -> None:
            self.ctx.store.users.set_password(user.username, password, by=self.ctx.user.username)

        if PasswordDialog(user.username, save, self).exec():
            self._say(_("The password of {user} was changed.").format(user=user.username))

    def _on_toggle_active(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        if user.username == self.ctx.user.username:
            self._say(_("You cannot deactivate your own account."), error=True)
            return
        try:
            self.ctx.store.users.set_active(
                user.username, not user.active, by=self.ctx.user.username
            )
        except StoreError as exc:
            self._say(user_text(exc), error=True)
            return
        self.reload()
        self.select(user.username)
        done = (
            _("{user} can sign in again.")
            if not user.active
            else _("{user} can no longer sign in.")
        )
        self._say(done.format(user=user.username))

    def _on_unlock(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        self.ctx.store.users.unlock(user.username, by=self.ctx.user.username)
        self.reload()
        self.select(user.username)
        self._say(_("{user} can sign in again.").format(user=user.username))

    def _on_selection_changed(self) -> None:
        user = self.selected_user()
        self.unlock_button.setEnabled(
            user is not None and self.ctx.store.users.locked_until(user.username) is not None
        )
        self.password_button.setEnabled(user is not None)
        self.active_button.setEnabled(user is not None)
        self.active_button.setText(
            _("Activate") if user is not None and not user.active else _("Deactivate")
        )
