"""History under the new units: which communes and villages a unit's figures are read from.

:func:`collect` is the aggregation's one hook (``store/aggregation.py``): for a unit of
the pre-2025 structure it is the communes under it and their villages, as before; for a
2025 commune or province it adds the pre-2025 communes the new communes were formed from
(the lineage in ``unit_source``), with only the villages reported under the new commune
(``domain.reform.place``: the province's ``village_mapping``, else the commune's only
successor). A village moved by ``reform apply`` counts under its old commune for periods
before the reform (``village_origin``), so the old unit's history is unchanged.

Values are read by the commune recorded on them, so the pre-2025 sources' figures come
from the rows they were typed in; each old commune is read once, even when its villages
went to several new communes of the area.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from desktop_app.domain.periods import Period
from desktop_app.domain.reform import is_pre_reform, place
from desktop_app.domain.units import Unit
from desktop_app.store.store import Store

__all__ = ["Collected", "collect", "lineage_sources", "village_mapping"]

Villages = dict[str, list[tuple[str, str]]]


@dataclass(frozen=True)
class Collected:
    """The communes read for a unit, their villages, and where the figures come from.

    ``sources``: 2025 commune id → the pre-2025 communes whose data it reports (empty for
    a pre-2025 unit). ``unplaced``: pre-2025 communes of the area with villages that go
    nowhere (no successor and no mapping), with how many villages.
    """

    communes: list[Unit]
    villages: Villages
    sources: Mapping[str, tuple[Unit, ...]] = field(default_factory=dict)
    unplaced: Mapping[str, int] = field(default_factory=dict)
    #: commune id → other commune ids its villages' values may be recorded under (the old
    #: communes of moved villages: their periods before the reform, for the trend)
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: village id → the 2025 commune it is reported under (a 2025 province or commune)
    homes: Mapping[str, str] = field(default_factory=dict)


def lineage_sources(store: Store) -> dict[str, list[str]]:
    """2025 commune id → its pre-2025 sources, in code order (``unit_source``)."""
    out: dict[str, list[str]] = {}
    for new, old in store.db.execute_sql(
        "SELECT unit_id, source_id FROM unit_source ORDER BY unit_id, source_id"
    ):
        out.setdefault(str(new), []).append(str(old))
    return out


def village_mapping(store: Store) -> dict[str, str]:
    """The province's published village → 2025 commune mapping."""
    return {
        str(v): str(c)
        for v, c in store.db.execute_sql("SELECT village_id, commune_id FROM village_mapping")
    }


def _villages(store: Store, period: Period | None) -> list[tuple[str, str, str]]:
    """Active villages (id, commune id for ``period``, name) in register order."""
    old = period is not None and is_pre_reform(period)
    sql = (
        "SELECT v.id, COALESCE(o.commune_id, v.commune_id), v.name FROM village v"
        " LEFT JOIN village_origin o ON o.village_id = v.id WHERE v.active = 1"
        " ORDER BY v.sort_order, v.id"
        if old
        else "SELECT id, commune_id, name FROM village WHERE active = 1 ORDER BY sort_order, id"
    )
    rows = [(str(a), str(b), str(c)) for a, b, c in store.db.execute_sql(sql)]
    return rows


def collect(
    store: Store,
    units: Mapping[str, Unit],
    unit: Unit,
    communes_under: Callable[[Mapping[str, Unit], Unit], list[Unit]],
    period: Period | None = None,
) -> Collected:
    """The communes (and their villages) whose data the figures of ``unit`` are read from."""
    rows = _villages(store, period)
    rows.sort(key=lambda r: r[1])  # stable: register order within a commune
    communes = communes_under(units, unit)
    if unit.structure != "2025":
        wanted = {c.id for c in communes}
        villages: Villages = {c: [] for c in wanted}
        for vid, cid, name in rows:
            if cid in wanted:
                villages[cid].append((vid, name))
        return Collected(communes, villages, aliases=_aliases(store, villages))

    sources = lineage_sources(store)
    mapping = village_mapping(store)
    old_period = period is None or is_pre_reform(period)
    news = {c.id for c in communes}
    old_rows = [(vid, cid) for vid, cid, _ in rows if units.get(cid, unit).structure != "2025"]
    placement = place(old_rows, sources, mapping)
    by_new: dict[str, dict[str, list[tuple[str, str]]]] = {n: {} for n in news}
    for vid, cid, name in rows:
        target = cid if cid in news else placement.placed.get(vid)
        if target in by_new:
            by_new[target].setdefault(cid, []).append((vid, name))
    read: dict[str, Unit] = {}
    villages = {}
    origin: dict[str, tuple[Unit, ...]] = {}
    for new in communes:
        groups = by_new[new.id]
        listed = [s for s in sources.get(new.id, []) if s in units]
        extra = sorted(c for c in groups if c != new.id and c not in listed)
        if new.id in groups or not listed:
            read.setdefault(new.id, new)
        # before the reform every source counts (its commune-level figures too); after it,
        # only an old commune whose villages are still recorded under it
        olds = [s for s in [*listed, *extra] if old_period or s in groups]
        for old_id in olds:
            read.setdefault(old_id, units[old_id])
        for cid, members in groups.items():
            villages.setdefault(cid, []).extend(members)
        origin[new.id] = tuple(units[s] for s in olds)
    for cid in read:
        villages.setdefault(cid, [])
    unplaced: dict[str, int] = {}
    if unit.level == 1:
        unplaced = {o: len(m) for o, m in placement.unplaced.items() if o in units}
    homes = {
        vid: new_id
        for new_id, groups in by_new.items()
        for members in groups.values()
        for vid, _ in members
    }
    return Collected(
        list(read.values()), villages, origin, unplaced, _aliases(store, villages), homes
    )


def _aliases(store: Store, villages: Villages) -> dict[str, tuple[str, ...]]:
    """Group → the other communes its moved villages' values are recorded under (the old
    commune for periods before the reform, the new one for the year 2025 and after)."""
    homes: dict[str, set[str]] = {}
    for v, c in store.db.execute_sql(
        "SELECT village_id, commune_id FROM village_origin"
        " UNION SELECT v.id, v.commune_id FROM village v"
        " JOIN village_origin o ON o.village_id = v.id"
    ):
        homes.setdefault(str(v), set()).add(str(c))
    out: dict[str, tuple[str, ...]] = {}
    for cid, members in villages.items():
        found = {h for v, _ in members for h in homes.get(v, ())} - {cid}
        if found:
            out[cid] = tuple(sorted(found))
    return out
