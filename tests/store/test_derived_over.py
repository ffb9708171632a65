"""``derived_over`` (a trend's quarters in one pass) gives exactly the figures of
``aggregate`` run period by period: every period held, every unit kind (commune, district,
a 2025 commune and the 2025 province across the reform), with and without drafts, and a
district whose villages changed after its periods were locked.

Real demo databases (the district office and the 2025 province), real SQLite.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop_app.domain.periods import Period
from desktop_app.reports import OFFICIAL_STATES
from desktop_app.reports.dashboard import TREND_CODES, quarters_held
from desktop_app.store.aggregation import aggregate, communes_read, derived_over
from desktop_app.store.store import Store
from tests.reports.handbuilt import actor_for

DISTRICT, COMMUNE = "pre2025:125", "pre2025:04108"
STATES = (None, OFFICIAL_STATES["district"], OFFICIAL_STATES["commune"])


@pytest.fixture(scope="module")
def demo_2025(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2025 demo's province (its communes' history remapped), built once."""
    from desktop_app import cli

    path = tmp_path_factory.mktemp("over2025") / "demo-2025.db"
    assert cli.main(["--lang", "en", "demo", "--db", str(path), "--structure", "2025"]) == 0
    return path.with_name("demo-2025-province.db")


def _periods(store: Store, unit_id: str) -> list[Period]:
    """Every quarter the unit's communes hold, and the years of them."""
    quarters = quarters_held(store, communes_read(store, unit_id))
    return [*quarters, *sorted({q.annual() for q in quarters})]


def _same_as_aggregate(store: Store, unit_id: str, periods: list[Period]) -> int:
    """Compare every derived figure of every period and counted-state option; how many."""
    codes = list(store.catalogue.derived)
    compared = 0
    for states in STATES:
        fast = derived_over(store, unit_id, periods, codes, counted_states=states)
        assert list(fast) == periods
        for period in periods:
            slow = aggregate(store, unit_id, period, with_previous=False, counted_states=states)
            assert fast[period] == dict(slow.current.derived), (unit_id, period, states)
            compared += sum(v is not None for v in fast[period].values())
    return compared


def test_a_district_and_a_commune_every_period_with_and_without_drafts(demo_db: Path) -> None:
    with Store.open(demo_db) as store:
        periods = _periods(store, DISTRICT)
        assert len(periods) >= 8
        # the demo's 2020Q4 has drafts and returned communes: the options give other figures
        q4 = Period(2020, 4)
        drafts = derived_over(store, DISTRICT, [q4], TREND_CODES)[q4]
        official = derived_over(store, DISTRICT, [q4], TREND_CODES, counted_states=STATES[1])
        assert drafts != official[q4]
        assert _same_as_aggregate(store, DISTRICT, periods) > 100
        assert _same_as_aggregate(store, COMMUNE, _periods(store, COMMUNE)) > 100


def test_locked_periods_keep_their_villages_and_open_ones_follow_the_register(
    demo_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    with Store.open(path) as store:
        before = derived_over(store, DISTRICT, _periods(store, DISTRICT), TREND_CODES)
        actor = actor_for(store, COMMUNE)
        villages = store.villages.for_commune(COMMUNE)
        store.villages.add(COMMUNE, "Bản Mới Lập", actor=actor)
        store.villages.rename(villages[0].id, "Bản Đổi Tên", actor=actor)
        store.villages.set_active(villages[1].id, False, actor=actor)
        store.villages.set_active(villages[2].id, False, actor=actor)
        periods = _periods(store, DISTRICT)
        after = derived_over(store, DISTRICT, periods, TREND_CODES)
        locked = Period(2020, 3)
        assert store.submissions.for_period(locked.code)[COMMUNE].state == "approved"
        assert after[locked] == before[locked]
        assert _same_as_aggregate(store, DISTRICT, periods) > 100
        assert _same_as_aggregate(store, COMMUNE, periods) > 100


def test_the_2025_lineage_across_the_reform(demo_2025: Path) -> None:
    with Store.open(demo_2025) as store:
        periods = _periods(store, "2025:14")
        assert Period(2025, 2) in periods and Period(2025, 3) in periods  # both sides
        assert _same_as_aggregate(store, "2025:14", periods) > 100
        assert _same_as_aggregate(store, "2025:04108", _periods(store, "2025:04108")) > 100


def test_only_the_codes_asked_and_an_unknown_unit_is_refused(demo_db: Path) -> None:
    from desktop_app.store.errors import UnknownUnitError

    with Store.open(demo_db) as store:
        q4 = Period(2020, 4)
        got = derived_over(store, DISTRICT, [q4], ["ty_le_thon_4g", "no_such_code"])
        assert list(got[q4]) == ["ty_le_thon_4g"]
        assert (
            got[q4]["ty_le_thon_4g"]
            == aggregate(store, DISTRICT, q4).current.derived["ty_le_thon_4g"]
        )
        with pytest.raises(UnknownUnitError):
            derived_over(store, "pre2025:99999", [q4], TREND_CODES)
