"""Sync over the network with the provincial server, on the sync page.

Shown only when :mod:`desktop_app.netsync.client` offers ``sync_office`` (looked
up with importlib, so the page works in a build without the network client). The
sync runs through the window's task runner with real progress (batches sent,
pages received) and cancel between batches; what was done stays done.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import _
from desktop_app.store.store import Store
from desktop_app.sync.takeback import taken_back_lines
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs.base import ERROR_STYLE
from desktop_app.ui.pages.sync_enrol import OK_STYLE
from desktop_app.ui.pages.sync_texts import (
    ImportOutcome,
    acknowledgement_lines,
    error_text,
    kind_counts_text,
    marks_before_import,
    outcome_of,
)
from desktop_app.ui.sync_settings import (
    SERVER_SETTING,
    in_worker,
    insecure_allowed,
    insecure_warning,
)
from desktop_app.ui.tasks import CancelFlag, Cancelled, Progress, run_with_progress, runner_of

WARNING_STYLE = "font-weight: bold; color: #8a4b00;"


def network_sync() -> Callable[..., Any] | None:
    """The network client's ``sync_office``, or None when this build has none."""
    try:
        module = importlib.import_module("desktop_app.netsync.client")
    except ImportError:
        return None
    fn = getattr(module, "sync_office", None)
    return fn if callable(fn) else None


def network_summary(store: Store, result: Any, outcome: ImportOutcome) -> str:
    """What one network sync did, in words."""
    lines = [
        _("Stopped; what was already sent or received stays done.")
        if result.cancelled
        else _("Synced with the province server.")
    ]
    lines.append(
        _("Changes sent: {n} (accepted by the province: {accepted}, rejected: {rejected}).").format(
            n=result.pushed_changes, accepted=result.accepted, rejected=result.rejected
        )
    )
    received = sum(outcome.by_kind.values())
    if received:
        lines.append(
            _("Changes received: {n} ({kinds}), written by {offices}.").format(
                n=received,
                kinds=kind_counts_text(outcome.by_kind),
                offices=", ".join(outcome.offices),
            )
        )
    else:
        lines.append(_("Nothing new from the province."))
    lines += acknowledgement_lines(store, outcome)
    lines += taken_back_lines(getattr(result, "taken_back", []))
    if outcome.rejections:
        lines.append(_("Changes rejected by the province: {n}").format(n=len(outcome.rejections)))
        lines += ["  • " + r for r in outcome.rejections[:5]]
    if result.retries:
        lines.append(_("The connection was cut and resumed: {n} times.").format(n=result.retries))
    return "\n".join(lines)


class NetworkBox(QGroupBox):
    """Server address and "sync now"; ``synced`` is emitted after every attempt."""

    synced = Signal(object)  # the ImportOutcome (None after a failure)

    def __init__(
        self, ctx: AppContext, sync: Callable[..., Any], parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Sync over the network"), parent)
        self.ctx = ctx
        self.sync = sync
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Province server:")))
        self.url_edit = QLineEdit(ctx.store.reference.settings().get(SERVER_SETTING, ""))
        self.url_edit.setPlaceholderText("https://")
        self.url_edit.textChanged.connect(self.show_warning)
        row.addWidget(self.url_edit, 1)
        self.sync_button = QPushButton(_("Sync with the province server"))
        self.sync_button.clicked.connect(self._on_sync)
        row.addWidget(self.sync_button)
        layout.addLayout(row)
        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(WARNING_STYLE)
        layout.addWidget(self.warning_label)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        layout.addWidget(self.message_label)
        self.show_warning()

    def show_warning(self) -> None:
        """Say so when the address is plain http to another machine (a warning, not a block)."""
        url = self.url_edit.text().strip().rstrip("/")
        text = insecure_warning(url, self.ctx.store.reference.settings())
        self.warning_label.setText(text)
        self.warning_label.setVisible(bool(text))

    def say(self, message: str, *, error: bool = False) -> None:
        """Show the outcome of the last sync (or its error)."""
        self.message_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message_label.setText(message)
        self.message_label.setVisible(bool(message))

    def _on_sync(self) -> None:
        url = self.url_edit.text().strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            self.say(_("Type the server's address, starting with https://"), error=True)
            return
        from desktop_app.netsync.http import plain_http_elsewhere

        if plain_http_elsewhere(url) and not insecure_allowed(self.ctx.store.reference.settings()):
            self.say(
                _(
                    "{url} is plain http to another machine: use https://, or an administrator"
                    " allows plain http in Administration › Office settings (only on a network"
                    " you trust)."
                ).format(url=url),
                error=True,
            )
            return
        store, sync = self.ctx.store, self.sync
        insecure = insecure_allowed(store.reference.settings())

        def task(progress: Progress, cancel: CancelFlag) -> tuple[ImportOutcome, str]:
            def work() -> tuple[ImportOutcome, str]:
                marks = marks_before_import(store)
                result = sync(store, url, progress=progress, cancel=cancel, insecure_http=insecure)
                outcome = outcome_of(store, None, marks)
                return outcome, network_summary(store, result, outcome)

            return in_worker(store, work)

        if url != self.ctx.store.reference.settings().get(SERVER_SETTING):
            self.ctx.store.reference.set_settings({SERVER_SETTING: url})
            self.ctx.bus.status_changed.emit()  # the status bar's http warning follows it
        self.sync_button.setEnabled(False)
        run_with_progress(
            runner_of(self.ctx),
            self,
            _("Syncing with the province server"),
            task,
            self._on_done,
            self._on_failed,
        )

    def _on_done(self, payload: Any) -> None:
        outcome, text = payload
        self.sync_button.setEnabled(True)
        self.say(text)
        self.synced.emit(outcome)

    def _on_failed(self, exc: BaseException) -> None:
        self.sync_button.setEnabled(True)
        if isinstance(exc, Cancelled):
            self.say(_("Stopped; what was already sent or received stays done."))
        else:
            self.say(error_text(exc), error=True)
        self.synced.emit(None)
