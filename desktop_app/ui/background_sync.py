"""Network sync that runs by itself: every N minutes (office setting, off by default)
when a province server is configured, never while the clerk is typing.

A failure (the server unreachable, the network down) is not a pop-up: the status bar
says it for a while and the next turn tries again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.i18n import _
from desktop_app.ui.context import AppContext
from desktop_app.ui.tasks import CancelFlag, Progress, runner_of

EVERY_SETTING = "sync_every_minutes"
RETRY_MS = 60_000  # the clerk was typing: look again in a minute


def minutes_of(settings: dict[str, str]) -> int:
    """The interval in minutes (0: off, the default)."""
    raw = settings.get(EVERY_SETTING, "").strip()
    return int(raw) if raw.isdigit() else 0


def typing_now() -> bool:
    """True while the keyboard is in a field or a cell being edited, or a dialog is open."""
    # imported here, at a sync's turn: the window's start (this module is on its first
    # paint) would otherwise build three widget classes it has no use for yet (~1 ms)
    from PySide6.QtWidgets import (
        QAbstractItemView,
        QAbstractSpinBox,
        QApplication,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
    )

    if QApplication.activeModalWidget() is not None:
        return True
    focus = QApplication.focusWidget()
    if isinstance(focus, QLineEdit | QPlainTextEdit | QTextEdit | QAbstractSpinBox | QComboBox):
        return True
    view = focus
    while view is not None and not isinstance(view, QAbstractItemView):
        view = view.parentWidget()
    return isinstance(view, QAbstractItemView) and (
        view.state() == QAbstractItemView.State.EditingState
    )


class BackgroundSync(QObject):
    """The timer and one sync at a time; ``synced(outcome)`` after each success,
    ``failed(message)`` after each failure."""

    synced = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        sync: Callable[..., Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._sync = sync
        self.running = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        self.retry = QTimer(self)
        self.retry.setSingleShot(True)
        self.retry.setInterval(RETRY_MS)
        self.retry.timeout.connect(self.tick)
        self.reconfigure()

    def server(self) -> str:
        """The province server's address, "" when none is set."""
        from desktop_app.ui.sync_settings import server_url

        return server_url(self.ctx.store.reference.settings())

    def reconfigure(self) -> None:
        """Read the interval and the server again (after the settings were saved)."""
        minutes = minutes_of(self.ctx.store.reference.settings())
        if minutes > 0 and self.server():
            if self.timer.interval() != minutes * 60_000 or not self.timer.isActive():
                self.timer.start(minutes * 60_000)
        else:
            self.timer.stop()
            self.retry.stop()

    def tick(self) -> bool:
        """One turn: sync now unless off, already running or the clerk is typing."""
        url = self.server()
        if not self.timer.isActive() or not url or self.running:
            return False
        if typing_now():
            self.retry.start()
            return False
        sync = self._sync
        if sync is None:
            from desktop_app.ui.pages.sync_network import network_sync

            sync = network_sync()
            if sync is None:
                return False
        store = self.ctx.store
        from desktop_app.ui.sync_settings import insecure_allowed

        insecure = insecure_allowed(store.reference.settings())

        def task(progress: Progress, cancel: CancelFlag) -> object:
            from desktop_app.ui.pages.sync_texts import marks_before_import, outcome_of
            from desktop_app.ui.sync_settings import in_worker

            def work() -> object:
                marks = marks_before_import(store)
                sync(store, url, progress=progress, cancel=cancel, insecure_http=insecure)
                return outcome_of(store, None, marks)

            return in_worker(store, work)

        self.running = True
        runner_of(self.ctx).start(task, self._on_done, self._on_failed)
        return True

    def _on_done(self, outcome: object) -> None:
        self.running = False
        self.synced.emit(outcome)

    def _on_failed(self, exc: BaseException) -> None:
        from desktop_app.ui.error_text import user_text

        self.running = False
        self.failed.emit(_("Automatic sync did not run: {reason}").format(reason=user_text(exc)))
