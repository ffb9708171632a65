"""The status bar a clerk reads at a glance: unsent changes, last backup, what needs review.

Each figure comes from one small function over the store, so the sync engineer can
replace :func:`unsent_changes` with the real "not yet acknowledged" count in one place.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from desktop_app.i18n import _
from desktop_app.store.store import Store


def unsent_changes(store: Store) -> int:
    """Changes made at this installation (this origin and epoch) not yet acknowledged.

    For now: every change of this node's current epoch (sync will subtract what the
    province has acknowledged).
    """
    node = store.node
    # seq is gap-free per origin and epoch, so the highest one is the count (one index probe).
    db: Any = store.db  # peewee leaves execute_sql untyped
    row = db.execute_sql(
        "SELECT COALESCE(MAX(seq), 0) FROM change WHERE origin = ? AND epoch = ?",
        (node.node_id, node.epoch),
    ).fetchone()
    return int(row[0])


def last_backup(store: Store) -> datetime | None:
    """When the newest automatic backup of this database was written, or None."""
    if store.path is None:
        return None
    from desktop_app.store.backup import list_backups

    backups = list_backups(Path(store.path))
    if not backups:
        return None
    return datetime.fromtimestamp(backups[-1].stat().st_mtime)


def waiting_for_review(store: Store) -> int:
    """Submissions in state ``submitted`` that this office has to review (0 for a commune)."""
    office = store.reference.unit(store.node.office_id)
    if office.level >= 3:
        return 0
    db: Any = store.db
    row = db.execute_sql("SELECT count(*) FROM submission WHERE state = 'submitted'").fetchone()
    return int(row[0])


class StatusBar(QStatusBar):
    """Three permanent labels, refreshed by :meth:`refresh`."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.unsent = QLabel(self)
        self.backup = QLabel(self)
        self.review = QLabel(self)
        for label in (self.unsent, self.backup, self.review):
            label.setContentsMargins(8, 0, 8, 0)
            self.addPermanentWidget(label)
        self.refresh()

    def refresh(self) -> None:
        """Read the three figures again."""
        count = unsent_changes(self.store)
        self.unsent.setText(_("Not yet sent: {count} changes").format(count=count))
        self.unsent.setToolTip(
            _("Changes made on this computer that the province has not acknowledged yet.")
        )
        when = last_backup(self.store)
        if when is None:
            self.backup.setText(_("No backup yet"))
        else:
            self.backup.setText(
                _("Last backup: {when}").format(when=when.strftime("%d/%m/%Y %H:%M"))
            )
        waiting = waiting_for_review(self.store)
        office = self.store.reference.unit(self.store.node.office_id)
        self.review.setVisible(office.level < 3)
        self.review.setText(_("To review: {count} periods").format(count=waiting))
        self.review.setStyleSheet("font-weight: bold;" if waiting else "")
