"""What the dashboard shows for an office's own area, computed once (no Qt here).

The key ratios over every quarter held (the same figures as
:func:`desktop_app.store.aggregation.aggregate` of each quarter, in one pass:
:func:`~desktop_app.store.aggregation.derived_over`), the completeness of the latest
quarter, the coverage holes still open in the latest year and how the year's plan
stands (:mod:`desktop_app.reports.plan`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.domain.periods import Period
from desktop_app.store.aggregation import aggregate, communes_read, derived_over
from desktop_app.store.area_reader import Loader
from desktop_app.store.repositories.holes import HoleRepository
from desktop_app.store.store import Store

TREND_CODES = ("ty_le_thon_co_song", "ty_le_thon_4g", "ty_le_thon_ftth", "ty_le_ho_internet")


@dataclass(frozen=True)
class Dashboard:
    """The dashboard's figures for one unit."""

    unit_name: str
    periods: tuple[Period, ...]
    series: tuple[tuple[str, str, tuple[float | None, ...]], ...]  # code, name, values
    completeness: dict[str, int]  # state → communes, latest quarter
    communes: int
    holes_open: int
    holes_overdue: int
    holes_closed: int  # in the latest year
    plan: dict[str, int]  # met / exceeded / not_met / missing, latest year
    year: int | None


def quarters_held(store: Store, communes: list[str]) -> list[Period]:
    """The quarters for which the communes hold any value, oldest first."""
    if not communes:
        return []
    marks = ",".join("?" for _ in communes)
    db: Any = store.db  # peewee leaves execute_sql untyped
    # one index seek per quarter and commune (every value's period is a row of ``period``,
    # a foreign key), not a DISTINCT over all the communes' values: 0.14 s -> 0.2 ms for
    # the bench database's province
    rows = db.execute_sql(
        f"SELECT code FROM period p WHERE code LIKE '____Q_' AND EXISTS (SELECT 1"
        f" FROM data_value d WHERE d.commune_id IN ({marks}) AND d.period = p.code)"
        " ORDER BY code",
        tuple(communes),
    )
    return [Period.parse(str(p)) for (p,) in rows]


def build_dashboard(store: Store, unit_id: str) -> Dashboard:
    """The dashboard of ``unit_id`` (a district or the province)."""
    from desktop_app.reports.plan import build_plan_report

    unit = store.reference.unit(unit_id)
    communes = [c.id for c in store.reference.communes_under(unit_id)]
    periods = quarters_held(store, communes_read(store, unit_id))
    values: dict[str, list[float | None]] = {c: [] for c in TREND_CODES}
    completeness: dict[str, int] = {}
    if periods:
        # the latest quarter's own aggregate gives its completeness; the earlier quarters'
        # ratios in one pass (derived_over: the same figures as aggregate() of each)
        loader = Loader(store)
        latest = aggregate(store, unit_id, periods[-1], with_previous=False, loader=loader)
        for state in latest.completeness:
            completeness[state.state] = completeness.get(state.state, 0) + 1
        over = derived_over(store, unit_id, periods[:-1], TREND_CODES, loader=loader)
        over[periods[-1]] = dict(latest.current.derived)
        for period in periods:
            for code in TREND_CODES:
                values[code].append(over[period].get(code))
    catalogue = store.catalogue.derived
    series = tuple(
        (code, catalogue[code].name_vi, tuple(values[code]))
        for code in TREND_CODES
        if code in catalogue
    )
    year = periods[-1].year if periods else None
    open_, overdue, closed = 0, 0, 0
    plan = {"met": 0, "exceeded": 0, "not_met": 0, "missing": 0}
    if year is not None:
        mine = set(communes)
        for hole in HoleRepository(store).all():
            if hole.commune_id not in mine or hole.lack != "mobile":
                continue
            where = hole.state_in(year)
            open_ += where in ("open", "planned", "overdue")
            overdue += where == "overdue"
            closed += where == "closed"
        if unit.level < 3:
            report = build_plan_report(store, unit_id, year)
            for line in report.lines:
                plan[line.status or "missing"] += 1
    return Dashboard(
        unit.name,
        tuple(periods),
        series,
        completeness,
        len(communes),
        open_,
        overdue,
        closed,
        plan,
        year,
    )
