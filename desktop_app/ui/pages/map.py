"""The map page: the register's sites of the office's area on an offline canvas, commune
labels, the boundaries the province imported, zoom and pan, a click for the site.

Villages have no coordinates in the register, so a village is shown through its
sites; a commune's label sits at the middle of its boundary (or of its sites).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.geo import centroid
from desktop_app.i18n import _
from desktop_app.store.repositories.boundaries import BoundaryRepository
from desktop_app.store.repositories.sites import Site
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.map_view import MapView
from desktop_app.ui.pages.sites_labels import site_type_label, status_label


class MapPage(QWidget):
    """Type filter and zoom buttons over the map, the chosen site's card beside it."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        store = context.store
        self.communes = {c.id: c for c in store.reference.communes_under(context.office_id)}
        self.sites = [s for s in store.sites.find() if s.commune_id in self.communes]
        self.by_id = {s.id: s for s in self.sites}
        self.boundaries = {
            u: r for u, r in BoundaryRepository(store).all().items() if u in self.communes
        }
        self.view = MapView(self)
        self.type_box = QComboBox(self)
        self.type_box.addItem(_("All sites"), "")
        for kind in sorted({s.site_type for s in self.sites}):
            self.type_box.addItem(site_type_label(kind), kind)
        zoom_in, zoom_out, fit = (
            QPushButton("+", self),
            QPushButton("−", self),
            QPushButton(_("Fit"), self),
        )
        zoom_in.clicked.connect(lambda: self.view.zoom(1.25))
        zoom_out.clicked.connect(lambda: self.view.zoom(0.8))
        fit.clicked.connect(self.view.fit)
        self.card = QLabel(_("Click a site on the map to see it here."), self)
        self.card.setWordWrap(True)
        self.card.setMinimumWidth(260)
        self.legend = QLabel(
            _(
                "▲ BTS site · ■ post office · ◆ cultural post office · ▼ radio station · "
                "● other; fill: black Viettel, white VNPT, grey MobiFone, light grey other"
            ),
            self,
        )  # fmt: skip
        self.legend.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Show"), self))
        top.addWidget(self.type_box)
        top.addStretch(1)
        for button in (zoom_in, zoom_out, fit):
            top.addWidget(button)
        split = QSplitter(self)
        split.addWidget(self.view)
        split.addWidget(self.card)
        split.setStretchFactor(0, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.legend)
        self.type_box.currentIndexChanged.connect(self._on_filter)
        self.view.site_clicked.connect(self._on_site_clicked)
        self._on_filter(0)

    def shown_sites(self) -> list[Site]:
        """The sites of the chosen type (all by default)."""
        kind = str(self.type_box.currentData() or "")
        return [s for s in self.sites if not kind or s.site_type == kind]

    def _labels(self) -> list[tuple[str, str, float, float]]:
        out = []
        for unit_id, unit in self.communes.items():
            if unit_id in self.boundaries:
                lat, lon = centroid(self.boundaries[unit_id])
            else:
                mine = [s for s in self.sites if s.commune_id == unit_id and s.lat and s.lon]
                if not mine:
                    continue
                lat = sum(s.lat or 0 for s in mine) / len(mine)
                lon = sum(s.lon or 0 for s in mine) / len(mine)
            out.append((unit_id, unit.short_name, lat, lon))
        return out

    def _on_filter(self, _index: int) -> None:
        self.view.show_map(self.shown_sites(), self._labels(), self.boundaries)

    def _on_site_clicked(self, site_id: str) -> None:
        site = self.by_id[site_id]
        commune = self.communes[site.commune_id].name
        lines = [
            f"<b>{site.name or site_type_label(site.site_type)}</b>",
            f"{site_type_label(site.site_type)} · {status_label(site.status)}",
            _("Commune: {name}").format(name=commune),
        ]
        if site.operator:
            lines.append(_("Operator: {name}").format(name=site.operator))
        if site.technologies:
            lines.append(_("Technologies: {list}").format(list=", ".join(site.technologies)))
        lines.append(f"{site.lat:.5f}, {site.lon:.5f}")
        self.card.setText("<br>".join(lines))
