"""The bar chart of coverage by commune or district, drawn with reportlab graphics.

Every string of the drawing names the report font explicitly: reportlab's graphics
default to the base-14 Times-Roman otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from desktop_app.reports.fonts import ReportFonts, nfc

SERIES_COLOURS = (colors.HexColor("#1f5f99"), colors.HexColor("#9ccc65"))


def coverage_chart(
    fonts: ReportFonts,
    title: str,
    series: Sequence[str],
    data: Sequence[tuple[str, Sequence[float]]],
    width: float,
    *,
    font_size: float = 9,
) -> Drawing:
    """A horizontal grouped bar chart (0-100 %) with one group per area, top to bottom."""
    n = max(len(data), 1)
    bar_band = 2 * (font_size - 1) + 4
    label_width = 0.28 * width
    plot_height = n * bar_band
    legend_height = 16 * len(series) + 6
    height = plot_height + legend_height + 34
    drawing = Drawing(width, height)
    drawing.initialFontName = fonts.regular  # the renderer's starting state, not Helvetica
    drawing.initialFontSize = font_size
    drawing.add(
        String(
            width / 2,
            height - 14,
            nfc(title),
            fontName=fonts.bold,
            fontSize=font_size + 2,
            textAnchor="middle",
        )
    )
    chart = HorizontalBarChart()
    chart.x = label_width
    chart.y = legend_height + 16
    chart.width = width - label_width - 16
    chart.height = plot_height
    # reportlab draws the first category at the bottom: reverse so the list reads down
    rows = list(reversed(data))
    chart.data = [[row[1][i] for row in rows] for i in range(len(series))] or [[0.0]]
    chart.categoryAxis.categoryNames = [nfc(name) for name, _ in rows] or [""]
    chart.categoryAxis.labels.fontName = fonts.regular
    chart.categoryAxis.labels.fontSize = font_size
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 20
    chart.valueAxis.labels.fontName = fonts.regular
    chart.valueAxis.labels.fontSize = font_size
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#cccccc")
    chart.barLabels.fontName = fonts.regular
    chart.barLabels.fontSize = font_size - 1
    chart.groupSpacing = 2
    chart.barSpacing = 0
    for i, colour in enumerate(SERIES_COLOURS[: len(series)]):
        chart.bars[i].fillColor = colour
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.fontName = fonts.regular
    legend.fontSize = font_size + 1
    legend.x = label_width
    legend.y = legend_height - 4
    legend.alignment = "right"
    legend.columnMaximum = len(series)
    legend.colorNamePairs = [
        (SERIES_COLOURS[i], nfc(name)) for i, name in enumerate(series[: len(SERIES_COLOURS)])
    ]
    drawing.add(legend)
    return drawing
