"""The store's own aggregation: a unit's figures for a period, shared by reports and the window.

:func:`aggregate` reads a commune, district or province (pre-2025 structure) for one
period and returns plain dataclasses:

* every indicator over the area's active villages (village indicators) or its
  communes (commune indicators): integers and decimals summed (per cell, and in
  total over the cells the catalogue says make the whole, :meth:`Catalogue.total_keys`;
  a rate such as pickups *per day* is averaged),
  booleans counted as "villages/communes where true", choices and multichoices
  counted per choice code;
* the derived indicators (:func:`desktop_app.domain.derived.compute_derived`), the
  annual values of the year merged into a quarter, active villages only;
* the same for the previous period, the year's plan targets, villages still
  without mobile signal by commune, each commune's submission state, and the
  derived figures of each commune (and, for a province, of each district).

An annual period reads the quarterly indicators from its fourth quarter (the
situation at the end of the year) and takes completeness from that quarter too.

What is read (the communes of each period under the 2025 lineage, the counted
submissions, a locked period's villages as they stood at its lock, the values) comes
from :class:`~desktop_app.store.area_reader.AreaReader`: one SQL query per commune for
all the periods asked, decoded through a memo. :func:`derived_over` reads a trend's
quarters through the same reader in one pass and computes only the derived figures it
is asked for, with the same figures as :func:`aggregate` of each quarter
(``tests/store/test_derived_over.py``). A report's aggregations may share one
:class:`~desktop_app.store.area_reader.Loader` (the change log's village history, read
once).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from desktop_app.domain import values as typed
from desktop_app.domain.catalogue import Catalogue, Indicator
from desktop_app.domain.derived import (
    AreaData,
    CommuneData,
    CompiledDerived,
    Coverage,
    compile_derived,
    compute_derived,
    derived_and_coverage,
)
from desktop_app.domain.periods import Period
from desktop_app.domain.reform import REFORM_PERIOD, is_pre_reform
from desktop_app.domain.units import Unit
from desktop_app.store.area_reader import AreaReader, Loader, data_periods
from desktop_app.store.area_reader import communes_under as _communes_under
from desktop_app.store.area_reader import units_of as _units
from desktop_app.store.errors import UnknownUnitError
from desktop_app.store.lineage import Collected, collect
from desktop_app.store.previous_basis import same_basis, same_basis_across
from desktop_app.store.store import Store

__all__ = [
    "NO_SIGNAL",
    "AreaFigures",
    "CommuneState",
    "IndicatorSummary",
    "PeriodFigures",
    "UnitAggregate",
    "VillageFigures",
    "VillagesWithoutSignal",
    "aggregate",
    "area_level",
    "collected",
    "communes_read",
    "data_periods",
    "derived_over",
    "summarise_indicator",
]

AreaLevel = Literal["commune", "district", "province"]
Method = Literal["sum", "mean", "count_true", "count_choice"]
Number = int | Decimal
ValueKey = tuple[str, str]
Values = dict[ValueKey, typed.Value]

#: The choice of ``song_di_dong`` meaning "no mobile signal" (a coverage hole).
NO_SIGNAL = ("song_di_dong", "khong_co")
_LEVELS: dict[int, AreaLevel] = {1: "province", 2: "district", 3: "commune"}


@dataclass(frozen=True)
class IndicatorSummary:
    """One indicator over an area for one period.

    ``total``: the sum (or mean, for a rate) of numbers over every cell, the number
    of villages/communes where a boolean is true, or None for a choice or when no
    village/commune gave a value. ``cells``: per disaggregation key (numeric
    indicators with a disaggregation). ``choices``: villages/communes per choice code.
    ``reported`` of ``expected`` villages/communes gave a value.
    """

    code: str
    level: str
    kind: str
    method: Method
    total: Number | None
    cells: Mapping[str, Number]
    choices: Mapping[str, int]
    reported: int
    expected: int


@dataclass(frozen=True)
class PeriodFigures:
    """Everything computed for one period: indicator summaries and derived values."""

    period: Period
    indicators: Mapping[str, IndicatorSummary]
    derived: Mapping[str, float | None]
    villages: int
    communes: int
    #: derived code → the villages and communes with its data, of how many
    coverage: Mapping[str, Coverage] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        """Whether any village or commune gave any value for the period."""
        return any(s.reported or s.cells for s in self.indicators.values())


@dataclass(frozen=True)
class AreaFigures:
    """Derived figures of one commune (or district) of the area, for the bar chart."""

    unit: Unit
    derived: Mapping[str, float | None]
    villages: int
    #: what each derived figure covers (its villages and communes with data), so that
    #: a group of units recombines a ratio over the villages it was computed on
    coverage: Mapping[str, Coverage] = field(default_factory=dict)


@dataclass(frozen=True)
class VillageFigures:
    """One active village's values for the period (filled for a commune report)."""

    id: str
    name: str
    values: Mapping[ValueKey, typed.Value]


@dataclass(frozen=True)
class VillagesWithoutSignal:
    """A commune's active villages whose mobile signal is "khong_co" this period."""

    commune: Unit
    villages: tuple[str, ...]


@dataclass(frozen=True)
class CommuneState:
    """A commune's submission state for the period (``draft``: nothing sent)."""

    commune: Unit
    district: Unit | None
    state: str
    reason: str


@dataclass(frozen=True)
class UnitAggregate:
    """The figures of a unit for a period, the previous period and the year's plan."""

    unit: Unit
    level: AreaLevel
    period: Period
    current: PeriodFigures
    previous: PeriodFigures | None
    targets: Mapping[str, float]
    without_signal: Sequence[VillagesWithoutSignal]
    completeness: Sequence[CommuneState]
    by_commune: Sequence[AreaFigures]
    by_district: Sequence[AreaFigures] = field(default_factory=tuple)
    parents: Mapping[str, Unit] = field(default_factory=dict)
    villages: Sequence[VillageFigures] = field(default_factory=tuple)
    #: 2025 commune id → the pre-2025 communes its figures come from (``store.lineage``)
    sources: Mapping[str, tuple[Unit, ...]] = field(default_factory=dict)
    #: pre-2025 commune id → villages reported nowhere in the 2025 structure (unmapped)
    unplaced: Mapping[str, int] = field(default_factory=dict)
    #: communes whose data was left out (their period not submitted / approved)
    excluded: Sequence[Unit] = field(default_factory=tuple)
    #: communes counted this period with nothing counted in the previous one
    previous_missing: Sequence[Unit] = field(default_factory=tuple)
    #: communes whose previous-period data is left out: nothing counted this period
    previous_dropped: Sequence[Unit] = field(default_factory=tuple)
    #: the previous period is before the 2025 reform and this one after it: "Kỳ trước" is
    #: read from the old communes the new ones were formed from (``same_basis_across``)
    previous_across_reform: bool = False
    #: then, the old communes "Kỳ trước" is read from, and those of them that also went
    #: into a 2025 commune outside this unit (their commune-wide figures cannot be split)
    previous_sources: Sequence[Unit] = field(default_factory=tuple)
    previous_split: Sequence[Unit] = field(default_factory=tuple)
    #: communes with any value stored for the period (counted or not): a period nobody
    #: entered is told apart from one entered and not approved (``reports.notices``)
    entered: Sequence[Unit] = field(default_factory=tuple)
    #: communes with at least one village counted this period (their village list is
    #: known here): every village count of a report is of these communes' villages
    listed: Sequence[Unit] = field(default_factory=tuple)

    @property
    def villages_without_signal(self) -> int:
        """How many villages have no mobile signal this period."""
        return sum(len(c.villages) for c in self.without_signal)


def area_level(unit: Unit) -> AreaLevel:
    """``commune``, ``district`` or ``province`` for a unit of level 3, 2 or 1."""
    return _LEVELS[unit.level]


def _method(indicator: Indicator) -> Method:
    if indicator.kind == "boolean":
        return "count_true"
    if indicator.kind in ("choice", "multichoice"):
        return "count_choice"
    if indicator.unit_en.startswith("per ") or "/" in indicator.unit_vi:
        return "mean"
    return "sum"


def summarise_indicator(
    catalogue: Catalogue, indicator: Indicator, rows: Sequence[Mapping[ValueKey, typed.Value]]
) -> IndicatorSummary:
    """Summarise ``indicator`` over ``rows`` (one mapping per village or commune)."""
    method = _method(indicator)
    keys = catalogue.disaggregation_keys(indicator.code)
    code = indicator.code
    reported = 0
    cells: dict[str, Number] = {}
    choices: dict[str, int] = {}
    total: Number | None = None
    if method in ("sum", "mean"):
        # Only the cells that make up the whole are added into the total (a "total"
        # member of the dimension, not its parts); every cell is kept for its own row.
        whole = set(catalogue.total_keys(code))
        acc: Number = 0
        for row in rows:
            seen = False
            for key in keys:
                value = row.get((code, key))
                if value is None or isinstance(value, bool | str | frozenset):
                    continue
                if key in whole:
                    seen = True
                    acc += value
                if indicator.disaggregation:
                    cells[key] = cells.get(key, 0) + value
            reported += seen
        if reported:
            total = acc
            if method == "mean":
                total = (Decimal(acc) / reported).quantize(Decimal("0.01"))
        if indicator.disaggregation:
            cells = {k: cells.get(k, 0) for k in keys} if cells else {}
    elif method == "count_true":
        true = 0
        for row in rows:
            value = row.get((code, ""))
            if isinstance(value, bool):
                reported += 1
                true += value
        total = true if reported else None
    else:
        choices = {c: 0 for c in indicator.choices}
        for row in rows:
            value = row.get((code, ""))
            if isinstance(value, str):
                reported += 1
                if value in choices:
                    choices[value] += 1
            elif isinstance(value, frozenset):
                reported += 1
                for c in value:
                    if c in choices:
                        choices[c] += 1
    return IndicatorSummary(
        code, indicator.level, indicator.kind, method, total, cells, choices, reported, len(rows)
    )


def collected(store: Store, unit_id: str, period: Period) -> Collected:
    """The communes and villages a unit's figures for ``period`` are read from (a 2025
    unit's include the pre-2025 communes it was formed from: ``store.lineage``)."""
    units = _units(store)
    unit = units.get(unit_id)
    if unit is None:
        raise UnknownUnitError(unit=unit_id)
    return collect(store, units, unit, _communes_under, period)


def communes_read(store: Store, unit_id: str) -> list[str]:
    """Every commune whose values a unit's figures may be read from, in any period: for
    a 2025 unit, the pre-2025 communes it was formed from as well (a trend across the
    reform reads them for the quarters before it)."""
    units = _units(store)
    unit = units.get(unit_id)
    if unit is None:
        raise UnknownUnitError(unit=unit_id)
    found: dict[str, None] = {}
    for p in (REFORM_PERIOD.previous(), REFORM_PERIOD):
        got = collect(store, units, unit, _communes_under, p)
        for c in got.communes:
            found.setdefault(c.id)
            for alias in got.aliases.get(c.id, ()):
                found.setdefault(alias)
    return list(found)


def _figures(
    catalogue: Catalogue,
    compiled: Mapping[str, CompiledDerived],
    period: Period,
    communes: Sequence[CommuneData],
    level: AreaLevel,
) -> PeriodFigures:
    village_rows = [v for c in communes for v in c.villages]
    commune_rows = [c.commune_values for c in communes]
    summaries = {
        ind.code: summarise_indicator(
            catalogue, ind, village_rows if ind.level == "village" else commune_rows
        )
        for ind in catalogue.indicators.values()
    }
    derived, covered = derived_and_coverage(catalogue, AreaData(communes), level, compiled)
    return PeriodFigures(period, summaries, derived, len(village_rows), len(communes), covered)


def _by_new_commune(
    catalogue: Catalogue,
    compiled: Mapping[str, CompiledDerived],
    units: Mapping[str, Unit],
    province: Unit,
    collected: Collected,
    data: Sequence[CommuneData],
    registers: Mapping[tuple[str, Period], list[tuple[str, str]]],
    period: Period,
) -> list[AreaFigures]:
    """A 2025 province's figures by its communes (it has no districts): each village
    counts under the 2025 commune it is reported in, an old commune's commune-level
    figures under the first 2025 commune formed from it."""
    first: dict[str, str] = {}
    for new_id, olds in collected.sources.items():
        for old in olds:
            first.setdefault(old.id, new_id)
    # 2025 commune → source commune → (its commune-level values, its villages' rows)
    parts: dict[str, dict[str, tuple[Values, list[Values]]]] = {}
    for commune, got in zip(collected.communes, data, strict=True):
        home = commune.id if commune.structure == "2025" else first.get(commune.id)
        for (vid, _name), row in zip(registers[(commune.id, period)], got.villages, strict=True):
            target = collected.homes.get(vid, home)
            if target is not None:
                parts.setdefault(target, {}).setdefault(commune.id, ({}, []))[1].append(dict(row))
        if home is not None and got.commune_values:
            rows = parts.setdefault(home, {}).get(commune.id, ({}, []))[1]
            parts[home][commune.id] = (dict(got.commune_values), rows)
    out: list[AreaFigures] = []
    for new in _communes_under(units, province):
        datas = [CommuneData(cv, rows) for cv, rows in parts.get(new.id, {}).values()]
        derived = compute_derived(catalogue, AreaData(datas), "commune", compiled)
        if not any(d.commune_values or d.villages for d in datas):
            # nothing known of this commune here: "—". A village without values still
            # counts in the number of villages, as in the commune's own figures
            derived = dict.fromkeys(derived)
        out.append(AreaFigures(new, derived, sum(len(d.villages) for d in datas)))
    return out


def aggregate(
    store: Store,
    unit_id: str,
    period: Period | str,
    *,
    with_previous: bool = True,
    per_commune: bool = False,
    counted_states: Collection[str] | None = None,
    loader: Loader | None = None,
) -> UnitAggregate:
    """The figures of ``unit_id`` (commune, district or province) for ``period``.

    ``by_commune`` is filled for a commune or district; for a province (where the
    chart goes by district, in ``by_district``) only when ``per_commune`` is true.
    With ``counted_states`` (e.g. ``{"approved", "accepted"}``), a commune's values of
    a period count only when its submission for that period is in one of those
    states; the others are left out (``excluded``), as if nothing had been entered.
    ``loader``: one shared by a report's aggregations (:class:`Loader`).

    Raises :class:`UnknownUnitError` for a unit the database does not hold.
    """
    if isinstance(period, str):
        period = Period.parse(period)
    units = _units(store)
    unit = units.get(unit_id)
    if unit is None or unit.level not in _LEVELS:
        raise UnknownUnitError(unit=unit_id)
    level = area_level(unit)
    catalogue = store.catalogue
    compiled = compile_derived(catalogue)
    previous: Period | None = None
    if with_previous:
        try:
            previous = period.previous()
        except ValueError:
            previous = None
    wanted = [period] if previous is None else [period, previous]
    reader = AreaReader(store, units, unit, wanted, counted_states=counted_states, loader=loader)
    collected = reader.collection(period)
    communes = collected.communes
    current_data = reader.communes(period)
    previous_data = [] if previous is None else reader.communes(previous)
    registers = reader.registers
    without: list[VillagesWithoutSignal] = []
    for commune, data in zip(communes, current_data, strict=True):
        holes = tuple(
            name
            for (_vid, name), row in zip(
                registers[(commune.id, period)], data.villages, strict=True
            )
            if row.get((NO_SIGNAL[0], "")) == NO_SIGNAL[1]
        )
        if holes:
            without.append(VillagesWithoutSignal(commune, holes))

    current = _figures(catalogue, compiled, period, current_data, level)
    prev_figures = None
    missing: list[Unit] = []
    dropped: list[Unit] = []
    across = False
    olds: list[Unit] = []
    split: list[Unit] = []
    if previous is not None:
        before = reader.collection(previous)
        if [c.id for c in before.communes] == [c.id for c in communes]:
            previous_data, missing, dropped = same_basis(communes, current_data, previous_data)
        elif unit.structure == "2025" and is_pre_reform(previous) and not is_pre_reform(period):
            across = True
            olds = [c for c in before.communes if c.structure != "2025"]
            inside = {c.id for c in _communes_under(units, unit)} | {unit.id}
            split = _split(store, olds, inside)
            previous_data, missing, dropped = same_basis_across(
                collected, current_data, before, previous_data
            )
        prev_figures = _figures(catalogue, compiled, previous, previous_data, level)
    by_commune: list[AreaFigures] = []
    by_district: list[AreaFigures] = []
    if level != "province" or per_commune:
        by_commune = []
        for c, data in zip(communes, current_data, strict=True):
            derived, covered = derived_and_coverage(
                catalogue, AreaData([data]), "commune", compiled
            )
            by_commune.append(AreaFigures(c, derived, len(data.villages), covered))
    if level == "province" and unit.structure == "2025":
        by_commune = _by_new_commune(
            catalogue, compiled, units, unit, collected, current_data, registers, period
        )
    elif level == "province":
        groups: dict[str, list[CommuneData]] = {}
        for c, data in zip(communes, current_data, strict=True):
            groups.setdefault(c.parent_id or "", []).append(data)
        for district_id, datas in groups.items():
            district = units.get(district_id)
            if district is not None:
                derived = compute_derived(catalogue, AreaData(datas), "district", compiled)
                if not any(d.commune_values or d.villages for d in datas):
                    # nothing known of this district here: "—", not 0 villages. Its
                    # villages without values still count, as in the district's report
                    derived = dict.fromkeys(derived)
                by_district.append(
                    AreaFigures(district, derived, sum(len(d.villages) for d in datas))
                )
    submissions = reader.states(period)
    completeness = []
    for c in communes:
        sub = submissions.get(c.id)
        completeness.append(
            CommuneState(
                c,
                units.get(c.parent_id or "") if c.parent_id else None,
                sub.state if sub is not None else "draft",
                sub.reason if sub is not None else "",
            )
        )
    parents = {c.id: units[c.parent_id] for c in communes if c.parent_id and c.parent_id in units}
    village_figures: list[VillageFigures] = []
    if level == "commune":
        village_figures = [
            VillageFigures(vid, name, row)
            for c, data in zip(communes, current_data, strict=True)
            for (vid, name), row in zip(registers[(c.id, period)], data.villages, strict=True)
        ]
    return UnitAggregate(
        unit=unit,
        level=level,
        period=period,
        current=current,
        previous=prev_figures,
        targets=store.targets.get(unit.id, period.year),
        without_signal=without,
        completeness=completeness,
        by_commune=by_commune,
        by_district=by_district,
        parents=parents,
        villages=village_figures,
        sources=collected.sources,
        unplaced=collected.unplaced,
        excluded=tuple(c for c in communes if not reader.counted(c, period)),
        previous_missing=tuple(missing),
        previous_dropped=tuple(dropped),
        previous_across_reform=across,
        previous_sources=tuple(olds),
        previous_split=tuple(split),
        entered=_entered(store, collected, period),
        listed=tuple(c for c in communes if registers[(c.id, period)]),
    )


def _entered(store: Store, collected: Collected, period: Period) -> tuple[Unit, ...]:
    """The communes of ``collected`` with any value stored for ``period`` (its quarter's
    and its year's, as the report reads them), whatever their submission state."""
    owner: dict[str, str] = {}
    for c in collected.communes:
        owner[c.id] = c.id
        for alias in collected.aliases.get(c.id, ()):
            owner.setdefault(alias, c.id)
    if not owner:
        return ()
    codes = sorted({p.code for p in data_periods(period)})
    ids = list(owner)
    rows = store.db.execute_sql(
        f"SELECT DISTINCT commune_id FROM data_value WHERE commune_id IN"
        f" ({','.join('?' for _ in ids)}) AND period IN ({','.join('?' for _ in codes)})"
        " AND value IS NOT NULL",
        (*ids, *codes),
    ).fetchall()
    found = {owner[str(r[0])] for r in rows}
    return tuple(c for c in collected.communes if c.id in found)


def _split(store: Store, olds: Sequence[Unit], inside: Collection[str]) -> list[Unit]:
    """The old communes of ``olds`` that also went into a 2025 commune outside ``inside``
    (by the lineage or by the province's village mapping)."""
    from desktop_app.store.reform import taken_over

    went: dict[str, set[str]] = {}
    for new_id, old_ids in taken_over(store).items():
        for old_id in old_ids:
            went.setdefault(old_id, set()).add(new_id)
    return [c for c in olds if not went.get(c.id, set()) <= set(inside)]


def derived_over(
    store: Store,
    unit_id: str,
    periods: Sequence[Period],
    codes: Collection[str],
    *,
    counted_states: Collection[str] | None = None,
    loader: Loader | None = None,
) -> dict[Period, dict[str, float | None]]:
    """The derived figures ``codes`` of ``unit_id`` for each of ``periods``, in one pass.

    Each period's figures are exactly those of ``aggregate(store, unit_id, period,
    with_previous=False, counted_states=counted_states).current.derived`` (the same
    communes of the 2025 lineage, the same counted submissions, the same villages of a
    locked or open period, through the same :class:`AreaReader`), restricted to
    ``codes`` (a code the catalogue lacks, or a district-level one for a commune, is left
    out). What is shared: the village history, life spans and units are read once, and
    each commune's values of every period in one query, of only the indicators the
    formulas read; no indicator summary, coverage or by-commune figure is computed. A
    trend of the province over eight quarters: one read instead of eight aggregations.
    ``loader``: one shared with the report's own aggregate (:class:`Loader`).

    Raises :class:`UnknownUnitError` for a unit the database does not hold.
    """
    units = _units(store)
    unit = units.get(unit_id)
    if unit is None or unit.level not in _LEVELS:
        raise UnknownUnitError(unit=unit_id)
    catalogue = store.catalogue
    wanted = set(codes)
    compiled = {c: item for c, item in compile_derived(catalogue).items() if c in wanted}
    reads = frozenset(ref for item in compiled.values() for ref in item.refs)
    reader = AreaReader(
        store, units, unit, periods, counted_states=counted_states, indicators=reads, loader=loader
    )
    level = area_level(unit)
    return {
        p: compute_derived(catalogue, AreaData(reader.communes(p)), level, compiled)
        for p in reader.periods
    }
