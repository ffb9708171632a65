"""The 2025 reform: where a village of the old structure is reported in the new one.

On 1 July 2025 (quarter ``2025Q3``) the districts were abolished and the 204 communes of
Sơn La became 75. History recorded in the old structure is reported under the new
communes by the lineage (``resources/units``: each 2025 commune's pre-2025 sources) and
the province's village mapping (a village → 2025 commune table the province publishes
for an old commune split between new ones, or dissolved without a successor in the
shipped lineage). A village listed in the mapping goes where it says; otherwise it
follows its commune's only successor; a commune with several successors and no mapping
for the village, or with none, leaves the village unplaced (reported, never guessed).

Pure: the store reads the tables (``store/lineage.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from desktop_app.domain.periods import Period

#: The first quarter of the 2025 structure (the reform took effect on 1 July 2025).
REFORM_PERIOD: Final = Period(2025, 3)


def is_pre_reform(period: Period) -> bool:
    """True for a period that ended before the reform (a year up to 2024, a quarter up
    to 2025Q2; the year 2025 straddles it and counts as new: its fourth quarter is)."""
    last = period if period.quarter is not None else Period(period.year, 4)
    return (last.year, last.quarter or 0) < (REFORM_PERIOD.year, REFORM_PERIOD.quarter or 0)


def successors(sources: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Old commune → the 2025 communes it went into, from 2025 commune → its sources."""
    out: dict[str, list[str]] = {}
    for new, olds in sources.items():
        for old in olds:
            out.setdefault(old, []).append(new)
    return {old: tuple(news) for old, news in out.items()}


def successor_of(
    village_id: str,
    old_commune: str,
    following: Mapping[str, Sequence[str]],
    mapping: Mapping[str, str],
) -> str | None:
    """The 2025 commune a village of ``old_commune`` is reported under, or None."""
    mapped = mapping.get(village_id)
    if mapped is not None:
        return mapped
    news = following.get(old_commune, ())
    return news[0] if len(news) == 1 else None


@dataclass(frozen=True)
class Placement:
    """Where villages of old communes go: village → 2025 commune, and the unplaced ones."""

    placed: Mapping[str, str]
    unplaced: Mapping[str, tuple[str, ...]]  # old commune → its villages with no successor


def place(
    villages: Iterable[tuple[str, str]],
    sources: Mapping[str, Sequence[str]],
    mapping: Mapping[str, str],
) -> Placement:
    """Place ``villages`` ((village id, old commune id) pairs) in the 2025 communes."""
    following = successors(sources)
    placed: dict[str, str] = {}
    unplaced: dict[str, list[str]] = {}
    for village_id, old in villages:
        new = successor_of(village_id, old, following, mapping)
        if new is None:
            unplaced.setdefault(old, []).append(village_id)
        else:
            placed[village_id] = new
    return Placement(placed, {k: tuple(v) for k, v in unplaced.items()})
