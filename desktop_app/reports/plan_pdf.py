"""The plan follow-up report as a PDF, in the Decree 30 layout of :mod:`desktop_app.reports.pdf`.

Header, title, subject, the summary paragraph, then one table: for each unit its targets
with target, achieved, gap and status ("chưa đạt" in bold, so it stands out in black
and white print), and the signature block.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Paragraph,
    Table,
    TableStyle,
)

from desktop_app.reports.fonts import ReportFonts, report_fonts
from desktop_app.reports.pdf import (
    LEFT,
    RIGHT,
    _heading,
    _page_number,
    _page_template,
    _simple_table,
    _styles,
    _table_style,
    a4_document,
    year_report_story,
)
from desktop_app.reports.pdf_blocks import para_text as _p
from desktop_app.reports.plan import PlanReport, line_texts, plan_label
from desktop_app.reports.texts import label


def plan_table(report: PlanReport, fonts: ReportFonts, width: float) -> Table:
    """The targets by unit: No., unit, indicator, target, achieved, gap, status."""
    s = _styles(fonts)
    lang = report.lang
    keys = ("col_no", "col_unit", "col_indicator", "col_target", "col_achieved", "col_gap")
    heads = [plan_label(k, lang) for k in (*keys, "col_status")]
    data: list[list[Any]] = [[Paragraph(_p(h), s["head"]) for h in heads]]
    style = _table_style(fonts)
    number = 0
    group_start = 1
    previous_unit = ""
    for line in report.lines:
        row = len(data)
        first = line.unit.id != previous_unit
        if first:
            if previous_unit and row - 1 > group_start:
                style.append(("SPAN", (0, group_start), (0, row - 1)))
                style.append(("SPAN", (1, group_start), (1, row - 1)))
            number += 1
            group_start = row
            previous_unit = line.unit.id
        target, achieved, gap, status = line_texts(line, lang)
        unit_style = s["cell_bold"] if line.unit.level < 3 else s["cell"]
        data.append(
            [
                str(number) if first else "",
                Paragraph(_p(line.unit.name), unit_style) if first else "",
                Paragraph(_p(f"{line.name} ({line.unit_text})"), s["cell"]),
                target,
                achieved,
                gap,
                status,
            ]
        )
        if line.status == "not_met":
            style.append(("FONTNAME", (6, row), (6, row), fonts.bold))
    if previous_unit and len(data) - 1 > group_start:
        style.append(("SPAN", (0, group_start), (0, len(data) - 1)))
        style.append(("SPAN", (1, group_start), (1, len(data) - 1)))
    widths = [10 * mm, 36 * mm, 0.0, 18 * mm, 18 * mm, 19 * mm, 19 * mm]
    widths[2] = width - sum(widths)
    style += [
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (3, 1), (5, -1), "RIGHT"),
        ("ALIGN", (6, 1), (6, -1), "CENTER"),
    ]
    return Table(data, colWidths=widths, repeatRows=1, style=TableStyle(style))


def _story(report: PlanReport, fonts: ReportFonts, width: float) -> list[Flowable]:
    s = _styles(fonts)
    lang = report.lang
    body: list[Flowable] = []
    if report.lines:
        body += _heading(plan_label("s_table", lang), s)
        body.append(plan_table(report, fonts, width))
        body.append(Paragraph(_p(plan_label("note", lang)), s["body"]))
    if report.by_area:
        body += _heading(plan_label("s_area", lang), s)
        columns = tuple(
            plan_label(k, lang) for k in ("col_area", "met", "exceeded", "not_met", "none")
        )
        rows = [(name, *(str(n) for n in counts)) for name, *counts in report.by_area]
        rows = [row + ("",) * (len(columns) - len(row)) for row in rows]
        widths = [50 * mm] + [(width - 50 * mm) / 4] * 4
        table = _simple_table(columns, rows, widths, s, fonts, right_from=1)
        # a group without a commune: its sentence across the counts' columns
        for r, row in enumerate(rows, start=1):
            if row[1][:1].isalpha():
                table.setStyle([("SPAN", (1, r), (-1, r)), ("ALIGN", (1, r), (-1, r), "LEFT")])
        body.append(table)
        body += [Paragraph(_p(note), s["cell"]) for note in report.area_notes]
    return year_report_story(report, fonts, width, plan_label("s_summary", lang), body)


def write_plan_pdf(report: PlanReport, out: Path) -> Path:
    """Draw ``report`` into the PDF file ``out`` and return it."""
    fonts = report_fonts()
    width = A4[0] - LEFT - RIGHT
    doc = a4_document(
        out,
        fonts,
        title=f"{label('title', report.lang)} - {report.subject}",
        author=report.header.office_name,
        lang=report.lang,
    )
    on_page = _page_number(fonts)
    land = landscape(A4)
    doc.addPageTemplates(
        [
            _page_template("portrait", "p", width, A4, on_page),
            _page_template("landscape", "l", land[0] - LEFT - RIGHT, land, on_page),
        ]
    )
    doc.build(_story(report, fonts, width))
    return out
