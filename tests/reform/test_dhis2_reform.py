"""The DHIS2 export across the 2025 reform: for a period before it and a period after it,
of a 2025 commune, the 2025 province, an old commune and the old province, every value's
orgUnit is an org unit of the metadata package exported with it, at its level, under its
parent, open during the value's period and assigned to its data set; and the packages
agree with each other (one hierarchy: an org unit has the same parent in all of them).

The database is ``coverage-desk demo --structure 2025``: Xã Chiềng Sung (2025:04108)
formed from the old Xã Chiềng Sung (pre2025:04108) and Xã Mường Bằng (pre2025:04114),
whose villages moved into it, with their history before the reform."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from desktop_app.domain.periods import Period
from desktop_app.reports.dhis2 import DATA_SETS, data_values, write_dhis2, write_metadata
from desktop_app.store.store import Store

UNITS = ("2025:04108", "2025:14", "pre2025:04108", "pre2025:14")
#: before the reform, after it, and the year it happened in
PERIODS = ("2024Q4", "2025Q3", "2025")
OLD_COMMUNES = ("pre2025:04108", "pre2025:04114")


def _depth(unit: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> int:
    depth = 1
    while "parent" in unit:
        unit = by_id[unit["parent"]["id"]]
        depth += 1
    return depth


def _expected_level(store: Store, code: str, villages: dict[str, str]) -> int:
    """DHIS2's level of ``code`` in its own structure: pre-2025 province 1, district 2,
    commune 3; 2025 province 1, commune 2; a village one below its commune."""
    if code in villages:
        return _expected_level(store, villages[code], villages) + 1
    unit = store.reference.unit(code)
    if unit.structure == "2025":
        return 1 if unit.level == 1 else 2
    return unit.level


@pytest.fixture(scope="module")
def exports(demo: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[Any, Any]:
    """(unit, period) → (metadata package, dataValueSet), as the CLI's files, read back."""
    folder = tmp_path_factory.mktemp("dhis2")
    office, _province = demo
    out: dict[Any, Any] = {}
    with Store.open(office) as store:
        for unit in UNITS:
            for code in PERIODS:
                period = Period.parse(code)
                name = f"{unit.replace(':', '_')}_{code}"
                write_metadata(store, unit, folder / f"{name}.meta.json", period)
                write_dhis2(store, unit, period, folder / f"{name}.json", include_drafts=True)
                out[unit, code] = (
                    json.loads((folder / f"{name}.meta.json").read_text(encoding="utf-8")),
                    json.loads((folder / f"{name}.json").read_text(encoding="utf-8")),
                )
    return out


def test_every_value_s_org_unit_is_in_its_package_at_its_level(
    demo: tuple[Path, Path], exports: dict[Any, Any]
) -> None:
    office, _province = demo
    with Store.open(office) as store:
        villages = {
            str(v): str(c) for v, c in store.db.execute_sql("SELECT id, commune_id FROM village")
        }
        empty: list[tuple[str, str]] = []
        for (unit, code), (meta, doc) in exports.items():
            org_units = meta["organisationUnits"]
            by_id = {u["id"]: u for u in org_units}
            by_code = {u["code"]: u for u in org_units}
            assigned = {
                s["code"]: {o["id"] for o in s["organisationUnits"]} for s in meta["dataSets"]
            }
            if not doc["dataValues"]:
                empty.append((unit, code))
                continue
            for value in doc["dataValues"]:
                org = by_code.get(value["orgUnit"])
                assert org is not None, (unit, code, value["orgUnit"])
                # its parent: the unit's own in its structure, a village's commune of today
                expected = villages.get(org["code"]) or store.reference.unit(org["code"]).parent_id
                assert by_id[org["parent"]["id"]]["code"] == expected, (unit, code, org["code"])
                assert _depth(org, by_id) == _expected_level(store, org["code"], villages)
                # open during some part of the value's period (the old units closed on
                # 30 June 2025, the new opened on 1 July 2025)
                period = Period.parse(value["period"])
                assert date.fromisoformat(org["openingDate"]) <= period.end, (unit, value)
                if "closedDate" in org:
                    assert date.fromisoformat(org["closedDate"]) >= period.start, (unit, value)
                frequency = "annual" if period.quarter is None else "quarterly"
                assert org["id"] in assigned[DATA_SETS[frequency]]
        # an old unit has no quarter after the reform (it closed on 30 June 2025): its
        # export of 2025Q3 is empty, the quarterly set holding quarterly values only (it
        # used to carry the old units' annual 2025 values, which belong to the year's)
        assert empty == [("pre2025:04108", "2025Q3"), ("pre2025:14", "2025Q3")]


def test_the_packages_agree_with_each_other(exports: dict[Any, Any]) -> None:
    # one hierarchy: an org unit has the same code, name, parent and dates everywhere, so
    # importing the pre-reform package after the post-reform one moves nothing back
    seen: dict[str, dict[str, Any]] = {}
    for (unit, code), (meta, _doc) in exports.items():
        for org in meta["organisationUnits"]:
            first = seen.setdefault(org["id"], org)
            assert first == org, (unit, code, org["code"])
    codes = {org["code"]: org for org in seen.values()}
    district = codes["pre2025:125"]
    assert district["closedDate"] == "2025-06-30"
    for old in OLD_COMMUNES:
        assert codes[old]["closedDate"] == "2025-06-30"
        assert codes[old]["parent"]["id"] == district["id"]
    new = codes["2025:04108"]
    assert new["openingDate"] == "2025-07-01" and "closedDate" not in new
    assert new["parent"]["id"] == codes["2025:14"]["id"]


def test_a_2025_commune_before_the_reform_names_its_old_communes(
    demo: tuple[Path, Path], exports: dict[Any, Any]
) -> None:
    meta, doc = exports["2025:04108", "2024Q4"]
    named = {v["orgUnit"] for v in doc["dataValues"]}
    # its commune-wide values of 2024 are the two old communes', kept under the old district
    assert set(OLD_COMMUNES) <= named and "2025:04108" not in named
    by_code = {u["code"]: u for u in meta["organisationUnits"]}
    for old in OLD_COMMUNES:
        assert by_code[old]["parent"]["id"] == by_code["pre2025:125"]["id"]
    # and the old commune's own export names its moved villages, under today's commune
    office, _province = demo
    with Store.open(office) as store:
        moved = {v.org_unit for v in data_values(store, "pre2025:04108", Period.parse("2024Q4"))}
    meta_old, _doc = exports["pre2025:04108", "2024Q4"]
    old_codes = {u["code"]: u for u in meta_old["organisationUnits"]}
    villages = moved - {"pre2025:04108"}
    assert villages and villages <= set(old_codes)
    assert {old_codes[v]["parent"]["id"] for v in villages} == {by_code["2025:04108"]["id"]}


def test_without_a_period_the_package_holds_every_period_s_units(
    demo: tuple[Path, Path], exports: dict[Any, Any], tmp_path: Path
) -> None:
    # the package an administrator imports once (no --period) describes every org unit a
    # dataValueSet of any held period names, before the reform and after it, exactly as
    # each period's own package does (one hierarchy)
    office, _province = demo
    with Store.open(office) as store:
        for unit in UNITS:
            out = tmp_path / f"{unit.replace(':', '_')}.meta.json"
            write_metadata(store, unit, out)
            meta = json.loads(out.read_text(encoding="utf-8"))
            by_code = {u["code"]: u for u in meta["organisationUnits"]}
            assigned = {o["id"] for s in meta["dataSets"] for o in s["organisationUnits"]}
            for code in PERIODS:
                period_meta, doc = exports[unit, code]
                for org in period_meta["organisationUnits"]:
                    assert by_code.get(org["code"]) == org, (unit, code, org["code"])
                for value in doc["dataValues"]:
                    assert by_code[value["orgUnit"]]["id"] in assigned, (unit, code)
