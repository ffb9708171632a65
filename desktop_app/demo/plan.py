"""The simulated history of a demo office, planned before anything is written.

Pure: from a seeded :class:`random.Random`, the communes of the office and the
quarters to cover, :func:`plan_office` draws every village (its remoteness, when it
gets signal, 4G, fibre, grid power) and every site of the register (when it opens,
breaks or gains a technology). :mod:`desktop_app.demo.series` turns the plans into
typed values, :mod:`desktop_app.demo.replay` writes them through the store.
"""

from __future__ import annotations

import random
from decimal import Decimal

from desktop_app.demo.model import (
    DISTRICT_CENTRES,
    NEVER,
    PROVINCE_CENTRE,
    CommunePlan,
    VillagePlan,
    clamp,
    point,
)
from desktop_app.demo.names import village_names
from desktop_app.demo.site_plan import plan_breakdowns, plan_bts, plan_services
from desktop_app.domain.periods import Period
from desktop_app.domain.units import Unit


def _plan_villages(
    rng: random.Random, unit: Unit, remote: float, centre: tuple[float, float], years: list[int]
) -> list[VillagePlan]:
    urban = unit.kind in ("thị trấn", "phường")
    count = rng.randint(8, 14) if urban else rng.randint(9, 25)
    out: list[VillagePlan] = []
    for name in village_names(rng, unit.kind, count):
        v_remote = 0.08 * rng.random() if urban else remote + rng.uniform(-0.25, 0.25)
        if name.mong:
            v_remote += 0.3
        v_remote = round(clamp(v_remote, 0.0, 1.0), 4)
        base = rng.randint(80, 250) if urban else rng.randint(40, 200 if name.mong else 230)
        households = {}
        for year in years:
            households[year] = base
            base += rng.randint(0, 4)
        lat, lon = point(rng, *centre, 0.045)
        out.append(
            VillagePlan(
                name=name.name,
                mong=name.mong,
                remote=v_remote,
                lat=lat,
                lon=lon,
                households=households,
                persons=rng.uniform(5.2, 5.9) if name.mong else rng.uniform(4.0, 5.2),
                poor=clamp(0.04 + 0.55 * v_remote + rng.uniform(-0.05, 0.05), 0.01, 0.85),
                grid_year=-1,
                mobile_share=(0.06 + 0.27 * (1 - v_remote)) * rng.uniform(0.8, 1.2),
                ftth_share=rng.uniform(0.15, 0.3) if urban else rng.uniform(0.03, 0.1),
                phone_share=clamp(0.25 + 0.5 * (1 - v_remote) + rng.uniform(-0.1, 0.1), 0.1, 0.9),
            )
        )
    return out


def _choose_holes(rng: random.Random, communes: list[CommunePlan], n_q: int) -> None:
    """Mark the villages without signal: the remotest stay so, the next gain it in range."""
    everyone = [v for c in communes for v in c.villages]
    ranked = sorted(everyone, key=lambda v: (-v.remote, v.name))
    holes = max(1, round(len(everyone) * 0.018))
    late = round(len(everyone) * 0.13)
    for v in ranked[:holes]:
        v.hole, v.signal_q, v.stable_q, v.grid_year = True, NEVER, NEVER, NEVER
    for v in ranked[holes : holes + late]:
        v.signal_q = rng.randint(1, max(1, n_q - 1))
        v.stable_q = v.signal_q + rng.randint(1, 5)
        if rng.random() < 0.35:
            v.grid_year = 1  # the power line arrives in the second year
    for v in ranked[holes + late :]:
        if rng.random() < 0.3:
            v.stable_q = rng.randint(0, n_q + 2)


def _plan_village_coverage(rng: random.Random, c: CommunePlan, n_q: int) -> None:
    for v in c.villages:
        if v.hole:
            continue
        if v.signal_q < 0:
            if c.urban or rng.random() < 0.8 * (1 - v.remote) + 0.15:
                v.g4_q = -1
            else:
                v.g4_q = rng.randint(0, n_q + 3)
        elif v.g4_q == NEVER:
            v.g4_q = v.signal_q + rng.randint(0, 4)
        if c.urban and n_q >= 2 and rng.random() < 0.15:
            v.g5_q = max(n_q - 1, v.g4_q)
        v.operators["viettel"] = v.signal_q
        for operator, chance in (("vnpt", 0.9), ("mobifone", 0.7), ("vietnamobile", 0.6)):
            first = c.first_active(operator)
            if first < NEVER and rng.random() < chance * (1 - v.remote) + 0.05:
                v.operators[operator] = max(v.signal_q, first, rng.randint(-4, n_q))
        if v.grid_year <= 0 and rng.random() < (0.95 if c.urban else 0.75 * (1 - v.remote)):
            v.ftth_q = max(c.fibre_q, rng.randint(-4, n_q + 2))
    five = min((v.g5_q for v in c.villages), default=NEVER)
    if five < NEVER:
        next(s for s in c.sites if s.operator == "viettel").tech_from["5g"] = five


def plan_office(
    rng: random.Random, communes: list[tuple[Unit, str]], quarters: list[Period]
) -> list[CommunePlan]:
    """Plan every commune (given with its district id) over ``quarters``."""
    n_q = len(quarters)
    years = sorted({p.year for p in quarters})
    plans: list[CommunePlan] = []
    for unit, district_id in communes:
        centre = DISTRICT_CENTRES.get(district_id.partition(":")[2], PROVINCE_CENTRE)
        lat, lon = point(rng, *centre, 0.14)
        urban = unit.kind in ("thị trấn", "phường")
        remote = round(rng.uniform(0.0, 0.15) if urban else rng.uniform(0.15, 0.75), 4)
        villages = _plan_villages(rng, unit, remote, (lat, lon), years)
        plans.append(CommunePlan(unit, district_id, remote, lat, lon, villages))
    _choose_holes(rng, plans, n_q)
    for c in plans:
        c.fibre_q = -1 if c.urban or rng.random() < 0.8 else rng.randint(0, n_q + 2)
        c.area = Decimal(str(round(rng.uniform(3, 25) if c.urban else rng.uniform(45, 290), 2)))
        c.same_day_paper = c.remote < 0.6
        c.ict = c.urban or rng.random() < 0.9
        c.schools = max(1, min(7, len(c.villages) // 4 + rng.randint(0, 2)))
        c.letter_boxes = rng.randint(2, 6) if c.urban else rng.randint(0, 3)
        c.agents = rng.randint(1, 4) if c.urban else rng.randint(0, 2)
        c.dossiers = rng.randint(300, 900) if c.urban else rng.randint(40, 250)
        for i, year in enumerate(years):
            slow = c.remote > (0.68 if i == 0 else 0.72)
            c.post_freq[year] = (
                Decimal("2") if c.urban else Decimal("0.5") if slow else Decimal("1")
            )
        plan_bts(rng, c, quarters)
        _plan_village_coverage(rng, c, n_q)
        plan_services(rng, c, quarters, years)
    remotest = max(plans, key=lambda c: (c.remote, c.unit.id))
    if not remotest.urban:
        for year in years:
            remotest.post_freq[year] = Decimal("0.5")
    plan_breakdowns(rng, plans, quarters)
    for c in plans:
        seen: set[str] = set()
        for each in c.sites:
            name, k = each.name, 1
            while name in seen:
                k += 1
                name = f"{each.name} ({k})"
            each.name = name
            seen.add(name)
    return plans
