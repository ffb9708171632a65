"""The map annex of the district and province reports: the register's sites and the
communes' boundaries on the same local projection as the map page, drawn with
reportlab graphics (shape by site type, fill by operator: it prints in black and white).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from desktop_app.domain.geo import Projection, Ring, centroid
from desktop_app.domain.units import Unit
from desktop_app.reports.fonts import nfc
from desktop_app.reports.holding import Holding
from desktop_app.reports.texts import Lang
from desktop_app.store.aggregation import UnitAggregate
from desktop_app.store.repositories.boundaries import BoundaryRepository
from desktop_app.store.repositories.sites import Site
from desktop_app.store.store import Store

SHAPES = {
    "bts": [(0, 1), (1, -1), (-1, -1)],
    "post_office": [(-1, -1), (1, -1), (1, 1), (-1, 1)],
    "cultural_post_office": [(0, 1), (1, 0), (0, -1), (-1, 0)],
    "radio_station": [(-1, 1), (1, 1), (0, -1)],
}
FILLS = {"viettel": "#202020", "vnpt": "#ffffff", "mobifone": "#9e9e9e"}
LABELS: dict[str, tuple[str, str]] = {
    "title": ("PHỤ LỤC", "ANNEX"),
    "subject": ("Bản đồ các điểm hạ tầng trên địa bàn {area}", "Map of the sites in {area}"),
    "legend": (
        "Ký hiệu: tam giác: trạm BTS; hình vuông: bưu cục; hình thoi: điểm Bưu điện - Văn hóa "
        "xã; tam giác ngược: đài truyền thanh; bát giác: loại khác. Tô đen: Viettel, trắng: "
        "VNPT, xám: MobiFone, xám nhạt: doanh nghiệp khác.",
        "Symbols: triangle: BTS site; square: post office; diamond: cultural post office; "
        "inverted triangle: radio station; octagon: other. Black: Viettel, white: VNPT, "
        "grey: MobiFone, light grey: other operators.",
    ),
}


@dataclass(frozen=True)
class MapAnnex:
    """What the annex draws, already projected (km east and north of the centre)."""

    subject: str
    legend: str
    sites: tuple[tuple[float, float, str, str], ...]  # x, y, type, operator
    labels: tuple[tuple[float, float, str], ...]  # x, y, commune name
    rings: tuple[tuple[tuple[float, float], ...], ...]
    #: under the subject: the communes the map draws, when not all of the area's
    note: str = ""


def map_annex(
    store: Store, agg: UnitAggregate, lang: Lang, held: Holding | None = None
) -> MapAnnex | None:
    """The annex of a district or province report (None for a commune, or without sites).

    ``held``: what this office holds of the area; when only part, the map draws the held
    communes (their sites and boundaries) and says so under its subject."""
    if agg.level == "commune":
        return None
    communes = {c.id: c for c in store.reference.communes_under(agg.unit.id)}
    if held is not None and held.partial:
        communes = {u: c for u, c in communes.items() if held.holds(c)}
    sites = [
        s for s in _register(store, agg, communes)
        if s.lat is not None and s.lon is not None
    ]  # fmt: skip
    if not sites:
        return None
    boundaries: dict[str, list[Ring]] = {
        u: r for u, r in BoundaryRepository(store).all().items() if u in communes
    }
    points = [(s.lat or 0.0, s.lon or 0.0) for s in sites]
    points += [(lat, lon) for rings in boundaries.values() for r in rings for lon, lat in r]
    proj = Projection.around(points)
    labels = []
    for unit_id, unit in communes.items():
        if unit_id in boundaries:
            lat, lon = centroid(boundaries[unit_id])
        else:
            mine = [(s.lat or 0.0, s.lon or 0.0) for s in sites if s.commune_id == unit_id]
            if not mine:
                continue
            lat, lon = sum(p[0] for p in mine) / len(mine), sum(p[1] for p in mine) / len(mine)
        labels.append((*proj.xy(lat, lon), unit.short_name))
    area = f"{agg.unit.kind} {agg.unit.short_name}" if lang == "vi" else agg.unit.name
    vi, en = LABELS["subject"]
    return MapAnnex(
        (vi if lang == "vi" else en).format(area=area),
        LABELS["legend"][0 if lang == "vi" else 1],
        tuple((*proj.xy(s.lat or 0.0, s.lon or 0.0), s.site_type, s.operator) for s in sites),
        tuple(labels),
        tuple(
            tuple(proj.xy(lat, lon) for lon, lat in ring)
            for rings in boundaries.values()
            for ring in rings
        ),
        nfc(held.scope_line(agg, lang)) if held is not None else "",
    )


def _register(store: Store, agg: UnitAggregate, communes: Mapping[str, Unit]) -> list[Site]:
    """The sites of the communes, as the register held them when each commune's period
    was locked (approved): sites added, moved or deleted later leave a locked report as
    it was. An open period's map shows the register of today."""
    from desktop_app.store.aggregation import data_periods
    from desktop_app.store.repositories.base import LOCKED_STATES

    marks = ",".join("?" for _ in LOCKED_STATES)
    db: Any = store.db  # peewee leaves execute_sql untyped
    locks = {
        str(cid): int(hlc)
        for cid, hlc in db.execute_sql(
            f"SELECT commune_id, hlc FROM submission WHERE period = ? AND state IN ({marks})",
            (data_periods(agg.period)[0].code, *LOCKED_STATES),
        )
    }
    locks = {cid: hlc for cid, hlc in locks.items() if cid in communes}
    then = store.sites.as_of(locks) if locks else {}
    if agg.level == "district":
        # its communes' sites only, not the province's ~3,500 read and dropped (20 ms)
        found = [s for c in communes if c not in then for s in store.sites.find(c)]
    else:
        found = store.sites.find()
    out: list[Site] = [s for s in found if s.commune_id in communes and s.commune_id not in then]
    for sites in then.values():
        out += sites
    return sorted(out, key=lambda s: (s.site_type, s.name, s.id))


def map_flowables(
    annex: MapAnnex | None, lang: Lang, styles: Any, fonts: Any, width: float, height: float
) -> list[Any]:
    """The annex page: title, subject, the map scaled to the frame, the legend."""
    from reportlab.graphics.shapes import Drawing, Polygon, String
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import NextPageTemplate, PageBreak, Paragraph

    from desktop_app.reports.pdf_blocks import para_text

    if annex is None:
        return []
    box_h = height - (48 if annex.note else 40) * mm  # the note's line is taken off the map
    xs = [p[0] for p in annex.sites] + [p[0] for r in annex.rings for p in r]
    ys = [p[1] for p in annex.sites] + [p[1] for r in annex.rings for p in r]
    span_x, span_y = max(max(xs) - min(xs), 1.0), max(max(ys) - min(ys), 1.0)
    scale = min((width - 10) / span_x, (box_h - 10) / span_y)
    x0, y0 = min(xs), min(ys)

    def at(x: float, y: float) -> tuple[float, float]:
        return (5 + (x - x0) * scale, 5 + (y - y0) * scale)

    drawing = Drawing(width, box_h)
    drawing.initialFontName = fonts.regular
    for ring in annex.rings:
        flat = [c for p in ring for c in at(*p)]
        drawing.add(Polygon(flat, strokeColor=colors.HexColor("#7a7a7a"), fillColor=None,
                            strokeWidth=0.5))  # fmt: skip
    for x, y, kind, operator in annex.sites:
        cx, cy = at(x, y)
        shape = SHAPES.get(kind, [(0.4, 1), (1, 0.4), (1, -0.4), (0.4, -1), (-0.4, -1),
                                  (-1, -0.4), (-1, 0.4), (-0.4, 1)])  # fmt: skip
        flat = [c for dx, dy in shape for c in (cx + 2.2 * dx, cy + 2.2 * dy)]
        drawing.add(Polygon(flat, strokeColor=colors.black, strokeWidth=0.4,
                            fillColor=colors.HexColor(FILLS.get(operator, "#d0d0d0"))))  # fmt: skip
    for x, y, name in annex.labels:
        cx, cy = at(x, y)
        drawing.add(String(cx + 3, cy + 3, nfc(name), fontName=fonts.bold, fontSize=7,
                           fillColor=colors.HexColor("#303030")))  # fmt: skip
    return [
        NextPageTemplate("landscape"),
        PageBreak(),
        Paragraph(para_text(LABELS["title"][0 if lang == "vi" else 1]), styles["title"]),
        Paragraph(para_text(annex.subject), styles["subject"]),
        *([Paragraph(para_text(annex.note), styles["italic_centre"])] if annex.note else []),
        drawing,
        Paragraph(para_text(annex.legend), styles["cell_s"]),
    ]
