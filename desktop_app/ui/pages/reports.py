"""The reports screen: choose a report, see it, print it, save it.

On the left the choices (report, unit, period, language, date) and the actions; on the
right the preview of the PDF. Building, saving and printing run on the task runner
with a progress dialog and a Cancel button; what the reports layer refuses (wrong
level, bad period, a folder that cannot be written) is said in words.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import weakref
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import _
from desktop_app.reports.texts import Lang
from desktop_app.store.errors import StoreError
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs import confirm
from desktop_app.ui.dialogs.base import ERROR_STYLE
from desktop_app.ui.error_text import os_reason, user_text
from desktop_app.ui.pages import reports_print
from desktop_app.ui.pages.reports_choices import (
    YEAR_KINDS,
    PageKind,
    Preview,
    ReportChoice,
    csv_sep_of_filter,
    dhis2_filters,
    dhis2_task,
    form_task,
    kind_label,
    kinds_for,
    latest_period_with_data,
    preview_task,
    report_filters,
    save_task,
    units_for,
    with_suffix_of_filter,
)
from desktop_app.ui.pdf_preview import PdfPreview
from desktop_app.ui.tasks import Cancelled, Task, run_with_progress, runner_of
from desktop_app.ui.widgets.period_picker import PeriodPicker

log = logging.getLogger(__name__)
OK_STYLE = "color: #1d5e20;"
LANGUAGES: tuple[tuple[Lang, str], ...] = (("vi", "Tiếng Việt"), ("en", "English"))


def breakable(path: Path) -> str:
    """``path`` with invisible break points after each separator, so a long one wraps."""
    return str(path).replace("/", "/\u200b").replace("\\", "\\\u200b")


class ReportsPage(QWidget):
    """Preview, print and save the official reports of the office."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.preview: Preview | None = None
        self.folder = Path.home()
        self.temp_folder = Path(tempfile.mkdtemp(prefix="coverage-desk-reports-"))
        weakref.finalize(self, shutil.rmtree, self.temp_folder, True)
        self._printer: QPrinter | None = None  # kept alive while a print task draws on it
        self.chosen_filter = ""  # the save dialog's last chosen filter (the CSV separator)
        self.today = date.fromtimestamp(ctx.store.clock())
        self._build()
        self._fill_kinds()
        latest = latest_period_with_data(ctx.store, ctx.office_id, self.today)
        if latest is not None:
            self.period_picker.set_period(latest)
        self.kind_box.currentIndexChanged.connect(self._on_kind_changed)
        for signal in (
            self.unit_box.currentIndexChanged,
            self.period_picker.currentIndexChanged,
            self.language_box.currentIndexChanged,
            self.date_edit.dateChanged,
            self.drafts_box.toggled,
            self.by_area_box.toggled,
        ):
            signal.connect(self._on_choice_changed)
        ctx.bus.values_changed.connect(self._on_data_changed)
        ctx.bus.submissions_changed.connect(self._on_data_changed)

    # --- view ---

    def _build(self) -> None:
        self.kind_box = QComboBox()
        self.unit_box = QComboBox()
        self.unit_box.setMaxVisibleItems(20)
        self.period_picker = PeriodPicker(self.today)
        self.language_box = QComboBox()
        for code, name in LANGUAGES:
            self.language_box.addItem(name, code)
        self.date_edit = QDateEdit(QDate(self.today.year, self.today.month, self.today.day))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow(_("Report"), self.kind_box)
        form.addRow(_("Unit"), self.unit_box)
        form.addRow(_("Period"), self.period_picker)
        form.addRow(_("Language of the report"), self.language_box)
        form.addRow(_("Report date"), self.date_edit)
        self.drafts_box = QCheckBox(_("Include data not yet approved"))
        self.drafts_box.setToolTip(
            _("Every page is then marked as not approved and the provisional communes named.")
        )
        form.addRow(self.drafts_box)
        self.by_area_box = QCheckBox(_("Annex grouped by area"))
        self.by_area_box.setToolTip(
            _("The annex lists the communes by area: border, region III, other.")
        )
        form.addRow(self.by_area_box)

        self.preview_button = QPushButton(_("Preview"))
        self.preview_button.setDefault(True)
        self.print_button = QPushButton(_("Print…"))
        self.save_button = QPushButton(_("Save…"))
        self.dhis2_button = QPushButton(_("Export for DHIS2…"))
        self.dhis2_button.setToolTip(
            _(
                "The unit's values for the period as a DHIS2 data value set (JSON or CSV):"
                " approved communes only, unless data not yet approved is included above."
            )
        )
        self.form_button = QPushButton(_("Blank collection form…"))
        self.form_button.setToolTip(
            _(
                "For the chosen commune and period: a page per village with the indicators"
                " to collect on paper and last period's value beside each (PDF)."
            )
        )
        self.preview_button.setToolTip("F5")
        self.print_button.setToolTip("Ctrl+P")
        for keys, slot in (
            ("F5", self._on_preview),
            (QKeySequence.StandardKey.Print, self._on_print),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.preview_button.clicked.connect(self._on_preview)
        self.print_button.clicked.connect(self._on_print)
        self.save_button.clicked.connect(self._on_save)
        self.dhis2_button.clicked.connect(self._on_export_dhis2)
        self.form_button.clicked.connect(self._on_blank_form)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)

        side = QVBoxLayout()
        side.addLayout(form)
        side.addSpacing(8)
        side.addWidget(self.preview_button)
        side.addWidget(self.print_button)
        side.addWidget(self.save_button)
        side.addWidget(line)
        side.addWidget(self.dhis2_button)
        side.addWidget(self.form_button)
        side.addSpacing(8)
        side.addWidget(self.status_label)
        side.addStretch(1)
        panel = QWidget()
        panel.setLayout(side)
        panel.setFixedWidth(max(300, self.fontMetrics().horizontalAdvance("M" * 26)))

        self.viewer = PdfPreview()
        layout = QHBoxLayout(self)
        layout.addWidget(panel)
        layout.addWidget(self.viewer, 1)

    def _fill_kinds(self) -> None:
        for kind in kinds_for(self.ctx.store, self.ctx.office_id):
            self.kind_box.addItem(kind_label(kind), kind)
        self.kind_box.setEnabled(self.kind_box.count() > 1)
        self._fill_units()
        self.form_button.setEnabled(self.kind() == "commune")

    def _fill_units(self) -> None:
        self.unit_box.blockSignals(True)
        self.unit_box.clear()
        for unit_id, label in units_for(self.ctx.store, self.ctx.office_id, self.kind()):
            self.unit_box.addItem(label, unit_id)
        self.unit_box.setEnabled(self.unit_box.count() > 1)
        self.unit_box.blockSignals(False)
        self.by_area_box.setEnabled(self.kind() in ("district", "province"))
        self.dhis2_button.setEnabled(self.kind() not in YEAR_KINDS)

    def _say(self, text: str, *, error: bool = False, ok: bool = False) -> None:
        self.status_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE if ok else "")
        self.status_label.setText(text)

    # --- reading the choices ---

    def kind(self) -> PageKind:
        """The chosen report."""
        return cast(PageKind, self.kind_box.currentData())

    def choice(self) -> ReportChoice:
        """Everything chosen on the left."""
        return ReportChoice(
            kind=self.kind(),
            unit_id=str(self.unit_box.currentData()),
            period=self.period_picker.period(),
            lang=cast(Lang, self.language_box.currentData()),
            report_date=self.date_edit.date().toPython(),  # type: ignore[arg-type]
            include_drafts=self.drafts_box.isChecked(),
            annex_by_area=self.by_area_box.isEnabled() and self.by_area_box.isChecked(),
        )

    def select(self, kind: PageKind, unit_id: str, period: str) -> None:
        """Choose a report (for tests and links from other pages)."""
        from desktop_app.reports import parse_period

        self.kind_box.setCurrentIndex(self.kind_box.findData(kind))
        self.unit_box.setCurrentIndex(self.unit_box.findData(unit_id))
        self.period_picker.set_period(parse_period(period))

    def _current_preview(self) -> Preview | None:
        preview = self.preview
        return preview if preview is not None and preview.choice == self.choice() else None

    # --- asking the user (tests replace these) ---

    def ask_save_path(self, title: str, stem: str, filters: list[tuple[str, str]]) -> Path | None:
        """Ask where to save; the path carries the extension of the chosen format."""
        names = [name for name, _ext in filters]
        path, chosen = QFileDialog.getSaveFileName(
            self, title, str(self.folder / f"{stem}{filters[0][1]}"), ";;".join(names), names[0]
        )
        if not path:
            return None
        out = with_suffix_of_filter(path, chosen, tuple(ext for _name, ext in filters))
        self.folder = out.parent
        self.chosen_filter = chosen
        return out

    # --- controller ---

    def _run(self, title: str, task: Task, on_result: Callable[[Any], None]) -> None:
        run_with_progress(runner_of(self.ctx), self, title, task, on_result, self._on_task_failed)

    def _on_kind_changed(self) -> None:
        self._fill_units()
        self.form_button.setEnabled(self.kind() == "commune")
        self._on_choice_changed()

    def _on_choice_changed(self) -> None:
        if self.preview is None:
            return
        if self._current_preview() is None:
            self._say(_("The choices have changed: press Preview to see the new report."))
        else:
            self._say("")

    def _on_data_changed(self, *_args: object) -> None:
        if self.preview is not None:
            self.preview = None
            self._say(_("Figures have changed: press Preview to see them in the report."))

    def _on_preview(self) -> None:
        self._preview_then(None)

    def _preview_then(self, then: Callable[[Preview], None] | None) -> None:
        task = preview_task(self.ctx.store, self.choice(), self.temp_folder)

        def ready(preview: Preview) -> None:
            self._on_preview_ready(preview)
            if then is not None:
                then(preview)

        self._run(_("Preparing the report…"), task, ready)

    def _on_preview_ready(self, preview: Preview) -> None:
        old = self.preview
        self.preview = preview
        if old is not None and old.pdf != preview.pdf:
            old.pdf.unlink(missing_ok=True)
        self.viewer.set_pages(preview.pages)
        self._say("")

    def _on_print(self) -> None:
        current = self._current_preview()
        if current is None:
            self._preview_then(self._print)
        else:
            self._print(current)

    def _print(self, preview: Preview) -> None:
        printer = reports_print.make_printer()
        dialog = reports_print.make_print_dialog(printer, len(preview.pages), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self._printer = printer
        self._run(
            _("Printing…"),
            reports_print.print_task(preview.pdf, printer),
            self._on_printed,
        )

    def _on_printed(self, pages: int) -> None:
        self._printer = None
        self._say(_("{n} pages sent to the printer.").format(n=pages), ok=True)

    def _on_save(self) -> None:
        choice = self.choice()
        out = self.ask_save_path(
            _("Save the report"),
            choice.file_stem(self.unit_box.currentText()),
            report_filters(choice.kind),
        )
        if out is None:
            return
        sep = csv_sep_of_filter(self.chosen_filter)
        task = save_task(self.ctx.store, choice, self._current_preview(), out, sep)
        self._run(_("Saving the report…"), task, self._on_saved)

    def _on_saved(self, out: Path) -> None:
        self._say(_("Saved to {path}").format(path=breakable(out)), ok=True)

    def _on_export_dhis2(self) -> None:
        choice = self.choice()
        stem = "dhis2-" + choice.file_stem(self.unit_box.currentText()).removeprefix("bao-cao-")
        out = self.ask_save_path(_("Export for DHIS2"), stem, dhis2_filters())
        if out is None:
            return

        def done(count: int) -> None:
            text = (
                _("{n} values written to {path}, data not yet approved included")
                if choice.include_drafts
                else _("{n} values written to {path}")
            )
            self._say(text.format(n=count, path=breakable(out)), ok=True)

        task = dhis2_task(
            self.ctx.store,
            choice.unit_id,
            choice.period,
            out,
            include_drafts=choice.include_drafts,
        )
        self._run(_("Exporting for DHIS2…"), task, done)

    def _on_blank_form(self) -> None:
        choice = self.choice()
        if choice.kind != "commune":
            return
        stem = "phieu-" + choice.file_stem(self.unit_box.currentText()).removeprefix("bao-cao-")
        pdf = [(name, ext) for name, ext in report_filters() if ext == ".pdf"]
        out = self.ask_save_path(_("Save the blank collection form"), stem, pdf)
        if out is None:
            return

        def done(pages: int) -> None:
            self._say(
                _("Blank form ({pages} pages) written to {path}").format(
                    pages=pages, path=breakable(out)
                ),
                ok=True,
            )

        task = form_task(self.ctx.store, choice.unit_id, choice.period, out, choice.lang)
        self._run(_("Preparing the blank form…"), task, done)

    def _on_task_failed(self, exc: BaseException) -> None:
        self._printer = None
        if isinstance(exc, Cancelled):
            self._say(_("Stopped."))
            return
        if isinstance(exc, StoreError):
            message = user_text(exc)
        elif isinstance(exc, OSError):
            message = _("The file could not be written: {reason}").format(
                reason=os_reason(exc.errno, exc.strerror or str(exc))
            )
        else:
            log.error("report task failed", exc_info=exc)
            message = _("The report could not be made: {reason}").format(
                reason=str(exc) or type(exc).__name__
            )
        self._say(message, error=True)
        confirm.inform(self, _("Reports"), message, error=True)
