"""Administration, backups: make one now, list the automatic ones, ask for a restore.

A restore replaces the open database, so this tab never does it itself: after the
user confirms, it emits ``restore_requested(path)`` and the main window closes the
store, calls :func:`desktop_app.store.backup.restore`, and reopens (see
:class:`desktop_app.ui.pages.admin.AdminPage`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import _
from desktop_app.store import backup
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs import confirm
from desktop_app.ui.dialogs.base import ERROR_STYLE
from desktop_app.ui.error_text import os_reason
from desktop_app.ui.widgets.tables import list_table


def _size_text(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(1, size // 1024)} KB"


class BackupsTab(QWidget):
    """Backups of this office's database."""

    restore_requested = Signal(str)  # path of the backup file the user chose to restore

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.backups: list[Path] = []
        layout = QVBoxLayout(self)
        intro = QLabel(
            _(
                "Keep a copy of the database on a USB stick or another disk. Coverage Desk "
                "also makes automatic backups before upgrades and restores."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.backup_button = QPushButton(_("Back up now to a folder…"))
        self.backup_button.clicked.connect(self._on_backup_now)
        row.addWidget(self.backup_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message_label)
        layout.addWidget(QLabel(_("Automatic backups (newest first):")))
        self.model = QStandardItemModel(0, 3)
        self.model.setHorizontalHeaderLabels([_("File"), _("Made at"), _("Size")])
        self.table = list_table(self.model, stretch_column=0)
        layout.addWidget(self.table, 1)
        self.empty_label = QLabel(_("No automatic backup yet."))
        self.empty_label.setStyleSheet("color: #555;")
        layout.addWidget(self.empty_label)
        restore_row = QHBoxLayout()
        self.restore_button = QPushButton(_("Restore the selected backup…"))
        self.restore_file_button = QPushButton(_("Restore from another file…"))
        self.restore_button.clicked.connect(self._on_restore_selected)
        self.restore_file_button.clicked.connect(self._on_restore_file)
        restore_row.addWidget(self.restore_button)
        restore_row.addWidget(self.restore_file_button)
        restore_row.addStretch(1)
        layout.addLayout(restore_row)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        has_file = ctx.store.path is not None
        self.backup_button.setEnabled(has_file)
        self.restore_file_button.setEnabled(has_file)
        self.reload()

    def reload(self) -> None:
        """List the automatic backups again."""
        path = self.ctx.store.path
        self.backups = list(reversed(backup.list_backups(path))) if path else []
        self.model.removeRows(0, self.model.rowCount())
        for file in self.backups:
            stat = file.stat()
            made = datetime.fromtimestamp(stat.st_mtime, UTC).astimezone()
            self.model.appendRow(
                [
                    QStandardItem(file.name),
                    QStandardItem(made.strftime("%d/%m/%Y %H:%M")),
                    QStandardItem(_size_text(stat.st_size)),
                ]
            )
        self.empty_label.setVisible(not self.backups)
        self._on_selection_changed()

    def choose_folder(self) -> Path | None:
        """Ask where to put a backup (tests replace this)."""
        folder = QFileDialog.getExistingDirectory(self, _("Choose the folder for the backup"))
        return Path(folder) if folder else None

    def choose_file(self) -> Path | None:
        """Ask for a backup file to restore (tests replace this)."""
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Choose a backup to restore"), "", _("Databases (*.db)")
        )
        return Path(name) if name else None

    def make_backup(self, folder: Path) -> Path:
        """Write a backup named after the database and the time into ``folder``."""
        assert self.ctx.store.path is not None
        stamp = datetime.fromtimestamp(self.ctx.store.clock(), UTC).astimezone()
        name = f"{self.ctx.store.path.stem}-{stamp.strftime('%Y%m%d-%H%M%S')}.db"
        return backup.backup_to(self.ctx.store.path, folder / name)

    def _say(self, message: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else "color: #1d5e20;")
        self.message_label.setText(message)

    # --- slots ---

    def _on_backup_now(self) -> None:
        folder = self.choose_folder()
        if folder is None:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            written = self.make_backup(folder)
        except OSError as exc:
            self._say(
                _("The backup could not be written: {reason}").format(
                    reason=os_reason(exc.errno, exc.strerror or str(exc))
                ),
                error=True,
            )
            return
        finally:
            QApplication.restoreOverrideCursor()
        self._say(_("Backup written to {path}").format(path=written))

    def _ask_restore(self, file: Path) -> None:
        question = _(
            "Replace the office's data with the backup {file}? Everything typed since that "
            "backup was made is set aside (a copy of the current data is kept first). "
            "Coverage Desk reopens the database afterwards."
        ).format(file=file.name)
        if confirm.ask(self, _("Restore a backup"), question, yes_text=_("Restore"), danger=True):
            self.restore_requested.emit(str(file))

    def _on_restore_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._ask_restore(self.backups[rows[0].row()])

    def _on_restore_file(self) -> None:
        file = self.choose_file()
        if file is not None:
            self._ask_restore(file)

    def _on_selection_changed(self) -> None:
        self.restore_button.setEnabled(bool(self.table.selectionModel().selectedRows()))
