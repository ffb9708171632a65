"""Pages of a PDF shown as pictures: rendered with pypdfium2 (the Qt wheel has no QtPdf),
stacked in a scroll area, zoomed to the width of the window or to 100 %.

Rendering makes only ``QImage``s, which may be built off the GUI thread (a task of the
runner); the widget turns them into pixmaps when it shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pypdfium2
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import _

PREVIEW_DPI = 120  # sharp at 100 % (96 dpi) and at fit-width on a 1366-pixel screen
POINTS_PER_INCH = 72.0
PAGE_GAP = 14
Zoom = Literal["fit", "actual"]


@dataclass(frozen=True)
class RenderedPage:
    """One page as a picture, with the page's size in points (1/72 inch)."""

    image: QImage
    width_pt: float
    height_pt: float

    @property
    def landscape(self) -> bool:
        """True for a page wider than it is tall (the annex tables)."""
        return self.width_pt > self.height_pt


def render_page(page: Any, dpi: float) -> QImage:
    """A pypdfium2 page as an RGB ``QImage`` at ``dpi`` (the image owns its pixels)."""
    bitmap = page.render(scale=dpi / POINTS_PER_INCH, rev_byteorder=True)
    image = QImage(
        bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGB888
    )
    return image.copy()  # detach from pdfium's buffer before the bitmap is freed


def render_pages(
    path: Path,
    dpi: float = PREVIEW_DPI,
    on_page: Callable[[int, int], None] | None = None,
) -> list[RenderedPage]:
    """Every page of the PDF at ``path``; ``on_page(done, total)`` after each one."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        total = len(document)
        out: list[RenderedPage] = []
        for index in range(total):
            page = document[index]
            width, height = page.get_size()
            out.append(RenderedPage(render_page(page, dpi), width, height))
            page.close()
            if on_page is not None:
                on_page(index + 1, total)
        return out
    finally:
        document.close()


class PdfPreview(QWidget):
    """A scrollable column of rendered pages with "fit width" and "100 %" zoom."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pages: list[RenderedPage] = []
        self.zoom: Zoom = "fit"
        self._build()
        self._rescale_timer = QTimer(self)
        self._rescale_timer.setSingleShot(True)
        self._rescale_timer.setInterval(60)  # resize events come in bursts
        self._rescale_timer.timeout.connect(self._show_pages)
        self.show_message(_("Choose a report and press Preview."))

    # --- view ---

    def _build(self) -> None:
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        self.count_label = QLabel()
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        self.fit_button = QPushButton(_("Fit width"))
        self.actual_button = QPushButton(_("100 %"))
        self.zoom_group = QButtonGroup(self)
        for button in (self.fit_button, self.actual_button):
            button.setCheckable(True)
            self.zoom_group.addButton(button)
            bar.addWidget(button)
        self.fit_button.setChecked(True)
        self.fit_button.clicked.connect(self._on_fit_clicked)
        self.actual_button.clicked.connect(self._on_actual_clicked)

        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.StyledPanel)
        self.sheet = QWidget()
        self.sheet.setObjectName("sheet")
        self.sheet.setStyleSheet("#sheet { background: #8a8f96; }")
        self.column = QVBoxLayout(self.sheet)
        self.column.setSpacing(PAGE_GAP)
        self.column.setContentsMargins(PAGE_GAP, PAGE_GAP, PAGE_GAP, PAGE_GAP)
        self.scroll_area.setWidget(self.sheet)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.scroll_area, 1)

    def _clear_column(self) -> None:
        while self.column.count():
            item = self.column.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # deleteLater waits for the event loop; do not show it meanwhile
                widget.deleteLater()

    def _page_label(self, page: RenderedPage, width: int) -> QLabel:
        height = round(width * page.height_pt / page.width_pt)
        pixmap = QPixmap.fromImage(
            page.image.scaled(
                width,
                height,
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        label = QLabel()
        label.setPixmap(pixmap)
        label.setFixedSize(pixmap.size())
        label.setStyleSheet("border: 1px solid #5b6067;")
        return label

    def _page_width(self, page: RenderedPage) -> int:
        if self.zoom == "actual":
            return max(1, round(page.width_pt * self.logicalDpiX() / POINTS_PER_INCH))
        # the vertical scroll bar is there as soon as the pages are (they never fit)
        bar = self.scroll_area.verticalScrollBar()
        bar_width = 0 if bar.isVisible() else bar.sizeHint().width()
        room = self.scroll_area.viewport().width() - bar_width - 2 * PAGE_GAP - 2
        return max(120, room)

    def _show_pages(self) -> None:
        if not self.pages:
            return
        position = self.scroll_area.verticalScrollBar().value()
        old_height = max(1, self.sheet.height())
        self._clear_column()
        for page in self.pages:
            self.column.addWidget(
                self._page_label(page, self._page_width(page)), 0, Qt.AlignmentFlag.AlignHCenter
            )
        self.column.addStretch(1)
        self.sheet.adjustSize()
        # keep roughly the same place in the document when the zoom changes
        ratio = self.sheet.sizeHint().height() / old_height
        self.scroll_area.verticalScrollBar().setValue(round(position * ratio))

    # --- what the page calls ---

    def set_pages(self, pages: list[RenderedPage]) -> None:
        """Show ``pages`` from the top."""
        self.pages = list(pages)
        self.count_label.setText(_("{n} pages").format(n=len(self.pages)))
        self.scroll_area.verticalScrollBar().setValue(0)
        self._show_pages()
        self.scroll_area.verticalScrollBar().setValue(0)

    def show_message(self, text: str) -> None:
        """Drop the pages and show ``text`` in their place."""
        self.pages = []
        self.count_label.setText("")
        self._clear_column()
        label = QLabel(text)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setStyleSheet("color: #ffffff; font-size: 11pt;")
        self.column.addStretch(1)
        self.column.addWidget(label)
        self.column.addStretch(1)

    def page_count(self) -> int:
        """How many pages are shown."""
        return len(self.pages)

    def page_labels(self) -> list[QLabel]:
        """The labels that show the pages (for tests)."""
        found = (self.column.itemAt(i) for i in range(self.column.count()))
        widgets = (item.widget() for item in found if item is not None)
        return [w for w in widgets if isinstance(w, QLabel) and not w.pixmap().isNull()]

    def set_zoom(self, zoom: Zoom) -> None:
        """Fit the width of the window (``"fit"``) or show the pages at 100 % (``"actual"``)."""
        self.zoom = zoom
        (self.fit_button if zoom == "fit" else self.actual_button).setChecked(True)
        self._show_pages()

    # --- controller ---

    def _on_fit_clicked(self) -> None:
        self.set_zoom("fit")

    def _on_actual_clicked(self) -> None:
        self.set_zoom("actual")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.zoom == "fit" and self.pages:
            self._rescale_timer.start()
