"""A DHIS2 dataValueSet back in: the inverse of the export, through the same checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.domain.periods import Period
from desktop_app.imports.dhis2_import import plan_dhis2_import
from desktop_app.imports.errors import CellsRefusedError, ImportFileError
from desktop_app.reports.dhis2 import write_dhis2
from desktop_app.store.store import Store
from tests.imports.conftest import COMMUNE, table_state


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_the_export_imports_back_as_no_change(store: Store, tmp_path: Path, suffix: str):
    path = tmp_path / f"values{suffix}"
    count = write_dhis2(store, COMMUNE, Period.parse("2020Q4"), path, include_drafts=True)
    assert count > 100
    before = table_state(store)
    plan = plan_dhis2_import(store, path)
    assert plan.all_refusals == [] and plan.changes == 0 and plan.unchanged == count
    assert plan.apply(store) == 0
    assert table_state(store) == before


def _edit(path: Path, store: Store) -> tuple[dict[tuple[str, str, str, str], str], list[str]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    rows = doc["dataValues"]
    expected: dict[tuple[str, str, str, str], str] = {}
    so_ho = next(r for r in rows if r["dataElement"] == "so_ho")
    so_ho["value"] = str(int(so_ho["value"]) + 4)
    expected[(so_ho["orgUnit"], "2020", "so_ho", "")] = so_ho["value"]
    viettel = next(
        r
        for r in rows
        if r["dataElement"] == "bts_vi_tri" and r["categoryOptionCombo"] == "viettel"
    )
    viettel["value"] = str(int(viettel["value"]) + 1)
    expected[(COMMUNE, "2020Q4", "bts_vi_tri", "viettel")] = viettel["value"]
    grid = next(r for r in rows if r["dataElement"] == "dien_luoi")  # a yes/no without rules
    grid["value"] = "false" if grid["value"] == "true" else "true"
    expected[(grid["orgUnit"], "2020", "dien_luoi", "")] = "0" if grid["value"] == "false" else "1"
    poor = next(
        r for r in rows if r["dataElement"] == "so_ho_ngheo" and r["orgUnit"] != so_ho["orgUnit"]
    )
    poor["value"] = "99999"  # more poor households than households: refused by a rule
    rows.append({"dataElement": "so_ho", "period": "2020", "orgUnit": "not-a-village",
                 "categoryOptionCombo": "default", "value": "3"})  # fmt: skip
    rows.append({"dataElement": "tan_suat_phat", "period": "2020Q4", "orgUnit": COMMUNE,
                 "categoryOptionCombo": "default", "value": "2"})  # fmt: skip
    rows.append({"dataElement": "dai_truyen_thanh", "period": "2020", "orgUnit": COMMUNE,
                 "categoryOptionCombo": "default", "value": "satellite"})  # fmt: skip
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return expected, [
        "must not exceed",
        "not a village",
        "not collected for a period like 2020Q4",
        "not a choice",
    ]


def test_changed_values_refused_ones_listed(store: Store, tmp_path: Path):
    path = tmp_path / "values.json"
    write_dhis2(store, COMMUNE, Period.parse("2020Q4"), path, include_drafts=True)
    # the year's values (so_ho, dien_luoi, …) are the yearly data set's, in the year's own
    # export: one file of both, as DHIS2 reads any period on any row
    year = tmp_path / "year.json"
    write_dhis2(store, COMMUNE, Period.parse("2020"), year, include_drafts=True)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["dataValues"] += json.loads(year.read_text(encoding="utf-8"))["dataValues"]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    expected, reasons = _edit(path, store)
    before = table_state(store)
    plan = plan_dhis2_import(store, path)
    refused = plan.all_refusals
    assert len(refused) == 4 and plan.changes == 3
    for reason, refusal in zip(
        reasons,
        sorted(refused, key=lambda r: ("exceed" not in r.reason, int(r.coordinate[1:]))),
        strict=True,
    ):
        assert reason in refusal.reason or (
            reason == "not a choice" and "satellite" in refusal.reason
        ), refusal
    with pytest.raises(CellsRefusedError):
        plan.apply(store)
    assert table_state(store) == before
    assert plan.apply(store, partial=True) == 3
    for (org, period, indicator, disagg), text in expected.items():
        assert store.values.get(org, period, indicator, disagg).value == text  # type: ignore[union-attr]
    again = plan_dhis2_import(store, path)
    assert again.changes == 0 and len(again.all_refusals) == 4


def test_a_locked_period_and_bad_files(store: Store, tmp_path: Path):
    path = tmp_path / "q3.json"
    write_dhis2(store, COMMUNE, Period.parse("2020Q3"), path)  # approved in the demo
    doc = json.loads(path.read_text(encoding="utf-8"))
    row = next(
        r for r in doc["dataValues"] if r["period"] == "2020Q3" and r["dataElement"] == "ho_ftth"
    )
    row["value"] = str(int(row["value"]) + 1)
    path.write_text(json.dumps(doc), encoding="utf-8")
    [refusal] = plan_dhis2_import(store, path).all_refusals
    assert "approved and locked" in refusal.reason
    before = table_state(store)
    for name, content, words in (
        ("a.json", "{not json", "not valid JSON"),
        ("b.json", '{"rows": []}', "no DHIS2 dataValueSet"),
        ("c.csv", "a,b\n1,2\n", "columns of a DHIS2 CSV"),
        ("d.xml", "<dataValueSet/>", ".json or .csv"),
    ):
        bad = tmp_path / name
        bad.write_text(content, encoding="utf-8")
        with pytest.raises(ImportFileError, match=words):
            plan_dhis2_import(store, bad)
    assert table_state(store) == before
