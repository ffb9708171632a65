"""The five traced cases of issue 11, through the real ``coverage-desk`` commands.

Offices are made, enrolled, backed up, restored and exchange bundles with the
command line (``desktop_app.cli.main``); what an official types in the window
(values, submissions, reviews) is written through the store's repositories, as
the window does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.store.store import Store
from tests.sync.conftest import set_households, values_of

P, D, C1, C2 = "pre2025:14", "pre2025:125", "pre2025:04108", "pre2025:04105"


def cli(*argv: str) -> None:
    assert main(["--lang", "en", *argv]) == 0, argv


@dataclass
class Offices:
    tmp: Path
    n: int = 0

    def db(self, unit: str) -> Path:
        return self.tmp / f"{unit.split(':')[1]}.db"

    def send(self, src: str, dst: str, *, to: bool = True) -> None:
        """``bundle export`` at src (addressed to dst's office), ``bundle import`` at dst."""
        self.n += 1
        out = self.tmp / "usb" / f"{self.n:03d}.cdsync"
        out.parent.mkdir(exist_ok=True)
        cli("bundle", "export", "--db", str(self.db(src)), "--out", str(out),
            *(["--to", dst] if to else []))  # fmt: skip
        cli("bundle", "import", "--db", str(self.db(dst)), str(out))

    def open(self, unit: str) -> Store:
        return Store.open(self.db(unit))


@pytest.fixture
def offices(tmp_path: Path) -> Offices:
    o = Offices(tmp_path)
    cli("province", "init", "--db", str(o.db(P)), "--province", P)
    for unit in (D, C1, C2):
        cli("init", "--db", str(o.db(unit)), "--office", unit)
        req, cert = tmp_path / f"{unit[-3:]}.req", tmp_path / f"{unit[-3:]}.cert"
        cli("enroll", "request", "--db", str(o.db(unit)), "--out", str(req))
        cli("enroll", "approve", "--db", str(o.db(P)), str(req), "--out", str(cert))
        cli("enroll", "accept", "--db", str(o.db(unit)), str(cert))
    return o


def _village(o: Offices, unit: str, value: int) -> str:
    with o.open(unit) as s:
        v = s.villages.add(unit, "Bản Nà Sản").id
        set_households(s, v, value)
    return v


def _values(o: Offices, unit: str, commune: str) -> dict[tuple[str, str, str, str], str | None]:
    with o.open(unit) as s:
        return values_of(s, commune)


def _state(o: Offices, unit: str, commune: str) -> str:
    with o.open(unit) as s:
        return s.submissions.get(commune, "2019Q4").state


def test_1_a_districts_return_reaches_the_commune_after_the_province_acknowledged_it(
    offices: Offices,
) -> None:
    _village(offices, C1, 120)
    with offices.open(C1) as s:
        s.submissions.move(C1, "2019Q4", "submitted")
    offices.send(C1, D)
    with offices.open(D) as s:
        s.submissions.move(C1, "2019Q4", "returned", reason="thiếu số hộ")
    offices.send(D, P)
    offices.send(P, D)  # the province's acknowledgement of the return reaches the district
    offices.send(D, C1)
    assert _state(offices, C1, C1) == "returned"
    offices.send(D, C1, to=False)  # an unaddressed stick says the same
    assert _state(offices, C1, C1) == _state(offices, D, C1) == _state(offices, P, C1)


def test_2_a_commune_bundle_carried_straight_to_the_province_reaches_the_district(
    offices: Offices,
) -> None:
    _village(offices, C1, 75)
    offices.send(C1, P)  # the district office was closed
    offices.send(P, D)
    assert _values(offices, D, C1) == _values(offices, C1, C1) == _values(offices, P, C1)
    # and the commune's next edit, sent to the district, is complete there
    with offices.open(C1) as s:
        v = s.villages.add(C1, "Bản Mới").id
        set_households(s, v, 9)
    offices.send(C1, D)
    assert _values(offices, D, C1) == _values(offices, C1, C1)


def test_3_after_a_restore_the_commune_gets_back_what_it_had_sent(offices: Offices) -> None:
    v = _village(offices, C1, 213)
    backup = offices.tmp / "c1-backup.db"
    cli("backup", "--db", str(offices.db(C1)), "--out", str(backup))
    with offices.open(C1) as s:
        set_households(s, v, 301)
    offices.send(C1, D)
    offices.send(D, P)
    cli("restore", "--db", str(offices.db(C1)), str(backup))
    assert _values(offices, C1, C1)[(v, "2019", "so_ho", "")] == "213"
    offices.send(C1, D)  # the restored commune reports where it stands
    offices.send(D, C1)
    for unit in (C1, D, P):
        assert _values(offices, unit, C1)[(v, "2019", "so_ho", "")] == "301", unit
    with offices.open(C1) as s:
        assert not s.db.execute_sql("SELECT count(*) FROM conflict").fetchone()[0]


def test_4_a_late_edit_of_an_approved_period_ends_the_same_everywhere(offices: Offices) -> None:
    v = _village(offices, C1, 100)
    with offices.open(C1) as s:
        s.submissions.move(C1, "2019Q4", "submitted")
    offices.send(C1, D)
    with offices.open(D) as s:
        s.submissions.move(C1, "2019Q4", "approved")
    with offices.open(C1) as s:
        set_households(s, v, 999)  # late: the commune has not heard of the approval
    offices.send(C1, D)
    offices.send(D, P)
    offices.send(D, C1)
    for unit in (C1, D, P):
        assert _values(offices, unit, C1)[(v, "2019", "so_ho", "")] == "100", unit
        assert _state(offices, unit, C1) == "approved", unit
        with offices.open(unit) as s:  # every office, the commune included, sees why
            assert s.db.execute_sql(
                "SELECT count(*) FROM conflict WHERE status = 'open'"
            ).fetchone()[0], unit


def test_5_a_tampered_commune_cannot_rewrite_another_communes_village(offices: Offices) -> None:
    import json

    from tests.sync.test_forged import _forge

    v2 = _village(offices, C2, 40)
    offices.send(C2, D)
    offices.send(D, P)
    with offices.open(C2) as s:
        key, state = s.db.execute_sql(
            "SELECT entity_key, state FROM change WHERE entity = 'village'"
        ).fetchone()
    with offices.open(C1) as s:
        _forge(s, "village", json.loads(key), C1, {**json.loads(state), "name": "STOLEN"})
        _forge(s, "value", {"org_id": v2, "period": "2019", "indicator": "so_ho", "disagg": ""},
               C1, {"org_id": v2, "commune_id": C1, "village_id": v2, "period": "2019",
                    "indicator": "so_ho", "disagg": "", "value": "0", "comment": ""})  # fmt: skip
    offices.send(C1, D)
    offices.send(C1, P, to=False)  # and straight to the province
    offices.send(D, P)
    for unit in (D, P):
        with offices.open(unit) as s:
            names = [r[0] for r in s.db.execute_sql("SELECT name FROM village")]
            assert "STOLEN" not in names, unit
            assert values_of(s, C2) == {(v2, "2019", "so_ho", ""): "40"}, unit
            assert s.db.execute_sql("SELECT count(*) FROM sync_quarantine").fetchone()[0] >= 2
    offices.send(D, C1)
    with offices.open(C1) as s:  # reported back to the office that sent them
        assert s.db.execute_sql("SELECT count(*) FROM sync_rejection").fetchone()[0] >= 2


def test_to_must_name_a_known_office(offices: Offices, capsys: pytest.CaptureFixture[str]) -> None:
    out = offices.tmp / "nobody.cdsync"
    code = main(["--lang", "en", "bundle", "export", "--db", str(offices.db(D)), "--out",
                 str(out), "--to", "pre2025:nowhere"])  # fmt: skip
    assert code == 1 and not out.exists()
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "coverage-desk: pre2025:nowhere is neither an office nor an installation known here;"
        " check --to."
    ]
