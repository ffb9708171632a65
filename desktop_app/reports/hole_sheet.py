"""The coverage-hole programme as a workbook: ``coverage-desk holes export`` and ``import``.

One sheet, from row 4, one hole a row: its id (empty for a new hole), the village id,
the village and commune names (for people; not read back), what it lacks (``mobile``,
``4g``, ``broadband``), since which quarter, the planned fix (a site id of the register,
the operator, the target year, the funding source), the status (``open``, ``planned``,
``closed``, ``dropped``), the quarter it was closed in, and notes. Every row is checked
and nothing is written when anything is refused, unless ``partial``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.domain.holes import LACKS, STATUSES, Hole
from desktop_app.domain.periods import Period, PeriodError
from desktop_app.i18n import _
from desktop_app.reports.plan_sheet import PlanSheetError, SheetProblem
from desktop_app.store.repositories.areas import AreaRepository
from desktop_app.store.repositories.holes import HoleRepository
from desktop_app.store.store import Store

SHEET = "Thôn lõm sóng"
FIRST_ROW = 4
COLUMNS = "ABCDEFGHIJKLM"


@dataclass(frozen=True)
class HoleImport:
    """Rows read, holes changed, refused rows, whether anything was written."""

    read: int
    changed: int
    problems: tuple[SheetProblem, ...]
    applied: bool


def write_hole_sheet(store: Store, out: Path) -> Path:
    """Write the programme held to ``out`` (.xlsx), ready to edit and import."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from desktop_app.reports.output import safe_output

    villages = AreaRepository(store).villages()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet["A1"] = _("THE COVERAGE-HOLE PROGRAMME")
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = _(
        "Lacks: mobile, 4g, broadband. Status: open, planned, closed, dropped. "
        "Periods as 2020Q3. Leave the id empty for a new hole."
    )
    heads = [
        _("Id"),
        _("Village id"),
        _("Village"),
        _("Commune"),
        _("Lacks"),
        _("Since"),
        _("Site id"),
        _("Operator"),
        _("Target year"),
        _("Funding"),
        _("Status"),
        _("Closed in"),
        _("Notes"),
    ]
    for col, text in enumerate(heads, start=1):
        sheet.cell(row=3, column=col, value=text).font = Font(bold=True)
    for row, h in enumerate(HoleRepository(store).all(), start=FIRST_ROW):
        name, commune = villages.get(h.village_id, ("", h.commune_id))
        commune_name = store.reference.unit(commune).name if commune else ""
        values = (
            h.id,
            h.village_id,
            name,
            commune_name,
            h.lack,
            h.since,
            h.site_id,
            h.operator,
            h.target_year,
            h.funding,
            h.status,
            h.closed_period,
            h.notes,
        )
        for col, value in enumerate(values, start=1):
            sheet.cell(row=row, column=col, value=value)
    for letter, width in zip(
        COLUMNS, (40, 40, 20, 20, 10, 9, 40, 10, 10, 26, 10, 10, 30), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    with safe_output(Path(out)) as tmp:
        book.save(tmp)
    return Path(out)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _quarter(text: str) -> Period | None:
    try:
        period = Period.parse(text)
    except PeriodError:
        return None
    return period if period.quarter is not None else None


def import_hole_sheet(store: Store, path: Path, *, partial: bool = False) -> HoleImport:
    """Check the workbook at ``path`` and write its holes (see the module's docstring)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise PlanSheetError(path=str(path), detail=_("the file does not exist")) from None
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        raise PlanSheetError(path=str(path), detail=_("not an XLSX workbook")) from None
    try:
        if SHEET not in book.sheetnames:
            raise PlanSheetError(
                path=str(path), detail=_("the sheet {a} is missing").format(a=SHEET)
            )
        rows = list(book[SHEET].iter_rows(min_row=FIRST_ROW, values_only=True))
    finally:
        book.close()
    villages = AreaRepository(store).villages()
    sites = HoleRepository(store).site_names()
    holes: list[Hole] = []
    problems: list[SheetProblem] = []
    read = 0
    for number, row in enumerate(rows, start=FIRST_ROW):
        cells = [_text(c) for c in [*row, *([None] * 13)][:13]]
        if not any(cells):
            continue
        read += 1
        ident, village, _name, _commune, lack, since, site, operator, year = cells[:9]
        funding, status, closed, notes = cells[9:]

        def refuse(column: str, reason: str, number: int = number) -> None:
            problems.append(SheetProblem(number, column, reason, SHEET))

        target: int | None = int(year) if year.isdigit() else None
        if village not in villages:
            refuse("B", _("unknown village {place}").format(place=village))
        elif lack not in LACKS:
            refuse("E", _("lacks must be mobile, 4g or broadband, not {text}").format(text=lack))
        elif _quarter(since) is None:
            refuse("F", _("{text} is not a quarter such as 2020Q3").format(text=since))
        elif site and site not in sites:
            refuse("G", _("no site {site} in the register").format(site=site))
        elif year and (target is None or not 2000 <= target <= 2100):
            refuse("I", _("{text} is not a year").format(text=year))
        elif status not in STATUSES:
            refuse("K", _("unknown status {text}").format(text=status))
        elif (status == "closed") != bool(closed) or (
            closed and (_quarter(closed) is None or closed < since)
        ):
            refuse("L", _("a closed hole needs the quarter it was closed in, not before it began"))
        else:
            holes.append(
                Hole(
                    ident or store.new_id(),
                    villages[village][1],
                    village,
                    lack,
                    since,
                    site or None,
                    operator,
                    target,
                    funding,
                    status,
                    closed or None,
                    notes,
                )
            )
    applied = partial or not problems
    changed = HoleRepository(store).save_many(holes) if applied else 0
    return HoleImport(read, changed, tuple(problems), applied)
