"""Two pre-2025 commune offices become one 2025 office through ``reform apply``, ``reform
move`` and bundles: one database ends up holding both histories, nothing lost or counted
twice, at the commune and at the province; the new office submits to the province."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from desktop_app import cli
from desktop_app.store.aggregation import aggregate
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store

A_OLD, B_OLD, NEW = "pre2025:04108", "pre2025:04114", "2025:04108"


def run(*argv: str) -> int:
    return cli.main(["--lang", "en", *argv])


def count(store: Store, sql: str, *args: Any) -> int:
    return int(store.db.execute_sql(sql, args).fetchone()[0])


def enrol(tmp: Path, prov: Path, office: Path, unit: str) -> None:
    assert run("init", "--db", str(office), "--office", unit) == 0
    req, cert = tmp / f"{office.stem}.req", tmp / f"{office.stem}.cert"
    assert run("enroll", "request", "--db", str(office), "--out", str(req)) == 0
    assert run("enroll", "approve", "--db", str(prov), str(req), "--out", str(cert)) == 0
    assert run("enroll", "accept", "--db", str(office), str(cert)) == 0


def type_history(office: Path, unit: str, households: list[int]) -> None:
    with Store.open(office) as s:
        for i, n in enumerate(households):
            v = s.villages.add(unit, f"Bản {unit[-3:]} {i}")
            s.values.set_value(ValueWrite(unit, v.id, "2020Q4", "so_ho", n))
        s.submissions.move(unit, "2020Q4", "submitted")


def send(tmp: Path, source: Path, target: Path, name: str) -> None:
    bundle = tmp / f"{name}.cdsync"
    assert run("bundle", "export", "--db", str(source), "--out", str(bundle)) == 0
    assert run("bundle", "import", "--db", str(target), str(bundle)) == 0


def figures(path: Path, unit: str, period: str = "2020Q4") -> tuple[int, Any, list[str]]:
    with Store.open(path) as s:
        agg = aggregate(s, unit, period, with_previous=False)
        return (
            agg.current.villages,
            agg.current.indicators["so_ho"].total,
            sorted(v.name for v in agg.villages),
        )


def test_two_old_offices_merge_into_one_new_office(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prov, a, b = tmp_path / "prov.db", tmp_path / "a.db", tmp_path / "b.db"
    assert run("province", "init", "--db", str(prov), "--province", "pre2025:14") == 0
    enrol(tmp_path, prov, a, A_OLD)
    enrol(tmp_path, prov, b, B_OLD)
    type_history(a, A_OLD, [120, 80, 45])
    type_history(b, B_OLD, [60, 33])
    send(tmp_path, a, prov, "a1")
    send(tmp_path, b, prov, "b1")
    assert figures(prov, NEW)[:2] == (5, 338)

    # the province plans and applies the reform: the lineage places every village
    plan = tmp_path / "mapping.xlsx"
    assert run("reform", "plan", "--db", str(prov), "--out", str(plan)) == 0
    sheet = load_workbook(plan)["mapping"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5 and {r[5] for r in rows} == {NEW}
    certs = tmp_path / "certs"
    capsys.readouterr()
    assert run("reform", "apply", "--db", str(prov), "--mapping", str(plan),
               "--certificates", str(certs)) == 0  # fmt: skip
    shown = capsys.readouterr().out
    assert f"{A_OLD} → {NEW}" in shown and f"{B_OLD} → {NEW}" in shown
    (cert_a,) = certs.glob("reform-04108-*.json")
    (cert_b,) = certs.glob("reform-04114-*.json")

    # each old office receives it and moves into the new commune with its new certificate
    send(tmp_path, prov, a, "p1")
    send(tmp_path, prov, b, "p2")
    assert run("reform", "move", "--db", str(a), "--certificate", str(cert_a)) == 0
    assert run("reform", "move", "--db", str(b), "--certificate", str(cert_b)) == 0
    with Store.open(a) as s:
        assert s.node.office_id == NEW
        assert count(s, "SELECT count(*) FROM village WHERE commune_id = ?", NEW) == 3

    # B's history reaches A through the province: one database with both histories
    send(tmp_path, a, prov, "a2")
    send(tmp_path, b, prov, "b2")
    send(tmp_path, prov, a, "p3")
    for path in (a, prov):
        villages, total, names = figures(path, NEW)
        assert (villages, total) == (5, 338), path
        assert len(names) == len(set(names)) == 5
        # old periods stay reported under the old units too
        assert figures(path, A_OLD)[:2] == (3, 245)
        assert figures(path, B_OLD)[:2] == (2, 93)
        with Store.open(path) as s:
            assert count(s, "SELECT count(*) FROM village") == 5
            rows = s.db.execute_sql("SELECT period, count(*) FROM data_value GROUP BY period")
            assert dict(rows.fetchall()) == {"2020": 5}, path  # so_ho is annual
            assert count(s, "SELECT count(*) FROM sync_quarantine") == 0

    # the new office works in the 2025 structure: 2025Q3, submitted, approved by the province
    with Store.open(a) as s:
        for v in s.villages.for_commune(NEW):
            s.values.set_value(ValueWrite(NEW, v.id, "2025Q3", "so_ho", 100))
        s.submissions.move(NEW, "2025Q3", "submitted")
    send(tmp_path, a, prov, "a3")
    with Store.open(prov) as s:
        assert s.submissions.get(NEW, "2025Q3").state == "submitted"
        s.submissions.move(NEW, "2025Q3", "approved")
        s.submissions.move(NEW, "2025Q3", "accepted")
    assert figures(prov, NEW, "2025Q3")[:2] == (5, 500)
    send(tmp_path, prov, a, "p4")
    with Store.open(a) as s:
        assert s.submissions.get(NEW, "2025Q3").state == "accepted"


def test_a_bad_mapping_or_move_is_one_clear_line_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prov, a = tmp_path / "prov.db", tmp_path / "a.db"
    assert run("province", "init", "--db", str(prov), "--province", "pre2025:14") == 0
    enrol(tmp_path, prov, a, A_OLD)
    type_history(a, A_OLD, [10, 20])
    send(tmp_path, a, prov, "a1")
    plan = tmp_path / "mapping.xlsx"
    assert run("reform", "plan", "--db", str(prov), "--out", str(plan)) == 0
    wb = load_workbook(plan)
    for bad, message in (("2025:99999", "is not a 2025 commune"), ("", "fill in column F")):
        wb["mapping"]["F2"] = bad
        wb.save(plan)
        with Store.open(prov) as s:
            before = count(s, "SELECT count(*) FROM change")
        capsys.readouterr()
        assert run("reform", "apply", "--db", str(prov), "--mapping", str(plan)) == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and message in err and "Row 2" in err
        with Store.open(prov) as s:
            assert count(s, "SELECT count(*) FROM change") == before
            assert count(s, "SELECT count(*) FROM village_mapping") == 0
    # a commune office cannot move into a 2025 commune not formed from it
    certs = tmp_path / "certs"
    wb["mapping"]["F2"] = wb["mapping"]["F3"] = "2025:04108"
    wb.save(plan)
    assert run("reform", "apply", "--db", str(prov), "--mapping", str(plan),
               "--certificates", str(certs)) == 0  # fmt: skip
    (cert,) = certs.glob("*.json")
    b = tmp_path / "b.db"
    enrol(tmp_path, prov, b, "pre2025:03646")
    with Store.open(b) as s:
        before = count(s, "SELECT count(*) FROM change")
    capsys.readouterr()
    assert run("reform", "move", "--db", str(b), "--certificate", str(cert)) == 1
    assert "another installation" in capsys.readouterr().err
    with Store.open(b) as s:
        assert s.node.office_id == "pre2025:03646"
        assert count(s, "SELECT count(*) FROM change") == before


def test_an_office_cannot_move_into_a_commune_not_formed_from_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from desktop_app.sync.certificates import my_certificate, reissue_for

    prov, a = tmp_path / "prov.db", tmp_path / "a.db"
    assert run("province", "init", "--db", str(prov), "--province", "pre2025:14") == 0
    enrol(tmp_path, prov, a, A_OLD)
    type_history(a, A_OLD, [10])
    with Store.open(a) as office, Store.open(prov) as province:
        doc = reissue_for(province, my_certificate(office)[0], "2025:03646")
        before = count(office, "SELECT count(*) FROM change")
    cert = tmp_path / "wrong.json"
    cert.write_text(json.dumps(doc), encoding="utf-8")
    capsys.readouterr()
    assert run("reform", "move", "--db", str(a), "--certificate", str(cert)) == 1
    err = capsys.readouterr().err.strip()
    assert "2025:03646 was not formed from pre2025:04108" in err and len(err.splitlines()) == 1
    with Store.open(a) as office:
        assert office.node.office_id == A_OLD
        assert count(office, "SELECT count(*) FROM change") == before
        assert count(office, "SELECT count(*) FROM village WHERE commune_id = ?", A_OLD) == 1
