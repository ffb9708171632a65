"""History under the new units: a 2025 unit's report for a pre-reform period reads the
pre-2025 units it was formed from (villages included), as the lineage and the province's
village mapping say, and the 2025 province adds up to the pre-2025 one."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.store.aggregation import UnitAggregate, aggregate
from desktop_app.store.repositories.publishing import PublishError
from desktop_app.store.store import Store
from tests.reform.conftest import PERIOD, PROVINCE_DECIDES, PROVINCE_NEW, PROVINCE_OLD
from tests.reports.conftest import pdf_text


def villages_of(store: Store, *communes: str) -> dict[str, str]:
    marks = ",".join("?" for _ in communes)
    return {
        str(v): str(c)
        for v, c in store.db.execute_sql(
            f"SELECT id, commune_id FROM village WHERE active = 1 AND commune_id IN ({marks})",
            communes,
        )
    }


def totals(agg: UnitAggregate) -> dict[str, object]:
    cur = agg.current
    return {
        code: (s.total, dict(s.cells), dict(s.choices), s.reported, s.expected)
        for code, s in cur.indicators.items()
    }


def assert_same_figures(old: UnitAggregate, new: UnitAggregate) -> None:
    assert new.current.villages == old.current.villages
    assert new.current.communes == old.current.communes
    assert totals(new) == totals(old)
    for code, value in old.current.derived.items():
        assert new.current.derived[code] == pytest.approx(value), code


def test_the_2025_commune_reports_both_old_communes(
    province_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(province_db) as store:
        new = aggregate(store, "2025:04108", PERIOD)
        parts = [aggregate(store, c, PERIOD) for c in ("pre2025:04108", "pre2025:04114")]
    assert [u.id for u in new.sources["2025:04108"]] == ["pre2025:04108", "pre2025:04114"]
    old_villages = [(v.id, v.name, dict(v.values)) for p in parts for v in p.villages]
    assert len(old_villages) == sum(p.current.villages for p in parts) > 20
    assert [(v.id, v.name, dict(v.values)) for v in new.villages] == old_villages
    for code in ("so_ho", "dan_so", "so_ho_ngheo"):
        assert new.current.indicators[code].total == sum(
            p.current.indicators[code].total or 0 for p in parts
        )

    out = tmp_path / "c.pdf"
    argv = ["--lang", "en", "report", "commune", "--db", str(province_db)]
    assert cli.main([*argv, "--unit", "2025:04108", "--period", PERIOD, "--out", str(out)]) == 0
    text = " ".join(pdf_text(out, layout=False).split())
    for _vid, name, _values in old_villages:
        assert name in text
    assert "(pre2025:04108)" in text and "(pre2025:04114)" in text
    assert "units before the 2025 reform" in text


def test_the_2025_province_equals_the_pre_2025_province_once_mapped(province_copy: Path) -> None:
    with Store.open(province_copy) as store:
        old = aggregate(store, PROVINCE_OLD, PERIOD)
        before = aggregate(store, PROVINCE_NEW, PERIOD)
        # the communes the shipped lineage lacks are said, and counted nowhere
        assert set(before.unplaced) == set(PROVINCE_DECIDES)
        assert before.current.villages == old.current.villages - sum(before.unplaced.values())
        # Chiềng Ly and Thị trấn Phù Yên: the lineage fixes found in public sources
        assert "pre2025:03751" in {u.id for u in before.sources["2025:03721"]}
        assert "pre2025:03898" in {u.id for u in before.sources["2025:03910"]}

        mapping = {v: PROVINCE_DECIDES[c] for v, c in villages_of(store, *PROVINCE_DECIDES).items()}
        assert store.publishing.publish_village_mapping(mapping, "2026.1") == len(mapping) + 1
        after = aggregate(store, PROVINCE_NEW, PERIOD)
        assert after.unplaced == {}
        assert_same_figures(old, after)
        for old_id, new_id in PROVINCE_DECIDES.items():
            assert old_id in {u.id for u in after.sources[new_id]}


@pytest.mark.parametrize("seed", range(3))
def test_any_village_mapping_keeps_the_province_totals(province_copy: Path, seed: int) -> None:
    """Property: however the province assigns villages to new communes, nothing is lost or
    counted twice at the province, and each 2025 commune gets exactly its villages."""
    rng = random.Random(seed)
    with Store.open(province_copy) as store:
        news = [
            str(u)
            for (u,) in store.db.execute_sql(
                "SELECT id FROM unit WHERE structure = '2025' AND level = 3 AND parent_id = ?",
                (PROVINCE_NEW,),
            )
        ]
        everyone = {
            str(v): str(c)
            for v, c in store.db.execute_sql("SELECT id, commune_id FROM village WHERE active = 1")
        }
        mapping = {v: PROVINCE_DECIDES[c] for v, c in everyone.items() if c in PROVINCE_DECIDES}
        moved = rng.sample(sorted(everyone), 150)
        mapping.update({v: rng.choice(news) for v in moved})
        store.publishing.publish_village_mapping(mapping, f"2026.{seed + 1}")
        old = aggregate(store, PROVINCE_OLD, PERIOD)
        new = aggregate(store, PROVINCE_NEW, PERIOD)
        assert_same_figures(old, new)
        target = rng.choice([mapping[v] for v in moved])
        commune = aggregate(store, target, PERIOD, with_previous=False)
        got = {v.id for v in commune.villages}
        wanted = {
            v
            for v, c in everyone.items()
            if mapping.get(v) == target or (v not in mapping and target in _successors(store, c))
        }
        assert got == wanted


def _successors(store: Store, old: str) -> list[str]:
    rows = store.db.execute_sql("SELECT unit_id FROM unit_source WHERE source_id = ?", (old,))
    found = [str(r[0]) for r in rows]
    return found if len(found) == 1 else []


def test_a_bad_mapping_is_refused_and_changes_nothing(province_copy: Path) -> None:
    with Store.open(province_copy) as store:
        before = store.db.execute_sql("SELECT count(*) FROM change").fetchone()[0]
        some = next(iter(villages_of(store, "pre2025:04108")))
        for bad in ({"no-such-village": "2025:04108"}, {some: "pre2025:04114"}):
            with pytest.raises(PublishError):
                store.publishing.publish_village_mapping(bad, "2026.1")
        assert store.db.execute_sql("SELECT count(*) FROM village_mapping").fetchone()[0] == 0
        assert store.db.execute_sql("SELECT count(*) FROM change").fetchone()[0] == before


def test_the_dhis2_export_of_a_2025_commune_holds_its_old_communes_values(
    province_db: Path,
) -> None:
    from desktop_app.domain.periods import Period
    from desktop_app.reports.dhis2 import data_values

    with Store.open(province_db) as store:
        period = Period.parse(PERIOD)
        new = data_values(store, "2025:04108", period)
        old = [*data_values(store, "pre2025:04108", period),
               *data_values(store, "pre2025:04114", period)]  # fmt: skip
    assert len(new) > 100
    assert sorted(map(repr, new)) == sorted(map(repr, old))
