"""The data-entry workbook a clerk fills in Excel: ``coverage-desk template``.

One sheet of villages × village indicators, one of communes × commune indicators
(every disaggregation cell a column), current values filled in, Excel's input
validation on each column (whole numbers, numbers, choice lists), the header rows
and the name columns locked (sheet protection without a password: it guards against
slips, not people), the codes hidden. See :mod:`desktop_app.imports.layout`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop_app.domain import values as typed
from desktop_app.domain.catalogue import Catalogue, Indicator, Lang
from desktop_app.domain.periods import Period
from desktop_app.i18n import _
from desktop_app.imports import layout
from desktop_app.imports.files import check_writable
from desktop_app.store.repositories.villages import Village
from desktop_app.store.store import Store


@dataclass(frozen=True)
class Column:
    """One cell column of a data sheet."""

    indicator: Indicator
    disagg: str


@dataclass(frozen=True)
class TemplateInfo:
    """What a written template holds."""

    path: Path
    communes: int
    villages: int
    cells: int


def columns_for(catalogue: Catalogue, period: Period, level: str) -> list[Column]:
    """The cell columns of ``level`` for ``period`` (a year shows only yearly indicators)."""
    found = catalogue.village_indicators() if level == "village" else catalogue.commune_indicators()
    out: list[Column] = []
    for ind in found:
        if period.kind == "annual" and ind.frequency != "annual":
            continue
        out.extend(Column(ind, key) for key in catalogue.disaggregation_keys(ind.code))
    return out


def storage_period(indicator: Indicator, period: Period) -> str:
    """The period code a cell of ``indicator`` is stored under in ``period``'s view."""
    return str(period.year) if indicator.frequency == "annual" else period.code


def cell_value(catalogue: Catalogue, indicator: Indicator, text: str | None, lang: Lang) -> Any:
    """What a stored canonical value looks like in the workbook (numbers stay numbers)."""
    if text is None:
        return None
    value = typed.decode(indicator, text)
    language = lang
    if indicator.kind == "integer":
        return value
    if indicator.kind == "decimal":
        assert isinstance(value, int | Decimal)
        return int(value) if value == int(value) else float(value)
    if indicator.kind == "boolean":
        return _("Yes") if value else _("No")
    if indicator.kind == "choice":
        return catalogue.choice_label(indicator, str(value), language)
    assert isinstance(value, frozenset)
    if not value:
        return layout.EMPTY_SET
    return ", ".join(
        catalogue.choice_label(indicator, c, language) for c in indicator.choices if c in value
    )


def _label(catalogue: Catalogue, column: Column, lang: Lang) -> str:
    language = lang
    parts = []
    if column.disagg:
        parts.append(catalogue.disaggregation_label(column.indicator.code, column.disagg, language))
    unit = column.indicator.unit_vi if language == "vi" else column.indicator.unit_en
    if unit:
        parts.append(f"({unit})")
    return " ".join(parts)


def _validation(catalogue: Catalogue, indicator: Indicator, lang: Lang) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    language = lang
    name = indicator.name(language)
    if indicator.kind == "integer":
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        dv.error = _("Enter a whole number, 0 or more.")
    elif indicator.kind == "decimal":
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        dv.error = _("Enter a number, 0 or more.")
    elif indicator.kind in ("boolean", "choice"):
        if indicator.kind == "boolean":
            labels = [_("Yes"), _("No")]
        else:
            labels = [catalogue.choice_label(indicator, c, language) for c in indicator.choices]
        dv = DataValidation(type="list", formula1='"' + ",".join(labels) + '"')
        dv.error = _("Choose one of: {choices}").format(choices=", ".join(labels))
    else:
        labels = [catalogue.choice_label(indicator, c, language) for c in indicator.choices]
        dv = DataValidation(allow_blank=True)
        dv.prompt = _("Several of {choices}, separated by commas; «-» for none.").format(
            choices=", ".join(labels)
        )
        dv.showInputMessage = True
        return dv
    dv.allow_blank = True
    dv.errorTitle = name[:32]
    dv.showErrorMessage = True
    return dv


def write_template(store: Store, unit_id: str, period: Period, out: Path) -> TemplateInfo:
    """Write the data-entry workbook of ``unit_id`` (a commune, or every commune under
    a district or province) for ``period`` to ``out``; returns what it holds."""
    from openpyxl import Workbook

    from desktop_app.reports.output import safe_output

    out = Path(out)
    check_writable(out)
    lang = layout.language()
    catalogue = store.catalogue
    communes = store.reference.communes_under(unit_id)
    villages: list[tuple[str, Village]] = []
    for commune in communes:
        villages.extend((commune.name, v) for v in store.villages.for_commune(commune.id))
    stored: dict[tuple[str, str, str], str] = {}
    for commune in communes:
        for code in {period.code, str(period.year)}:
            for cell in store.values.commune_values(commune.id, code):
                if cell.value is not None:
                    stored[(cell.org_id, cell.indicator, cell.disagg)] = cell.value

    wb = Workbook()
    village_ws = wb.active
    village_ws.title = _("Villages")
    commune_ws = wb.create_sheet(_("Commune"))
    originals: dict[str, dict[str, str]] = {}
    village_rows: list[tuple[str, tuple[str, ...]]] = [
        (v.id, (commune_name, v.name)) for commune_name, v in villages
    ]
    commune_rows: list[tuple[str, tuple[str, ...]]] = [(c.id, (c.name,)) for c in communes]
    cells = 0
    for ws, level, rows, first in (
        (village_ws, "village", village_rows, layout.VILLAGE_FIRST_CELL_COLUMN),
        (commune_ws, "commune", commune_rows, layout.COMMUNE_FIRST_CELL_COLUMN),
    ):
        columns = columns_for(catalogue, period, level)
        cells += _fill_sheet(ws, catalogue, level, columns, rows, first, stored, originals, lang)
    meta = wb.create_sheet(layout.META_SHEET)
    for key, value in (
        (layout.KEY_FORMAT, layout.FORMAT),
        (layout.KEY_PERIOD, period.code),
        (layout.KEY_COMMUNES, " ".join(c.id for c in communes)),
        (layout.KEY_OFFICE, store.node.office_id),
        (layout.KEY_VILLAGE_SHEET, village_ws.title),
        (layout.KEY_COMMUNE_SHEET, commune_ws.title),
        (layout.KEY_CATALOGUE, store.reference.meta("catalogue_version") or ""),
    ):
        meta.append([key, value])
    meta.append([layout.ORIGINALS_MARK])
    for org_id, cells_of_org in originals.items():
        meta.append([org_id, json.dumps(cells_of_org, ensure_ascii=False, separators=(",", ":"))])
    meta.sheet_state = "veryHidden"
    with safe_output(out) as tmp:
        wb.save(tmp)
    return TemplateInfo(out, len(communes), len(villages), cells)


def _fill_sheet(
    ws: Any,
    catalogue: Catalogue,
    level: str,
    columns: list[Column],
    rows: list[tuple[str, tuple[str, ...]]],
    first: int,
    stored: dict[tuple[str, str, str], str],
    originals: dict[str, dict[str, str]],
    lang: Lang,
) -> int:
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter

    language = lang
    names = [_("Commune"), _("Village")] if level == "village" else [_("Commune")]
    header = ["id", *names]
    ws.append(
        [
            "id",
            *([""] * len(names)),
            *(layout.cell_code(c.indicator.code, c.disagg) for c in columns),
        ]
    )
    ws.append([header[0], *names, *(c.indicator.name(language) for c in columns)])
    ws.append(["", *([""] * len(names)), *(_label(catalogue, c, lang) for c in columns)])
    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="DDE4EE")
    for row in ws.iter_rows(min_row=layout.NAME_ROW, max_row=layout.LABEL_ROW):
        for cell in row:
            cell.font = bold
            cell.fill = grey
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    unlocked = Protection(locked=False)
    count = 0
    for org_id, labels in rows:
        line: list[Any] = [org_id, *labels]
        for column in columns:
            text = stored.get((org_id, column.indicator.code, column.disagg))
            line.append(cell_value(catalogue, column.indicator, text, lang))
            if text is not None:
                code = layout.cell_code(column.indicator.code, column.disagg)
                originals.setdefault(org_id, {})[code] = text
        ws.append(line)
    last = layout.FIRST_DATA_ROW + len(rows) - 1
    for index, column in enumerate(columns):
        number = first + index
        letter = get_column_letter(number)
        ws.column_dimensions[letter].width = 16
        if rows:
            for (cell,) in ws.iter_rows(
                min_row=layout.FIRST_DATA_ROW,
                max_row=last,
                min_col=first + index,
                max_col=first + index,
            ):
                cell.protection = unlocked
                if column.indicator.kind == "integer":
                    cell.number_format = "0"
            dv = _validation(catalogue, column.indicator, lang)
            dv.add(f"{letter}{layout.FIRST_DATA_ROW}:{letter}{last}")
            ws.add_data_validation(dv)
        count += len(rows)
    ws.row_dimensions[layout.CODE_ROW].hidden = True
    ws.row_dimensions[layout.NAME_ROW].height = 60
    ws.column_dimensions["A"].hidden = True
    for index in range(len(names)):
        ws.column_dimensions[get_column_letter(2 + index)].width = 24
    ws.freeze_panes = ws.cell(row=layout.FIRST_DATA_ROW, column=first)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.sort = False
    ws.protection.autoFilter = False
    return count
