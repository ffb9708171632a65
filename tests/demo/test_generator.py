"""The demo office generator: consistent, realistic and deterministic."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_app.demo import build_demo
from desktop_app.demo.generator import DEMO_USERS
from desktop_app.domain.periods import PeriodError
from desktop_app.store.errors import DatabaseExistsError
from desktop_app.store.store import Store
from desktop_app.store.validation import Finding, check_database

MAI_SON = "pre2025:125"


@pytest.fixture(scope="module")
def district_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "mai_son.db"
    build_demo(path, MAI_SON, seed=1)
    return path


@pytest.fixture()
def store(district_db: Path) -> Iterator[Store]:
    with Store.open(district_db) as opened:
        yield opened


def rows(store: Store, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    db: Any = store.db
    return [tuple(r) for r in db.execute_sql(sql, args).fetchall()]


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in a stable order."""
    with Store.open(path) as s:
        tables = [r[0] for r in rows(s, "SELECT name FROM sqlite_master WHERE type = 'table'")]
        out = {}
        for table in sorted(tables):
            width = len(rows(s, f"PRAGMA table_info({table})"))
            order = ", ".join(str(i) for i in range(1, width + 1))
            out[table] = rows(s, f"SELECT * FROM {table} ORDER BY {order}")
        return out


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.violation.severity == "error"]


# --- consistency ---


def test_no_rule_error_and_a_few_warnings(store: Store) -> None:
    findings = list(check_database(store))
    assert errors(findings) == []
    warnings = [f for f in findings if f.violation.severity == "warning"]
    assert 1 <= len(warnings) <= 20
    assert "tan_suat_phat" in {f.violation.indicator for f in warnings}


def test_every_indicator_is_filled_for_every_commune_and_period(store: Store) -> None:
    communes = [u.id for u in store.reference.communes_under(MAI_SON)]
    assert len(communes) == 22
    written = {r[0] for r in rows(store, "SELECT DISTINCT indicator FROM data_value")}
    assert written == set(store.catalogue.indicators)
    per_commune = rows(
        store, "SELECT commune_id, count(DISTINCT period) FROM data_value GROUP BY commune_id"
    )
    assert sorted(per_commune) == [(c, 10) for c in sorted(communes)]  # 8 quarters, 2 years


def test_villages_are_realistic(store: Store) -> None:
    for commune in store.reference.communes_under(MAI_SON):
        villages = store.villages.for_commune(commune.id)
        assert 8 <= len(villages) <= 25
        names = [v.name for v in villages]
        assert all(unicodedata.is_normalized("NFC", n) for n in names)
        assert len({n.casefold() for n in names}) == len(names)
        assert all(v.demo for v in villages)
        if commune.kind == "thị trấn":
            assert all(n.startswith("Tiểu khu ") for n in names)
        else:
            assert all(n.startswith("Bản ") for n in names)
    for so_ho, dan_so, poor in rows(
        store,
        "SELECT CAST(h.value AS INT), CAST(p.value AS INT), CAST(n.value AS INT)"
        " FROM data_value h JOIN data_value p ON p.org_id = h.org_id AND p.period = h.period"
        " JOIN data_value n ON n.org_id = h.org_id AND n.period = h.period"
        " WHERE h.indicator = 'so_ho' AND p.indicator = 'dan_so'"
        " AND n.indicator = 'so_ho_ngheo'",
    ):
        assert 40 <= so_ho <= 260
        assert 4 * so_ho <= dan_so <= 6 * so_ho
        assert 0 <= poor < so_ho


def signal_counts(store: Store, period: str) -> dict[str, int]:
    return dict(
        rows(
            store,
            "SELECT value, count(*) FROM data_value WHERE indicator = 'song_di_dong'"
            " AND period = ? GROUP BY value",
            period,
        )
    )


def test_coverage_improves_and_a_few_villages_stay_without_signal(store: Store) -> None:
    quarters = [f"{y}Q{q}" for y in (2019, 2020) for q in (1, 2, 3, 4)]
    holes = [signal_counts(store, p).get("khong_co", 0) for p in quarters]
    assert holes == sorted(holes, reverse=True)
    assert 3 <= holes[-1] <= 8
    first, last = signal_counts(store, "2019Q1"), signal_counts(store, "2020Q4")
    assert sum(first.values()) == sum(last.values()) == store.villages.count()
    assert last["khong_co"] / sum(last.values()) < first["khong_co"] / sum(first.values())
    assert last["on_dinh"] > first["on_dinh"]
    # the villages still without signal are remote ones without grid power
    no_power = rows(
        store,
        "SELECT count(*) FROM data_value s JOIN data_value g ON g.org_id = s.org_id"
        " WHERE s.indicator = 'song_di_dong' AND s.period = '2020Q4' AND s.value = 'khong_co'"
        " AND g.indicator = 'dien_luoi' AND g.period = '2020' AND g.value = '0'",
    )
    assert no_power[0][0] == holes[-1]


def typed_bts(store: Store, commune_id: str, period: str) -> dict[str, int]:
    return {
        op: int(v)
        for op, v in rows(
            store,
            "SELECT disagg, value FROM data_value WHERE org_id = ? AND period = ?"
            " AND indicator = 'bts_vi_tri'",
            commune_id,
            period,
        )
    }


def test_bts_register_matches_typed_counts_except_the_documented_commune(store: Store) -> None:
    mismatched = []
    for commune in store.reference.communes_under(MAI_SON):
        register = store.sites.register_counts(commune.id)
        typed = typed_bts(store, commune.id, "2020Q4")
        for op, count in typed.items():
            if register.get(("bts", op), 0) != count:
                mismatched.append((commune.id, op, count - register.get(("bts", op), 0)))
    assert len(mismatched) == 1
    commune_id, operator, difference = mismatched[0]
    assert (operator, difference) == ("viettel", 1)
    cell = store.values.get(commune_id, "2020Q4", "bts_vi_tri", "viettel")
    assert cell is not None and "sổ theo dõi trạm" in cell.comment
    submission = store.submissions.get(commune_id, "2020Q4")
    assert submission.state == "returned" and "BTS" in submission.reason


def test_sites_cover_every_type_and_status(store: Store) -> None:
    kinds = dict(rows(store, "SELECT site_type, count(*) FROM site GROUP BY site_type"))
    assert set(kinds) == {
        "bts",
        "post_office",
        "cultural_post_office",
        "radio_station",
        "loudspeaker_cluster",
        "public_internet_point",
    }
    statuses = {r[0] for r in rows(store, "SELECT DISTINCT status FROM site")}
    assert statuses == {"active", "planned", "out_of_order"}
    for lat, lon in rows(store, "SELECT lat, lon FROM site"):
        assert 20.6 <= lat <= 22.0 and 103.2 <= lon <= 105.0


def test_review_history(store: Store) -> None:
    states = rows(store, "SELECT period, state, count(*) FROM submission GROUP BY period, state")
    for period, state, count in states:
        if period != "2020Q4":
            assert (state, count) == ("approved", 22)
    last = {s: n for p, s, n in states if p == "2020Q4"}
    assert 1 <= last["returned"] <= 2 and last["approved"] >= 1
    drafts = 22 - sum(last.values())
    assert 1 <= drafts <= 2
    assert last["submitted"] > 22 // 2
    for (reason,) in rows(store, "SELECT reason FROM submission WHERE state = 'returned'"):
        assert reason and unicodedata.is_normalized("NFC", reason) and "đề nghị" in reason.lower()
    history = rows(
        store, "SELECT action FROM audit WHERE entity = 'submission' AND entity_key LIKE '%2019Q2%'"
    )
    assert ("returned",) in history


def test_changes_come_from_each_commune_and_are_marked_received(store: Store) -> None:
    node = store.node
    commune_users = rows(
        store, "SELECT DISTINCT user FROM change WHERE entity = 'value' ORDER BY user"
    )
    assert len(commune_users) == 22 and all(u.startswith("canbo.") for (u,) in commune_users)
    origins = rows(
        store,
        "SELECT origin, epoch, MAX(seq) FROM change WHERE origin != ? GROUP BY origin, epoch",
        node.node_id,
    )
    cursors = {(o, e): s for o, e, s in rows(store, "SELECT origin, epoch, seq FROM peer_cursor")}
    assert len(origins) == 23  # 22 communes and the province
    for origin, epoch, seq in origins:
        assert cursors[(origin, epoch)] == seq
    approvers = rows(
        store,
        "SELECT DISTINCT user FROM change WHERE origin = ? AND entity = 'submission'",
        node.node_id,
    )
    assert approvers == [("lanhdao",)]


def test_targets_are_set_a_little_above_the_achievement(store: Store) -> None:
    units = {r[0] for r in rows(store, "SELECT DISTINCT unit_id FROM target")}
    assert units == {MAI_SON} | {u.id for u in store.reference.communes_under(MAI_SON)}
    for year in (2019, 2020):
        targets = store.targets.get(MAI_SON, year)
        assert set(targets) >= {"ty_le_thon_co_song", "ty_le_thon_4g", "so_thon_lom_song"}
        assert all(0 <= v <= 100 for v in targets.values())
    with_signal = signal_counts(store, "2020Q4")
    share = 100 * (1 - with_signal["khong_co"] / sum(with_signal.values()))
    assert share <= store.targets.get(MAI_SON, 2020)["ty_le_thon_co_song"] <= 100


def test_settings_and_demo_accounts(store: Store) -> None:
    settings = store.reference.settings()
    assert settings["parent_agency"] == "UBND HUYỆN MAI SƠN"
    assert settings["office_name"] == "PHÒNG VĂN HÓA VÀ THÔNG TIN"
    assert settings["place"] == "Mai Sơn"
    assert settings["recipients"].splitlines()[-1] == "- Lưu: VT."
    for key in ("report_number", "signer_title", "signer_name"):
        assert settings[key]
    for username, _name, role, password in DEMO_USERS:
        user = store.users.authenticate(username, password)
        assert user is not None and user.role == role


# --- determinism ---


def test_same_seed_same_tables_other_seed_other_tables(district_db: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.db"
    build_demo(again, MAI_SON, seed=1)
    first, second = dump(district_db), dump(again)
    assert set(first) == set(second)
    for table in first:
        assert first[table] == second[table], table
    assert first["change"] and first["audit"] and first["data_value"]
    other = tmp_path / "other.db"
    build_demo(other, MAI_SON, seed=2, last_period="2019Q2")
    assert dump(other)["village"] != first["village"]


# --- other offices, arguments ---


def test_commune_office(tmp_path: Path) -> None:
    path = tmp_path / "xa.db"
    summary = build_demo(path, "pre2025:04123", seed=3)
    assert summary.communes == 1 and 8 <= summary.villages <= 25
    with Store.open(path) as s:
        assert errors(list(check_database(s))) == []
        local = {r[0] for r in rows(s, "SELECT DISTINCT user FROM change WHERE origin = ?",
                                    s.node.node_id)}  # fmt: skip
        assert local == {"canbo"}
        assert s.reference.settings()["signer_on_behalf"] == "TM. ỦY BAN NHÂN DÂN"
        assert s.submissions.get("pre2025:04123", "2020Q3").state == "approved"


def test_refuses_an_existing_file_and_bad_periods(tmp_path: Path) -> None:
    existing = tmp_path / "there.db"
    existing.write_bytes(b"")
    with pytest.raises(DatabaseExistsError):
        build_demo(existing)
    with pytest.raises(PeriodError):
        build_demo(tmp_path / "a.db", first_period="2019", last_period="2020")
    with pytest.raises(PeriodError):
        build_demo(tmp_path / "b.db", first_period="2020Q4", last_period="2019Q1")
    assert not (tmp_path / "a.db").exists() and not (tmp_path / "b.db").exists()


def test_progress_is_reported(tmp_path: Path) -> None:
    messages: list[str] = []
    build_demo(tmp_path / "p.db", "pre2025:04123", last_period="2019Q2", progress=messages.append)
    assert len(messages) >= 3 and "2019Q2" in " ".join(messages)


@pytest.mark.slow
def test_province_office(tmp_path: Path) -> None:
    path = tmp_path / "son_la.db"
    started = time.perf_counter()
    summary = build_demo(path, "pre2025:14", seed=1)
    elapsed = time.perf_counter() - started
    assert summary.communes == 204
    assert 204 * 8 <= summary.villages <= 204 * 25
    assert elapsed < 180, f"province demo took {elapsed:.0f} s"
    with Store.open(path) as s:
        assert errors(list(check_database(s))) == []
        districts = {
            r[0] for r in rows(s, "SELECT DISTINCT user FROM change WHERE entity = 'submission'")
        }
        assert sum(1 for u in districts if u.startswith("lanhdao.")) == 12
