"""The province's annual plan: which derived indicators take a target, what a target may
be, and how a figure compares with its target (đạt / chưa đạt / vượt).

Pure rules, no I/O: the store's target repository, the plan sheet and the plan report
all judge targets here, so the grid, the XLSX import and the report never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from desktop_app.domain.catalogue import Catalogue, DerivedIndicator
from desktop_app.domain.values import _parse_decimal

Status = Literal["met", "not_met", "exceeded"]
Problem = Literal["not_a_number", "negative", "ratio_range", "level", "whole"]

#: Derived indicators where fewer is better (holes, service radius, people per point).
LOWER_IS_BETTER = frozenset({"so_thon_lom_song", "ban_kinh_phuc_vu", "dan_so_phuc_vu"})
#: Derived indicators no plan sets a target for (the number of villages is a fact).
NOT_PLANNED = frozenset({"so_thon"})


def plan_indicators(catalogue: Catalogue) -> list[DerivedIndicator]:
    """The derived indicators a plan may set a target for, in catalogue order."""
    return [d for d in catalogue.derived.values() if d.code not in NOT_PLANNED]


def applies_to(indicator: DerivedIndicator, level: int) -> bool:
    """True when ``indicator`` is planned at a unit of ``level`` (1 province … 3 commune)."""
    return not (indicator.level == "district+" and level == 3)


def decimals_of(indicator: DerivedIndicator) -> int:
    """Places a target is kept and compared at: counts and people whole, the rest one."""
    return 0 if indicator.unit in ("thôn", "người", "xã") else 1


@dataclass(frozen=True)
class TargetProblem(Exception):
    """Why a target was refused; the caller words ``problem`` for the user."""

    problem: Problem
    text: str = ""


def parse_target(raw: object, indicator: DerivedIndicator, level: int) -> float:
    """A target from a cell (a number, or text typed the Vietnamese way: ``85,5``).

    Raises :class:`TargetProblem`: not a number, negative, a ratio outside 0–100, a
    count that is not whole, or an indicator not planned at that level.
    """
    if isinstance(raw, bool):
        raise TargetProblem("not_a_number", str(raw))
    if isinstance(raw, int | float | Decimal):
        number = Decimal(str(raw))
    else:
        text = str(raw).strip()
        parsed = _parse_decimal(text)
        if parsed is None:
            raise TargetProblem("not_a_number", text)
        number = parsed
    if not applies_to(indicator, level):
        raise TargetProblem("level", str(raw))
    if number < 0:
        raise TargetProblem("negative", str(raw))
    if indicator.unit == "%" and number > 100:
        raise TargetProblem("ratio_range", str(raw))
    places = decimals_of(indicator)
    if places == 0 and number != number.to_integral_value():
        raise TargetProblem("whole", str(raw))
    return float(round(number, places))


def status(indicator_code: str, target: float, achieved: float, places: int = 1) -> Status:
    """How ``achieved`` compares with ``target``, both rounded as printed.

    Equal as printed is "met" (đạt); better is "exceeded" (vượt): higher for ratios,
    lower for the indicators in :data:`LOWER_IS_BETTER`; worse is "not met" (chưa đạt).
    """
    t, a = _printed(target, places), _printed(achieved, places)
    if a == t:
        return "met"
    better = a < t if indicator_code in LOWER_IS_BETTER else a > t
    return "exceeded" if better else "not_met"


def _printed(value: float, places: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def gap(indicator_code: str, target: float, achieved: float, places: int = 1) -> float:
    """Achieved minus target as printed (so the three printed figures add up), signed so
    that a positive gap is always ahead of the plan."""
    diff = _printed(achieved, places) - _printed(target, places)
    return float(-diff if indicator_code in LOWER_IS_BETTER else diff)


def count_status(statuses: Sequence[Status]) -> dict[Status, int]:
    """How many of each status (all three keys present)."""
    out: dict[Status, int] = {"met": 0, "not_met": 0, "exceeded": 0}
    for s in statuses:
        out[s] += 1
    return out
