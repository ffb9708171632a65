"""The administration page (admin role): users, villages, office settings, backups.

Restore contract for the main window
------------------------------------
``AdminPage.restore_requested(str)`` is emitted, after the user confirmed, with the
path of the backup file to restore. The page has done nothing else. The main window:

1. closes every page and dialog that holds the :class:`AppContext` and calls
   ``ctx.store.close()`` (a restore must not race an open connection);
2. calls ``desktop_app.store.backup.restore(db_path, Path(path))``; it verifies the
   file first and raises :class:`BackupDamagedError` (show ``user_message()``, then
   reopen the old database untouched) and backs up the current file before copying;
3. reopens with ``Store.open(db_path, ...)``, builds a new ``AppContext`` (same user
   if the account still exists in the restored file, else back to the login) and
   new pages, and tells the user the backup was restored.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desktop_app.i18n import _
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.admin_backups import BackupsTab
from desktop_app.ui.pages.admin_settings import SettingsTab
from desktop_app.ui.pages.admin_users import UsersTab
from desktop_app.ui.pages.admin_villages import VillagesTab


class AdminPage(QWidget):
    """Tabs for the accounts, the village register, office settings and backups."""

    restore_requested = Signal(str)  # backup file path; see the module docstring

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.users_tab = UsersTab(ctx)
        self.villages_tab = VillagesTab(ctx)
        self.settings_tab = SettingsTab(ctx)
        self.backups_tab = BackupsTab(ctx)
        self.tabs.addTab(self.users_tab, _("Users"))
        self.tabs.addTab(self.villages_tab, _("Villages"))
        self.tabs.addTab(self.settings_tab, _("Office settings"))
        self.tabs.addTab(self.backups_tab, _("Backups"))
        layout.addWidget(self.tabs)
        self.backups_tab.restore_requested.connect(self.restore_requested)
