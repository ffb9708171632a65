"""What :func:`desktop_app.store.aggregation.aggregate` reads for one unit, shared by every
period asked of it: the communes of each period (the 2025 lineage, ``store.lineage``), their
submissions and locks, each commune's villages of the period (a locked period's as they
stood at its lock, an open one's alive in it) and their values.

One :class:`AreaReader` serves one report's periods: the village history of the change
log, the life spans and each commune's values are read once for all of them, so a trend
over eight quarters reads the values in one query per commune instead of eight
aggregations (:func:`desktop_app.store.aggregation.derived_over`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence

from desktop_app.domain import values as typed
from desktop_app.domain.derived import CommuneData
from desktop_app.domain.periods import Period
from desktop_app.domain.reform import is_pre_reform
from desktop_app.domain.units import Unit
from desktop_app.store.lineage import Collected, collect
from desktop_app.store.repositories.base import LOCKED_STATES
from desktop_app.store.repositories.submissions import Submission
from desktop_app.store.store import Store

__all__ = ["AreaReader", "Loader", "communes_under", "data_periods", "units_of"]

ValueKey = tuple[str, str]
Values = dict[ValueKey, typed.Value]


def data_periods(period: Period) -> tuple[Period, Period]:
    """(period read for quarterly indicators, period read for annual ones)."""
    if period.quarter is None:
        return Period(period.year, 4), period
    return period, period.annual()


class Loader:
    """Reads and decodes the values of many communes for some periods; reads the change
    log's village history once. One loader may serve the aggregations of one report (its
    own figures and its trend) while nothing is written to the store.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.catalogue = store.catalogue
        self._memo: dict[tuple[str, str], typed.Value] = {}
        self._village_history: dict[str, list[tuple[int, str, dict[str, object] | None]]] | None = (
            None
        )
        self._spans: dict[str, tuple[Period, Period | None]] | None = None
        self._inactive: dict[str, tuple[str, str, str, int]] | None = None
        self._orders: dict[str, int] | None = None

    def decode(self, code: str, text: str) -> typed.Value | None:
        key = (code, text)
        found = self._memo.get(key)
        if found is None:
            ind = self.catalogue.indicators.get(code)
            if ind is None:
                return None
            try:
                found = typed.decode(ind, text)
            except ValueError:
                return None
            self._memo[key] = found
        return found

    def _history(self) -> dict[str, list[tuple[int, str, dict[str, object] | None]]]:
        """Every logged village state by commune, oldest first (read once)."""
        if self._village_history is None:
            self._village_history = {}
            for commune, key, state, hlc in self.store.db.execute_sql(
                "SELECT scope_unit, entity_key, state, hlc FROM change"
                " WHERE entity = 'village' ORDER BY hlc, id"
            ):
                vid = str(json.loads(key)["id"])
                parsed = json.loads(state) if state else None
                self._village_history.setdefault(str(commune), []).append((int(hlc), vid, parsed))
        return self._village_history

    def villages_at(self, commune_id: str, hlc: int) -> list[tuple[str, str]] | None:
        """The commune's active villages (id, name) as they stood at ``hlc`` (the time its
        period was locked), from the change log; None when the log has no village history
        for the commune."""
        history = self._history().get(commune_id)
        if not history:
            return None
        latest: dict[str, dict[str, object] | None] = {}
        for when, vid, state in history:
            if when > hlc:
                break
            latest[vid] = state
        alive = [(vid, st) for vid, st in latest.items() if st is not None and st.get("active")]
        alive.sort(key=lambda item: (int(str(item[1].get("sort_order", 0))), item[0]))
        return [(vid, str(st.get("name", ""))) for vid, st in alive]

    def life_spans(self) -> dict[str, tuple[Period, Period | None]]:
        """Village id → (the quarter it was added in, the quarter before the one it was
        deactivated in, or None while it is active), from the change log's times."""
        from datetime import UTC, datetime

        from desktop_app.domain import hlc as hlcs

        def quarter(packed: int) -> Period:
            ms = hlcs.unpack(packed, "-").wall_ms
            return Period.containing(datetime.fromtimestamp(ms / 1000, UTC).date())

        if self._spans is None:
            first: dict[str, int] = {}
            last: dict[str, tuple[int, dict[str, object] | None]] = {}
            for entries in self._history().values():
                for when, vid, state in entries:
                    first[vid] = min(first.get(vid, when), when)
                    if vid not in last or last[vid][0] <= when:
                        last[vid] = (when, state)
            self._spans = {}
            for vid, born in first.items():
                when, state = last[vid]
                gone = None if state is not None and state.get("active") else when
                self._spans[vid] = (
                    quarter(born),
                    None if gone is None else quarter(gone).previous(),
                )
        return self._spans

    def first_values(self, ids: Sequence[str], villages: Sequence[str]) -> dict[str, Period]:
        """Village id → the first quarter it has values for (a year's value counts for
        the year's first quarter), among ``villages``' values recorded under ``ids``."""
        where = ",".join("?" for _ in ids)
        marks = ",".join("?" for _ in villages)
        out: dict[str, Period] = {}
        for vid, low in self.store.db.execute_sql(
            f"SELECT village_id, min(period) FROM data_value WHERE commune_id IN ({where})"
            f" AND village_id IN ({marks}) AND value IS NOT NULL GROUP BY village_id",
            (*ids, *villages),
        ):
            first = Period.parse(str(low))
            out[str(vid)] = Period(first.year, first.quarter or 1)
        return out

    def inactive(self) -> dict[str, tuple[str, str, str, int]]:
        """Deactivated villages: id → (commune now, commune before the reform, name, order)."""
        if self._inactive is None:
            self._inactive = {
                str(v): (str(c), str(o or c), str(n), int(order))
                for v, c, o, n, order in self.store.db.execute_sql(
                    "SELECT v.id, v.commune_id, o.commune_id, v.name, v.sort_order"
                    " FROM village v LEFT JOIN village_origin o ON o.village_id = v.id"
                    " WHERE v.active = 0"
                )
            }
        return self._inactive

    def sort_orders(self) -> dict[str, int]:
        """Village id → its place in the register."""
        if self._orders is None:
            self._orders = {
                str(v): int(o)
                for v, o in self.store.db.execute_sql("SELECT id, sort_order FROM village")
            }
        return self._orders

    def commune_values(
        self,
        commune_id: str,
        wanted: Sequence[Period],
        also: Sequence[str] = (),
        indicators: Collection[str] | None = None,
    ) -> dict[str, dict[str, Values]]:
        """period code → org id → values, for the data periods of ``wanted`` periods;
        only of ``indicators`` when given (a figure that reads a few of them)."""
        codes: set[str] = set()
        for p in wanted:
            codes.update(x.code for x in data_periods(p))
        ordered = sorted(codes)
        marks = ",".join("?" for _ in ordered)
        raw: dict[str, dict[str, Values]] = {c: {} for c in ordered}
        ids = [commune_id, *also]  # ``also``: where moved villages' older values lie
        where = ",".join("?" for _ in ids)
        only = ""
        picked: tuple[str, ...] = ()
        if indicators is not None:
            if not indicators:
                return raw
            picked = tuple(sorted(indicators))
            only = f" AND indicator IN ({','.join('?' for _ in picked)})"
        rows = self.store.db.execute_sql(
            f"SELECT org_id, period, indicator, disagg, value FROM data_value"
            f" WHERE commune_id IN ({where}) AND period IN ({marks}){only}"
            " AND value IS NOT NULL",
            (*ids, *ordered, *picked),
        ).fetchall()
        # the hot loop of a report (~100k values for a province's quarter, its previous
        # one and the year): the memo read inline, one dict lookup per level
        memo, decode = self._memo, self.decode
        for org, period, code, disagg, text in rows:
            value = memo.get((code, text))
            if value is None:
                value = decode(code, text)
                if value is None:
                    continue
            orgs = raw[period]
            found = orgs.get(org)
            if found is None:
                found = orgs[org] = {}
            found[(code, disagg)] = value
        return raw

    def merged(self, raw: Mapping[str, Mapping[str, Values]], period: Period) -> dict[str, Values]:
        """org id → values of ``period``: quarterly indicators from the quarter, annual
        ones from the year."""
        quarter, year = data_periods(period)
        out: dict[str, Values] = {}
        for code, want in ((quarter.code, "quarterly"), (year.code, "annual")):
            for org, values in raw.get(code, {}).items():
                target = out.setdefault(org, {})
                for key, value in values.items():
                    ind = self.catalogue.indicators[key[0]]
                    if ind.frequency == want:
                        target[key] = value
        return out


def units_of(store: Store) -> dict[str, Unit]:
    """Every unit the database holds, by id."""
    rows = store.db.execute_sql(
        "SELECT id, structure, code, name, kind, level, parent_id FROM unit"
    ).fetchall()
    return {str(r[0]): Unit(*r) for r in rows}


def communes_under(units: Mapping[str, Unit], unit: Unit) -> list[Unit]:
    """The communes under ``unit`` (itself for a commune), districts in code order."""
    if unit.level == 3:
        return [unit]
    children: dict[str, list[Unit]] = {}
    for u in units.values():
        if u.parent_id is not None:
            children.setdefault(u.parent_id, []).append(u)
    out: list[Unit] = []
    stack = [unit]
    while stack:
        current = stack.pop()
        if current.level == 3:
            out.append(current)
            continue
        stack.extend(sorted(children.get(current.id, []), key=lambda u: u.code, reverse=True))
    return out


class AreaReader:
    """The communes, villages and values of one unit for the periods ``periods``.

    With ``counted_states``, a commune's values of a period count only when its
    submission for that period is in one of those states (``counted``). With
    ``indicators``, only those indicators' values are read. ``loader``: one shared with
    the report's other aggregations (see :class:`Loader`).
    """

    def __init__(
        self,
        store: Store,
        units: Mapping[str, Unit],
        unit: Unit,
        periods: Sequence[Period],
        *,
        counted_states: Collection[str] | None = None,
        indicators: Collection[str] | None = None,
        loader: Loader | None = None,
    ) -> None:
        self.store = store
        self.units = units
        self.unit = unit
        self.periods = list(dict.fromkeys(periods))
        self.counted_states = counted_states
        self.indicators = indicators
        self.loader = Loader(store) if loader is None else loader
        self._collections: dict[bool, Collected] = {}
        self._states: dict[Period, dict[str, Submission]] = {}
        self._locks: dict[Period, dict[str, int]] = {}
        self._raws: dict[tuple[str, tuple[str, ...]], dict[str, dict[str, Values]]] = {}
        #: (commune id, period) → the villages (id, name) counted, filled by :meth:`communes`
        self.registers: dict[tuple[str, Period], list[tuple[str, str]]] = {}

    def collection(self, period: Period) -> Collected:
        """The communes and villages read for ``period``: across the reform the quarters
        before it of a 2025 unit are its old communes' (commune-level figures too), so the
        columns and the trend are one series. The same on either side of the reform."""
        side = is_pre_reform(period)
        found = self._collections.get(side)
        if found is None:
            found = collect(self.store, self.units, self.unit, communes_under, period)
            self._collections[side] = found
        return found

    def states(self, period: Period) -> dict[str, Submission]:
        """The communes' submissions of ``period`` (a year's: its fourth quarter's)."""
        found = self._states.get(period)
        if found is None:
            found = self.store.submissions.for_period(data_periods(period)[0].code)
            self._states[period] = found
        return found

    def counted(self, commune: Unit, period: Period) -> bool:
        """Whether the commune's values of ``period`` count (its submission's state)."""
        if self.counted_states is None:
            return True
        sub = self.states(period).get(commune.id)
        return sub is not None and sub.state in self.counted_states

    def _locked(self, period: Period) -> dict[str, int]:
        found = self._locks.get(period)
        if found is None:
            marks = ",".join("?" for _ in LOCKED_STATES)
            found = {
                str(cid): int(hlc)
                for cid, hlc in self.store.db.execute_sql(
                    "SELECT commune_id, hlc FROM submission"
                    f" WHERE period = ? AND state IN ({marks})",
                    (data_periods(period)[0].code, *LOCKED_STATES),
                )
            }
            self._locks[period] = found
        return found

    def register(self, commune: Unit, period: Period) -> list[tuple[str, str]]:
        """The commune's villages (id, name) counted in ``period``: a locked (approved)
        period keeps the villages it had when it was locked (villages added, renamed or
        deactivated later change neither its figures nor its names)."""
        lock = self._locked(period).get(commune.id)
        if lock is not None:
            found = self.loader.villages_at(commune.id, lock)
            if found is not None:
                return found
        return self._alive_in(commune, period)

    def _alive_in(self, commune: Unit, p: Period) -> list[tuple[str, str]]:
        """An open period counts the villages alive in it: added by then (or with values
        that early) and not deactivated before it began."""
        loader = self.loader
        here = self.collection(p)  # the communes and villages read for this period (reform)
        ids = [commune.id, *here.aliases.get(commune.id, ())]
        spans = loader.life_spans()
        low, high = Period(p.year, p.quarter or 1), Period(p.year, p.quarter or 4)
        old = is_pre_reform(p)
        gone = [
            (vid, name)
            for vid, (now, before, name, _order) in loader.inactive().items()
            if (before if old else now) in ids and vid in spans
        ]
        # registered after the period: alive in it only with values typed for that early
        late = [
            vid
            for vid, _ in (*here.villages[commune.id], *gone)
            if vid in spans and high < spans[vid][0]
        ]
        seen = loader.first_values(ids, late) if late else {}

        def alive(vid: str) -> bool:
            first: Period | None = None
            last: Period | None = None
            if vid in spans:
                first, last = spans[vid]
            data = seen.get(vid)
            if data is not None:  # values typed for before it was registered
                first = data if first is None else min(first, data)
            return (first is None or not high < first) and (last is None or not last < low)

        out = [v for v in here.villages[commune.id] if alive(v[0])]
        if gone:
            out += [v for v in gone if alive(v[0])]
            orders = loader.sort_orders()
            out.sort(key=lambda v: (orders.get(v[0], 0), v[0]))
        return out

    def communes(self, period: Period) -> list[CommuneData]:
        """Each commune's values of ``period`` and its counted villages' (in the order of
        :meth:`collection`); a commune not counted (``counted``) gives no values."""
        out: list[CommuneData] = []
        here = self.collection(period)
        for commune in here.communes:
            also = here.aliases.get(commune.id, ())
            raw = self._raws.get((commune.id, also))
            if raw is None:
                raw = self.loader.commune_values(commune.id, self.periods, also, self.indicators)
                self._raws[(commune.id, also)] = raw
            merged = self.loader.merged(raw, period) if self.counted(commune, period) else {}
            alive = self.registers[(commune.id, period)] = self.register(commune, period)
            out.append(
                CommuneData(merged.get(commune.id, {}), [merged.get(v, {}) for v, _ in alive])
            )
        return out
