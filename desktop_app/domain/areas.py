"""The kinds of area the province's programmes classify places by, and which are in force.

A classification is set by a decision (e.g. the Prime Minister's decision listing the
region III communes and especially difficult villages for 2021–2025) that is in force
for some years; a place belongs to an area kind in a year when a decision in force that
year lists it. Pure rules, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

AreaKind = Literal["border", "region3", "difficult_village", "highland", "ethnic"]
#: In the order reports and sheets list them.
AREA_KINDS: tuple[AreaKind, ...] = ("border", "region3", "difficult_village", "highland", "ethnic")
#: Kinds that classify villages; every other kind classifies communes.
VILLAGE_KINDS: frozenset[str] = frozenset({"difficult_village"})
AREA_NAMES: dict[str, tuple[str, str]] = {
    "border": ("Xã biên giới", "Border commune"),
    "region3": ("Xã khu vực III (đặc biệt khó khăn)", "Region III (especially difficult) commune"),
    "difficult_village": ("Thôn đặc biệt khó khăn", "Especially difficult village"),
    "highland": ("Xã vùng cao", "Highland commune"),
    "ethnic": ("Xã vùng đồng bào dân tộc thiểu số", "Ethnic-minority area commune"),
}
#: The groups the reports compare: border, region III, the other communes.
REPORT_GROUPS: tuple[str, ...] = ("border", "region3", "other")


@dataclass(frozen=True)
class Decision:
    """A decision that classifies places, with the years it is in force."""

    id: str
    title: str
    signed: str
    valid_from: int
    valid_to: int | None

    def in_force(self, year: int) -> bool:
        """True when the decision applies in ``year``."""
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)

    def years_text(self, lang: str = "vi") -> str:
        """``2021–2025``, or ``từ 2021`` (``from 2021``) while open-ended."""
        if self.valid_to is None:
            return f"{'từ' if lang == 'vi' else 'from'} {self.valid_from}"
        return f"{self.valid_from}–{self.valid_to}"


def area_name(kind: str, lang: str = "vi") -> str:
    """The name of an area kind in ``lang``."""
    vi, en = AREA_NAMES[kind]
    return vi if lang == "vi" else en


def report_group(kinds: Iterable[str]) -> str:
    """The report group of a commune with ``kinds``: border first, then region III."""
    held = set(kinds)
    if "border" in held:
        return "border"
    if "region3" in held:
        return "region3"
    return "other"
