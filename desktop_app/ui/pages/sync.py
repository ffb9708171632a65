"""Sync by USB stick: export a bundle, import one, and each (commune, period)'s sync state.

Export and import run through the window's task runner (off the GUI thread, with a
progress dialog and a Cancel button); the summary in words comes back on the GUI
thread. An office without a certificate sees only the enrolment box.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import _, ngettext
from desktop_app.store.store import Store
from desktop_app.sync.certificates import my_certificate
from desktop_app.sync.errors import NotEnrolledError, SyncCancelledError
from desktop_app.sync.exchange import ExportResult, export_bundle, import_bundle
from desktop_app.sync.naming import BUNDLE_SUFFIX, bundle_file_name, free_path
from desktop_app.sync.status import (
    ACKNOWLEDGED,
    EXPORTED,
    NOT_SENT,
    RECEIVED,
    REJECTED,
    PeriodSyncState,
    quarantine_lines,
    submission_label,
)
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs.base import ERROR_STYLE, WARNING_STYLE
from desktop_app.ui.pages.sync_enrol import OK_STYLE, EnrolBox
from desktop_app.ui.pages.sync_network import NetworkBox, network_sync
from desktop_app.ui.pages.sync_states import SYNC_COLOURS, state_rows, warning_lines
from desktop_app.ui.pages.sync_texts import (
    ImportOutcome,
    error_text,
    export_summary,
    import_summary,
    marks_before_import,
    outcome_of,
)
from desktop_app.ui.sync_settings import in_worker
from desktop_app.ui.tasks import CancelFlag, Cancelled, Progress, run_with_progress, runner_of

HELD_LINES = 8  # of what is held apart; the rest is one line


def announce(ctx: AppContext, outcome: ImportOutcome | None) -> None:
    """Tell every page (and the status bar) what an import or a sync changed."""
    bus = ctx.bus
    communes = set()
    for commune, period in outcome.touched if outcome is not None else []:
        communes.add(commune)
        if period:
            bus.values_changed.emit(commune, period)
            bus.submissions_changed.emit(period)
    for commune in sorted(communes):
        bus.villages_changed.emit(commune)
        bus.sites_changed.emit(commune)
    bus.status_changed.emit()


def is_enrolled(store: Store) -> bool:
    """True once the province's certificate is installed."""
    try:
        my_certificate(store)
    except NotEnrolledError:
        return False
    return True


class SyncPage(QWidget):
    """Export, import, and where each period stands on its way to the province."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.office_level = ctx.store.reference.unit(ctx.office_id).level
        self._build()
        self.enrol_box.enrolled.connect(self._on_enrolled)
        self.reload()

    # --- view ---

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.enrol_box = EnrolBox(self.ctx)
        layout.addWidget(self.enrol_box)

        self.exchange = QWidget()
        row = QHBoxLayout(self.exchange)
        row.setContentsMargins(0, 0, 0, 0)
        export_box = QGroupBox(_("Send: export a bundle"))
        inner = QVBoxLayout(export_box)
        inner.addWidget(
            self._wrapped(
                _(
                    "Writes everything the province has not acknowledged yet into one file "
                    "on a USB stick or in a folder."
                )
            )
        )
        self.export_button = QPushButton(_("Export a bundle…"))
        self.export_button.clicked.connect(self._on_export)
        inner.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignLeft)
        row.addWidget(export_box, 1)
        import_box = QGroupBox(_("Receive: import a bundle"))
        inner = QVBoxLayout(import_box)
        inner.addWidget(
            self._wrapped(
                _(
                    "Reads a bundle from another office: its data, the province's "
                    "acknowledgements and rejections. A backup is made first."
                )
            )
        )
        self.import_button = QPushButton(_("Import a bundle…"))
        self.import_button.clicked.connect(self._on_import)
        inner.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignLeft)
        row.addWidget(import_box, 1)
        layout.addWidget(self.exchange)
        sync = network_sync()
        self.network_box = None if sync is None else NetworkBox(self.ctx, sync)
        if self.network_box is not None:
            self.network_box.synced.connect(self._on_network_synced)
            layout.addWidget(self.network_box)

        self.result_label = self._wrapped("")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setStyleSheet(OK_STYLE)
        self.result_label.hide()
        layout.addWidget(self.result_label)
        self.warnings_label = self._wrapped("")
        self.warnings_label.setStyleSheet(WARNING_STYLE)
        layout.addWidget(self.warnings_label)
        self.held_box = QGroupBox(_("Changes held apart"))
        inner = QVBoxLayout(self.held_box)
        self.held_label = self._wrapped("")
        self.held_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        inner.addWidget(self.held_label)
        layout.addWidget(self.held_box)

        self.states_title = QLabel(_("Where each commune's data stands"))
        self.states_title.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.states_title)
        legend = QHBoxLayout()
        chips = [
            (state, PeriodSyncState(state, "…").label())
            for state in (NOT_SENT, EXPORTED, RECEIVED, ACKNOWLEDGED, REJECTED)
        ]
        chips.append((REJECTED, _("returned: {reason}").format(reason="…")))
        for state, text in chips:
            chip = QLabel(text)
            chip.setStyleSheet(
                f"background: {SYNC_COLOURS[state]}; color: #1a1a1a; padding: 2px 8px;"
                " border: 1px solid #b0b0b0;"
            )
            legend.addWidget(chip)
        legend.addStretch(1)
        self.legend = QWidget()
        self.legend.setLayout(legend)
        legend.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.legend)
        self.model = QStandardItemModel(0, 4)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        layout.addWidget(self.table, 1)
        self.empty_label = QLabel(_("Nothing has been entered yet, so there is nothing to send."))
        self.empty_label.setStyleSheet("color: #555;")
        layout.addWidget(self.empty_label)
        layout.addStretch(0)

    @staticmethod
    def _wrapped(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        return label

    def reload(self) -> None:
        """Read enrolment, the warnings, what is held apart and every period's sync state
        again."""
        enrolled = is_enrolled(self.ctx.store)
        self.enrol_box.setVisible(not enrolled)
        self.exchange.setVisible(enrolled)
        if self.network_box is not None:
            self.network_box.setVisible(enrolled)
        warnings = warning_lines(self.ctx.store) if enrolled else []
        self.warnings_label.setText("\n".join("⚠ " + w for w in warnings))
        self.warnings_label.setVisible(bool(warnings))
        held = quarantine_lines(self.ctx.store) if enrolled else []
        shown = held[:HELD_LINES]
        if len(held) > HELD_LINES:
            more = len(held) - HELD_LINES
            shown.append(
                ngettext(
                    "…and {n} more line: coverage-desk status lists them all.",
                    "…and {n} more lines: coverage-desk status lists them all.",
                    more,
                ).format(n=more)
            )
        self.held_label.setText("\n".join(shown))
        self.held_box.setVisible(bool(held))
        self.model.clear()
        self.model.setHorizontalHeaderLabels(
            [_("Commune"), _("Period"), _("Sync state"), _("Review")]
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        rows = state_rows(self.ctx.store)
        for row in rows:
            brush = QBrush(QColor(row.colour))
            items = [
                QStandardItem(row.commune),
                QStandardItem(row.period),
                QStandardItem(row.status.label()),
                QStandardItem(submission_label(row.status.submission, row.status.commune_id)),
            ]
            for item in items:
                item.setBackground(brush)
                item.setForeground(QBrush(QColor("#1a1a1a")))
            self.model.appendRow(items)
        self.empty_label.setVisible(not rows)
        for widget in (self.legend, self.table):
            widget.setVisible(bool(rows))

    def showEvent(self, event: QShowEvent) -> None:
        """Data typed on other pages changes the states: read them when the page shows."""
        super().showEvent(event)
        self.reload()

    def say(self, message: str, *, error: bool = False) -> None:
        """Show the last export's or import's outcome (or its error) under the buttons."""
        self.result_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.result_label.setText(message)
        self.result_label.setVisible(bool(message))

    # --- file choices (tests replace these) ---

    def choose_export_folder(self) -> Path | None:
        """The USB stick or folder to write the bundle to."""
        folder = QFileDialog.getExistingDirectory(
            self, _("Choose the USB stick or folder for the bundle")
        )
        return Path(folder) if folder else None

    def choose_bundle_file(self) -> Path | None:
        """The bundle to import."""
        name, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose the bundle to import"),
            "",
            _("Coverage Desk bundles (*{suffix});;All files (*)").format(suffix=BUNDLE_SUFFIX),
        )
        return Path(name) if name else None

    # --- slots ---

    def _on_enrolled(self) -> None:
        self.reload()
        self.ctx.bus.status_changed.emit()

    def _on_export(self) -> None:
        folder = self.choose_export_folder()
        if folder is None:
            return
        store = self.ctx.store
        target = free_path(folder, bundle_file_name(store))

        def task(progress: Progress, cancel: CancelFlag) -> tuple[ExportResult, str]:
            progress(None, _("Writing and checking the bundle…"))
            cancel.raise_if_set()

            def work() -> tuple[ExportResult, str]:
                try:
                    result = export_bundle(store, target, progress=progress, cancel=cancel)
                except SyncCancelledError as exc:
                    raise Cancelled() from exc
                return result, export_summary(store, result)

            return in_worker(store, work)

        self._set_busy(True)
        run_with_progress(
            runner_of(self.ctx),
            self,
            _("Exporting a bundle"),
            task,
            self._on_exported,
            self._on_failed,
        )

    def _on_import(self) -> None:
        source = self.choose_bundle_file()
        if source is None:
            return
        store = self.ctx.store

        def task(progress: Progress, cancel: CancelFlag) -> tuple[ImportOutcome, str]:
            progress(None, _("Checking and importing the bundle…"))
            cancel.raise_if_set()

            def work() -> tuple[ImportOutcome, str]:
                marks = marks_before_import(store)
                try:
                    result = import_bundle(store, source, progress=progress, cancel=cancel)
                except SyncCancelledError as exc:
                    raise Cancelled() from exc
                outcome = outcome_of(store, result, marks)
                return outcome, import_summary(store, outcome)

            return in_worker(store, work)

        self._set_busy(True)
        run_with_progress(
            runner_of(self.ctx),
            self,
            _("Importing a bundle"),
            task,
            self._on_imported,
            self._on_failed,
        )

    def _on_exported(self, payload: Any) -> None:
        _result, text = payload
        self._set_busy(False)
        self.say(text)
        self.reload()
        self.ctx.bus.status_changed.emit()

    def _on_imported(self, payload: Any) -> None:
        outcome, text = payload
        self._set_busy(False)
        self.say(text)
        self._announce(outcome)

    def _on_network_synced(self, outcome: ImportOutcome | None) -> None:
        self._announce(outcome)

    def _announce(self, outcome: ImportOutcome | None) -> None:
        """Read the states again and tell the other pages what the exchange changed."""
        self.reload()
        announce(self.ctx, outcome)

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, Cancelled):
            self.say(_("Stopped before anything was written."))
        else:
            self.say(error_text(exc), error=True)
        self.reload()
        self.ctx.bus.status_changed.emit()

    def _set_busy(self, busy: bool) -> None:
        self.export_button.setEnabled(not busy)
        self.import_button.setEnabled(not busy)
