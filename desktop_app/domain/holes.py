"""The coverage-hole programme: a village lacking mobile signal, 4G or broadband, its
planned fix and where it stands in a year. Pure rules, no I/O.

For the report of year ``Y`` (made after the year's end) a hole is

* ``closed``  when it was closed in a quarter of ``Y``;
* ``overdue`` when still open at the end of ``Y`` though its fix was due by ``Y``;
* ``planned`` when still open with a fix planned for a later year;
* ``open``    when still open with no fix planned.

Holes closed before ``Y``, found after ``Y`` or dropped from the programme are not in
the year's report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lack = Literal["mobile", "4g", "broadband"]
YearState = Literal["closed", "overdue", "planned", "open"]
LACKS: tuple[Lack, ...] = ("mobile", "4g", "broadband")
STATUSES = ("open", "planned", "closed", "dropped")
YEAR_STATES: tuple[YearState, ...] = ("closed", "open", "planned", "overdue")
LACK_NAMES: dict[str, tuple[str, str]] = {
    "mobile": ("chưa có sóng di động", "no mobile signal"),
    "4g": ("chưa có sóng 4G", "no 4G"),
    "broadband": ("chưa có băng rộng cố định", "no fixed broadband"),
}


@dataclass(frozen=True)
class Hole:
    """One village's coverage gap in the province's programme."""

    id: str
    commune_id: str
    village_id: str
    lack: str
    since: str  # period code, e.g. 2019Q1
    site_id: str | None = None
    operator: str = ""
    target_year: int | None = None
    funding: str = ""
    status: str = "open"
    closed_period: str | None = None
    notes: str = ""

    def state_in(self, year: int) -> YearState | None:
        """Where the hole stands in the report of ``year`` (None: not in that report)."""
        if self.status == "dropped" or int(self.since[:4]) > year:
            return None
        if self.closed_period is not None:
            closed = int(self.closed_period[:4])
            if closed == year:
                return "closed"
            if closed < year:
                return None
        if self.target_year is None:
            return "open"
        return "overdue" if self.target_year <= year else "planned"
