"""A unit's values for a period as a DHIS2-compatible dataValueSet (JSON or CSV).

Each stored cell becomes one data value: ``dataElement`` = indicator code,
``categoryOptionCombo`` = disaggregation key (``"default"`` when none), ``orgUnit`` =
the village or commune id the value belongs to, ``period`` = the DHIS2 period code of
the value (a quarter's export holds the quarterly indicators' values of the quarter
only, a year's the annual indicators' of the year only: :func:`_periods`, one data set
each), and ``value`` in DHIS2's
text form (booleans ``true``/``false``, a multichoice as its codes joined by commas).
The CSV uses DHIS2's import columns, UTF-8 without BOM.

Like a signed report, the export holds only the communes whose period is approved
(submitted, for a commune's own export) unless drafts are asked for. The JSON carries
``dataSet``, ``period``, ``orgUnit`` and, when every commune of the unit is approved,
``completeDate``; :func:`write_metadata` writes the matching metadata package (data
elements, categories and their options and combos, organisation units with codes, the
data sets), so an administrator imports the metadata once, then the values with
``idScheme=CODE``. Its organisation units follow the 2025 reform: one hierarchy, old
units closed on 30 June 2025, villages under the commune they belong to now, and for an
exported period every unit its values name (:mod:`desktop_app.reports.dhis2_units`).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.domain.catalogue import Catalogue, Indicator
from desktop_app.domain.dhis2_cells import combo_keys, elements_of, exported_as
from desktop_app.domain.periods import Period
from desktop_app.reports.dhis2_units import organisation_units, short, uid
from desktop_app.reports.output import safe_output
from desktop_app.store.store import Store

__all__ = [
    "CSV_COLUMNS",
    "DATA_SETS",
    "FORMATS",
    "DataValue",
    "aggregation_type",
    "data_values",
    "metadata",
    "period_catalogue",
    "uid",
    "write_dhis2",
    "write_metadata",
]

#: The two DHIS2 data sets: one per period type of the catalogue's indicators.
DATA_SETS = {"quarterly": "COVERAGE_DESK_QUARTERLY", "annual": "COVERAGE_DESK_YEARLY"}
_PERIOD_TYPES = {"quarterly": "Quarterly", "annual": "Yearly"}
_APPROVED = ("approved", "accepted")

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
    """The periods whose values an export of ``period`` holds: the period itself.

    A quarter's export is the quarterly data set (``COVERAGE_DESK_QUARTERLY``,
    ``periodType`` ``Quarterly``): the values of the quarterly indicators for that quarter
    and nothing else. A year's is the yearly data set (``COVERAGE_DESK_YEARLY``): the
    annual indicators' values for the year. An annual indicator belongs to the yearly data
    set only, so a quarter's export that carried the year's values (period ``2020`` in a
    set declaring the quarterly data set) either had them refused or, exported with every
    quarter, imported the same annual value four times; they go out in the year's own
    export. Which data set an indicator belongs to is its catalogue ``frequency``, in the
    values (:func:`data_values`) as in the metadata's data sets (:func:`metadata`)."""
    return [period.code]


def _dhis2_text(kind: str, text: str) -> str:
    if kind == "boolean":
        return "true" if text == "1" else "false"
    if kind == "multichoice":
        return ",".join(c for c in text.split("|") if c)
    return text


def _counted_states(store: Store, unit_id: str) -> tuple[str, ...]:
    level = store.reference.unit(unit_id).level
    return ("submitted", *_APPROVED) if level == 3 else _APPROVED


def _state_period(code: str) -> str:
    p = Period.parse(code)
    return code if p.quarter is not None else f"{p.year}Q4"


def period_catalogue(
    store: Store, unit_id: str, period: Period, *, include_drafts: bool = False
) -> Catalogue:
    """The catalogue the unit's export of ``period`` is typed with: the one a locked
    period was locked under, as its reports use (``catalogue_choice``), else the one in
    force. The values and the metadata package of one export both use it."""
    from desktop_app.reports.catalogue_choice import report_catalogue

    store.reference.unit(unit_id)  # an unknown unit: one clear error
    counted_states = None if include_drafts else _counted_states(store, unit_id)
    return report_catalogue(store, unit_id, period, counted_states).catalogue


def data_values(
    store: Store, unit_id: str, period: Period, *, include_drafts: bool = False
) -> list[DataValue]:
    """Every stored value of the unit's communes and villages for ``period``: of the
    communes whose period is approved (submitted, for a commune), or all of them with
    ``include_drafts``. A locked period's values are typed and filtered by the
    catalogue it was locked under (``catalogue_choice``)."""
    from desktop_app.store.aggregation import collected

    catalogue = period_catalogue(store, unit_id, period, include_drafts=include_drafts)
    plan = collected(store, unit_id, period)  # a 2025 unit: its old communes' data too
    codes = _periods(period)
    counted = _counted_states(store, unit_id)
    states = {
        code: {c: s.state for c, s in store.submissions.for_period(_state_period(code)).items()}
        for code in codes
    }
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
            if not include_drafts and states[code].get(commune.id) not in counted:
                continue
            element, combo = exported_as(catalogue, ind, disagg or "")
            out.append(
                DataValue(element, code, org, combo, _dhis2_text(ind.kind, text), user, comment)
            )
    return out


def complete_date(store: Store, unit_id: str, period: Period) -> str | None:
    """The day the unit's period was complete (its last commune approved), or None."""
    from desktop_app.domain import hlc

    communes = store.reference.communes_under(unit_id)
    subs = store.submissions.for_period(_state_period(period.code))
    if not communes or any(c.id not in subs or subs[c.id].state not in _APPROVED for c in communes):
        return None
    marks = ",".join("?" for _ in communes)
    db: Any = store.db
    (latest,) = db.execute_sql(
        f"SELECT max(hlc) FROM submission WHERE period = ? AND commune_id IN ({marks})",
        (_state_period(period.code), *(c.id for c in communes)),
    ).fetchone()
    from datetime import UTC, datetime

    millis = hlc.unpack(int(latest), "-").wall_ms
    return datetime.fromtimestamp(millis / 1000, UTC).date().isoformat()


def data_value_set(
    store: Store, unit_id: str, period: Period, *, include_drafts: bool = False
) -> dict[str, Any]:
    """The dataValueSet document (DHIS2 JSON shape) of the unit and period."""
    values = data_values(store, unit_id, period, include_drafts=include_drafts)
    doc: dict[str, Any] = {
        "dataSet": DATA_SETS["annual" if period.quarter is None else "quarterly"],
        "period": period.code,
        "orgUnit": unit_id,
    }
    done = complete_date(store, unit_id, period)
    if done is not None:
        doc["completeDate"] = done
    doc["dataValues"] = [v.as_json() for v in values]
    return doc


def write_dhis2(
    store: Store, unit_id: str, period: Period, out: Path, *, include_drafts: bool = False
) -> int:
    """Write the dataValueSet to ``out`` (.json or .csv); return how many values."""
    from desktop_app.reports.errors import UnknownFormatError

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise UnknownFormatError(path=str(out), formats=", ".join(FORMATS))
    doc = data_value_set(store, unit_id, period, include_drafts=include_drafts)
    values = data_values(store, unit_id, period, include_drafts=include_drafts)
    with safe_output(out) as tmp:
        if suffix == ".json":
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


def _ref(code: str) -> dict[str, str]:
    return {"id": uid(code), "code": code}


_VALUE_TYPES = {
    "integer": "INTEGER_ZERO_OR_POSITIVE",
    "decimal": "NUMBER",
    "boolean": "BOOLEAN",
    "choice": "TEXT",
    "multichoice": "TEXT",
}


#: DHIS2's aggregation type of an indicator, by how our reports add it up
#: (``store.aggregation``) and its frequency: a quarterly indicator's year is its
#: fourth quarter (the situation at the end of the year), DHIS2's "last value"
_AGGREGATION_TYPES = {
    ("sum", "annual"): "SUM",
    ("sum", "quarterly"): "LAST",
    ("count_true", "annual"): "SUM",
    ("count_true", "quarterly"): "LAST",
    ("mean", "annual"): "AVERAGE",
    ("mean", "quarterly"): "LAST_AVERAGE_ORG_UNIT",
}


def aggregation_type(catalogue: Catalogue, indicator: Indicator) -> str:
    """The ``aggregationType`` DHIS2 adds ``indicator`` up with, over the org unit tree
    and over time, the way our reports do: summed (a boolean counts its "true"s), a rate
    such as pickups per day averaged, a choice not at all (``NONE``); over the quarters
    of a year a quarterly indicator takes its last quarter's value, as a year's report
    does. Before, every integer was ``SUM`` and every decimal ``AVERAGE``, so DHIS2's
    year of BTS sites was the four quarters added up, and a district's area the mean
    of its communes' areas."""
    from desktop_app.store.aggregation import summarise_indicator

    method = summarise_indicator(catalogue, indicator, []).method
    return _AGGREGATION_TYPES.get((method, indicator.frequency), "NONE")


def _member_name(catalogue: Catalogue, dimension: str, code: str) -> str:
    return next(m.name_vi for m in catalogue.dimensions[dimension] if m.code == code)


def metadata(
    store: Store, unit_id: str, period: Period | None = None, *, include_drafts: bool = False
) -> dict[str, Any]:
    """The DHIS2 metadata package matching the dataValueSets of ``unit_id``: for
    ``period``, of the catalogue its export is typed with (a locked period's own
    version, :func:`period_catalogue`, so every data element and option combo its
    values name is described, with the names it was locked under); without a period,
    of the catalogue in force. Its organisation units are every unit the dataValueSet of
    ``period`` names, or without a period of any period held (:mod:`dhis2_units`)."""
    catalogue = (
        store.catalogue
        if period is None
        else period_catalogue(store, unit_id, period, include_drafts=include_drafts)
    )
    options: list[dict[str, Any]] = []
    categories: list[dict[str, Any]] = []
    for dim, members in catalogue.dimensions.items():
        for m in members:
            code = f"{dim}.{m.code}"
            options.append(
                {
                    **_ref(code),
                    "name": f"{dim}: {m.name_vi}",
                    "shortName": short(f"{dim}: {m.name_vi}"),
                }
            )
        categories.append(
            {
                **_ref(f"CAT_{dim}"),
                "name": dim,
                "shortName": dim,
                "dataDimensionType": "DISAGGREGATION",
                "categoryOptions": [{"id": uid(f"{dim}.{m.code}")} for m in members],
            }
        )
    combos: dict[tuple[str, ...], dict[str, Any]] = {}
    option_combos: list[dict[str, Any]] = []
    elements = []
    frequencies: dict[str, str] = {}
    for ind in catalogue.indicators.values():
        for each in elements_of(catalogue, ind):
            dims = each.dimensions
            combo_ref: dict[str, str] | None = None
            if dims:
                combo_code = "CC_" + "_".join(dims)
                combo_ref = {"id": uid(combo_code)}
                if dims not in combos:
                    combos[dims] = {
                        **_ref(combo_code),
                        "name": " x ".join(dims),
                        "dataDimensionType": "DISAGGREGATION",
                        "categories": [{"id": uid(f"CAT_{d}")} for d in dims],
                    }
                    for key in combo_keys(catalogue, dims):
                        parts = key.split(".")
                        option_combos.append(
                            {
                                "id": uid(f"COC_{combo_code}_{key}"),
                                "code": key,
                                "name": " · ".join(
                                    _member_name(catalogue, d, p)
                                    for d, p in zip(dims, parts, strict=True)
                                ),
                                "categoryCombo": combo_ref,
                                "categoryOptions": [
                                    {"id": uid(f"{d}.{p}")}
                                    for d, p in zip(dims, parts, strict=True)
                                ],
                            }
                        )
            element: dict[str, Any] = {
                **_ref(each.code),
                "name": each.name_vi,
                "shortName": short(each.name_vi),
                "formName": each.name_vi,
                "description": each.name_en,
                "domainType": "AGGREGATE",
                "valueType": _VALUE_TYPES[ind.kind],
                "aggregationType": aggregation_type(catalogue, ind),
                "zeroIsSignificant": True,
            }
            if combo_ref is not None:
                element["categoryCombo"] = combo_ref
            elements.append(element)
            frequencies[each.code] = ind.frequency
    units = organisation_units(store, unit_id, period)
    data_sets = [
        {
            **_ref(code),
            "name": f"Coverage Desk ({_PERIOD_TYPES[freq]})",
            "shortName": f"Coverage Desk {_PERIOD_TYPES[freq]}",
            "periodType": _PERIOD_TYPES[freq],
            "dataSetElements": [
                {"dataElement": {"id": uid(code)}}
                for code, frequency in frequencies.items()
                if frequency == freq
            ],
            "organisationUnits": [{"id": u["id"]} for u in units],
        }
        for freq, code in DATA_SETS.items()
    ]
    return {
        "categoryOptions": options,
        "categories": categories,
        "categoryCombos": list(combos.values()),
        "categoryOptionCombos": option_combos,
        "dataElements": elements,
        "organisationUnits": units,
        "dataSets": data_sets,
    }


def write_metadata(
    store: Store,
    unit_id: str,
    out: Path,
    period: Period | None = None,
    *,
    include_drafts: bool = False,
) -> int:
    """Write the metadata package (JSON) to ``out``; return how many objects."""
    doc = metadata(store, unit_id, period, include_drafts=include_drafts)
    with safe_output(Path(out)) as tmp:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return sum(len(v) for v in doc.values())
