"""The login dialog: pick one of the office's users, type the password.

It can be shown before the database is ready (the start-up check of a large file takes
a moment): it then says so, the password can already be typed, and :meth:`set_store`
fills in the office and its users once the store is open.

Given a task runner, the password is checked off the GUI thread (scrypt is a deliberate
~50–100 ms of work and releases the interpreter), and ``checking(user)`` tells the
window's owner who asked, so the main window can be built meanwhile; it is shown only
once the check has passed, and thrown away on ``refused``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import _
from desktop_app.ui.widgets.dialogs import SB, button_box

if TYPE_CHECKING:  # the store is opened in the background; the dialog shows first
    from desktop_app.store.repositories.users import LoginResult, User
    from desktop_app.store.store import Store
    from desktop_app.ui.tasks import CancelFlag, Progress, Runner, Task


def role_name(role: str) -> str:
    """A role in words."""
    return {"clerk": _("Clerk"), "reviewer": _("Reviewer"), "admin": _("Administrator")}.get(
        role, role
    )


class LoginDialog(QDialog):
    """``exec()`` returns Accepted with ``self.user`` set once the password matched.

    ``painted`` is emitted once, after the dialog's first paint: work that may wait
    (preparing the main window) starts then, never before the clerk sees the login.
    ``ready`` once the users are listed; ``checking(user)`` when "Log in" was pressed
    for ``user`` and the password is being checked (with a runner only); ``refused``
    when that check did not let the user in.
    """

    painted = Signal()
    ready = Signal()
    checking = Signal(object)
    refused = Signal()

    def __init__(
        self,
        store: Store | None,
        office_name: str = "",
        hint: str = "",
        parent: QWidget | None = None,
        runner: Runner | None = None,
    ) -> None:
        super().__init__(parent)
        self.store: Store | None = None
        self.user: User | None = None
        self.hint = hint
        self.runner = runner
        self.listed: dict[str, User] = {}  # username -> the account as listed
        self.is_checking = False
        self.setMinimumWidth(460)
        self.heading = QLabel(self)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.users = QComboBox(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.problem = QLabel(self)
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.setWordWrap(True)
        self.buttons = button_box(SB.Ok | SB.Cancel, self)
        self.buttons.button(SB.Ok).setText(_("Log in"))
        form = QFormLayout()
        form.addRow(_("User"), self.users)
        form.addRow(_("Password"), self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_login_clicked)
        self.buttons.rejected.connect(self.reject)
        self.password.setFocus()
        if store is None:
            self.setWindowTitle("Coverage Desk")
            self.heading.setText(_("Opening the database…"))
            self.problem.setStyleSheet("")
            self.problem.setText(_("Checking the database file; this takes a moment."))
            self.users.setEnabled(False)
            self.buttons.button(SB.Ok).setEnabled(False)
        else:
            self.set_store(store, office_name)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint; the first time, say so once the event loop turns."""
        super().paintEvent(event)
        if not getattr(self, "_painted", False):
            self._painted = True
            QTimer.singleShot(0, self, self._announce_painted)  # dropped if the dialog goes

    def _announce_painted(self) -> None:
        self.painted.emit()

    def set_store(self, store: Store, office_name: str | None = None) -> None:
        """Show the office and its users (the store is open and checked)."""
        self.store = store
        name = office_name or store.reference.unit(store.node.office_id).name
        self.setWindowTitle(_("Log in — {office}").format(office=name))
        self.heading.setText(name)
        self.users.clear()
        self.listed = {}
        for user in store.users.all():
            if user.active:
                label = f"{user.full_name} ({user.username}) — {role_name(user.role)}"
                self.users.addItem(label, user.username)
                self.listed[user.username] = user
        index = self.users.findData(self.hint) if self.hint else -1
        if index >= 0:
            self.users.setCurrentIndex(index)
        self.users.setEnabled(True)
        self.buttons.button(SB.Ok).setEnabled(True)
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.setText("" if self.users.count() else _("This office has no user accounts."))
        self.ready.emit()

    def set_failure(self, message: str) -> None:
        """The database could not be opened: say why; only Cancel is left."""
        self.heading.setText(_("The database cannot be opened"))
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.setText(message)
        self.password.setEnabled(False)

    def _on_login_clicked(self) -> None:
        username = self.users.currentData()
        if not username or self.store is None or self.is_checking:
            return
        name, password = str(username), self.password.text()
        if self.runner is None:
            self._on_checked(self.store.users.login(name, password))
            return
        self.is_checking = True
        self.buttons.setEnabled(False)  # Cancel too: the verdict is a moment away
        self.runner.start(_login_task(self.store, name, password), self._on_checked, self._on_error)
        candidate = self.listed.get(name)
        if candidate is not None and self.is_checking:
            self.checking.emit(candidate)  # build the window while scrypt runs

    def _on_checked(self, result: object) -> None:
        from desktop_app.store.repositories.users import LoginResult

        assert isinstance(result, LoginResult)
        self.is_checking = False
        self.buttons.setEnabled(True)
        if result.user is None:
            self.problem.setText(self._refusal(result))
            self.password.selectAll()
            self.password.setFocus()
            self.refused.emit()
            return
        from desktop_app.startup import mark

        mark("password checked")
        self.user = result.user
        self.accept()

    def _on_error(self, exc: BaseException) -> None:
        from desktop_app.ui.error_text import user_text

        self.is_checking = False
        self.buttons.setEnabled(True)
        self.problem.setText(user_text(exc))
        self.refused.emit()

    def _refusal(self, result: LoginResult) -> str:
        from datetime import datetime

        from desktop_app.store.repositories.users import LOCK_SECONDS

        if result.locked_until is not None:
            until = datetime.fromtimestamp(result.locked_until).strftime("%H:%M")
            return _(
                "Too many wrong passwords: this account is locked until {time}. Wait, or ask "
                "an administrator to unlock it."
            ).format(time=until)
        text = _("Wrong password. Try again.")
        if result.attempts_left <= 2:
            text += " " + _(
                "{n} more wrong passwords lock the account for {minutes} minutes."
            ).format(n=result.attempts_left, minutes=LOCK_SECONDS // 60)
        return text


def _login_task(store: Store, username: str, password: str) -> Task:
    """The password check with its lockout count and audit entry, on a pool thread."""
    import threading

    def task(_progress: Progress, _cancel: CancelFlag) -> LoginResult:
        try:
            return store.users.login(username, password)
        finally:
            if threading.current_thread() is not threading.main_thread():
                store.db.close()  # this pool thread's own connection (peewee: one a thread)

    return task
