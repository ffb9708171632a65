"""A village lives from the first period it exists in to the last one before it was
deactivated; an open (not locked) period's figures count only the villages alive in
it. A village added later is no "no data" village in an earlier quarter, and a village
deactivated later still counts, with its values, in the quarters it lived in."""

from __future__ import annotations

from datetime import UTC, datetime

from desktop_app.store.aggregation import aggregate
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from tests.conftest import COMMUNE
from tests.helpers.clock import FakeClock


def at(clock: FakeClock, day: str) -> None:
    clock.now = datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()


def signal(store: Store, village: str, period: str) -> None:
    store.values.set_value(ValueWrite(COMMUNE, village, period, "song_di_dong", "on_dinh"))


def names(store: Store, period: str) -> list[str]:
    agg = aggregate(store, COMMUNE, period, with_previous=False)
    assert agg.current.villages == len(agg.villages)
    return [v.name for v in agg.villages]


def test_open_periods_count_the_villages_alive_in_them(
    commune_store: Store, clock: FakeClock
) -> None:
    store = commune_store
    at(clock, "2019-11-05")  # in 2019Q4
    old = [store.villages.add(COMMUNE, f"Bản Cũ {i}") for i in range(3)]
    for v in old:
        signal(store, v.id, "2019Q4")
    signal(store, old[2].id, "2019Q2")  # a value typed for before it was registered
    at(clock, "2020-08-12")  # in 2020Q3: a village is added
    new = store.villages.add(COMMUNE, "Bản Mới Lập")
    for v in (*old, new):
        signal(store, v.id, "2020Q3")
    at(clock, "2021-02-01")  # in 2021Q1: an old village is deactivated
    store.villages.set_active(old[0].id, False)
    signal(store, old[1].id, "2021Q1")

    cu = [v.name for v in old]
    assert names(store, "2019Q4") == cu  # the new village did not exist yet
    agg = aggregate(store, COMMUNE, "2019Q4", with_previous=False)
    ratio = agg.current.derived["ty_le_thon_co_song"]
    assert ratio is not None and float(ratio) == 100.0  # no village without data
    assert names(store, "2020Q3") == [*cu, new.name]  # the deactivated one lived then
    assert names(store, "2020Q4") == [*cu, new.name]  # still alive (no data: '—')
    assert names(store, "2021Q1") == [*cu[1:], new.name]  # gone from its quarter on
    assert names(store, "2019Q3") == names(store, "2019Q2") == [cu[2]]  # it lived then
    assert names(store, "2018Q4") == []  # before any village
