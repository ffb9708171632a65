"""The area classification workbook: the province's decisions and the places each lists.

Two sheets, fixed so that a workbook filled in elsewhere reads back:

* "Quyết định" (decisions), from row 4: number (e.g. ``861/QĐ-TTg``), title, date
  signed, first year in force, last year in force (empty: still in force);
* "Địa bàn" (places), from row 4: decision number, kind of area (a code listed on the
  third sheet), the commune's unit id (a village id for especially difficult
  villages); the name columns are for people and not read back.

``import_area_sheet`` checks everything (unknown decision, kind, commune or village,
years) and publishes nothing when anything is refused unless ``partial``. A decision in
the workbook gets exactly the places listed under it; decisions not in it are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.domain.areas import AREA_KINDS, VILLAGE_KINDS, Decision, area_name
from desktop_app.i18n import _
from desktop_app.reports.plan_sheet import PlanSheetError, SheetProblem, plan_units
from desktop_app.store.repositories.areas import AreaRepository, Member
from desktop_app.store.store import Store

DECISIONS, PLACES, KINDS = "Quyết định", "Địa bàn", "Mã loại"
FIRST_ROW = 4
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class AreaImport:
    """The outcome of an import: rows changed, decisions and places read, problems."""

    changed: int
    decisions: int
    places: int
    problems: tuple[SheetProblem, ...]
    applied: bool


def write_area_sheet(store: Store, out: Path) -> Path:
    """Write the classifications held to ``out`` (.xlsx), ready to edit and import."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from desktop_app.reports.output import safe_output

    areas = AreaRepository(store)
    units = {u.id: u for u in plan_units(store)}
    villages = AreaRepository(store).villages()
    book = Workbook()
    first = book.active
    assert first is not None
    sheets = [first, book.create_sheet(), book.create_sheet()]
    heads = [
        [_("Decision number"), _("Title"), _("Date signed"), _("In force from"), _("In force to")],
        [
            _("Decision number"),
            _("Kind of area (code)"),
            _("Commune or village id"),
            _("Name"),
            _("Of"),
        ],
        [_("Code"), _("Kind of area")],
    ]
    titles = [
        _("AREA CLASSIFICATION DECISIONS"),
        _("PLACES LISTED BY EACH DECISION"),
        _("KINDS OF AREA"),
    ]
    for sheet, name, title, head in zip(
        sheets, (DECISIONS, PLACES, KINDS), titles, heads, strict=True
    ):
        sheet.title = name
        sheet["A1"] = title
        sheet["A1"].font = Font(bold=True, size=13)
        for col, text in enumerate(head, start=1):
            sheet.cell(row=3, column=col, value=text).font = Font(bold=True)
        for letter, width in zip("ABCDE", (18, 60, 24, 30, 30), strict=True):
            sheet.column_dimensions[letter].width = width
    for row, d in enumerate(areas.decisions(), start=FIRST_ROW):
        for col, value in enumerate((d.id, d.title, d.signed, d.valid_from, d.valid_to), start=1):
            sheets[0].cell(row=row, column=col, value=value)
    for row, m in enumerate(areas.members(), start=FIRST_ROW):
        if m.kind in VILLAGE_KINDS:
            name, commune = villages.get(m.place_id, ("", ""))
            of = units[commune].name if commune in units else ""
        else:
            unit = units.get(m.place_id)
            name = unit.name if unit else ""
            parent = units.get(unit.parent_id or "") if unit else None
            of = parent.name if parent else ""
        for col, value in enumerate((m.decision_id, m.kind, m.place_id, name, of), start=1):
            sheets[1].cell(row=row, column=col, value=value)
    for row, kind in enumerate(AREA_KINDS, start=FIRST_ROW):
        sheets[2].cell(row=row, column=1, value=kind)
        sheets[2].cell(row=row, column=2, value=area_name(kind))
    with safe_output(Path(out)) as tmp:
        book.save(tmp)
    return Path(out)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _year(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = _text(value)
    return int(text) if text.isdigit() else None


def read_area_sheet(
    store: Store, path: Path
) -> tuple[list[Decision], list[Member], list[SheetProblem]]:
    """Read and check an area workbook; nothing is written."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise PlanSheetError(path=str(path), detail=_("the file does not exist")) from None
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        raise PlanSheetError(path=str(path), detail=_("not an XLSX workbook")) from None
    try:
        if DECISIONS not in book.sheetnames or PLACES not in book.sheetnames:
            raise PlanSheetError(
                path=str(path),
                detail=_("the sheets {a} and {b} are missing").format(a=DECISIONS, b=PLACES),
            )
        decision_rows = list(book[DECISIONS].iter_rows(min_row=FIRST_ROW, values_only=True))
        place_rows = list(book[PLACES].iter_rows(min_row=FIRST_ROW, values_only=True))
    finally:
        book.close()
    problems: list[SheetProblem] = []
    decisions: list[Decision] = []
    for number, row in enumerate(decision_rows, start=FIRST_ROW):
        cells = [*row, None, None, None, None, None][:5]
        if all(_text(c) == "" for c in cells):
            continue
        ident, title, signed = _text(cells[0]), _text(cells[1]), _text(cells[2])
        start, end = _year(cells[3]), _year(cells[4])

        def refuse(column: str, reason: str, number: int = number) -> None:
            problems.append(SheetProblem(number, column, reason, DECISIONS))

        if not ident:
            refuse("A", _("the decision number is missing"))
            continue
        if start is None or not MIN_YEAR <= start <= MAX_YEAR:
            refuse("D", _("the first year in force must be a year, e.g. 2021"))
            continue
        if _text(cells[4]) and (end is None or end < start or end > MAX_YEAR):
            refuse(
                "E", _("the last year in force must be a year not before {year}").format(year=start)
            )
            continue
        decisions.append(Decision(ident, title, signed, start, end))
    known = {d.id for d in decisions}
    communes = {u.id for u in plan_units(store) if u.level == 3}
    villages = AreaRepository(store).villages()
    members: list[Member] = []
    for number, row in enumerate(place_rows, start=FIRST_ROW):
        cells = [*row, None, None, None][:3]
        if all(_text(c) == "" for c in cells):
            continue
        decision, kind, place = (_text(c) for c in cells)

        def refuse_place(column: str, reason: str, number: int = number) -> None:
            problems.append(SheetProblem(number, column, reason, PLACES))

        if decision not in known:
            refuse_place("A", _("unknown decision {number}").format(number=decision))
        elif kind not in AREA_KINDS:
            refuse_place("B", _("unknown kind of area {kind}").format(kind=kind))
        elif kind in VILLAGE_KINDS and place not in villages:
            refuse_place("C", _("unknown village {place}").format(place=place))
        elif kind not in VILLAGE_KINDS and place not in communes:
            refuse_place("C", _("unknown commune {place}").format(place=place))
        else:
            members.append(Member(decision, kind, place))
    return decisions, members, problems


def import_area_sheet(store: Store, path: Path, *, partial: bool = False) -> AreaImport:
    """Check an area workbook and publish it (see the module's docstring)."""
    decisions, members, problems = read_area_sheet(store, path)
    applied = partial or not problems
    changed = AreaRepository(store).publish(decisions, members) if applied else 0
    return AreaImport(changed, len(decisions), len(members), tuple(problems), applied)
