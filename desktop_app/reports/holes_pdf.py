"""The coverage-hole report as a PDF (Decree 30 layout of :mod:`desktop_app.reports.pdf`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from desktop_app.domain.holes import YEAR_STATES
from desktop_app.reports.fonts import ReportFonts, report_fonts
from desktop_app.reports.holes import HoleLine, HolesReport, holes_label
from desktop_app.reports.pdf import (
    LEFT,
    RIGHT,
    _heading,
    _page_number,
    _page_template,
    _simple_table,
    _styles,
    a4_document,
    year_report_story,
)
from desktop_app.reports.pdf_blocks import para_text as _p
from desktop_app.reports.texts import label


def _count_table(report: HolesReport, s: Any, fonts: ReportFonts, width: float) -> Flowable:
    lang = report.lang
    states = ("closed", "still", "planned", "overdue", "open")
    columns = (
        holes_label("col_no", lang),
        holes_label("col_district", lang),
        holes_label("col_area", lang),
        *(holes_label(k, lang) for k in states),
    )
    rows: list[tuple[str, ...]] = []
    number, last = 0, None
    totals = dict.fromkeys(YEAR_STATES, 0)
    for district, area, tally in report.counts:
        if district != last:
            number += 1
            last = district
        still = sum(tally[k] for k in ("open", "planned", "overdue"))
        rows.append(
            (
                str(number) if rows == [] or rows[-1][1] != district else "",
                district,
                area,
                str(tally["closed"]),
                str(still),
                str(tally["planned"]),
                str(tally["overdue"]),
                str(tally["open"]),
            )
        )
        for k in YEAR_STATES:
            totals[k] += tally[k]
    still = sum(totals[k] for k in ("open", "planned", "overdue"))
    rows.append(
        (
            "",
            holes_label("total", lang),
            "",
            str(totals["closed"]),
            str(still),
            str(totals["planned"]),
            str(totals["overdue"]),
            str(totals["open"]),
        )
    )
    widths = [10 * mm, 32 * mm, 30 * mm] + [(width - 72 * mm) / 5] * 5
    return _simple_table(columns, rows, widths, s, fonts, right_from=3)


def _list(report: HolesReport, state: str, s: Any, fonts: ReportFonts, width: float) -> list[Any]:
    lang = report.lang
    mine = [x for x in report.lines if x.state == state]
    story: list[Any] = [Paragraph(_p(holes_label(f"list_{state}", lang)), s["heading"])]
    if not mine:
        return [*story, Paragraph(_p(holes_label("none", lang)), s["body"])]

    def when(x: HoleLine) -> str:
        if state == "closed":
            return x.hole.closed_period or ""
        return "" if x.hole.target_year is None else str(x.hole.target_year)

    columns = tuple(
        holes_label(k, lang)
        for k in (
            "col_no",
            "col_village",
            "col_commune",
            "col_since",
            "col_when",
            "col_fix",
            "col_funding",
        )
    )
    rows = [
        (str(i), x.village, x.commune.name, x.hole.since, when(x), x.site, x.hole.funding)
        for i, x in enumerate(mine, start=1)
    ]
    widths = [10 * mm, 28 * mm, 28 * mm, 16 * mm, 17 * mm, 0.0, 34 * mm]
    widths[5] = width - sum(widths)
    story.append(_simple_table(columns, rows, widths, s, fonts, small=True))
    return story


def _story(report: HolesReport, fonts: ReportFonts, width: float) -> list[Flowable]:
    s = _styles(fonts)
    lang = report.lang
    body: list[Any] = []
    if report.lines:
        body += _heading(holes_label("s_table", lang), s)
        body.append(_count_table(report, s, fonts, width))
        body += [Paragraph(_p(note), s["cell"]) for note in report.notes]
        body += _heading(holes_label("s_lists", lang), s)
        for state in ("closed", "overdue", "planned", "open"):
            body += _list(report, state, s, fonts, width)
    return year_report_story(report, fonts, width, holes_label("s_summary", lang), body)


def write_holes_pdf(report: HolesReport, out: Path) -> Path:
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
    doc.addPageTemplates([_page_template("portrait", "p", width, A4, _page_number(fonts))])
    doc.build(_story(report, fonts, width))
    return out
