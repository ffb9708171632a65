"""The very first start, with no database: open the demo office, or create the real one.

Creating the real office means choosing the unit (search without diacritics), then the
administrator account. Both ways build the database through the task runner; the
dialog closes once the file exists, and the login dialog takes over.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.units import UnitDirectory
from desktop_app.i18n import _
from desktop_app.ui.dialogs import confirm
from desktop_app.ui.tasks import CancelFlag, Progress, Runner, run_with_progress
from desktop_app.ui.widgets.dialogs import SB, button_box
from desktop_app.ui.widgets.unit_search import UnitSearch

DEMO_OFFICE = "pre2025:125"  # Huyện Mai Sơn, Sơn La
DEMO_LOGIN = "canbo"


def build_demo_task(
    path: Path, office_id: str = DEMO_OFFICE
) -> Callable[[Progress, CancelFlag], object]:
    """The task that writes the demo office (stops cleanly when cancelled)."""

    def task(progress: Progress, cancel: CancelFlag) -> object:
        from desktop_app.demo import build_demo

        def say(message: str) -> None:
            cancel.raise_if_set()
            progress(None, message)

        return build_demo(path, office_id, progress=say)

    return task


def create_office_task(
    path: Path,
    office_id: str,
    username: str,
    full_name: str,
    password: str,
    directory: UnitDirectory,
) -> Callable[[Progress, CancelFlag], object]:
    """The task that creates the real office database and its administrator."""

    def task(progress: Progress, cancel: CancelFlag) -> object:
        from desktop_app.store.office import create_office

        progress(None, _("Creating the office database…"))
        store = create_office(path, office_id, directory=directory, user=username)
        try:
            store.users.add(username, full_name, "admin", password, by=username)
        except BaseException:
            store.close()
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
            raise
        store.close()
        return office_id

    return task


class FirstRunDialog(QDialog):
    """Choose demo or real office; ``accept()`` once the database exists."""

    def __init__(
        self,
        db_path: Path,
        runner: Runner,
        load_directory: Callable[[], UnitDirectory],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.runner = runner
        self._load_directory = load_directory
        self.directory: UnitDirectory | None = None
        self.login_hint = ""
        self.setWindowTitle(_("Welcome to Coverage Desk"))
        self.resize(720, 560)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._choice_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

    # --- views ---

    def _choice_page(self) -> QWidget:
        page = QWidget(self)
        intro = QLabel(
            _(
                "There is no office database on this computer yet. You can look around in a "
                "demo district office first, or set up your own office now."
            ),
            page,
        )
        intro.setWordWrap(True)
        self.demo_button = QPushButton(_("Open the demo office (Mai Sơn district)"), page)
        self.real_button = QPushButton(_("Create my office…"), page)
        for button in (self.demo_button, self.real_button):
            button.setMinimumHeight(48)
        where = QLabel(_("Database file: {path}").format(path=self.db_path), page)
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addSpacing(12)
        layout.addWidget(self.demo_button)
        layout.addWidget(self.real_button)
        layout.addStretch(1)
        layout.addWidget(where)
        self.demo_button.clicked.connect(self._on_demo_clicked)
        self.real_button.clicked.connect(self._on_real_clicked)
        return page

    def _office_page(self, directory: UnitDirectory) -> QWidget:
        page = QWidget(self)
        heading = QLabel(_("1. Choose your office (a district or a commune)"), page)
        self.unit_search = UnitSearch(directory, page)
        account = QLabel(_("2. Create the administrator account"), page)
        self.username = QLineEdit(page)
        self.full_name = QLineEdit(page)
        self.password = QLineEdit(page)
        self.password_again = QLineEdit(page)
        for box in (self.password, self.password_again):
            box.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(_("User name"), self.username)
        form.addRow(_("Full name"), self.full_name)
        form.addRow(_("Password"), self.password)
        form.addRow(_("Password again"), self.password_again)
        self.problem = QLabel(page)
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.setWordWrap(True)
        self.buttons = button_box(SB.Ok | SB.Cancel, page)
        self.buttons.button(SB.Ok).setText(_("Create the office"))
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addWidget(self.unit_search, 1)
        layout.addWidget(account)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_create_clicked)
        self.buttons.rejected.connect(self._on_back_clicked)
        return page

    # --- controller ---

    def _on_demo_clicked(self) -> None:
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        run_with_progress(
            self.runner,
            self,
            _("Building the demo office…"),
            build_demo_task(self.db_path),
            self._on_demo_built,
            self._on_failed,
        )

    def _on_demo_built(self, _summary: object) -> None:
        self.login_hint = DEMO_LOGIN
        self.accept()

    def _on_real_clicked(self) -> None:
        if self.directory is None:
            self.directory = self._load_directory()
            self.pages.addWidget(self._office_page(self.directory))
        self.pages.setCurrentIndex(1)
        self.unit_search.query.setFocus()

    def _on_back_clicked(self) -> None:
        self.pages.setCurrentIndex(0)

    def problem_with_form(self) -> str:
        """What keeps the office from being created, in words ("" when nothing)."""
        unit_id = self.unit_search.chosen()
        assert self.directory is not None
        unit = self.directory.find(unit_id) if unit_id else None
        if unit is None or unit.level not in (1, 2, 3):
            return _("Choose your office in the list.")
        if not self.username.text().strip():
            return _("Enter a user name.")
        if not self.full_name.text().strip():
            return _("Enter the administrator's full name.")
        if len(self.password.text()) < 6:
            return _("The password needs at least 6 characters.")
        if self.password.text() != self.password_again.text():
            return _("The two passwords differ.")
        return ""

    def _on_create_clicked(self) -> None:
        problem = self.problem_with_form()
        self.problem.setText(problem)
        if problem:
            return
        assert self.directory is not None
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        run_with_progress(
            self.runner,
            self,
            _("Creating the office database…"),
            create_office_task(
                self.db_path,
                self.unit_search.chosen(),
                self.username.text(),
                self.full_name.text(),
                self.password.text(),
                self.directory,
            ),
            self._on_office_created,
            self._on_failed,
        )

    def _on_office_created(self, _office_id: object) -> None:
        self.login_hint = self.username.text().strip().lower()
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        from desktop_app.ui.tasks import Cancelled

        if isinstance(exc, Cancelled):
            return
        from desktop_app.ui.error_text import user_text

        text = user_text(exc)
        confirm.inform(self, _("The office was not created"), text, error=True)
