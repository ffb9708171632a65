"""A report as a workbook (openpyxl) or a CSV table (UTF-8 with BOM, for Excel).

The workbook holds real numbers (ratios with one decimal shown, full precision kept),
header rows, frozen panes, column widths and an A4 print set-up; sheets: the
indicator table, villages without signal, completeness, the main indicators by area
(district and province, with the area decisions), and the annex by commune or
district (with the annex's title and the lines the PDF prints with it). The CSV is the
indicator table with its codes, numbers as printed in the
PDF but written with a decimal point. Both carry, under the indicator table, the PDF's
page-1 notices and its (*) footnote of "Kỳ trước" (:func:`table_notes`).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop_app.reports.area_section import DECIMALS
from desktop_app.reports.fonts import nfc
from desktop_app.reports.lineage import lineage_lines
from desktop_app.reports.model import ReportModel, TableRow, attached_line
from desktop_app.reports.texts import Lang, Number, label, rounded

_SHEETS = {
    "indicators": ("Chỉ tiêu", "Indicators"),
    "holes": ("Thôn lõm sóng", "Villages without signal"),
    "complete": ("Gửi số liệu", "Submission"),
    "areas": ("Theo địa bàn", "By area"),
    "annex": ("Phụ lục", "Annex"),
}
_EXTRA = {"code": ("Mã chỉ tiêu", "Indicator code"), "cell": ("Phân tổ", "Cell")}


def _sheet(key: str, lang: Lang) -> str:
    vi, en = _SHEETS[key]
    return vi if lang == "vi" else en


def _number(value: Number | None) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    return float(value)


def _tt(number: str) -> int | str:
    """The "TT" column: a number where it is one ("12"), text for "12.1"."""
    return int(number) if number.isdigit() else number


def _format(decimals: int) -> str:
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals


def table_columns(lang: Lang, marked: bool = False) -> list[str]:
    """Column titles of the indicator table in the workbook and the CSV; ``marked``:
    "Kỳ trước (*)", for the footnote under the table (``ReportModel.previous_note``)."""
    cols = ["col_no", "col_indicator", "col_unit", "col_previous", "col_current", "col_target"]
    extra = [v[0] if lang == "vi" else v[1] for v in _EXTRA.values()]
    heads = [label(c, lang) for c in cols] + extra
    if marked:
        heads[3] += " (*)"
    return heads


def table_notes(model: ReportModel) -> list[str]:
    """The sentences under the indicator table of the workbook and the CSV: what the PDF
    says on page 1 (data left out, provisional data, an office holding only part of the
    area) and its (*) footnote on "Kỳ trước" (which communes the two periods differ by).
    Without them a workbook's previous column read as like for like when it was not."""
    return [*model.notices, *([model.previous_note] if model.previous_note else [])]


def write_xlsx(model: ReportModel, out: Path) -> Path:
    """Write the workbook of ``model`` to ``out``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    lang = model.lang
    wb = Workbook()
    bold = Font(name="Times New Roman", bold=True, size=12)
    plain = Font(name="Times New Roman", size=12)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fill = PatternFill("solid", fgColor="EEEEEE")
    wrap = Alignment(wrap_text=True, vertical="top")

    def setup(
        ws: Worksheet,
        title: str,
        columns: list[str],
        widths: Sequence[float],
        landscape: bool = False,
    ) -> None:
        ws.title = title[:31]
        ws["A1"] = nfc(model.aggregate.unit.name)
        ws["A1"].font = bold
        ws["A2"] = nfc(f"{model.title}: {model.subject}")
        ws["A2"].font = bold
        ws["A3"] = nfc(model.header.date_line)
        ws["A3"].font = Font(name="Times New Roman", italic=True, size=12)
        for i, (name, width) in enumerate(zip(columns, widths, strict=True), start=1):
            cell = ws.cell(row=4, column=i, value=nfc(name))
            cell.font, cell.fill, cell.border = bold, fill, border
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "C5" if len(columns) > 2 else "A5"
        ws.print_title_rows = "4:4"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins.left, ws.page_margins.right = 30 / 25.4, 15 / 25.4
        ws.page_margins.top = ws.page_margins.bottom = 20 / 25.4

    dash = Alignment(horizontal="right", vertical="top")

    def put(ws: Worksheet, row: int, values: list[Any], formats: list[str | None]) -> None:
        for i, (value, fmt) in enumerate(zip(values, formats, strict=True), start=1):
            if value is None and fmt:
                value = "—"  # no data: not a zero, and not a blank that reads as one
            cell = ws.cell(row=row, column=i, value=nfc(value) if isinstance(value, str) else value)
            cell.font, cell.border, cell.alignment = plain, border, wrap
            if value == "—":
                cell.alignment = dash
            elif fmt:
                cell.number_format = fmt

    ws = wb.active
    assert ws is not None
    marked = bool(model.previous_note)
    setup(
        ws, _sheet("indicators", lang), table_columns(lang, marked), [6, 55, 12, 13, 13, 13, 18, 16]
    )
    r = 5
    for row in model.rows:
        if row.heading:
            put(
                ws,
                r,
                [_tt(row.number), row.label, "", None, None, None, row.code, row.cell],
                [None] * 8,
            )
            for c in range(1, 9):
                ws.cell(row=r, column=c).font = bold
        else:
            fmt = _format(row.decimals)
            put(
                ws,
                r,
                [
                    _tt(row.number),
                    row.label,
                    row.unit,
                    _number(row.previous),
                    _number(row.current),
                    _number(row.target),
                    row.code,
                    row.cell,
                ],
                [None, None, None, fmt, fmt, fmt, None, None],
            )
        r += 1
    for text in lineage_lines(model.aggregate, lang):
        ws.cell(row=r + 1, column=2, value=nfc(text)).font = plain
        r += 1
    r += 1
    for text in table_notes(model):
        ws.cell(row=r, column=2, value=nfc(text)).font = plain
        r += 1

    ws = wb.create_sheet()
    setup(
        ws,
        _sheet("holes", lang),
        [
            label("col_no", lang),
            label("col_commune", lang),
            label("village_unit", lang).capitalize(),
        ],
        [6, 35, 40],
    )
    r = 5
    for w in model.aggregate.without_signal:
        for v in w.villages:
            put(ws, r, [r - 4, w.commune.name, v], [None] * 3)
            r += 1
    # what the PDF says with the list: whom it covers (the held communes, the villages
    # that answered), or, with no village to list, why ("no data", or none of those
    # that answered): an empty sheet read as "every village has signal"
    said = [model.holes_note] if model.holes_note else []
    if not model.aggregate.without_signal:
        said += list(model.holes)
    for text in said:
        r += 1
        ws.cell(row=r, column=2, value=nfc(text)).font = plain

    ws = wb.create_sheet()
    cols = list(model.completeness_columns)
    # per commune, the last column holds the notes (return reasons): wide and wrapped
    widths = [6.0, 35.0, 22.0, 70.0] if len(cols) == 4 else [6.0, 35.0] + [16.0] * (len(cols) - 2)
    setup(ws, _sheet("complete", lang), cols, widths)
    r = 4
    for r, crow in enumerate(model.completeness_rows, start=5):
        values: list[Any] = [int(crow[0]), crow[1]]
        values += [int(v) if v.isdigit() and len(cols) > 4 else v for v in crow[2:]]
        put(ws, r, values, [None] * len(values))
    # the PDF's sentence over the table: how many sent, in which states, of which communes
    ws.cell(row=r + 2, column=2, value=nfc(model.completeness_text)).font = plain

    areas = model.areas
    if areas is not None:
        # the PDF's "by area" section: its table as numbers, and the decisions under it
        ws = wb.create_sheet()
        cols = list(areas.columns) or [areas.heading]
        setup(ws, _sheet("areas", lang), cols, [24.0] + [14.0] * (len(cols) - 1))
        ws["A2"] = nfc(areas.heading)
        r = 4
        for r, figures in enumerate(areas.figures, start=5):
            formats: list[str | None] = [None] + [_format(d) for d in DECIMALS]
            if isinstance(figures[1], str):  # a group without a commune: its sentence only
                formats = [None] * len(figures)
            put(ws, r, list(figures), formats)
        r += 1
        for text in areas.notes:
            r += 1
            ws.cell(row=r, column=1, value=nfc(text)).font = plain

    if model.annex_rows:
        ws = wb.create_sheet()
        cols = list(model.annex_columns)
        setup(ws, _sheet("annex", lang), cols, [6, 30] + [16] * (len(cols) - 2), True)
        # the annex's own title and "(Kèm theo Báo cáo số …)", as the PDF's annex page
        ws["A2"] = nfc(f"{label('annex', lang)}: {model.annex_title}")
        ws["A3"] = nfc(attached_line(model))
        r = 4
        for r, arow in enumerate(model.annex_rows, start=5):
            formats = [None, None] + [_format(d) for d in model.annex_decimals[2:]]
            # "TT" of a group row of the annex by area is a Roman numeral ("I")
            values = [_tt(str(arow[0])), arow[1]]
            values += [v if isinstance(v, str) else _number(v) for v in arow[2:]]
            put(ws, r, values, formats)
        # the lines the PDF prints with the annex: the communes or districts it leaves out,
        # the decisions the annex by area groups by, and the note under the annex
        r += 1
        notes = (model.annex_scope, *model.annex_notes, model.annex_note)
        for text in (t for t in notes if t):
            r += 1
            ws.cell(row=r, column=2, value=nfc(text)).font = plain
    wb.properties.title = nfc(model.subject)
    wb.properties.creator = "Coverage Desk"
    wb.save(out)
    return out


def _csv_number(value: Number | None, decimals: int) -> str:
    if value is None:
        return ""
    text = format(rounded(value, decimals), "f")
    return text if decimals else str(int(Decimal(text)))


#: Field separators of the CSV: "," (decimal point) or ";" (decimal comma, what a
#: Vietnamese-locale Excel opens into columns and numbers).
CSV_SEPARATORS = (",", ";")


def csv_rows(model: ReportModel, sep: str = ",") -> list[list[str]]:
    """The rows of the CSV (header first): the indicator table without heading rows, then
    one row per note (:func:`table_notes`, the text in the "Chỉ tiêu" column; the (*)
    footnote marked "(*)" in "TT"), as wide as the table. The column titles stay as they
    are (no "(*)" on "Kỳ trước"): a program reads the CSV by them."""
    out = [table_columns(model.lang)]
    for row in model.rows:
        if row.heading:
            continue
        out.append(_csv_row(row, "," if sep == ";" else "."))
    width = len(out[0])
    for text in table_notes(model):
        mark = "(*)" if text == model.previous_note else ""
        body = text.removeprefix("(*)").strip() if mark else text
        out.append([mark, body] + [""] * (width - 2))
    return [[nfc(v) for v in r] for r in out]


def _csv_row(row: TableRow, point: str = ".") -> list[str]:
    def number(value: Number | None) -> str:
        return _csv_number(value, row.decimals).replace(".", point)

    return [
        row.number,
        row.label,
        row.unit,
        number(row.previous),
        number(row.current),
        number(row.target),
        row.code,
        row.cell,
    ]


def write_csv(model: ReportModel, out: Path, sep: str = ",") -> Path:
    """Write the indicator table of ``model`` as CSV (UTF-8 with BOM) to ``out``;
    ``sep=";"`` writes decimal commas."""
    if sep not in CSV_SEPARATORS:
        raise ValueError(f"CSV separator must be one of {CSV_SEPARATORS}, not {sep!r}")
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=sep).writerows(csv_rows(model, sep))
    return out
