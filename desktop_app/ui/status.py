"""The status bar a clerk reads at a glance, in periods (never raw change counts):
periods waiting for the province, periods returned, last backup, what needs review,
and (for a reviewer) open conflicts.

The periods come from :func:`desktop_app.sync.status.period_statuses`, the same
states the sync page, the entry page and ``coverage-desk status`` show.
:func:`unsent_changes` still counts the low-level changes made here that the
province has not acknowledged (for the sync tests and support).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from desktop_app.i18n import _
from desktop_app.store.store import Store


def unsent_changes(store: Store) -> int:
    """Changes made at this installation that the province has not acknowledged yet.

    Every epoch of this node counts (a restored database keeps its older epochs'
    changes until the province holds them); at the province itself nothing waits.
    """
    from desktop_app.sync.vectors import my_level, province_vector

    if my_level(store) == 1:
        return 0
    node = store.node
    acknowledged = province_vector(store)
    db: Any = store.db  # peewee leaves execute_sql untyped
    # seq is gap-free per origin and epoch, so the highest one is the count (one index probe each).
    rows = db.execute_sql(
        "SELECT epoch, MAX(seq) FROM change WHERE origin = ? GROUP BY epoch", (node.node_id,)
    )
    return sum(
        max(0, int(last) - acknowledged.get((node.node_id, int(epoch)), 0)) for epoch, last in rows
    )


def open_conflicts(store: Store) -> int:
    """Hard conflicts still waiting for a reviewer's decision here."""
    db: Any = store.db
    row = db.execute_sql("SELECT count(*) FROM conflict WHERE status = 'open'").fetchone()
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


def period_counts(store: Store) -> tuple[int, int]:
    """(periods entered here the province has not acknowledged, periods returned)."""
    from desktop_app.sync.status import period_statuses

    if store.reference.unit(store.node.office_id).level == 1:
        return 0, 0
    statuses = period_statuses(store)
    return sum(s.waiting for s in statuses), sum(s.returned for s in statuses)


def due_text(store: Store) -> tuple[str, bool]:
    """ "Quá hạn nộp: Quý 4/2020" or "Đến hạn nộp: Quý 1/2021 (hạn 10/04/2021)" for a
    commune office, and whether anything is late ("" when nothing is due)."""
    from datetime import UTC

    from desktop_app.sync.status import due_periods, period_label

    today = datetime.fromtimestamp(store.clock(), UTC).date()
    due = due_periods(store, store.node.office_id, today)
    late = [d for d in due if d.late]
    if late:
        names = ", ".join(period_label(d.period) for d in late[:3])
        more = len(late) - 3
        if more > 0:
            names += " " + _("and {n} more").format(n=more)
        return _("Late: {periods}").format(periods=names), True
    if due:
        return _("Due: {period} (by {deadline})").format(
            period=period_label(due[0].period), deadline=due[0].deadline.strftime("%d/%m/%Y")
        ), False
    return "", False


class StatusBar(QStatusBar):
    """Permanent labels, refreshed by :meth:`refresh`.

    The open-conflicts label shows only to a reviewer (the window's context, when the
    parent has one, says the user's role) of an office above the commune, and only
    when there are open conflicts.
    """

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        context = getattr(parent, "context", None)
        can = getattr(context, "can", None)
        self.reviewer = bool(can("reviewer")) if callable(can) else True
        self.unsent = QLabel(self)
        self.returned = QLabel(self)
        self.due = QLabel(self)
        self.backup = QLabel(self)
        self.review = QLabel(self)
        self.conflicts = QLabel(self)
        self.insecure = QLabel(self)
        for label in (
            self.insecure,
            self.due,
            self.unsent,
            self.returned,
            self.backup,
            self.review,
            self.conflicts,
        ):
            label.setContentsMargins(8, 0, 8, 0)
            self.addPermanentWidget(label)
        self.refresh()

    def _show_due(self, level: int) -> None:
        text, late = due_text(self.store) if level == 3 else ("", False)
        self.due.setText(text)
        self.due.setVisible(bool(text))
        self.due.setStyleSheet("font-weight: bold; color: #b00020;" if late else "")
        self.due.setToolTip(
            _(
                "Reports are due on the 10th of the month after the quarter (or the day the "
                "province set)."
            )
        )

    def _show_insecure(self) -> None:
        from desktop_app.ui.sync_settings import insecure_warning, server_url

        settings = self.store.reference.settings()
        warning = insecure_warning(server_url(settings), settings)
        self.insecure.setVisible(bool(warning))
        self.insecure.setText(_("Network sync not encrypted (http)"))
        self.insecure.setToolTip(warning)
        self.insecure.setStyleSheet("font-weight: bold; color: #8a4b00;")

    def refresh(self) -> None:
        """Read the figures again."""
        office = self.store.reference.unit(self.store.node.office_id)
        self._show_insecure()
        waiting, returned = period_counts(self.store)
        self.unsent.setVisible(office.level > 1)
        if waiting:
            self.unsent.setText(
                _("Not yet acknowledged by the province: {count} periods").format(count=waiting)
            )
        else:
            self.unsent.setText(_("Everything entered is acknowledged by the province"))
        self.unsent.setToolTip(
            _(
                "Periods with data entered here that the province has not acknowledged yet "
                "(the Sync page lists each one)."
            )
        )
        self.returned.setVisible(returned > 0)
        self.returned.setText(_("Returned: {count} periods").format(count=returned))
        self.returned.setStyleSheet("font-weight: bold; color: #b00020;")
        self._show_due(office.level)
        when = last_backup(self.store)
        if when is None:
            self.backup.setText(_("No backup yet"))
        else:
            self.backup.setText(
                _("Last backup: {when}").format(when=when.strftime("%d/%m/%Y %H:%M"))
            )
        waiting = waiting_for_review(self.store)
        self.review.setVisible(office.level < 3)
        self.review.setText(_("To review: {count} periods").format(count=waiting))
        self.review.setStyleSheet("font-weight: bold;" if waiting else "")
        conflicts = open_conflicts(self.store) if office.level < 3 and self.reviewer else 0
        self.conflicts.setVisible(conflicts > 0)
        self.conflicts.setText(_("Open conflicts: {count}").format(count=conflicts))
        self.conflicts.setStyleSheet("font-weight: bold; color: #b00020;" if conflicts else "")
