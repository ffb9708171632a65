"""A unit's values for a period as a DHIS2-compatible dataValueSet (JSON or CSV).

Each stored cell becomes one data value: ``dataElement`` = indicator code,
``categoryOptionCombo`` = disaggregation key (``"default"`` when none), ``orgUnit`` =
the village or commune id the value belongs to, ``period`` = the DHIS2 period code of
the value (a quarter's report carries the year's annual values with period
``2020``; a year's export carries the annual values and the four quarters), and
``value`` in DHIS2's text form (booleans ``true``/``false``, a multichoice as its codes
joined by commas). The CSV uses DHIS2's import columns, UTF-8 without BOM.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.domain.periods import Period
from desktop_app.reports.output import safe_output
from desktop_app.store.store import Store

__all__ = ["CSV_COLUMNS", "FORMATS", "DataValue", "data_values", "write_dhis2"]

FORMATS = (".json", ".csv")
CSV_COLUMNS = (
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
)


@dataclass(frozen=True)
class DataValue:
    """One DHIS2 data value."""

    data_element: str
    period: str
    org_unit: str
    category_option_combo: str
    value: str
    stored_by: str
    comment: str

    def as_json(self) -> dict[str, Any]:
        """The value in DHIS2's dataValueSet JSON form."""
        out: dict[str, Any] = {
            "dataElement": self.data_element,
            "period": self.period,
            "orgUnit": self.org_unit,
            "categoryOptionCombo": self.category_option_combo,
            "value": self.value,
            "storedBy": self.stored_by,
        }
        if self.comment:
            out["comment"] = self.comment
        return out


def _periods(period: Period) -> list[str]:
    if period.quarter is None:
        return [period.code] + [q.code for q in period.quarters()]
    return [period.code, str(period.year)]


def _dhis2_text(kind: str, text: str) -> str:
    if kind == "boolean":
        return "true" if text == "1" else "false"
    if kind == "multichoice":
        return ",".join(c for c in text.split("|") if c)
    return text


def data_values(store: Store, unit_id: str, period: Period) -> list[DataValue]:
    """Every stored value of the unit's communes and villages for ``period``."""
    from desktop_app.store.aggregation import collected

    catalogue = store.catalogue
    store.reference.unit(unit_id)  # an unknown unit: one clear error
    plan = collected(store, unit_id, period)  # a 2025 unit: its old communes' data too
    codes = _periods(period)
    marks = ",".join("?" for _ in codes)
    out: list[DataValue] = []
    db: Any = store.db  # peewee leaves execute_sql untyped
    for commune in plan.communes:
        ids = [commune.id, *plan.aliases.get(commune.id, ())]
        orgs = {commune.id, *(v for v, _name in plan.villages.get(commune.id, ()))}
        rows = db.execute_sql(
            f"SELECT org_id, period, indicator, disagg, value, comment, updated_by"
            f" FROM data_value WHERE commune_id IN ({','.join('?' for _ in ids)})"
            f" AND period IN ({marks})"
            f" AND value IS NOT NULL ORDER BY org_id, period, indicator, disagg",
            (*ids, *codes),
        ).fetchall()
        for org, code, indicator, disagg, text, comment, user in rows:
            if org not in orgs:
                continue  # another commune's village recorded there (moved by the reform)
            ind = catalogue.indicators.get(indicator)
            if ind is None:
                continue
            wanted = "annual" if Period.parse(code).quarter is None else "quarterly"
            if ind.frequency != wanted:
                continue
            out.append(
                DataValue(
                    indicator,
                    code,
                    org,
                    disagg or "default",
                    _dhis2_text(ind.kind, text),
                    user,
                    comment,
                )
            )
    return out


def write_dhis2(store: Store, unit_id: str, period: Period, out: Path) -> int:
    """Write the dataValueSet to ``out`` (.json or .csv); return how many values."""
    from desktop_app.reports.errors import UnknownFormatError

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise UnknownFormatError(path=str(out), formats=", ".join(FORMATS))
    values = data_values(store, unit_id, period)
    with safe_output(out) as tmp:
        if suffix == ".json":
            doc = {"dataValues": [v.as_json() for v in values]}
            tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(CSV_COLUMNS)
                for v in values:
                    writer.writerow(
                        [
                            v.data_element,
                            v.period,
                            v.org_unit,
                            v.category_option_combo,
                            "",
                            v.value,
                            v.stored_by,
                            "",
                            v.comment,
                            "false",
                        ]
                    )
    return len(values)
