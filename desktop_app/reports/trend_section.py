"""The trend section of the district and province reports: the key ratios over every
quarter held up to the report's period, as a line chart that prints in black and white
(each series its own dash pattern and marker), drawn with reportlab graphics."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from desktop_app.reports.dashboard import TREND_CODES, quarters_held
from desktop_app.reports.fonts import nfc
from desktop_app.reports.holding import Holding
from desktop_app.reports.texts import Lang
from desktop_app.store.aggregation import UnitAggregate, communes_read, derived_over
from desktop_app.store.area_reader import Loader
from desktop_app.store.store import Store

HEADING = ("Diễn biến các tỷ lệ chính qua các quý", "The key ratios quarter by quarter")
DASHES: tuple[tuple[int, ...] | None, ...] = (None, (6, 3), (1, 2), (6, 2, 1, 2))
MARKERS = ("FilledCircle", "FilledSquare", "FilledTriangle", "FilledDiamond")
COUNTED = (
    "Mỗi điểm chỉ tính số liệu đã được duyệt của quý đó; số xã được tính: {quarters}.",
    "Each point counts only the data approved for its quarter; communes counted: {quarters}.",
)

#: a quarter of the note of which nothing at all was entered
NOTHING = ("chưa có số liệu nào được nhập", "no figures entered")


@dataclass(frozen=True)
class TrendSection:
    """Period labels and, per ratio, its name and one value a period (None: no figure)."""

    heading: str
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    #: under the heading: the communes the lines count, when not all of the area's
    note: str = ""


def trend_section(
    store: Store,
    agg: UnitAggregate,
    lang: Lang,
    *,
    counted_states: Collection[str] | None = None,
    loader: Loader | None = None,
    held: Holding | None = None,
) -> TrendSection | None:
    """The section (None for a commune, or with fewer than two quarters to compare); each
    quarter counts the same submissions as the report's own (``counted_states``).
    ``loader``: the one the report's own aggregate read through (village history once).
    ``held``: what this office holds of the area; when only part, the section says the
    lines count those communes only (the others' data is not here to count)."""
    if agg.level == "commune":
        return None
    communes = communes_read(store, agg.unit.id)
    last = agg.period if agg.period.quarter is not None else agg.period.quarters()[-1]
    # the axis ends at the report's own quarter, also when nothing of it is entered yet
    # (no point there says so; an axis ending a quarter early hid it)
    periods = sorted({*(p for p in quarters_held(store, communes) if p <= last), last})
    if len(periods) < 2:
        return None
    values: dict[str, list[float | None]] = {c: [] for c in TREND_CODES}
    # the report's own quarter is in ``agg`` already (aggregated with the same counted
    # submissions); every other quarter in one pass, with the same figures as aggregate()
    # of that quarter. Not ``agg.previous``: that is the previous quarter counted like
    # for like with this one (the same communes), not the previous quarter's own figure,
    # which its own report printed and the line must go through
    known = {agg.period: agg.current.derived}
    others = [p for p in periods if p not in known]
    known.update(
        derived_over(
            store, agg.unit.id, others, TREND_CODES, counted_states=counted_states, loader=loader
        )
    )
    for period in periods:
        derived = known[period]
        for code in TREND_CODES:
            values[code].append(derived.get(code))
    catalogue = store.catalogue.derived
    series = tuple(
        (catalogue[c].name_vi if lang == "vi" else catalogue[c].name_en, tuple(values[c]))
        for c in TREND_CODES
        # a line needs two quarters with figures (an official report may count few)
        if c in catalogue and sum(v is not None for v in values[c]) >= 2
    )
    if not series:
        return None
    labels = tuple(f"Q{p.quarter}/{p.year}" for p in periods)
    note = held.scope_line(agg, lang) if held is not None else ""
    counted = _counted_line(store, agg, periods, counted_states, held, lang)
    note = " ".join(t for t in (note, counted) if t)
    return TrendSection(HEADING[0 if lang == "vi" else 1], labels, series, nfc(note))


def _counted_line(
    store: Store,
    agg: UnitAggregate,
    periods: list[Any],
    counted_states: Collection[str] | None,
    held: Holding | None,
    lang: Lang,
) -> str:
    """ "Mỗi điểm chỉ tính số liệu đã được duyệt của quý đó; số xã được tính: Q4/2020:
    3/22 xã." for the quarters that count fewer than all their communes (each point is
    its quarter's own figure, so a quarter of 3 approved communes beside one of 22 is
    not like for like, and the line must not read as a change of the whole area); ""
    when every quarter counts all, or drafts are counted."""
    from desktop_app.domain.reform import is_pre_reform
    from desktop_app.store.aggregation import collected

    if counted_states is None:
        return ""
    ids = {u.id for u in held.held} if held is not None and held.partial else None
    short: list[str] = []
    own = agg.period if agg.period.quarter is not None else agg.period.quarters()[-1]
    # the communes read are the same on either side of the 2025 reform (as the
    # AreaReader's collection): read once a side, not once a quarter (each read goes
    # through the whole village register: 9 of them were a sixth of a district report)
    sides: dict[bool, list[str]] = {}
    for period in periods:
        if period == own and not agg.entered:
            # not "0/22 xã": nothing of the report's own quarter was entered to count
            short.append(f"Q{period.quarter}/{period.year}: {NOTHING[lang == 'en']}")
            continue
        side = is_pre_reform(period)
        if side not in sides:
            sides[side] = [c.id for c in collected(store, agg.unit.id, period).communes]
        communes = sides[side]
        if ids is not None:
            communes = [c for c in communes if c in ids]
        states = store.submissions.for_period(period.code)
        n = sum(1 for c in communes if c in states and states[c].state in counted_states)
        if communes and n < len(communes):
            short.append(f"Q{period.quarter}/{period.year}: {n}/{len(communes)}")
    if not short:
        return ""
    vi, en = COUNTED
    unit = "xã" if lang == "vi" else "communes"
    quarters = "; ".join(q if q.endswith(NOTHING) else f"{q} {unit}" for q in short)
    return (vi if lang == "vi" else en).format(quarters=quarters)


def trend_flowables(
    section: TrendSection | None, styles: Any, fonts: Any, width: float
) -> list[Any]:
    """The section as a heading and a chart kept together."""
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing, Line, String
    from reportlab.graphics.widgets.markers import makeMarker
    from reportlab.lib import colors
    from reportlab.platypus import KeepTogether, Paragraph

    from desktop_app.reports.pdf_blocks import para_text

    if section is None:
        return []
    legend_h = 14 * ((len(section.series) + 1) // 2) + 6
    height = 190 + legend_h
    drawing = Drawing(width, height)
    drawing.initialFontName = fonts.regular
    plot = LinePlot()
    plot.x, plot.y = 36, legend_h + 24
    plot.width, plot.height = width - 50, 150
    plot.data = [
        [(i, v) for i, v in enumerate(values) if v is not None] for _n, values in section.series
    ]
    for i in range(len(section.series)):
        line = plot.lines[i]
        line.strokeColor = colors.black
        line.strokeWidth = 1.2
        if DASHES[i % len(DASHES)] is not None:
            line.strokeDashArray = DASHES[i % len(DASHES)]
        line.symbol = makeMarker(MARKERS[i % len(MARKERS)], size=4)
        line.symbol.fillColor = colors.white if i % 2 else colors.black
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = 0, len(section.labels) - 1
    plot.xValueAxis.valueSteps = list(range(len(section.labels)))
    plot.xValueAxis.labelTextFormat = lambda v: section.labels[round(v)]
    plot.xValueAxis.labels.fontName = fonts.regular
    plot.xValueAxis.labels.fontSize = 8
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax, plot.yValueAxis.valueStep = 0, 100, 20
    # plain numbers, the unit once over the axis: a tick "0 %" beside a quarter with no
    # point (nothing entered) read as a figure of 0 %
    plot.yValueAxis.labelTextFormat = "%d"
    plot.yValueAxis.labels.fontName = fonts.regular
    plot.yValueAxis.labels.fontSize = 8
    plot.yValueAxis.visibleGrid = True
    plot.yValueAxis.gridStrokeColor = colors.HexColor("#cccccc")
    drawing.add(plot)
    drawing.add(
        String(
            plot.x - 4,
            plot.y + plot.height + 8,
            "(%)",
            fontName=fonts.regular,
            fontSize=8,
            textAnchor="end",
        )
    )
    column = (width - 50) / 2
    for i, (name, _values) in enumerate(section.series):
        # drawn by hand: reportlab's LineLegend leaves out dash patterns and markers
        x = 36 + (i % 2) * column
        y = legend_h - 10 - (i // 2) * 14
        sample = Line(x, y + 3, x + 28, y + 3, strokeColor=colors.black, strokeWidth=1.2)
        if DASHES[i % len(DASHES)] is not None:
            sample.strokeDashArray = DASHES[i % len(DASHES)]
        drawing.add(sample)
        marker = makeMarker(MARKERS[i % len(MARKERS)], size=4)
        marker.x, marker.y = x + 14, y + 3
        marker.fillColor = colors.white if i % 2 else colors.black
        drawing.add(marker)
        drawing.add(String(x + 34, y, nfc(name), fontName=fonts.regular, fontSize=8))
    head = [Paragraph(para_text(section.heading), styles["heading"])]
    if section.note:
        head.append(Paragraph(para_text(section.note), styles["scope_note"]))
    return [KeepTogether([*head, drawing])]
