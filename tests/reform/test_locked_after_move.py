"""A locked quarter's reports survive the reform: after ``reform move`` takes an old
commune's villages (and sites) into its 2025 commune, the approved 2020Q4 reports of the
old commune and its district are the same byte for byte, at the moved office and at the
province, as they were before the move."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop_app.reports import ReportKind, build_report, write_model
from desktop_app.store.store import Store
from tests.reform.test_merge import A_OLD, B_OLD, NEW, enrol, run, send, type_history

DISTRICT = "pre2025:125"
DAY = date(2021, 2, 5)


def reports(
    path: Path, folder: Path, kinds: tuple[tuple[ReportKind, str], ...]
) -> dict[str, bytes]:
    out = {}
    folder.mkdir(exist_ok=True)
    with Store.open(path) as store:
        for kind, unit in kinds:
            for ext in ("pdf", "csv"):
                model = build_report(store, kind, unit, "2020Q4", report_date=DAY)
                assert model.aggregate.current.has_data
                name = f"{kind}.{ext}"
                out[name] = write_model(model, folder / name).read_bytes()
    return out


def test_locked_reports_are_unchanged_after_reform_move(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prov, a, b = tmp_path / "prov.db", tmp_path / "a.db", tmp_path / "b.db"
    capsys.readouterr()
    assert run("province", "init", "--db", str(prov), "--province", "pre2025:14") == 0
    enrol(tmp_path, prov, a, A_OLD)
    enrol(tmp_path, prov, b, B_OLD)
    type_history(a, A_OLD, [120, 80, 45])
    type_history(b, B_OLD, [60, 33])
    send(tmp_path, a, prov, "a1")
    send(tmp_path, b, prov, "b1")
    district = tmp_path / "district.db"  # Huyện Mai Sơn's office approves: the quarter locks
    enrol(tmp_path, prov, district, DISTRICT)
    send(tmp_path, prov, district, "p0")
    with Store.open(district) as s:
        for commune in (A_OLD, B_OLD):
            s.submissions.move(commune, "2020Q4", "approved")
    send(tmp_path, district, prov, "d0")

    plan = tmp_path / "mapping.xlsx"
    assert run("reform", "plan", "--db", str(prov), "--out", str(plan)) == 0
    assert {
        r[5] for r in load_workbook(plan)["mapping"].iter_rows(min_row=2, values_only=True)
    } == {NEW}
    certs = tmp_path / "certs"
    assert run("reform", "apply", "--db", str(prov), "--mapping", str(plan),
               "--certificates", str(certs)) == 0  # fmt: skip
    (cert_a,) = certs.glob("reform-04108-*.json")
    send(tmp_path, prov, a, "p1")  # the approval and the mapping reach the old office
    with Store.open(a) as s:
        assert s.submissions.get(A_OLD, "2020Q4").state == "approved"

    both = (("commune", A_OLD), ("district", DISTRICT))
    at_province = reports(prov, tmp_path / "prov-before", both)
    at_office = reports(a, tmp_path / "a-before", (("commune", A_OLD),))

    assert run("reform", "move", "--db", str(a), "--certificate", str(cert_a)) == 0
    with Store.open(a) as s:
        assert s.node.office_id == NEW
        moved = s.db.execute_sql("SELECT count(*) FROM village WHERE commune_id = ?", (NEW,))
        assert moved.fetchone()[0] == 3
    send(tmp_path, a, prov, "a2")
    with Store.open(prov) as s:
        moved = s.db.execute_sql("SELECT count(*) FROM village WHERE commune_id = ?", (NEW,))
        assert moved.fetchone()[0] == 3  # the province holds the move too

    after_province = reports(prov, tmp_path / "prov-after", both)
    after_office = reports(a, tmp_path / "a-after", (("commune", A_OLD),))
    for name in at_province:
        assert after_province[name] == at_province[name], f"province {name}"
    assert after_office == at_office
