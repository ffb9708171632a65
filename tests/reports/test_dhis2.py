"""The DHIS2 dataValueSet export."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from desktop_app.domain.dhis2_cells import cell_of, elements_of
from desktop_app.domain.periods import Period
from desktop_app.reports.dhis2 import (
    CSV_COLUMNS,
    data_value_set,
    data_values,
    uid,
    write_dhis2,
    write_metadata,
)
from desktop_app.store.store import Store


def test_json_shape(reports_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "set.json"
    count = write_dhis2(reports_store, "pre2025:125", Period(2020, 4), out, include_drafts=True)
    doc = json.loads(out.read_text(encoding="utf-8"))
    # DHIS2's dataValueSet: dataSet, period, orgUnit (and completeDate once complete)
    assert set(doc) == {"dataSet", "period", "orgUnit", "dataValues"}
    assert doc["dataSet"] == "COVERAGE_DESK_QUARTERLY" and doc["period"] == "2020Q4"
    assert doc["orgUnit"] == "pre2025:125"
    values = doc["dataValues"]
    assert len(values) == count > 1000
    catalogue = reports_store.catalogue
    orgs = {str(r[0]) for r in reports_store.db.execute_sql("SELECT id FROM village")} | {
        str(r[0]) for r in reports_store.db.execute_sql("SELECT id FROM unit WHERE level = 3")
    }
    for v in values:
        assert {"dataElement", "period", "orgUnit", "categoryOptionCombo", "value"} <= set(v)
        found = cell_of(catalogue, v["dataElement"], v["categoryOptionCombo"])
        assert found is not None, v
        ind, key = found
        assert v["period"] == "2020Q4" and ind.frequency == "quarterly"
        assert v["orgUnit"] in orgs
        assert key in catalogue.disaggregation_keys(ind.code)
        element = next(e for e in elements_of(catalogue, ind) if e.code == v["dataElement"])
        assert (v["categoryOptionCombo"] == "default") == (not element.dimensions)
        assert isinstance(v["value"], str)
        if ind.kind == "boolean":
            assert v["value"] in ("true", "false")
    stored = reports_store.db.execute_sql(
        "SELECT count(*) FROM data_value d JOIN indicator i ON i.code = d.indicator"
        " WHERE d.value IS NOT NULL AND d.period = '2020Q4' AND i.frequency = 'quarterly'"
    ).fetchone()[0]
    assert count == stored


def test_csv_columns(reports_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "set.csv"
    count = write_dhis2(reports_store, "pre2025:04108", Period(2020, 4), out, include_drafts=True)
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == count + 1
    assert {r[1] for r in rows[1:]} == {"2020Q4"}


UID = re.compile(r"^[a-zA-Z][a-zA-Z0-9]{10}$")


def test_only_approved_communes_by_default_and_complete_date(reports_store: Store) -> None:
    approved = {
        str(r[0])
        for r in reports_store.db.execute_sql(
            "SELECT commune_id FROM submission WHERE period = '2020Q4'"
            " AND state IN ('approved', 'accepted')"
        )
    }
    villages = {
        str(r[0]): str(r[1])
        for r in reports_store.db.execute_sql("SELECT id, commune_id FROM village")
    }
    values = data_values(reports_store, "pre2025:125", Period(2020, 4))
    every = data_values(reports_store, "pre2025:125", Period(2020, 4), include_drafts=True)
    assert 0 < len(values) < len(every)
    assert {villages.get(v.org_unit, v.org_unit) for v in values} == approved
    doc = data_value_set(reports_store, "pre2025:125", Period(2020, 3))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc["completeDate"])  # Q3: all approved
    assert "completeDate" not in data_value_set(reports_store, "pre2025:125", Period(2020, 4))


def test_metadata_matches_the_values_and_dhis2_shapes(reports_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "meta.json"
    count = write_metadata(reports_store, "pre2025:125", out)
    meta = json.loads(out.read_text(encoding="utf-8"))
    assert set(meta) == {
        "categoryOptions",
        "categories",
        "categoryCombos",
        "categoryOptionCombos",
        "dataElements",
        "organisationUnits",
        "dataSets",
    }
    assert count == sum(len(v) for v in meta.values())
    ids = [o["id"] for objects in meta.values() for o in objects]
    assert all(UID.match(i) for i in ids) and len(ids) == len(set(ids))
    known = set(ids)
    required = {
        "dataElements": {"name", "shortName", "code", "domainType", "valueType", "aggregationType"},
        "categoryOptions": {"name", "shortName", "code"},
        "categories": {"name", "dataDimensionType", "categoryOptions"},
        "categoryCombos": {"name", "dataDimensionType", "categories"},
        "categoryOptionCombos": {"name", "code", "categoryCombo", "categoryOptions"},
        "organisationUnits": {"name", "shortName", "code", "openingDate"},
        "dataSets": {"name", "shortName", "code", "periodType", "dataSetElements"},
    }
    for kind, fields in required.items():
        for obj in meta[kind]:
            assert fields <= set(obj), (kind, obj)
            assert len(obj.get("shortName", "")) <= 50
    # every reference resolves to an object of the package
    refs = [r["id"] for c in meta["categories"] for r in c["categoryOptions"]]
    refs += [r["id"] for c in meta["categoryCombos"] for r in c["categories"]]
    refs += [c["categoryCombo"]["id"] for c in meta["categoryOptionCombos"]]
    refs += [e["categoryCombo"]["id"] for e in meta["dataElements"] if "categoryCombo" in e]
    refs += [u["parent"]["id"] for u in meta["organisationUnits"] if "parent" in u]
    refs += [d["dataElement"]["id"] for s in meta["dataSets"] for d in s["dataSetElements"]]
    assert set(refs) <= known
    # every value of a dataValueSet finds its element, option combo and unit by code
    elements = {e["code"]: e for e in meta["dataElements"]}
    combos = {(c["categoryCombo"]["id"], c["code"]) for c in meta["categoryOptionCombos"]}
    units = {u["code"] for u in meta["organisationUnits"]}
    for v in data_values(reports_store, "pre2025:125", Period(2020, 4), include_drafts=True):
        element = elements[v.data_element]
        assert v.org_unit in units
        if v.category_option_combo == "default":
            assert "categoryCombo" not in element
        else:
            assert (element["categoryCombo"]["id"], v.category_option_combo) in combos


def test_a_year_s_set_holds_the_yearly_data_set_s_values_only(
    reports_store: Store, tmp_path: Path
) -> None:
    # the yearly data set names the annual indicators; a quarterly indicator's value
    # for 2020 (or its quarters' values in a set that declares the yearly data set) is
    # refused by DHIS2 or counted twice by its analytics, which make the year from the
    # quarters themselves
    out = tmp_path / "year.json"
    count = write_dhis2(reports_store, "pre2025:125", Period(2020), out, include_drafts=True)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["dataSet"] == "COVERAGE_DESK_YEARLY" and doc["period"] == "2020"
    assert {v["period"] for v in doc["dataValues"]} == {"2020"}
    yearly = {
        d["dataElement"]["id"]
        for s in json.loads(_metadata(reports_store, tmp_path))["dataSets"]
        if s["code"] == "COVERAGE_DESK_YEARLY"
        for d in s["dataSetElements"]
    }
    assert {uid(v["dataElement"]) for v in doc["dataValues"]} <= yearly
    stored = reports_store.db.execute_sql(
        "SELECT count(*) FROM data_value d JOIN indicator i ON i.code = d.indicator"
        " WHERE d.value IS NOT NULL AND d.period = '2020' AND i.frequency = 'annual'"
    ).fetchone()[0]
    assert count == len(doc["dataValues"]) == stored > 1000
    write_dhis2(
        reports_store, "pre2025:125", Period(2020), tmp_path / "year.csv", include_drafts=True
    )
    rows = list(csv.reader((tmp_path / "year.csv").read_text(encoding="utf-8").splitlines()))
    assert {r[1] for r in rows[1:]} == {"2020"} and len(rows) == stored + 1


def test_a_quarter_s_set_holds_the_quarterly_data_set_s_values_only(
    reports_store: Store, tmp_path: Path
) -> None:
    # the quarterly data set names the quarterly indicators (the catalogue's frequency);
    # the year's annual values (so_ho, dan_so, … with period 2020) in a set declaring the
    # quarterly data set were refused by DHIS2, or imported again with every quarter
    out = tmp_path / "q4.json"
    count = write_dhis2(reports_store, "pre2025:125", Period(2020, 4), out, include_drafts=True)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["dataSet"] == "COVERAGE_DESK_QUARTERLY" and doc["period"] == "2020Q4"
    assert {v["period"] for v in doc["dataValues"]} == {"2020Q4"}
    sets = {
        s["code"]: ({d["dataElement"]["id"] for d in s["dataSetElements"]}, s["periodType"])
        for s in json.loads(_metadata(reports_store, tmp_path))["dataSets"]
    }
    quarterly, period_type = sets["COVERAGE_DESK_QUARTERLY"]
    assert period_type == "Quarterly"
    assert {uid(v["dataElement"]) for v in doc["dataValues"]} <= quarterly
    # the two data sets part the catalogue by frequency, in the metadata as in the values
    catalogue = reports_store.catalogue
    for ind in catalogue.indicators.values():
        for element in elements_of(catalogue, ind):
            want = (
                "COVERAGE_DESK_QUARTERLY"
                if ind.frequency == "quarterly"
                else "COVERAGE_DESK_YEARLY"
            )
            other = (
                "COVERAGE_DESK_YEARLY"
                if want == "COVERAGE_DESK_QUARTERLY"
                else "COVERAGE_DESK_QUARTERLY"
            )
            assert uid(element.code) in sets[want][0] and uid(element.code) not in sets[other][0]
    for v in doc["dataValues"]:
        found = cell_of(catalogue, v["dataElement"], v["categoryOptionCombo"])
        assert found is not None and found[0].frequency == "quarterly", v
    stored = reports_store.db.execute_sql(
        "SELECT count(*) FROM data_value d JOIN indicator i ON i.code = d.indicator"
        " WHERE d.value IS NOT NULL AND d.period = '2020Q4' AND i.frequency = 'quarterly'"
    ).fetchone()[0]
    assert count == len(doc["dataValues"]) == stored > 1000
    write_dhis2(
        reports_store, "pre2025:125", Period(2020, 4), tmp_path / "q4.csv", include_drafts=True
    )
    rows = list(csv.reader((tmp_path / "q4.csv").read_text(encoding="utf-8").splitlines()))
    assert {r[1] for r in rows[1:]} == {"2020Q4"} and len(rows) == stored + 1


def _metadata(store: Store, folder: Path) -> str:
    out = folder / "meta.json"
    write_metadata(store, "pre2025:125", out, Period(2020))
    return out.read_text(encoding="utf-8")


def test_dhis2_adds_up_each_element_as_the_reports_do(reports_store: Store, tmp_path: Path) -> None:
    # DHIS2 aggregates by the element's aggregationType, over org units and over time:
    # a district's area is its communes' areas added up (not their mean), a rate per day
    # is averaged, and a year of a quarterly count is its last quarter (the year's
    # report reads the fourth quarter), not the four quarters added up
    out = tmp_path / "meta.json"
    write_metadata(reports_store, "pre2025:125", out)
    types = {
        e["code"]: e["aggregationType"]
        for e in json.loads(out.read_text(encoding="utf-8"))["dataElements"]
    }
    assert types["dien_tich"] == "SUM" and types["so_ho"] == "SUM"
    assert types["tan_suat_phat"] == "AVERAGE"
    assert types["bts_vi_tri"] == types["phu_4g"] == types["ho_internet"] == "LAST"
    assert types["dien_luoi"] == "SUM"  # a boolean: the villages where it is true
    assert types["song_di_dong"] == types["nha_mang"] == "NONE"
    # the year's report figure of a quarterly count is the fourth quarter's
    from desktop_app.store.aggregation import aggregate

    year = aggregate(reports_store, "pre2025:125", "2020", with_previous=False)
    q4 = aggregate(reports_store, "pre2025:125", "2020Q4", with_previous=False)
    assert year.current.indicators["bts_vi_tri"].total == q4.current.indicators["bts_vi_tri"].total


def test_no_dhis2_total_adds_a_whole_to_its_parts(reports_store: Store, tmp_path: Path) -> None:
    # DHIS2 totals a data element over its option combos. The loudspeaker clusters and
    # the dossiers are a total with sub-counts (speaker: tong, ip, hong; channel: tong,
    # truc_tuyen): as option combos of one element their DHIS2 total was the whole plus
    # its parts again. Each element's DHIS2 total must be our own total of that cell
    from collections import defaultdict
    from decimal import Decimal

    catalogue = reports_store.catalogue
    out = tmp_path / "set.json"
    write_dhis2(reports_store, "pre2025:125", Period(2020, 4), out, include_drafts=True)
    totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for v in json.loads(out.read_text(encoding="utf-8"))["dataValues"]:
        if catalogue.indicators.get(v["dataElement"].split(".")[0], None) is None:
            continue
        if v["value"] not in ("true", "false") and v["value"].replace(".", "").isdigit():
            totals[v["dataElement"], v["orgUnit"], v["period"]] += Decimal(v["value"])
    checked = 0
    for (element, org, period), total in totals.items():
        found = cell_of(catalogue, element, "default")
        code = element.split(".")[0]
        keys = catalogue.total_keys(code) if element == code else (found[1] if found else "",)
        marks = ",".join("?" for _ in keys)
        (stored,) = reports_store.db.execute_sql(
            f"SELECT sum(CAST(value AS REAL)) FROM data_value WHERE org_id = ? AND period = ?"
            f" AND indicator = ? AND disagg IN ({marks})",
            (org, period, code, *keys),
        ).fetchone()
        assert total == pytest.approx(Decimal(str(stored))), (element, org, period)
        checked += element in ("cum_loa", "ho_so_tthc")
    assert checked > 20
    meta = tmp_path / "meta.json"
    write_metadata(reports_store, "pre2025:125", meta)
    elements = {e["code"]: e for e in json.loads(meta.read_text(encoding="utf-8"))["dataElements"]}
    assert {"cum_loa", "cum_loa.ip", "cum_loa.hong", "ho_so_tthc", "ho_so_tthc.truc_tuyen"} <= set(
        elements
    )
    assert elements["cum_loa.ip"]["name"] == "Số cụm loa truyền thanh: Loa IP"
    assert "categoryCombo" not in elements["cum_loa"] and "categoryCombo" in elements["bts_tram"]


def test_cells_and_dhis2_elements_map_both_ways(reports_store: Store) -> None:
    from desktop_app.domain.dhis2_cells import exported_as

    catalogue = reports_store.catalogue
    cum_loa, bts = catalogue.indicators["cum_loa"], catalogue.indicators["bts_tram"]
    assert exported_as(catalogue, cum_loa, "tong") == ("cum_loa", "default")
    assert exported_as(catalogue, cum_loa, "ip") == ("cum_loa.ip", "default")
    assert exported_as(catalogue, bts, "viettel.4g") == ("bts_tram", "viettel.4g")
    for ind in catalogue.indicators.values():
        for key in catalogue.disaggregation_keys(ind.code):
            assert cell_of(catalogue, *exported_as(catalogue, ind, key)) == (ind, key)
    # a file of the earlier export (the sub-count as an option combo) still reads
    assert cell_of(catalogue, "cum_loa", "ip") == (cum_loa, "ip")
    assert cell_of(catalogue, "cum_loa.tong", "default") is None
    assert cell_of(catalogue, "bts_tram.viettel", "4g") is None
    assert cell_of(catalogue, "khong_co", "default") is None
