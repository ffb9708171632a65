"""The demo office pre-enrolled under a demo province: it relays every commune's data
signed by the commune's own (simulated) installation, and the province verifies it."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import pytest

from desktop_app.commands import store_commands
from desktop_app.demo import DEMO_USERS, build_demo
from desktop_app.demo.enrolment import province_path_for
from desktop_app.store.errors import DatabaseExistsError
from desktop_app.store.store import Store
from desktop_app.sync.certificates import my_certificate, verify_certificate
from desktop_app.sync.exchange import export_bundle, import_bundle
from tests.demo.test_generator import dump

MAI_SON, SON_LA = "pre2025:125", "pre2025:14"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, float]:
    # the build's time is measured in bench/bench_demo.py (against the plain demo), not here
    folder = tmp_path_factory.mktemp("demo-province")
    office, province = folder / "demo-office.db", folder / "demo-office-province.db"
    started = time.perf_counter()
    build_demo(office, MAI_SON, seed=1, province_path=province)
    return office, province, time.perf_counter() - started


def count(store: Store, sql: str, *args: Any) -> int:
    db: Any = store.db
    return int(db.execute_sql(sql, args).fetchone()[0])


def test_the_province_verifies_and_applies_everything_the_district_relays(
    built: tuple[Path, Path, float], tmp_path: Path
) -> None:
    """The demo hands the district's data over as real offices do: the district's bundle
    imported by the province, the province's answer by the district. So the province
    holds every value, and the district has nothing left to send."""
    office_path, province_path, _elapsed = built
    with Store.open(office_path) as office, Store.open(province_path) as province:
        assert province.node.office_id == SON_LA
        cert, key = my_certificate(office)
        assert verify_certificate(cert, key, now=time.time()).office_id == MAI_SON  # not expired
        # one signed segment per simulated installation: 22 communes and the province; the
        # province keeps the same 23 it verified from the district's bundle
        assert count(office, "SELECT count(*) FROM sync_segment") == 23
        assert count(province, "SELECT count(*) FROM sync_segment") == 23
        assert count(province, "SELECT count(*) FROM target") == count(
            office, "SELECT count(*) FROM target"
        )
        assert province.values.count() == office.values.count() > 30000
        assert province.villages.count() == office.villages.count()
        assert province.sites.count() == office.sites.count()
        assert count(province, "SELECT count(*) FROM change") == count(
            office, "SELECT count(*) FROM change"
        )
        for table in ("sync_rejection", "conflict"):
            assert count(province, f"SELECT count(*) FROM {table}") == 0, table
        # the district's reviews arrived: approved quarters wait for the province
        assert count(province, "SELECT count(*) FROM submission WHERE state = 'approved'") > 100
        # the province knows each commune's installation by the certificate it issued
        communes = count(province, "SELECT count(*) FROM sync_node WHERE level = 3")
        assert communes == 22
        # the district read the province's answer: it knows the province holds everything
        # (before the demo sent it, this export carried 24 segments)
        bundle = tmp_path / "up.cdsync"
        exported = export_bundle(office, bundle, to=province.node.node_id)
        assert (exported.segments, exported.changes) == (0, 0)
        result = import_bundle(province, bundle, backup=False)
        report = result.report
        assert (report.applied, report.quarantined, report.backlog, report.conflicts) == (
            0,
            0,
            0,
            0,
        ), report.reasons
        for username, _name, role, password in DEMO_USERS:
            user = province.users.authenticate(username, password)
            assert user is not None and user.role == role


def test_the_demo_province_reports_the_district_out_of_the_box(
    built: tuple[Path, Path, float], tmp_path: Path
) -> None:
    """Its dashboard, map and by-area figures, plan and holes reports have the district's data."""
    from desktop_app.reports import build_report
    from desktop_app.reports.dashboard import build_dashboard
    from desktop_app.reports.holes import build_holes_report
    from desktop_app.reports.plan import build_plan_report

    _office, province_path, _elapsed = built
    with Store.open(province_path) as province:
        dashboard = build_dashboard(province, SON_LA)
        assert dashboard.periods[-1].code == "2020Q4" and len(dashboard.periods) == 8
        assert all(values[-1] is not None for _code, _name, values in dashboard.series)
        assert sum(dashboard.completeness.values()) > 0 and dashboard.holes_open > 0
        model = build_report(province, "province", SON_LA, "2020Q4")
        assert model.map is not None and len(model.map.sites) == province.sites.count()
        assert model.areas is not None
        villages = {row[0]: int(row[2]) for row in model.areas.rows}
        assert villages["Toàn tỉnh"] == province.villages.count()
        plan = build_plan_report(province, SON_LA, 2020)
        assert plan.lines and all(line.status is not None for line in plan.lines)
        holes = build_holes_report(province, SON_LA, 2020)
        tallies = [tally for _district, _area, tally in holes.counts]
        states = {state for tally in tallies for state, n in tally.items() if n}
        assert states == {"closed", "open", "planned", "overdue"}


def test_same_seed_same_tables_keys_included(tmp_path: Path) -> None:
    def build(name: str, province: bool) -> tuple[Path, Path]:
        office = tmp_path / f"{name}.db"
        prov = province_path_for(office)
        build_demo(
            office, MAI_SON, seed=4, last_period="2019Q2", province_path=prov if province else None
        )
        return office, prov

    first, second, plain = build("a", True), build("b", True), build("c", False)
    for one, two in zip(first, second, strict=True):
        a, b = dump(one), dump(two)
        assert set(a) == set(b)
        for table in a:
            assert a[table] == b[table], table
    # the office's data are the same with or without the province
    with_province, without = dump(first[0]), dump(plain[0])
    for table in ("change", "audit", "data_value", "village", "site", "submission", "target"):
        assert with_province[table] == without[table], table
    assert not plain[1].exists()


def test_an_existing_province_file_is_refused_and_nothing_is_left(tmp_path: Path) -> None:
    office = tmp_path / "x.db"
    taken = province_path_for(office)
    taken.write_bytes(b"mine")
    with pytest.raises(DatabaseExistsError):
        build_demo(office, "pre2025:04123", last_period="2019Q1", province_path=taken)
    assert not office.exists() and taken.read_bytes() == b"mine"


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="coverage-desk")
    store_commands.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    return int(args.func(args))


def test_the_demo_command_writes_the_province_beside_the_office(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office = tmp_path / "demo" / "demo-office.db"
    office.parent.mkdir()
    assert run("demo", "--db", str(office), "--office", "pre2025:04123", "--seed", "2") == 0
    province = tmp_path / "demo" / "demo-office-province.db"
    assert province.exists()
    assert "coverage-desk gui --db" in capsys.readouterr().out
    # a commune office: its district's reviews are relayed down, its own data go up
    with Store.open(office) as commune, Store.open(province) as prov:
        bundle = tmp_path / "up.cdsync"
        export_bundle(commune, bundle, to=prov.node.node_id)
        result = import_bundle(prov, bundle, backup=False)
        assert result.report.quarantined == 0 and result.report.backlog == 0
        assert prov.values.count() == commune.values.count()
    other = tmp_path / "plain.db"
    assert run("demo", "--db", str(other), "--office", "pre2025:04123", "--no-province") == 0
    assert not province_path_for(other).exists()
