"""``coverage-desk import dhis2``: a DHIS2 dataValueSet back into the store.

The inverse of :mod:`desktop_app.reports.dhis2`: ``dataElement`` is an indicator
code of our catalogue, ``categoryOptionCombo`` a disaggregation key (``default`` for
none), ``orgUnit`` a village or commune id, ``period`` the period the value is stored
under, ``value`` DHIS2's text (``true``/``false``, a multichoice's codes joined by
commas, numbers with a decimal point). JSON (``{"dataValues": [...]}``) or DHIS2's
CSV columns. Every value goes through the same checks as the template's cells
(scope, lock, rules; see :func:`desktop_app.imports.values_import.check_and_compare`),
one plan per period, all applied in one transaction. A dataValueSet carries codes,
not Vietnamese text, so there is no old encoding to look for (comments are not
imported: the cell keeps the comment typed in the grid).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop_app.domain import values as typed
from desktop_app.domain.catalogue import Indicator
from desktop_app.domain.dhis2_cells import cell_of
from desktop_app.domain.periods import Period, PeriodError
from desktop_app.i18n import _
from desktop_app.imports import layout
from desktop_app.imports.errors import CellsRefusedError, ImportFileError, WrongWorkbookError
from desktop_app.imports.files import check_readable
from desktop_app.imports.values_import import (
    Candidate,
    Refusal,
    ValuesPlan,
    check_and_compare,
    check_office,
)
from desktop_app.store.store import Store

SHEET = "dataValues"


@dataclass
class Dhis2Plan:
    """What importing a dataValueSet would do: one values plan per period."""

    path: Path
    plans: list[ValuesPlan] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)  # rows no period plan took
    notes: list[str] = field(default_factory=list)

    @property
    def all_refusals(self) -> list[Refusal]:
        """Every refused value, in file order."""
        out = self.refusals + [r for p in self.plans for r in p.refusals]
        return sorted(out, key=lambda r: int(r.coordinate.lstrip("#")))

    @property
    def changes(self) -> int:
        """How many values would change."""
        return sum(len(p.changes) for p in self.plans)

    @property
    def unchanged(self) -> int:
        """How many values already hold what the file says."""
        return sum(p.unchanged for p in self.plans)

    def apply(self, store: Store, *, partial: bool = False) -> int:
        """Write every period's changes in one transaction; see :meth:`ValuesPlan.apply`."""
        refused = self.all_refusals
        if refused and not partial:
            raise CellsRefusedError(count=len(refused))
        if not self.changes:
            return 0
        if store.path is not None:
            from desktop_app.store.backup import auto_backup

            auto_backup(store.path, reason="before-import")
        with store.transaction():
            return sum(p.apply(store, partial=True, backup=False) for p in self.plans)


def _read(path: Path) -> list[dict[str, str]]:
    check_readable(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(path=str(path), detail=_("it is not UTF-8 text")) from None
    if path.suffix.lower() == ".json":
        try:
            doc = json.loads(text)
        except ValueError:
            raise ImportFileError(path=str(path), detail=_("it is not valid JSON")) from None
        rows = doc.get("dataValues") if isinstance(doc, dict) else None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ImportFileError(
                path=str(path), detail=_("it holds no DHIS2 dataValueSet («dataValues»)")
            )
        return [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        names = {n.lower() for n in reader.fieldnames or ()}
        if not {"dataelement", "period", "orgunit", "value"} <= names:
            raise ImportFileError(
                path=str(path), detail=_("it has not the columns of a DHIS2 CSV import")
            )
        out = []
        for r in reader:
            low = {k.lower(): (v or "") for k, v in r.items() if k}
            out.append(
                {
                    "dataElement": low.get("dataelement", ""),
                    "period": low.get("period", ""),
                    "orgUnit": low.get("orgunit", ""),
                    "categoryOptionCombo": low.get("categoryoptioncombo", ""),
                    "value": low.get("value", ""),
                    "comment": low.get("comment", ""),
                }
            )
        return out
    raise ImportFileError(path=str(path), detail=_("the file name must end in .json or .csv"))


def _value(indicator: Indicator, text: str) -> typed.Value:
    """DHIS2's text of a value as a typed value (DHIS2 writes a decimal point)."""
    text = text.strip()
    kind = indicator.kind
    if not text:
        if kind == "multichoice":
            return frozenset()  # the export's "none of them"
        raise ValueError(_("the value is empty (an import never deletes a value)"))
    if kind == "integer" and re.fullmatch(r"-?\d+", text):
        return int(text)
    if kind == "decimal" and re.fullmatch(r"-?\d+(\.\d+)?", text):
        return Decimal(text)
    if kind == "boolean" and text.lower() in ("true", "false", "1", "0"):
        return text.lower() in ("true", "1")
    if kind == "choice" and text in indicator.choices:
        return text
    if kind == "multichoice":
        parts = {p.strip() for p in text.split(",") if p.strip()}
        if parts <= set(indicator.choices):
            return frozenset(parts)
    raise ValueError(
        _("«{value}» is not a {kind} value of {indicator}").format(
            value=text, kind=kind, indicator=indicator.code
        )
    )


def plan_dhis2_import(store: Store, path: Path) -> Dhis2Plan:
    """Read a dataValueSet and check every value; nothing is written."""
    path = Path(path)
    rows = _read(path)
    result = Dhis2Plan(path)
    catalogue = store.catalogue
    lang = layout.language()
    db: Any = store.db  # peewee leaves execute_sql untyped
    villages = {str(v): str(c) for v, c in db.execute_sql("SELECT id, commune_id FROM village")}
    by_period: dict[str, list[Candidate]] = {}
    behalf: dict[str, bool] = {}
    for number, row in enumerate(rows, start=1):
        where = f"#{number}"
        element = row.get("dataElement", "")
        org = row.get("orgUnit", "")
        # a sub-count of a total is a data element of its own ("cum_loa.ip"):
        # domain.dhis2_cells says which indicator and cell each element and combo is
        found = cell_of(catalogue, element, row.get("categoryOptionCombo", ""))
        indicator = found[0] if found is not None else None
        code = indicator.code if indicator is not None else element
        place = f"{org}, {indicator.name(lang) if indicator else code}"

        def refuse(reason: str, place: str = place, where: str = where) -> None:
            result.refusals.append(Refusal(SHEET, where, place, reason))

        if indicator is None or found is None:
            refuse(_("{code} is not an indicator of the catalogue").format(code=code))
            continue
        disagg = found[1]
        if disagg not in catalogue.disaggregation_keys(code):
            refuse(_("{indicator} has no cell {cell}").format(indicator=code, cell=disagg))
            continue
        try:
            period = Period.parse(row.get("period", ""))
        except PeriodError:
            refuse(_("period «{period}» cannot be read").format(period=row.get("period", "")))
            continue
        wanted = "annual" if period.quarter is None else "quarterly"
        if indicator.frequency != wanted:
            refuse(
                _("{indicator} is not collected for a period like {period}").format(
                    indicator=code, period=period.code
                )
            )
            continue
        if indicator.level == "village":
            commune_id = villages.get(org)
            if commune_id is None:
                refuse(_("{org} is not a village of this database").format(org=org))
                continue
            key: tuple[str, str, str | None] = (org, str(commune_id), org)
        else:
            commune_id = org
            key = (org, org, None)
        if commune_id not in behalf:
            try:
                behalf[commune_id] = check_office(store, path, commune_id)
            except WrongWorkbookError as exc:
                refuse(str(exc.params["detail"]))
                continue
        try:
            value = _value(indicator, row.get("value", ""))
            text = typed.encode(indicator, value)
        except ValueError as exc:
            refuse(str(exc))
            continue
        by_period.setdefault(period.code, []).append(
            Candidate(SHEET, where, place, key, indicator, disagg, value, text)
        )
    for code, candidates in sorted(by_period.items()):
        communes = sorted({c.org[1] for c in candidates})
        plan = ValuesPlan(
            path, Period.parse(code), communes, any(behalf.get(c, False) for c in communes)
        )
        check_and_compare(store, plan, candidates)
        result.plans.append(plan)
    return result
