"""The plan sheet: the province's targets of a year as a workbook to fill in and read back.

``write_plan_sheet`` writes one row per unit of the province (the province, then each
district followed by its communes) and one column per planned indicator, with the
targets already set; ``read_plan_sheet`` checks every filled cell and gives the targets
with the problems found, each with its row, column and reason in the user's language;
``import_plan_sheet`` applies them in one transaction, nothing at all when anything is
refused unless ``partial`` (then the good cells are applied and the refused ones listed).

Layout (fixed, so a sheet filled in by a district reads back): the year in B2, the
indicator codes in row 5 from column D, unit ids in column A from row 6. An empty cell
sets nothing (a target once set is changed, never removed, by a sheet).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.domain.catalogue import DerivedIndicator
from desktop_app.domain.plan import TargetProblem, parse_target, plan_indicators
from desktop_app.domain.units import Unit
from desktop_app.i18n import _
from desktop_app.store.errors import StoreError
from desktop_app.store.repositories.targets import TargetWrite
from desktop_app.store.store import Store

YEAR_CELL = "B2"
CODE_ROW = 5
FIRST_ROW = 6
FIRST_COLUMN = 4  # D
MIN_YEAR, MAX_YEAR = 2000, 2100


class PlanSheetError(StoreError):
    """The file cannot be read as a plan sheet at all."""

    def template(self) -> str:
        return _("{path} is not a plan sheet: {detail}")


@dataclass(frozen=True)
class SheetProblem:
    """One refused cell or row of a plan sheet."""

    row: int
    column: str
    reason: str
    sheet: str = ""

    def line(self) -> str:
        """The problem as one line for the user."""
        if self.sheet:
            return _("Sheet {sheet}, row {row}, column {column}: {reason}").format(
                sheet=self.sheet, row=self.row, column=self.column, reason=self.reason
            )
        if self.column:
            return _("Row {row}, column {column}: {reason}").format(
                row=self.row, column=self.column, reason=self.reason
            )
        return _("Row {row}: {reason}").format(row=self.row, reason=self.reason)


@dataclass
class PlanSheet:
    """What a plan sheet holds: its year, the targets read and the problems found."""

    year: int
    writes: list[TargetWrite] = field(default_factory=list)
    problems: list[SheetProblem] = field(default_factory=list)


@dataclass(frozen=True)
class PlanImport:
    """The outcome of an import: targets changed, targets read, problems (refused cells)."""

    year: int
    changed: int
    read: int
    problems: tuple[SheetProblem, ...]
    applied: bool


def province_of(store: Store) -> Unit:
    """The province the office belongs to."""
    unit = store.reference.unit(store.node.office_id)
    while unit.parent_id is not None:
        unit = store.reference.unit(unit.parent_id)
    return unit


def plan_units(store: Store) -> list[Unit]:
    """The units a plan sets targets for: the province, each district and its communes,
    each once, in code order under its parent.

    In the 2025 structure the province's children are the communes themselves, and
    ``communes_under`` of a commune is that commune: appending both listed each of
    Sơn La's 75 communes twice (151 rows for 76 units). Kept unique by id, first
    place wins, so no path to a unit can list it again."""
    province = province_of(store)
    out: dict[str, Unit] = {province.id: province}
    for child in store.reference.children(province.id):
        out.setdefault(child.id, child)
        for commune in store.reference.communes_under(child.id):
            out.setdefault(commune.id, commune)
    return list(out.values())


def indicator_heading(indicator: DerivedIndicator, lang: str = "vi") -> str:
    """An indicator's column heading: its name (Vietnamese in the sheet) with its unit."""
    return f"{indicator.name_vi if lang == 'vi' else indicator.name_en} ({indicator.unit})"


def write_plan_sheet(store: Store, year: int, out: Path) -> Path:
    """Write the plan sheet of ``year`` (targets already set filled in) to ``out``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from desktop_app.reports.output import safe_output

    indicators = plan_indicators(store.catalogue)
    targets = store.targets.for_year(year)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"Kế hoạch {year}"
    sheet["A1"] = _("PLAN TARGETS FOR {year}").format(year=year)
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = _("Year")
    sheet[YEAR_CELL] = year
    sheet["A3"] = _(
        "Leave a cell empty to set no target. Ratios (%) from 0 to 100; "
        "do not change rows 2 and 5 or column A."
    )
    sheet["A3"].font = Font(italic=True)
    heads = [_("Unit id"), _("Unit"), _("Level")] + [indicator_heading(d) for d in indicators]
    grey = PatternFill("solid", fgColor="EEEEEE")
    for col, text in enumerate(heads, start=1):
        cell = sheet.cell(row=4, column=col, value=text)
        cell.font = Font(bold=True)
        cell.fill = grey
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    codes = ["unit_id", "", ""] + [d.code for d in indicators]
    for col, code in enumerate(codes, start=1):
        sheet.cell(row=CODE_ROW, column=col, value=code).font = Font(italic=True, color="666666")
    levels = {1: _("province"), 2: _("district"), 3: _("commune")}
    for row, unit in enumerate(plan_units(store), start=FIRST_ROW):
        sheet.cell(row=row, column=1, value=unit.id)
        name = sheet.cell(row=row, column=2, value=unit.name)
        if unit.level < 3:
            name.font = Font(bold=True)
        sheet.cell(row=row, column=3, value=levels[unit.level])
        for col, d in enumerate(indicators, start=FIRST_COLUMN):
            value = targets.get((unit.id, d.code))
            if value is not None:
                sheet.cell(row=row, column=col, value=value)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 10
    for col in range(FIRST_COLUMN, FIRST_COLUMN + len(indicators)):
        sheet.column_dimensions[get_column_letter(col)].width = 16
    sheet.row_dimensions[4].height = 75
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=FIRST_COLUMN)
    with safe_output(Path(out)) as tmp:
        book.save(tmp)
    return Path(out)


def problem_text(problem: TargetProblem, indicator: DerivedIndicator) -> str:
    if problem.problem == "not_a_number":
        return _("“{text}” is not a number").format(text=problem.text)
    if problem.problem == "negative":
        return _("a target cannot be negative ({text})").format(text=problem.text)
    if problem.problem == "ratio_range":
        return _("a ratio must be between 0 and 100 ({text})").format(text=problem.text)
    if problem.problem == "whole":
        return _("{name} is counted in whole numbers ({text})").format(
            name=indicator.name_vi, text=problem.text
        )
    return _("{name} is not planned for a commune").format(name=indicator.name_vi)


def read_plan_sheet(store: Store, path: Path) -> PlanSheet:
    """Read and check a plan sheet; nothing is written."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise PlanSheetError(path=str(path), detail=_("the file does not exist")) from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise PlanSheetError(path=str(path), detail=_("not an XLSX workbook")) from None
    try:
        sheet = book.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    year_value = rows[1][1] if len(rows) > 1 and len(rows[1]) > 1 else None
    if not isinstance(year_value, int) or not MIN_YEAR <= year_value <= MAX_YEAR:
        raise PlanSheetError(path=str(path), detail=_("cell B2 must hold the plan's year"))
    result = PlanSheet(year_value)
    catalogue = store.catalogue.derived
    planned = {d.code for d in plan_indicators(store.catalogue)}
    codes = rows[CODE_ROW - 1] if len(rows) >= CODE_ROW else []
    columns: dict[int, DerivedIndicator] = {}
    for i, raw in enumerate(codes[FIRST_COLUMN - 1 :], start=FIRST_COLUMN - 1):
        if raw is None or str(raw).strip() == "":
            continue
        code = str(raw).strip()
        if code not in catalogue or code not in planned:
            result.problems.append(
                SheetProblem(
                    CODE_ROW,
                    get_column_letter(i + 1),
                    _("unknown indicator {code}").format(code=code),
                )
            )
            continue
        columns[i] = catalogue[code]
    units = {u.id: u for u in plan_units(store)}
    for number, row in enumerate(rows[FIRST_ROW - 1 :], start=FIRST_ROW):
        filled = {i: v for i, v in columns_of(row, columns) if v is not None and v != ""}
        raw_unit = row[0] if row else None
        if raw_unit is None or str(raw_unit).strip() == "":
            if filled:
                result.problems.append(SheetProblem(number, "A", _("the unit id is missing")))
            continue
        unit = units.get(str(raw_unit).strip())
        if unit is None:
            result.problems.append(
                SheetProblem(
                    number, "A", _("unknown unit {unit}").format(unit=str(raw_unit).strip())
                )
            )
            continue
        for i, value in filled.items():
            indicator = columns[i]
            try:
                target = parse_target(value, indicator, unit.level)
            except TargetProblem as problem:
                result.problems.append(
                    SheetProblem(number, get_column_letter(i + 1), problem_text(problem, indicator))
                )
                continue
            result.writes.append(TargetWrite(unit.id, result.year, indicator.code, target))
    return result


def columns_of(row: list[object], columns: dict[int, DerivedIndicator]) -> list[tuple[int, object]]:
    """The cells of ``row`` under a known indicator column, as (index, value)."""
    return [(i, row[i] if i < len(row) else None) for i in columns]


def import_plan_sheet(store: Store, path: Path, *, partial: bool = False) -> PlanImport:
    """Check a plan sheet and apply its targets (see the module's docstring)."""
    sheet = read_plan_sheet(store, path)
    applied = partial or not sheet.problems
    changed = store.targets.set_many(sheet.writes) if applied else 0
    return PlanImport(sheet.year, changed, len(sheet.writes), tuple(sheet.problems), applied)
