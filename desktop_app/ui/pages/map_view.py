"""The map's canvas: sites, commune labels and boundaries on a local projection, offline.

:class:`MapView` is a QGraphicsView: the wheel (or the +/− buttons) zooms about the
cursor, dragging pans, a click on a site emits :attr:`MapView.site_clicked`. Markers
and labels keep their size whatever the zoom. Site types differ by shape and operators
by fill, so the map also reads in black and white.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from desktop_app.domain.geo import Projection, Ring
from desktop_app.store.repositories.sites import Site

PX_PER_KM = 8.0
SITE_ROLE = 0  # QGraphicsItem.data key holding a marker's site id
SHAPES = {  # site type → polygon (unit size), so types differ without colour
    "bts": [(0, -1), (1, 1), (-1, 1)],
    "post_office": [(-1, -1), (1, -1), (1, 1), (-1, 1)],
    "cultural_post_office": [(0, -1), (1, 0), (0, 1), (-1, 0)],
    "radio_station": [(-1, -1), (1, -1), (0, 1)],
}
OCTAGON = [(0.4, -1), (1, -0.4), (1, 0.4), (0.4, 1), (-0.4, 1), (-1, 0.4), (-1, -0.4), (-0.4, -1)]
FILLS = {"viettel": "#202020", "vnpt": "#ffffff", "mobifone": "#9e9e9e"}


class MapView(QGraphicsView):
    """The map; fill it with :meth:`show_map`."""

    site_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(QBrush(QColor("#fbfbf7")))
        self.projection = Projection.around([])
        self.markers: dict[str, QGraphicsItem] = {}
        self.labels: dict[str, QGraphicsSimpleTextItem] = {}
        self.extent = QRectF()
        self._user_zoomed = False

    def to_scene(self, lat: float, lon: float) -> QPointF:
        """Where (lat, lon) lies on the canvas (north up)."""
        x, y = self.projection.xy(lat, lon)
        return QPointF(x * PX_PER_KM, -y * PX_PER_KM)

    def show_map(
        self,
        sites: Sequence[Site],
        labels: Sequence[tuple[str, str, float, float]],
        boundaries: dict[str, list[Ring]],
    ) -> None:
        """Draw ``sites`` (with coordinates), commune ``labels`` (id, name, lat, lon) and
        ``boundaries`` (unit id → rings), then fit the view to them."""
        scene = self.scene()
        scene.clear()
        self.markers.clear()
        self.labels.clear()
        points = [(s.lat, s.lon) for s in sites if s.lat is not None and s.lon is not None]
        points += [(lat, lon) for _i, _n, lat, lon in labels]
        points += [(lat, lon) for rings in boundaries.values() for r in rings for lon, lat in r]
        self.projection = Projection.around(points)
        self.extent = QRectF()
        for lat, lon in points:
            at = self.to_scene(lat, lon)
            self.extent = self.extent.united(QRectF(at.x() - 1, at.y() - 1, 2, 2))
        outline = QPen(QColor("#7a7a7a"), 0)
        for rings in boundaries.values():
            for ring in rings:
                path = QPainterPath()
                path.addPolygon(QPolygonF([self.to_scene(lat, lon) for lon, lat in ring]))
                path.closeSubpath()
                item = QGraphicsPathItem(path)
                item.setPen(outline)
                scene.addItem(item)
        for unit_id, name, lat, lon in labels:
            text = QGraphicsSimpleTextItem(name)
            text.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            text.setBrush(QBrush(QColor("#404040")))
            text.setPos(self.to_scene(lat, lon))
            scene.addItem(text)
            self.labels[unit_id] = text
        for site in sites:
            if site.lat is None or site.lon is None:
                continue
            shape = SHAPES.get(site.site_type, OCTAGON)
            marker = QGraphicsPolygonItem(QPolygonF([QPointF(5 * x, 5 * y) for x, y in shape]))
            marker.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            marker.setPen(QPen(QColor("#000000"), 1.2))
            marker.setBrush(QBrush(QColor(FILLS.get(site.operator, "#d0d0d0"))))
            marker.setPos(self.to_scene(site.lat, site.lon))
            marker.setData(SITE_ROLE, site.id)
            marker.setToolTip(site.name)
            marker.setZValue(2)
            scene.addItem(marker)
            self.markers[site.id] = marker
        self.fit()

    def fit(self) -> None:
        """Show everything drawn (markers and labels keep their size, so the extent of
        the points is fitted, with a margin for them)."""
        rect = self.extent if not self.extent.isEmpty() else QRectF(-100, -100, 200, 200)
        margin = max(rect.width(), rect.height()) * 0.06 + 1
        self.resetTransform()
        self.fitInView(
            rect.adjusted(-margin, -margin, margin, margin), Qt.AspectRatioMode.KeepAspectRatio
        )
        self._user_zoomed = False

    def zoom(self, factor: float) -> None:
        """Zoom in (factor > 1) or out about the cursor."""
        self.scale(factor, factor)
        self._user_zoomed = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._user_zoomed:  # keep the whole area in view until the user zooms
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom(1.25**steps)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        item = self.itemAt(event.position().toPoint())
        site_id = item.data(SITE_ROLE) if item is not None else None
        if site_id:
            self.site_clicked.emit(str(site_id))
            return
        super().mousePressEvent(event)
