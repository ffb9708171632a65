"""A line chart of ratios (0–100 %) over periods, drawn with QPainter.

Readable in black and white: every series has its own line style and marker shape
(solid with circles, dashes with squares, dots with triangles, dash-dot with
diamonds), and the legend shows both.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

STYLES = (
    Qt.PenStyle.SolidLine,
    Qt.PenStyle.DashLine,
    Qt.PenStyle.DotLine,
    Qt.PenStyle.DashDotLine,
)
MARKERS = ("circle", "square", "triangle", "diamond")
INK = QColor("#202020")


class TrendChart(QWidget):
    """Series of values (None: no figure that period) against period labels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: list[str] = []
        self.series: list[tuple[str, list[float | None]]] = []
        self.empty_text = ""  # shown in the middle while there is no period to draw
        self.setMinimumSize(480, 260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(self, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]):  # type: ignore[no-untyped-def]
        """Show ``series`` (name, one value per label)."""
        self.labels = list(labels)
        self.series = [(name, list(values)) for name, values in series]
        self.update()

    def point(self, plot: QRectF, index: int, value: float) -> QPointF:
        """Where ``value`` of period ``index`` is drawn inside ``plot``."""
        n = max(len(self.labels) - 1, 1)
        x = plot.left() + plot.width() * index / n
        y = plot.bottom() - plot.height() * max(0.0, min(value, 100.0)) / 100.0
        return QPointF(x, y)

    def _marker(self, painter: QPainter, kind: str, at: QPointF, r: float = 4.0) -> None:
        if kind == "circle":
            painter.drawEllipse(at, r, r)
        elif kind == "square":
            painter.drawRect(QRectF(at.x() - r, at.y() - r, 2 * r, 2 * r))
        elif kind == "triangle":
            painter.drawPolygon(
                QPolygonF(
                    [
                        QPointF(at.x(), at.y() - r),
                        QPointF(at.x() - r, at.y() + r),
                        QPointF(at.x() + r, at.y() + r),
                    ]
                )
            )
        else:
            painter.drawPolygon(
                QPolygonF(
                    [
                        QPointF(at.x(), at.y() - r),
                        QPointF(at.x() - r, at.y()),
                        QPointF(at.x(), at.y() + r),
                        QPointF(at.x() + r, at.y()),
                    ]
                )
            )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        metrics = painter.fontMetrics()
        legend_rows = max(1, (len(self.series) + 1) // 2)
        legend_h = legend_rows * (metrics.height() + 4) + 6
        plot = QRectF(
            48, 12, self.width() - 96, self.height() - 12 - 2 * metrics.height() - legend_h
        )
        painter.setPen(QPen(QColor("#bbbbbb"), 1))
        for pct in range(0, 101, 20):
            y = plot.bottom() - plot.height() * pct / 100
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(INK)
        for pct in range(0, 101, 20):
            y = plot.bottom() - plot.height() * pct / 100
            painter.drawText(
                QRectF(0, y - 10, 42, 20),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{pct} %",
            )
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        if not self.labels and self.empty_text:
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, self.empty_text)
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        for i, text in enumerate(self.labels):
            x = self.point(plot, i, 0).x()
            painter.drawText(
                QRectF(x - 40, plot.bottom() + 4, 80, metrics.height()),
                Qt.AlignmentFlag.AlignHCenter,
                text,
            )
        for s, (_name, values) in enumerate(self.series):
            pen = QPen(INK, 2, STYLES[s % len(STYLES)])
            painter.setPen(pen)
            previous: QPointF | None = None
            for i, value in enumerate(values):
                if value is None:
                    previous = None
                    continue
                at = self.point(plot, i, value)
                if previous is not None:
                    painter.drawLine(previous, at)
                previous = at
            painter.setPen(QPen(INK, 1.5))
            painter.setBrush(QColor("white"))
            for i, value in enumerate(values):
                if value is not None:
                    self._marker(painter, MARKERS[s % len(MARKERS)], self.point(plot, i, value))
        top = plot.bottom() + metrics.height() + 10
        column_w = (self.width() - 64) / 2
        for s, (name, _values) in enumerate(self.series):
            x = 48 + (s % 2) * column_w
            y = top + (s // 2) * (metrics.height() + 4) + metrics.height() / 2
            painter.setPen(QPen(INK, 2, STYLES[s % len(STYLES)]))
            painter.drawLine(QPointF(x, y), QPointF(x + 36, y))
            painter.setPen(QPen(INK, 1.5))
            self._marker(painter, MARKERS[s % len(MARKERS)], QPointF(x + 18, y))
            painter.drawText(
                QRectF(x + 44, y - metrics.height() / 2, column_w - 48, metrics.height()),
                Qt.AlignmentFlag.AlignVCenter,
                name,
            )
        painter.end()
