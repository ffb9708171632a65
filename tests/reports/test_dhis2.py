"""The DHIS2 dataValueSet export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from desktop_app.domain.periods import Period
from desktop_app.reports.dhis2 import CSV_COLUMNS, write_dhis2
from desktop_app.store.store import Store


def test_json_shape(reports_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "set.json"
    count = write_dhis2(reports_store, "pre2025:125", Period(2020, 4), out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert set(doc) == {"dataValues"}
    values = doc["dataValues"]
    assert len(values) == count > 1000
    catalogue = reports_store.catalogue
    orgs = {str(r[0]) for r in reports_store.db.execute_sql("SELECT id FROM village")} | {
        str(r[0]) for r in reports_store.db.execute_sql("SELECT id FROM unit WHERE level = 3")
    }
    for v in values:
        assert {"dataElement", "period", "orgUnit", "categoryOptionCombo", "value"} <= set(v)
        ind = catalogue.indicators[v["dataElement"]]
        assert v["period"] == ("2020" if ind.frequency == "annual" else "2020Q4")
        assert v["orgUnit"] in orgs
        keys = catalogue.disaggregation_keys(ind.code)
        assert (
            v["categoryOptionCombo"] == "default"
            if keys == ("",)
            else v["categoryOptionCombo"] in keys
        )
        assert isinstance(v["value"], str)
        if ind.kind == "boolean":
            assert v["value"] in ("true", "false")
    stored = reports_store.db.execute_sql(
        "SELECT count(*) FROM data_value d JOIN indicator i ON i.code = d.indicator"
        " WHERE d.value IS NOT NULL AND ((d.period = '2020Q4' AND i.frequency = 'quarterly')"
        " OR (d.period = '2020' AND i.frequency = 'annual'))"
    ).fetchone()[0]
    assert count == stored


def test_csv_columns(reports_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "set.csv"
    count = write_dhis2(reports_store, "pre2025:04108", Period(2020, 4), out)
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == count + 1
    assert {r[1] for r in rows[1:]} <= {"2020Q4", "2020"}
