"""Add a user account, or set a new password for one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from desktop_app.i18n import _
from desktop_app.store.repositories.users import ROLES
from desktop_app.ui.dialogs.base import FormDialog, FormInvalid

MIN_PASSWORD = 6


def role_label(role: str) -> str:
    """The translated name of a role."""
    labels = {
        "clerk": _("Clerk (enters data)"),
        "reviewer": _("Reviewer (approves)"),
        "admin": _("Administrator"),
    }
    return labels.get(role, role)


@dataclass(frozen=True)
class NewUser:
    """What the add-user form collects."""

    username: str
    full_name: str
    role: str
    password: str


def _password_fields(form: QFormLayout) -> tuple[QLineEdit, QLineEdit]:
    first, second = QLineEdit(), QLineEdit()
    for edit in (first, second):
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    form.addRow(_("Password"), first)
    form.addRow(_("Password again"), second)
    return first, second


def _checked_password(first: QLineEdit, second: QLineEdit) -> str:
    if len(first.text()) < MIN_PASSWORD:
        raise FormInvalid(_("The password needs at least {n} characters.").format(n=MIN_PASSWORD))
    if first.text() != second.text():
        raise FormInvalid(_("The two passwords differ."))
    return first.text()


class UserFormDialog(FormDialog[NewUser]):
    """A new account: username, full name, role and password (typed twice)."""

    def __init__(self, save: Callable[[NewUser], object], parent: QWidget | None = None) -> None:
        super().__init__(_("Add a user"), save, parent)
        self.setMinimumWidth(420)
        form = QFormLayout()
        self.body.addLayout(form)
        self.username_edit = QLineEdit()
        self.username_edit.setPlaceholderText(_("e.g. hoa.lt (no spaces)"))
        form.addRow(_("Username"), self.username_edit)
        self.full_name_edit = QLineEdit()
        form.addRow(_("Full name"), self.full_name_edit)
        self.role_box = QComboBox()
        for role in ROLES:
            self.role_box.addItem(role_label(role), role)
        form.addRow(_("Role"), self.role_box)
        self.password_edit, self.again_edit = _password_fields(form)

    def collect(self) -> NewUser:
        """The account to create."""
        username = self.username_edit.text().strip().lower()
        if not username or " " in username:
            raise FormInvalid(_("The username is one word without spaces."))
        full_name = " ".join(self.full_name_edit.text().split())
        if not full_name:
            raise FormInvalid(_("Give the user's full name."))
        password = _checked_password(self.password_edit, self.again_edit)
        return NewUser(username, full_name, str(self.role_box.currentData()), password)


class PasswordDialog(FormDialog[str]):
    """A new password for ``username`` (typed twice)."""

    def __init__(
        self, username: str, save: Callable[[str], object], parent: QWidget | None = None
    ) -> None:
        super().__init__(_("New password for {user}").format(user=username), save, parent)
        self.setMinimumWidth(380)
        form = QFormLayout()
        self.body.addLayout(form)
        self.password_edit, self.again_edit = _password_fields(form)

    def collect(self) -> str:
        """The new password."""
        return _checked_password(self.password_edit, self.again_edit)


class ChangePasswordDialog(FormDialog[tuple[str, str]]):
    """The logged-in user changes their own password: the current one, then the new twice.

    ``save((old, new))`` returns False when the current password is wrong.
    """

    def __init__(
        self,
        username: str,
        save: Callable[[tuple[str, str]], bool],
        parent: QWidget | None = None,
    ) -> None:
        self._check = save
        title = _("Change my password ({user})").format(user=username)
        super().__init__(title, self._save_checked, parent)
        self.setMinimumWidth(420)
        form = QFormLayout()
        self.body.addLayout(form)
        self.old_edit = QLineEdit()
        self.old_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("Current password"), self.old_edit)
        self.password_edit, self.again_edit = _password_fields(form)
        label = form.labelForField(self.password_edit)
        if isinstance(label, QLabel):
            label.setText(_("New password"))
        self.old_edit.setFocus()

    def _save_checked(self, value: tuple[str, str]) -> None:
        if not self._check(value):
            raise FormInvalid(_("The current password is wrong."))

    def collect(self) -> tuple[str, str]:
        """(current password, new password)."""
        new = _checked_password(self.password_edit, self.again_edit)
        return self.old_edit.text(), new
