"""The PDF of a report in the layout of Decree 30/2020/NĐ-CP, appendix I.

A4 portrait, margins top/bottom 20 mm, left 30 mm, right 15 mm; the agency block
top left and the national title top right (:class:`HeaderBlock`); "BÁO CÁO" and the
subject centred and bold; body 13 pt justified; page numbers from page 2, centred
at the top; "Nơi nhận:" bottom left and the signature block bottom right; the annex
by commune or district on a landscape page after the signature.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from desktop_app.reports.charts import coverage_chart
from desktop_app.reports.fonts import ReportFonts, nfc, report_fonts
from desktop_app.reports.lineage import lineage_lines
from desktop_app.reports.model import ReportModel, attached_line
from desktop_app.reports.pdf_blocks import HeaderBlock, SubjectRule, signature_block
from desktop_app.reports.pdf_blocks import para_text as _p
from desktop_app.reports.texts import SUBJECT_GROUPS, bind, display, label

TOP, BOTTOM, LEFT, RIGHT = 20 * mm, 20 * mm, 30 * mm, 15 * mm
FRAME_HEIGHT = A4[1] - TOP - BOTTOM
BODY_SIZE = 13
TABLE_SIZE = 11
HEADER_SIZE = 13
GRID = colors.black


def _styles(f: ReportFonts) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "body",
        fontName=f.regular,
        fontSize=BODY_SIZE,
        leading=BODY_SIZE * 1.3,
        alignment=TA_JUSTIFY,
        firstLineIndent=10 * mm,
        spaceAfter=6,  # Decree 30: at least 6 pt between paragraphs
    )
    return {
        "body": base,
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=f.bold,
            fontSize=14,
            leading=18,
            alignment=TA_CENTER,
            firstLineIndent=0,
            spaceAfter=0,
        ),
        "subject": ParagraphStyle(
            "subject",
            parent=base,
            fontName=f.bold,
            fontSize=14,
            leading=18,
            alignment=TA_CENTER,
            firstLineIndent=0,
            leftIndent=10 * mm,
            rightIndent=10 * mm,
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=base,
            fontName=f.bold,
            firstLineIndent=0,
            spaceBefore=8,
            alignment=TA_LEFT,
        ),
        "notice": ParagraphStyle(
            "notice", parent=base, fontName=f.bold_italic, firstLineIndent=0, spaceAfter=6
        ),
        "list": ParagraphStyle("list", parent=base, leftIndent=14 * mm, firstLineIndent=-4 * mm),
        "cell": ParagraphStyle(
            "cell",
            fontName=f.regular,
            fontSize=TABLE_SIZE,
            leading=TABLE_SIZE * 1.2,
        ),
        "cell_bold": ParagraphStyle(
            "cell_bold",
            fontName=f.bold,
            fontSize=TABLE_SIZE,
            leading=TABLE_SIZE * 1.2,
        ),
        "head": ParagraphStyle(
            "head",
            fontName=f.bold,
            fontSize=TABLE_SIZE,
            leading=TABLE_SIZE * 1.2,
            alignment=TA_CENTER,
        ),
        "cell_s": ParagraphStyle("cell_s", fontName=f.regular, fontSize=10, leading=12),
        "head_s": ParagraphStyle(
            "head_s", fontName=f.bold, fontSize=9.5, leading=11, alignment=TA_CENTER
        ),
        "recipients_title": ParagraphStyle(
            "rt",
            fontName=f.bold_italic,
            fontSize=12,
            leading=14,
        ),
        "recipients": ParagraphStyle("r", fontName=f.regular, fontSize=11, leading=13),
        "sign": ParagraphStyle(
            "sign",
            fontName=f.bold,
            fontSize=13,
            leading=16,
            alignment=TA_CENTER,
        ),
        "italic_centre": ParagraphStyle(
            "ic",
            parent=base,
            fontName=f.italic,
            alignment=TA_CENTER,
            firstLineIndent=0,
        ),
        # under a chart's heading or over the annex: what it covers (a partly-held office)
        "scope_note": ParagraphStyle(
            "cn", parent=base, fontName=f.italic, fontSize=11, leading=13, firstLineIndent=0
        ),
    }


def _table_style(
    f: ReportFonts, header_rows: int = 1, size: float = TABLE_SIZE
) -> list[tuple[Any, ...]]:
    return [
        ("FONTNAME", (0, 0), (-1, -1), f.regular),
        ("FONTNAME", (0, 0), (-1, header_rows - 1), f.bold),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), size * 1.2),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, header_rows - 1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#eeeeee")),
    ]


def _indicator_table(
    model: ReportModel, s: dict[str, ParagraphStyle], f: ReportFonts, width: float
) -> Table:
    lang = model.lang
    cols = ("col_no", "col_indicator", "col_unit", "col_previous", "col_current", "col_target")
    heads = [label(c, lang) for c in cols]
    if model.previous_note:
        heads[3] += " (*)"  # the footnote under the table says which communes differ
    data: list[list[Any]] = [[Paragraph(_p(text), s["head"]) for text in heads]]
    style = _table_style(f)
    for row in model.rows:
        i = len(data)
        if row.heading:
            text = f"{row.number} {row.label}".strip()
            data.append([Paragraph(_p(text), s["cell_bold"]), "", "", "", "", ""])
            style.append(("NOSPLIT", (0, i), (-1, i + 1)))
            if not row.number:
                style.append(("SPAN", (0, i), (-1, i)))
                style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f5f5f5")))
            else:
                data[-1] = [row.number, Paragraph(_p(row.label), s["cell_bold"]), "", "", "", ""]
            continue
        prev, cur, target = row.texts(lang)
        data.append(
            [row.number, Paragraph(_p(row.label), s["cell"]), nfc(row.unit), prev, cur, target]
        )
    widths = [12 * mm, 0.0, 21 * mm, 20 * mm, 20 * mm, 22 * mm]
    widths[1] = width - sum(widths)
    style += [
        ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (2, 1), (2, -1), "CENTER"),
    ]
    return Table(data, colWidths=widths, repeatRows=1, style=TableStyle(style))


def _simple_table(
    columns: tuple[str, ...],
    rows: Any,
    widths: list[float],
    s: dict[str, ParagraphStyle],
    f: ReportFonts,
    right_from: int | None = None,
    small: bool = False,
) -> Table:
    cell, head = (s["cell_s"], s["head_s"]) if small else (s["cell"], s["head"])
    data: list[list[Any]] = [[Paragraph(_p(c), head) for c in columns]]
    for row in rows:
        data.append(
            [
                Paragraph(_p(str(v)), cell) if isinstance(v, str) and len(v) > 14 else nfc(str(v))
                for v in row
            ]
        )
    style = _table_style(f, size=cell.fontSize)
    style.append(("ALIGN", (0, 1), (0, -1), "CENTER"))
    if small:
        style += [("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    if right_from is not None:
        style.append(("ALIGN", (right_from, 1), (-1, -1), "RIGHT"))
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if c >= right_from and isinstance(value, str) and value[:1].isalpha():
                    style.append(("ALIGN", (c, r), (c, r), "CENTER"))
    return Table(data, colWidths=widths, repeatRows=1, style=TableStyle(style))


def _annex(
    model: ReportModel, s: dict[str, ParagraphStyle], f: ReportFonts, width: float
) -> list[Flowable]:
    lang = model.lang
    story: list[Flowable] = [
        Paragraph(_p(label("annex", lang)), s["title"]),
        Paragraph(_p(model.annex_title), s["subject"]),
        Paragraph(_p(attached_line(model)), s["italic_centre"]),
        Spacer(1, 4 * mm),
    ]
    if model.annex_scope:
        story += [Paragraph(_p(model.annex_scope), s["scope_note"]), Spacer(1, 2 * mm)]
    rows = [
        [
            v if isinstance(v, str) else display(v, model.annex_decimals[i], lang)
            for i, v in enumerate(row)
        ]
        for row in model.annex_rows
    ]
    n = len(model.annex_columns)
    widths = [12 * mm, 58 * mm] + [(width - 70 * mm) / (n - 2)] * (n - 2)
    story.append(_simple_table(model.annex_columns, rows, widths, s, f, right_from=2, small=True))
    story += [Paragraph(_p(note), s["cell"]) for note in model.annex_notes]
    if model.annex_note:
        story += [Spacer(1, 2 * mm), Paragraph(_p(model.annex_note), s["body"])]
    return story


def _heading(text: str, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    """A section heading that never ends a page alone."""
    return [CondPageBreak(30 * mm), Paragraph(_p(text), s["heading"])]


def _story(model: ReportModel, f: ReportFonts, width: float, land_width: float) -> list[Flowable]:
    s = _styles(f)
    lang = model.lang
    story: list[Flowable] = [
        HeaderBlock(model, f),
        Spacer(1, 8 * mm),
        Paragraph(_p(model.title), s["title"]),
        SubjectRule(Paragraph(_p(bind(model.subject, _subject_groups(model))), s["subject"])),
        Spacer(1, 6 * mm),
        *(Paragraph(_p(text), s["notice"]) for text in model.notices),
        *_heading(label("s_summary", lang), s),
    ]
    story += [Paragraph(_p(text), s["body"]) for text in model.summary]
    story += [
        *_heading(label("s_table", lang), s),
        _indicator_table(model, s, f, width),
    ]
    if model.previous_note:
        story += [Spacer(1, 2 * mm), Paragraph(_p(model.previous_note), s["cell"])]
    from desktop_app.reports.area_section import area_flowables

    story += area_flowables(model.areas, s, f, width)
    story += [Paragraph(_p(text), s["body"]) for text in lineage_lines(model.aggregate, lang)]
    story += _heading(label("s_holes", lang), s)
    if model.holes_note:
        story.append(Paragraph(_p(model.holes_note), s["scope_note"]))
    if model.aggregate.without_signal:
        story += [Paragraph(_p("- " + h), s["list"]) for h in model.holes]
    else:
        story += [Paragraph(_p(h), s["body"]) for h in model.holes]
    story += _heading(label("s_complete", lang), s)
    story.append(Paragraph(_p(model.completeness_text), s["body"]))
    n = len(model.completeness_columns)
    if n == 4:
        widths = [12 * mm, 62 * mm, 42 * mm, width - 116 * mm]
        story.append(
            _simple_table(model.completeness_columns, model.completeness_rows, widths, s, f)
        )
    else:
        widths = [12 * mm, 48 * mm] + [(width - 60 * mm) / (n - 2)] * (n - 2)
        story.append(
            _simple_table(
                model.completeness_columns, model.completeness_rows, widths, s, f, right_from=2
            )
        )
    signature = signature_block(model, s, width)
    if model.chart:
        chart = coverage_chart(f, model.chart_title, model.chart_series, model.chart, width)
        # chart and signature must fit one page together: a tall chart is drawn smaller
        _w, sign_height = signature.wrap(width, FRAME_HEIGHT)
        room = FRAME_HEIGHT - sign_height - 6 * mm - 3 * BODY_SIZE * 1.3
        room -= 2 * 13 if model.chart_note else 0  # two lines of the note under the heading
        if chart.height > room > 0:
            k = room / chart.height
            chart.scale(k, k)
            chart.width, chart.height = chart.width * k, chart.height * k
            chart.hAlign = "CENTER"
        head = [Paragraph(_p(label("s_chart", lang)), s["heading"])]
        if model.chart_note:
            head.append(Paragraph(_p(model.chart_note), s["scope_note"]))
        story.append(KeepTogether([*head, chart]))
    from desktop_app.reports.trend_section import trend_flowables

    story += trend_flowables(model.trend, s, f, width)  # with the charts, before signing
    # the signature block never stands alone: it goes with the last paragraph before it
    last = story.pop()
    story.append(KeepTogether([last, Spacer(1, 6 * mm), signature]))
    if model.annex_rows:
        story += [NextPageTemplate("landscape"), PageBreak()]
        story += _annex(model, s, f, land_width)
    from desktop_app.reports.map_annex import map_flowables

    story += map_flowables(model.map, lang, s, f, land_width, A4[0] - TOP - BOTTOM)
    return story


def _subject_groups(model: ReportModel) -> list[str]:
    unit = model.aggregate.unit
    period = model.aggregate.period.label(model.lang)
    return [
        *SUBJECT_GROUPS,
        f"{unit.kind} {unit.short_name}",
        unit.name,
        period,
        period[:1].lower() + period[1:],
    ]


def _page_number(fonts: ReportFonts, mark: str = "", *, annex: bool = False) -> Any:
    """Draw the page number (from each part's second page: the annex is numbered on its
    own) and the provisional-data mark."""
    first_annex_page: list[int] = []

    def draw(canvas: Canvas, doc: BaseDocTemplate) -> None:
        number = canvas.getPageNumber()
        if annex:
            if not first_annex_page:
                first_annex_page.append(number)
            number = number - first_annex_page[0] + 1
        width, height = canvas._pagesize
        if mark:  # provisional data counted: every page says so, in a box at the top right
            canvas.saveState()
            canvas.setFont(fonts.bold, 11)
            text_width = canvas.stringWidth(mark, fonts.bold, 11)
            x, y = width - RIGHT - text_width, height - 11 * mm
            canvas.setStrokeColor(colors.red)
            canvas.setFillColor(colors.red)
            canvas.rect(x - 2 * mm, y - 1.5 * mm, text_width + 4 * mm, 6 * mm, fill=0)
            canvas.drawString(x, y, mark)
            canvas.restoreState()
        if number < 2:
            return
        canvas.saveState()
        canvas.setFont(fonts.regular, BODY_SIZE)
        canvas.drawCentredString(width / 2, height - 12 * mm, str(number))
        canvas.restoreState()

    return draw


def _page_template(
    name: str, frame_id: str, width: float, pagesize: tuple[float, float], on_page: Any
) -> PageTemplate:
    """One page orientation: a single frame inside the Decree 30 margins."""
    frame = Frame(
        LEFT,
        BOTTOM,
        width,
        pagesize[1] - TOP - BOTTOM,
        id=frame_id,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    return PageTemplate(name, [frame], onPage=on_page, pagesize=pagesize)


def a4_document(out: Path, fonts: ReportFonts, *, title: str, author: str, lang: str) -> Any:
    """The A4 document every report is drawn into: the decree's margins, the body font,
    the PDF's title and author, reproducible bytes (``invariant``).

    Also turns off reportlab's check of every attribute set on a graphics shape
    (``rl_config.shapeChecking``, a development aid): the province's map annex sets
    about 50,000 of them (~0.05 s of 0.35 s drawing its PDF, the same bytes out)."""
    from reportlab import rl_config

    rl_config.shapeChecking = 0
    return BaseDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=nfc(title),
        author=nfc(author),
        creator="Coverage Desk",
        lang=lang,
        initialFontName=fonts.regular,
        initialFontSize=BODY_SIZE,
        invariant=1,
    )


def year_report_story(
    report: Any, fonts: ReportFonts, width: float, summary_heading: str, body: list[Any]
) -> list[Any]:
    """A year's report (plan follow-up, coverage holes) in the decree's frame: the
    header, title, subject and summary, then ``body``, then the signature block.
    ``report`` has ``header``, ``lang``, ``subject`` and ``summary``."""
    s = _styles(fonts)
    return [
        HeaderBlock(report, fonts),
        Spacer(1, 8 * mm),
        Paragraph(_p(label("title", report.lang)), s["title"]),
        Paragraph(_p(report.subject), s["subject"]),
        Spacer(1, 6 * mm),
        *_heading(summary_heading, s),
        Paragraph(_p(report.summary), s["body"]),
        *body,
        Spacer(1, 6 * mm),
        KeepTogether([signature_block(report, s, width)]),
    ]


def write_pdf(model: ReportModel, out: Path) -> Path:
    """Draw ``model`` into the PDF file ``out`` and return it."""
    fonts = report_fonts()
    portrait = A4
    land = landscape(A4)
    width = portrait[0] - LEFT - RIGHT
    land_width = land[0] - LEFT - RIGHT
    doc = a4_document(
        out,
        fonts,
        title=f"{model.title} - {model.subject}",
        author=model.header.office_name,
        lang=model.lang,
    )
    mark = nfc(model.draft_mark)
    doc.addPageTemplates(
        [
            _page_template("portrait", "p", width, portrait, _page_number(fonts, mark)),
            _page_template(
                "landscape", "l", land_width, land, _page_number(fonts, mark, annex=True)
            ),
        ]
    )
    doc.build(_story(model, fonts, width, land_width))
    return out
