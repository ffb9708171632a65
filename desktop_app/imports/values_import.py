"""``coverage-desk import values``: a filled template back into the store.

:func:`plan_values_import` reads the workbook and runs every check typing runs
(parse, rules, scope, approval lock) without writing: the result says which cells
change, which are unchanged and which are refused (sheet, cell, reason).
:meth:`ValuesPlan.apply` then writes the changes in ONE transaction through
``store.values.set_many`` (which checks shape, scope and lock again), after an
automatic backup; with any refusal nothing is written unless ``partial``.

A cell the clerk left as the template showed it is not an edit: it is neither
applied nor counted as a change, so a template filled over a week never
overwrites a value that arrived in the database meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.domain import values as typed
from desktop_app.domain.catalogue import Catalogue, Indicator, Lang
from desktop_app.domain.periods import Period, PeriodError
from desktop_app.domain.rules import Violation, evaluate
from desktop_app.i18n import _
from desktop_app.imports import layout
from desktop_app.imports.cells import CellError, read_cell
from desktop_app.imports.errors import CellsRefusedError, ImportFileError, WrongWorkbookError
from desktop_app.imports.files import check_xlsx
from desktop_app.imports.legacy import Decoder
from desktop_app.imports.template import cell_value, storage_period
from desktop_app.store.errors import LockedPeriodError, StoreError
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from desktop_app.store.validation import _quarters_with_data, known_lookup, rules_of

Org = tuple[str, str, str | None]  # (org id, commune id, village id or None)
_UNSEEN = object()


@dataclass(frozen=True)
class Refusal:
    """A cell that was not taken, with where it is and why."""

    sheet: str
    coordinate: str
    place: str
    reason: str

    def line(self) -> str:
        """One line for the user: sheet, cell, village and indicator, reason."""
        return _("Sheet «{sheet}», cell {cell} ({place}): {reason}").format(
            sheet=self.sheet, cell=self.coordinate, place=self.place, reason=self.reason
        )


@dataclass(frozen=True)
class CellChange:
    """A cell whose value the import changes."""

    sheet: str
    coordinate: str
    place: str
    old_text: str | None
    write: ValueWrite
    indicator: Indicator


@dataclass
class ValuesPlan:
    """What importing a workbook would do; nothing is written until :meth:`apply`."""

    path: Path
    period: Period
    communes: list[str]
    on_behalf: bool = False
    changes: list[CellChange] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    def apply(self, store: Store, *, partial: bool = False, backup: bool = True) -> int:
        """Write the changes in one transaction; return how many cells were written.

        Raises :class:`CellsRefusedError` (nothing written) when a cell was refused
        and ``partial`` is false.
        """
        if self.refusals and not partial:
            raise CellsRefusedError(count=len(self.refusals))
        if not self.changes:
            return 0
        if backup and store.path is not None:
            from desktop_app.store.backup import auto_backup

            auto_backup(store.path, reason="before-import")
        return store.values.set_many((c.write for c in self.changes), on_behalf=self.on_behalf)


@dataclass
class Candidate:
    """A cell read from a file, before the store's checks: where it is and its value."""

    sheet: str
    coordinate: str
    place: str
    org: Org
    indicator: Indicator
    disagg: str
    value: typed.Value | None
    text: str | None


def _meta(wb: Any, path: Path) -> tuple[dict[str, str], dict[tuple[str, str, str], str]]:
    if layout.META_SHEET not in wb.sheetnames:
        raise WrongWorkbookError(
            path=str(path),
            detail=_("it is not a Coverage Desk template (write one with «Export Excel template»)"),
        )
    keys: dict[str, str] = {}
    originals: dict[tuple[str, str, str], str] = {}
    in_originals = False
    for row in wb[layout.META_SHEET].iter_rows(values_only=True, max_col=2):
        cells = ["" if v is None else str(v) for v in row[:2]] + ["", ""]
        if in_originals:
            try:
                doc = json.loads(cells[1]) if cells[0] else {}
            except ValueError:
                doc = {}
            if isinstance(doc, dict):
                for code, text in doc.items():
                    indicator, disagg = layout.split_code(str(code))
                    originals[(cells[0], indicator, disagg)] = str(text)
        elif cells[0] == layout.ORIGINALS_MARK:
            in_originals = True
        elif cells[0]:
            keys[cells[0]] = cells[1]
    if keys.get(layout.KEY_FORMAT) != layout.FORMAT:
        raise WrongWorkbookError(
            path=str(path),
            detail=_("it was written in another template format ({found})").format(
                found=keys.get(layout.KEY_FORMAT, "?")
            ),
        )
    return keys, originals


def check_office(store: Store, path: Path, commune_id: str) -> bool:
    """Whether this office writes ``commune_id``'s data: True on the commune's behalf
    (the province), False as its own office; :class:`WrongWorkbookError` otherwise."""
    office = store.node.office_id
    try:
        name = store.reference.unit(commune_id).name
    except StoreError:
        raise WrongWorkbookError(
            path=str(path),
            detail=_("it is the data of a commune this database does not hold ({unit})").format(
                unit=commune_id
            ),
        ) from None
    if commune_id == office:
        return False
    if store.values.is_province_of(office, commune_id):
        return True
    office_name = store.reference.unit(office).name
    raise WrongWorkbookError(
        path=str(path),
        detail=_("it is the data of {unit}; this database is the office of {office}").format(
            unit=name, office=office_name
        ),
    )


def _check_target(
    store: Store, path: Path, keys: dict[str, str], expected_period: Period | None
) -> tuple[Period, list[str], bool]:
    try:
        period = Period.parse(keys.get(layout.KEY_PERIOD, ""))
    except PeriodError:
        raise WrongWorkbookError(path=str(path), detail=_("its period cannot be read")) from None
    if expected_period is not None and period != expected_period:
        raise WrongWorkbookError(
            path=str(path),
            detail=_("it is the template of period {found}, not of {expected}").format(
                found=period.code, expected=expected_period.code
            ),
        )
    communes = keys.get(layout.KEY_COMMUNES, "").split()
    behalf = [check_office(store, path, commune_id) for commune_id in communes]
    return period, communes, any(behalf)


def plan_values_import(
    store: Store, path: Path, *, expected_period: Period | None = None
) -> ValuesPlan:
    """Read a filled template and check every cell; nothing is written.

    Raises :class:`ImportFileError` or :class:`WrongWorkbookError` when the file is
    not a template this office can import (another commune's, another period's when
    ``expected_period`` is given, a sheet renamed, not a workbook at all).
    """
    from openpyxl import load_workbook

    path = Path(path)
    check_xlsx(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise ImportFileError(
            path=str(path), detail=_("the workbook is damaged and cannot be read")
        ) from None
    try:
        keys, originals = _meta(wb, path)
        period, communes, on_behalf = _check_target(store, path, keys, expected_period)
        plan = ValuesPlan(path, period, communes, on_behalf)
        sheets = (
            (keys.get(layout.KEY_VILLAGE_SHEET, ""), "village", layout.VILLAGE_FIRST_CELL_COLUMN),
            (keys.get(layout.KEY_COMMUNE_SHEET, ""), "commune", layout.COMMUNE_FIRST_CELL_COLUMN),
        )
        for name, _level, _first in sheets:
            if name not in wb.sheetnames:
                raise WrongWorkbookError(
                    path=str(path),
                    detail=_("the sheet «{sheet}» is missing (renamed or deleted?)").format(
                        sheet=name
                    ),
                )
        tables = {name: list(wb[name].iter_rows(values_only=True)) for name, _l, _f in sheets}
    finally:
        wb.close()
    decoder = Decoder.for_texts(
        value
        for (name, _level, first) in sheets
        for row in tables[name][layout.FIRST_DATA_ROW - 1 :]
        for value in row[first - 1 :]
        if isinstance(value, str)
    )
    candidates: list[Candidate] = []
    for name, level, first in sheets:
        candidates.extend(
            _read_sheet(store, plan, tables[name], name, level, first, originals, decoder)
        )
    note = decoder.note()
    if note:
        plan.notes.append(note)
    check_and_compare(store, plan, candidates)
    return plan


def _orgs(store: Store, communes: list[str], level: str) -> dict[str, tuple[Org, str]]:
    found: dict[str, tuple[Org, str]] = {}
    for commune_id in communes:
        if level == "commune":
            found[commune_id] = (
                (commune_id, commune_id, None),
                store.reference.unit(commune_id).name,
            )
        else:
            for v in store.villages.for_commune(commune_id, include_inactive=True):
                found[v.id] = ((v.id, commune_id, v.id), v.name)
    return found


def _read_sheet(
    store: Store,
    plan: ValuesPlan,
    table: list[tuple[Any, ...]],
    sheet: str,
    level: str,
    first: int,
    originals: dict[tuple[str, str, str], str],
    decoder: Decoder,
) -> Iterable[Candidate]:
    from openpyxl.utils import get_column_letter

    catalogue = store.catalogue
    lang = layout.language()
    orgs = _orgs(store, plan.communes, level)
    rows = iter(table)
    codes = next(rows, ())
    next(rows, None)
    next(rows, None)
    columns: list[tuple[int, Indicator, str] | None] = []
    for index, code in enumerate(codes):
        if index + 1 < first or not isinstance(code, str):
            columns.append(None)
            continue
        indicator_code, disagg = layout.split_code(code)
        indicator = catalogue.indicators.get(indicator_code)
        if (
            indicator is None
            or indicator.level != level
            or disagg not in catalogue.disaggregation_keys(indicator_code)
            or (plan.period.kind == "annual" and indicator.frequency != "annual")
        ):
            raise WrongWorkbookError(
                path=str(plan.path),
                detail=_("column {column} of sheet «{sheet}» was changed").format(
                    column=get_column_letter(index + 1), sheet=sheet
                ),
            )
        columns.append((index, indicator, disagg))
    # What the template wrote for each (indicator, stored text): a cell still showing
    # it is skipped without parsing (most cells of a filled province workbook).
    shown: dict[tuple[str, str], Any] = {}
    for (_org, code, _disagg), stored_text in originals.items():
        if (code, stored_text) not in shown and code in catalogue.indicators:
            ind = catalogue.indicators[code]
            try:
                shown[(code, stored_text)] = cell_value(catalogue, ind, stored_text, lang)
            except ValueError:
                shown[(code, stored_text)] = _UNSEEN
    for row_number, row in enumerate(rows, start=layout.FIRST_DATA_ROW):
        org_id = row[0] if row else None
        filled = [
            (col, row[col[0]])
            for col in columns
            if col is not None and col[0] < len(row) and row[col[0]] not in (None, "")
        ]
        if not org_id:
            for (index, indicator, _disagg), _raw in filled[:1]:
                plan.refusals.append(
                    Refusal(
                        sheet,
                        f"{get_column_letter(index + 1)}{row_number}",
                        indicator.name(lang),
                        _("a row added by hand: add the village to the register first."),
                    )
                )
            continue
        known = orgs.get(str(org_id))
        if known is None:
            plan.refusals.append(
                Refusal(
                    sheet,
                    f"A{row_number}",
                    str(org_id),
                    _("this row is not one of the template's."),
                )
            )
            continue
        org, org_name = known
        for col in columns:
            if col is None:
                continue
            index, indicator, disagg = col
            raw = row[index] if index < len(row) else None
            original = originals.get((org[0], indicator.code, disagg))
            if raw is None and original is None:
                continue
            if original is not None and raw == shown.get((indicator.code, original), _UNSEEN):
                continue  # exactly as the template wrote it: not an edit (and no parsing)
            coordinate = f"{get_column_letter(index + 1)}{row_number}"
            place = f"{org_name}, {indicator.name(lang)}"
            if disagg:
                place += f" – {catalogue.disaggregation_label(indicator.code, disagg, lang)}"
            try:
                if isinstance(raw, str):
                    raw = decoder.text(raw)
                value = _read_guessing(indicator, raw, catalogue, lang, decoder)
                text = None if value is None else typed.encode(indicator, value)
            except CellError as exc:
                plan.refusals.append(Refusal(sheet, coordinate, place, str(exc)))
                continue
            if text == original:
                continue  # as the template showed it: not an edit
            yield Candidate(sheet, coordinate, place, org, indicator, disagg, value, text)


def _read_guessing(
    indicator: Indicator, raw: Any, catalogue: Catalogue, lang: Lang, decoder: Decoder
) -> typed.Value | None:
    """:func:`read_cell`, and when an odd text fails, its TCVN3 or VNI reading if exactly
    one of them is a value of the column."""
    try:
        return read_cell(indicator, raw, catalogue, lang)
    except CellError:
        if not isinstance(raw, str):
            raise
        readings: list[tuple[str, typed.Value | None]] = []
        for encoding, text in decoder.guesses(raw):
            try:
                readings.append((encoding, read_cell(indicator, text, catalogue, lang)))
            except CellError:
                continue
        if len(readings) != 1:
            raise
        decoder.took(readings[0][0])
        return readings[0][1]


def _stored(
    store: Store, communes: list[str], period: Period
) -> dict[tuple[str, str, str], tuple[str | None, str]]:
    out: dict[tuple[str, str, str], tuple[str | None, str]] = {}
    codes = {period.code, str(period.year)}
    for commune_id in communes:
        for code in codes:
            for v in store.values.commune_values(commune_id, code):
                out[(v.org_id, v.indicator, v.disagg)] = (v.value, v.comment)
    return out


def check_and_compare(store: Store, plan: ValuesPlan, candidates: list[Candidate]) -> None:
    """Sort ``candidates`` into the plan's unchanged, refused (lock, rules) and changes."""
    stored = _stored(store, plan.communes, plan.period)
    pending: list[Candidate] = []
    for c in candidates:
        current = stored.get((c.org[0], c.indicator.code, c.disagg))
        if (current[0] if current else None) == c.text:
            plan.unchanged += 1
        else:
            pending.append(c)
    locked = _locked_reasons(store, plan, pending)
    kept: list[Candidate] = []
    for c in pending:
        reason = locked.get((c.org[1], storage_period(c.indicator, plan.period)))
        if reason is not None:
            plan.refusals.append(Refusal(c.sheet, c.coordinate, c.place, reason))
        else:
            kept.append(c)
    kept = _check_rules(store, plan, kept)
    for c in kept:
        current = stored.get((c.org[0], c.indicator.code, c.disagg))
        comment = current[1] if current else ""
        write = ValueWrite(
            c.org[1], c.org[2], plan.period.code, c.indicator.code, c.value, c.disagg, comment
        )
        plan.changes.append(
            CellChange(
                c.sheet, c.coordinate, c.place, current[0] if current else None, write, c.indicator
            )
        )


def _locked_reasons(
    store: Store, plan: ValuesPlan, pending: list[Candidate]
) -> dict[tuple[str, str], str]:
    reasons: dict[tuple[str, str], str] = {}
    for commune_id, code in {(c.org[1], storage_period(c.indicator, plan.period)) for c in pending}:
        try:
            store.values.check_not_locked(commune_id, Period.parse(code))
        except LockedPeriodError as exc:
            reasons[(commune_id, code)] = exc.user_message()
    return reasons


def _sentence(violation: Violation) -> str:
    return violation.message_vi if layout.language() == "vi" else violation.message_en


def _check_rules(store: Store, plan: ValuesPlan, kept: list[Candidate]) -> list[Candidate]:
    """Refuse the changed cells an error-level rule blames, until no rule is broken.

    A rule already broken by values the import does not touch blocks nothing, as
    in the grid; after a refusal the others are checked again without it.
    """
    catalogue: Catalogue = store.catalogue
    ruleset = rules_of(catalogue)
    by_org: dict[str, list[Candidate]] = {}
    for c in kept:
        by_org.setdefault(c.org[0], []).append(c)
    result: list[Candidate] = []
    for org_id, items in by_org.items():
        level = "village" if items[0].org[2] is not None else "commune"
        views = [plan.period]
        if plan.period.kind == "annual":
            views += _quarters_with_data(store, org_id, plan.period.year)
        bases = [store.values.typed_values(org_id, view) for view in views]
        while True:
            changed = {(c.indicator.code, c.disagg): c for c in items}
            blamed: dict[tuple[str, str], str] = {}
            for base in bases:
                known = dict(base)
                for key, c in changed.items():
                    if c.value is None:
                        known.pop(key, None)
                    else:
                        known[key] = c.value
                lookup = known_lookup(known)
                rules = {
                    r
                    for code, _d in changed
                    for r in ruleset.for_indicator(code)
                    if r.level == level
                }
                for violation in (v for rule in rules for v in evaluate(rule, lookup)):
                    if violation.severity != "error":
                        continue
                    cells = set(violation.values) | {
                        (violation.indicator, violation.disaggregation_key)
                    }
                    for key in cells & changed.keys():
                        blamed.setdefault(key, _sentence(violation))
            if not blamed:
                break
            for key, reason in blamed.items():
                c = changed[key]
                plan.refusals.append(Refusal(c.sheet, c.coordinate, c.place, reason))
            items = [c for c in items if (c.indicator.code, c.disagg) not in blamed]
        result.extend(items)
    return result
