"""The main window: navigation on the left, the chosen page, the status bar.

Pages come from :data:`desktop_app.ui.pages.PAGES` and are built the first time they
are shown, so start-up only pays for the first one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import _
from desktop_app.startup import resume_garbage_collection
from desktop_app.ui.context import AppContext
from desktop_app.ui.login import role_name
from desktop_app.ui.pages import Page, pages_for
from desktop_app.ui.status import StatusBar
from desktop_app.ui.tasks import CancelFlag, Progress
from desktop_app.ui.version import app_version

NAV_WIDTH = 150


def window_title(office_name: str) -> str:
    """ "Huyện Mai Sơn (0.1.0) — Coverage Desk".

    It ends with the application's display name, so Qt does not add it a second time
    ("… — Coverage Desk 0.1.0 — Coverage Desk").
    """
    return f"{office_name} ({app_version()}) — Coverage Desk"


class MainWindow(QMainWindow):
    """The application window for one logged-in user.

    ``restore_requested(path)`` asks whoever runs the window to close the store,
    restore the backup at ``path`` and start again from the login.
    """

    restore_requested = Signal(str)
    logout_requested = Signal()
    language_requested = Signal(str)  # rebuild the window in that language

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        office = context.store.reference.unit(context.office_id)
        self.setWindowTitle(window_title(office.name))
        self.pages = pages_for(context)
        self.nav = QListWidget(self)
        self.nav.setFixedWidth(NAV_WIDTH)
        self.nav.setSpacing(2)
        self.nav.setStyleSheet("QListWidget::item { padding: 8px 6px; }")
        self.who = who = QLabel(
            f"<b>{context.user.full_name}</b><br>{role_name(context.user.role)}", self
        )
        who.setWordWrap(True)
        who.setFixedWidth(NAV_WIDTH)
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.nav, 1)
        side.addWidget(who)
        self.stack = QStackedWidget(self)
        self._built: dict[int, QWidget] = {}
        for key, title, _factory, _role in self.pages:
            item = QListWidgetItem(title(), self.nav)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.stack.addWidget(QWidget(self.stack))
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(4, 4, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(side)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.status = StatusBar(context.store, self)
        self.setStatusBar(self.status)
        from desktop_app.ui.spreadsheet import add_spreadsheet_menu

        self.spreadsheet = add_spreadsheet_menu(self, context)
        account = self.menuBar().addMenu(_("&Account"))
        self.logout_action = QAction(_("Log out / switch user"), self)
        self.logout_action.setShortcut(QKeySequence("Ctrl+L"))
        self.logout_action.triggered.connect(self._on_logout)
        account.addAction(self.logout_action)
        self.password_action = QAction(_("Change my password…"), self)
        self.password_action.triggered.connect(self._on_change_password)
        account.addAction(self.password_action)
        self.addAction(self.logout_action)
        help_menu = self.menuBar().addMenu(_("&Help"))
        self.guide_action = QAction(_("User guide"), self)
        self.guide_action.setShortcut(QKeySequence("F1"))
        self.guide_action.triggered.connect(self.guide_viewer)
        help_menu.addAction(self.guide_action)
        self.addAction(self.guide_action)
        self.shortcuts_action = QAction(_("Keyboard shortcuts"), self)
        self.shortcuts_action.triggered.connect(lambda: self.shortcuts_dialog().show())
        help_menu.addAction(self.shortcuts_action)
        languages = help_menu.addMenu(_("Language"))
        self.language_actions: dict[str, QAction] = {}
        for code, name in (("vi", "Tiếng Việt"), ("en", "English")):
            action = QAction(name, self)
            action.setCheckable(True)
            action.setChecked(code == context.language)
            action.triggered.connect(lambda _checked=False, c=code: self.switch_language(c))
            languages.addAction(action)
            self.language_actions[code] = action
        help_menu.addSeparator()
        about = QAction(_("About…"), self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self._on_about)
        help_menu.addAction(about)
        quit_action = QAction(_("Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.addAction(quit_action)
        self.nav.currentRowChanged.connect(self._on_page_chosen)
        # Every write, import and sync says so on the bus: the status bar reads again once
        # the burst is over (a paste of 200 cells refreshes it once, not 200 times).
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(0)
        self._status_timer.timeout.connect(self._on_status_changed)
        bus = context.bus
        for signal in (
            bus.status_changed,
            bus.values_changed,
            bus.villages_changed,
            bus.sites_changed,
            bus.submissions_changed,
        ):
            signal.connect(self._status_timer.start)
        bus.submit_requested.connect(self._on_submit_requested)
        from desktop_app.ui.background_sync import BackgroundSync

        self.background_sync = BackgroundSync(context, parent=self)
        self.background_sync.synced.connect(self._on_background_synced)
        self.background_sync.failed.connect(lambda text: self.statusBar().showMessage(text, 30000))
        bus.status_changed.connect(self.background_sync.reconfigure)
        if self.pages:
            self.nav.setCurrentRow(0)
        self._painted = False
        self.health_check: object | None = None  # the background check's task handle

    def paintEvent(self, event: QPaintEvent) -> None:
        """Once the window is first painted, start the database check left for later."""
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            resume_garbage_collection()  # paused for the start (desktop_app.startup)
            if self.context.store.background_check_due and self.context.runner is not None:
                QTimer.singleShot(0, self.start_health_check)

    def start_health_check(self) -> None:
        """Read the whole database through (quick_check) off the GUI thread; tell damage."""
        store = self.context.store
        runner = self.context.runner
        if store.path is None or runner is None or not store.background_check_due:
            return
        store.background_check_due = False
        path = store.path
        clock = store.clock

        def task(_progress: Progress, _cancel: CancelFlag) -> list[str]:
            from desktop_app.store import health

            result = health.quick_check(path)
            health.record_check(path, now=clock(), result=result)
            return result

        self.health_check = runner.start(task, self._on_health_checked)

    def _on_health_checked(self, result: object) -> None:
        assert isinstance(result, list)
        if result == ["ok"]:
            return
        from desktop_app.ui.dialogs import confirm

        detail = "; ".join(str(r) for r in result[:3])
        text = _(
            "The database {path} is damaged: {detail}\n\nStop entering data: what is typed "
            "now may be lost. Ask the office's administrator to restore the latest backup "
            "(Administration → Backups → Restore the selected backup…), then check the "
            "values typed since that backup."
        ).format(path=self.context.store.path, detail=detail)
        self.statusBar().showMessage(_("The database is damaged: restore a backup."))
        confirm.inform(self, _("The database is damaged"), text, error=True)

    def page(self, key: str) -> QWidget | None:
        """The page ``key`` (built on demand), or None when this user has no such page."""
        for row, page in enumerate(self.pages):
            if page[0] == key:
                return self._page_at(row, page)
        return None

    def _on_background_synced(self, outcome: object) -> None:
        from desktop_app.ui.pages.sync import announce

        announce(self.context, outcome)  # type: ignore[arg-type]
        self.statusBar().showMessage(_("Synced with the province server automatically."), 15000)

    def show_page(self, key: str) -> QWidget | None:
        """Make ``key`` the current page (built on demand); None when this user has none."""
        for row, page in enumerate(self.pages):
            if page[0] == key:
                self.nav.setCurrentRow(row)
                return self._page_at(row, page)
        return None

    def _on_submit_requested(self, commune_id: str, period: str) -> None:
        """The review page asks: send from the entry page, where the checks and cells are."""
        from desktop_app.domain.periods import Period

        submit = getattr(self.show_page("entry"), "submit_period", None)
        if callable(submit):
            submit(commune_id, Period.parse(period))

    def _page_at(self, row: int, page: Page) -> QWidget:
        built = self._built.get(row)
        if built is None:
            built = page[2](self.context)
            request = getattr(built, "restore_requested", None)
            if request is not None:
                request.connect(self.restore_requested)
            placeholder = self.stack.widget(row)
            self.stack.insertWidget(row, built)
            if placeholder is not None:
                self.stack.removeWidget(placeholder)
                placeholder.deleteLater()
            self._built[row] = built
        return built

    def _on_page_chosen(self, row: int) -> None:
        if 0 <= row < len(self.pages):
            self.stack.setCurrentWidget(self._page_at(row, self.pages[row]))

    def _on_logout(self) -> None:
        """Back to the login (the database stays open): another user may sign in."""
        self.logout_requested.emit()
        self.close()

    def _on_change_password(self) -> None:
        from desktop_app.ui.dialogs.user_form import ChangePasswordDialog

        users = self.context.store.users
        name = self.context.user.username

        def save(value: tuple[str, str]) -> bool:
            return users.change_password(name, *value)

        if ChangePasswordDialog(name, save, self).exec():
            self.statusBar().showMessage(_("Your password was changed."), 8000)

    def guide_viewer(self) -> QWidget:
        """Open the user guide (at the chapter of this user's role) beside the window."""
        from desktop_app.ui.help import GuideDialog

        viewer = getattr(self, "_guide", None)
        if viewer is None:
            viewer = self._guide = GuideDialog(self)
            office = self.context.store.reference.unit(self.context.office_id)
            viewer.show_chapter("province" if office.level == 1 else self.context.user.role)
        viewer.show()
        viewer.raise_()
        return viewer

    def shortcuts_dialog(self) -> QWidget:
        """The list of keyboard shortcuts (not modal)."""
        from desktop_app.ui.help import ShortcutsDialog

        dialog = ShortcutsDialog(self)
        return dialog

    def switch_language(self, lang: str) -> None:
        """Remember ``lang`` and ask to be rebuilt in it (at once, same user, no login)."""
        from desktop_app.ui.help import save_language

        for code, action in self.language_actions.items():
            action.setChecked(code == lang)
        if lang == self.context.language:
            return
        save_language(lang)
        self.language_requested.emit(lang)
        self.close()

    def _on_about(self) -> None:
        from desktop_app.ui.about import AboutDialog

        AboutDialog(self, self.context.store.path).exec()

    def _on_status_changed(self) -> None:
        self.status.refresh()
