"""Printing a report: the system print dialog, then each PDF page rendered at the
printer's resolution and drawn on the printer, page by page.

The report's own PDF carries the official margins, so pages are drawn on the whole
sheet (``fullPage``); an annex page in landscape turns the sheet for that page. The
drawing runs as a task of the runner: Qt allows painting on a ``QPrinter`` from a
worker thread, and the dialog is done with before it starts.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialogButtonBox, QWidget

from desktop_app.i18n import _
from desktop_app.store.errors import StoreError
from desktop_app.ui.pdf_preview import POINTS_PER_INCH, render_page
from desktop_app.ui.tasks import CancelFlag, Cancelled, Progress, Task
from desktop_app.ui.widgets.dialogs import translate_buttons

# A page image at 1200 dpi would take half a gigabyte; 600 dpi is as sharp as
# office printers print text, and a quarter of that.
MAX_PRINT_DPI = 600


class PrintFailedError(StoreError):
    """The printer refused the job (offline, no paper, no driver)."""

    def template(self) -> str:
        return _("The printer {printer} could not start printing. Check that it is on and ready.")


def make_printer() -> QPrinter:
    """A printer at its own resolution, A4 portrait, drawing on the whole sheet."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    printer.setDocName(_("Coverage report"))
    return printer


def make_print_dialog(printer: QPrinter, pages: int, parent: QWidget | None) -> QPrintDialog:
    """The system print dialog, its buttons in the window's language where Qt lets us.

    On Windows the dialog is the system's own (in the system's language); elsewhere it
    is Qt's, whose buttons we name ourselves (Qt has no Vietnamese catalogue).
    """
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_("Print the report"))
    dialog.setMinimumWidth(480)  # Qt's own layout clips the printer names
    dialog.setMinMax(1, max(1, pages))
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, True)
    for box in dialog.findChildren(QDialogButtonBox):
        translate_buttons(box)
        ok = box.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText(_("Print"))
    return dialog


def page_range(printer: QPrinter, total: int) -> range:
    """The page indexes (from 0) to print: the range chosen in the dialog, else all."""
    first, last = printer.fromPage(), printer.toPage()
    if first <= 0 and last <= 0:
        return range(total)
    first = max(1, first)
    last = total if last <= 0 else min(total, last)
    return range(first - 1, last)


def print_task(pdf: Path, printer: QPrinter) -> Task:
    """Print the pages of ``pdf`` on ``printer``; the task's result is how many pages."""

    def task(progress: Progress, cancel: CancelFlag) -> int:
        document = pypdfium2.PdfDocument(str(pdf))
        painter = QPainter()
        try:
            wanted = page_range(printer, len(document))
            dpi = min(printer.resolution(), MAX_PRINT_DPI)
            for done, index in enumerate(wanted):
                if cancel.is_set():
                    printer.abort()
                    raise Cancelled()
                page = document[index]
                width, height = page.get_size()
                landscape = width > height
                printer.setPageOrientation(
                    QPageLayout.Orientation.Landscape
                    if landscape
                    else QPageLayout.Orientation.Portrait
                )
                if done == 0:
                    if not painter.begin(printer):
                        raise PrintFailedError(printer=printer.printerName() or "?")
                else:
                    printer.newPage()
                progress(
                    done / len(wanted),
                    _("Printing page {n} of {total}…").format(n=done + 1, total=len(wanted)),
                )
                image = render_page(page, dpi)
                page.close()
                painter.drawImage(_target(printer, width, height), image)
            return len(wanted)
        finally:
            if painter.isActive():
                painter.end()
            document.close()

    return task


def _target(printer: QPrinter, width_pt: float, height_pt: float) -> QRectF:
    """Where a page of ``width_pt`` × ``height_pt`` goes on the sheet, in device pixels.

    On A4 it fills the sheet; on other paper it is scaled to fit and centred.
    """
    sheet = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
    pixels_per_point = printer.resolution() / POINTS_PER_INCH
    scale = min(
        sheet.width() / (width_pt * pixels_per_point),
        sheet.height() / (height_pt * pixels_per_point),
    )
    w = width_pt * pixels_per_point * scale
    h = height_pt * pixels_per_point * scale
    return QRectF(sheet.x() + (sheet.width() - w) / 2, sheet.y() + (sheet.height() - h) / 2, w, h)
