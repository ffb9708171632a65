"""The store's aggregation on a small hand-built district; figures worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop_app.domain.periods import Period
from desktop_app.store.aggregation import aggregate, data_periods
from desktop_app.store.errors import UnknownUnitError
from desktop_app.store.store import Store
from tests.reports.handbuilt import COMMUNE_A, COMMUNE_B, DISTRICT, build_small_district


@pytest.fixture
def small(district_store: Store) -> Store:
    build_small_district(district_store)
    return district_store


def test_district_sums_counts_and_choices(small: Store) -> None:
    agg = aggregate(small, DISTRICT, "2020Q4")
    ind = agg.current.indicators
    # active villages A1, A2, B1, B2 (A3 is inactive and must not count)
    assert agg.current.villages == 4
    assert agg.current.communes == 22
    assert ind["so_ho"].total == 100 + 50 + 80 + 70
    assert ind["dan_so"].total == 400 + 200 + 300 + 250
    assert ind["ho_dttm"].total == 60 + 20 + 40 + 30
    assert ind["ho_internet"].total == 40 + 10 + 20 + 30
    assert ind["so_ho"].reported == 4 and ind["so_ho"].expected == 4
    # booleans: villages where true, of those that answered
    assert ind["phu_4g"].total == 3 and ind["phu_4g"].reported == 4
    assert ind["xa_cap_quang"].total == 1 and ind["xa_cap_quang"].reported == 2
    assert ind["xa_cap_quang"].expected == 22
    # a choice, and a multichoice, counted per code
    assert dict(ind["song_di_dong"].choices) == {"khong_co": 1, "yeu": 1, "on_dinh": 2}
    assert ind["song_di_dong"].total is None
    assert dict(ind["nha_mang"].choices) == {
        "viettel": 3,
        "vnpt": 1,
        "mobifone": 1,
        "vietnamobile": 0,
        "khac": 0,
    }
    # disaggregated: per cell and total
    bts = ind["bts_vi_tri"]
    assert bts.total == 6
    assert bts.cells["viettel"] == 5 and bts.cells["vnpt"] == 1 and bts.cells["mobifone"] == 0
    # a rate per day is averaged over the communes that gave it
    assert ind["tan_suat_phat"].method == "mean"
    assert ind["tan_suat_phat"].total == Decimal("1.00")
    # nothing entered: no total
    assert ind["so_ho_ngheo"].total is None and ind["so_ho_ngheo"].reported == 0


def test_district_derived_previous_and_targets(small: Store) -> None:
    agg = aggregate(small, DISTRICT, "2020Q4")
    d = agg.current.derived
    assert d["so_thon"] == 4
    assert d["so_thon_lom_song"] == 1
    assert d["ty_le_thon_co_song"] == pytest.approx(75.0)
    assert d["ty_le_thon_4g"] == pytest.approx(75.0)
    assert d["ty_le_ho_internet"] == pytest.approx(100 * 100 / 300)
    assert d["ty_le_ho_dttm"] == pytest.approx(50.0)
    # of the 2 communes that reported, not of all 22 (missing is not zero)
    assert d["ty_le_xa_bdvhx"] == pytest.approx(100 * 1 / 2)
    assert d["ty_le_xa_dai_cntt"] == pytest.approx(100 * 1 / 2)
    assert agg.previous is not None
    p = agg.previous.derived
    assert agg.previous.period == Period(2020, 3)
    assert p["so_thon_lom_song"] == 2
    assert p["ty_le_thon_co_song"] == pytest.approx(50.0)
    assert p["ty_le_thon_4g"] == pytest.approx(25.0)
    # annual values of 2020 merged into Q3 as well
    assert p["ty_le_ho_internet"] == pytest.approx(100 * 80 / 300)
    assert agg.targets == {"ty_le_thon_4g": 80.0, "so_thon_lom_song": 0.0}


def test_without_signal_completeness_and_by_commune(small: Store) -> None:
    agg = aggregate(small, DISTRICT, "2020Q4")
    assert [(w.commune.id, w.villages) for w in agg.without_signal] == [
        (COMMUNE_A, ("A2 Bản Hua Tát",))
    ]
    assert agg.villages_without_signal == 1
    states = {c.commune.id: (c.state, c.reason) for c in agg.completeness}
    assert states[COMMUNE_A] == ("approved", "")
    assert states[COMMUNE_B] == ("returned", "Thiếu số liệu")
    assert len(states) == 22
    assert sum(1 for s, _ in states.values() if s == "draft") == 20
    by = {f.unit.id: f for f in agg.by_commune}
    assert by[COMMUNE_A].derived["ty_le_thon_co_song"] == pytest.approx(50.0)
    assert by[COMMUNE_B].derived["ty_le_thon_co_song"] == pytest.approx(100.0)
    assert by[COMMUNE_A].villages == 2
    assert "ty_le_xa_bdvhx" not in by[COMMUNE_A].derived  # district+ only


def test_commune_level(small: Store) -> None:
    agg = aggregate(small, COMMUNE_A, "2020Q4")
    assert agg.level == "commune"
    assert agg.current.indicators["so_ho"].total == 150
    assert agg.current.derived["so_thon_lom_song"] == 1
    assert "ty_le_xa_bdvhx" not in agg.current.derived
    assert [c.commune.id for c in agg.completeness] == [COMMUNE_A]


def test_province_by_district(small: Store) -> None:
    agg = aggregate(small, "pre2025:14", "2020Q4")
    assert agg.level == "province"
    assert agg.current.indicators["so_ho"].total == 300
    assert len(agg.by_district) == 12
    mai_son = next(f for f in agg.by_district if f.unit.id == DISTRICT)
    assert mai_son.derived["ty_le_thon_4g"] == pytest.approx(75.0)
    assert agg.by_commune == []


def test_annual_period_reads_quarterly_from_q4(small: Store) -> None:
    assert data_periods(Period(2020)) == (Period(2020, 4), Period(2020))
    agg = aggregate(small, DISTRICT, "2020")
    assert agg.current.derived["so_thon_lom_song"] == 1
    assert agg.current.indicators["so_ho"].total == 300
    assert agg.previous is not None and agg.previous.period == Period(2019)
    assert agg.previous.indicators["so_ho"].total is None
    assert agg.previous.derived["ty_le_ho_internet"] is None  # 0 / 0


def test_unknown_unit(small: Store) -> None:
    with pytest.raises(UnknownUnitError):
        aggregate(small, "pre2025:99999", "2020Q4")


def test_commune_villages_for_the_annex(small: Store) -> None:
    agg = aggregate(small, COMMUNE_A, "2020Q4")
    assert [v.name for v in agg.villages] == ["A1 Bản Nà Sản", "A2 Bản Hua Tát"]
    first = agg.villages[0].values
    assert first[("song_di_dong", "")] == "on_dinh"
    assert first[("so_ho", "")] == 100  # the annual value merged into the quarter
    assert aggregate(small, DISTRICT, "2020Q4").villages == []
