"""The plan of a demo office: what each village and site goes through over the quarters.

Quarters are numbered 0..n-1 over the covered range; a negative quarter means
"before the range" and :data:`NEVER` means "not within it". Plans are filled in by
:mod:`desktop_app.demo.plan` and :mod:`desktop_app.demo.site_plan`, turned into
typed values by :mod:`desktop_app.demo.series`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from desktop_app.demo.names import OPERATOR_LABELS
from desktop_app.domain.periods import Period
from desktop_app.domain.units import Unit

NEVER = 10**6
TECHNOLOGIES = ("2g", "3g", "4g", "5g")
OPERATORS = tuple(OPERATOR_LABELS)
RADIO_LEVELS = ("khong", "huu_tuyen", "fm", "cntt_vt")

# Approximate centres of Sơn La's pre-2025 districts (lat, lon); other provinces fall back
# to the province centre.
DISTRICT_CENTRES: dict[str, tuple[float, float]] = {
    "116": (21.327, 103.914),
    "118": (21.850, 103.570),
    "119": (21.430, 103.660),
    "120": (21.520, 104.030),
    "121": (21.250, 104.420),
    "122": (21.260, 104.640),
    "123": (20.850, 104.630),
    "124": (21.050, 104.300),
    "125": (21.170, 104.000),
    "126": (21.060, 103.730),
    "127": (20.880, 103.510),
    "128": (20.780, 104.770),
}
PROVINCE_CENTRE = (21.327, 103.914)
_LAT_RANGE = (20.62, 21.98)
_LON_RANGE = (103.22, 104.98)


@dataclass
class SitePlan:
    """One site of the register and its history over the quarters."""

    site_type: str
    village: int | None
    name: str
    operator: str
    lat: float
    lon: float
    start_q: int
    start_date: str | None
    tech_from: dict[str, int] = field(default_factory=dict)
    shared: bool = False
    planned: bool = False
    broken_q: int = NEVER
    post_class: str = ""
    ip: bool = False
    notes: str = ""
    broken_note: str = ""

    def exists_at(self, q: int) -> bool:
        """In the register at quarter ``q`` (planned sites from the first quarter)."""
        return self.planned or self.start_q <= q

    def active_at(self, q: int) -> bool:
        """Working at quarter ``q``: opened, not planned, not broken."""
        return not self.planned and self.start_q <= q < self.broken_q

    def technologies_at(self, q: int) -> tuple[str, ...]:
        """The technologies the site carries at quarter ``q``."""
        if self.planned:
            return tuple(t for t in TECHNOLOGIES if t in self.tech_from)
        return tuple(t for t in TECHNOLOGIES if self.tech_from.get(t, NEVER) <= q)

    def status_at(self, q: int) -> str:
        """The register status at quarter ``q``."""
        if self.planned:
            return "planned"
        return "out_of_order" if q >= self.broken_q else "active"


@dataclass
class VillagePlan:
    """A village and the quarters in which its coverage changes."""

    name: str
    mong: bool
    remote: float
    lat: float
    lon: float
    households: dict[int, int]
    persons: float
    poor: float
    grid_year: int
    signal_q: int = -1
    stable_q: int = -1
    g4_q: int = NEVER
    g5_q: int = NEVER
    ftth_q: int = NEVER
    operators: dict[str, int] = field(default_factory=dict)
    mobile_share: float = 0.2
    ftth_share: float = 0.1
    phone_share: float = 0.5
    hole: bool = False

    def signal(self, q: int) -> str:
        """``khong_co``, ``yeu`` or ``on_dinh`` at quarter ``q``."""
        if q < self.signal_q:
            return "khong_co"
        return "on_dinh" if q >= self.stable_q else "yeu"


@dataclass
class CommunePlan:
    """A commune: its villages, its sites and its commune-level facts."""

    unit: Unit
    district_id: str
    remote: float
    lat: float
    lon: float
    villages: list[VillagePlan]
    sites: list[SitePlan] = field(default_factory=list)
    fibre_q: int = -1
    area: Decimal = Decimal("100")
    radio: dict[int, int] = field(default_factory=dict)
    post_freq: dict[int, Decimal] = field(default_factory=dict)
    same_day_paper: bool = True
    ict: bool = True
    schools: int = 3
    letter_boxes: int = 1
    agents: int = 1
    dossiers: int = 100
    mismatch: bool = False

    def first_active(self, operator: str) -> int:
        """The first quarter in which ``operator`` has a working BTS site here."""
        return min(
            (
                s.start_q
                for s in self.sites
                if s.site_type == "bts" and s.operator == operator and not s.planned
            ),
            default=NEVER,
        )

    @property
    def urban(self) -> bool:
        """A thị trấn or a phường."""
        return self.unit.kind in ("thị trấn", "phường")


def clamp(value: float, low: float, high: float) -> float:
    """``value`` kept within ``low``..``high``."""
    return max(low, min(high, value))


def point(rng: random.Random, lat: float, lon: float, spread: float) -> tuple[float, float]:
    """A random point near (``lat``, ``lon``), kept inside Sơn La."""
    return (
        round(clamp(lat + rng.uniform(-spread, spread), *_LAT_RANGE), 6),
        round(clamp(lon + rng.uniform(-spread, spread) * 1.2, *_LON_RANGE), 6),
    )


def quarter_date(rng: random.Random, quarter: Period) -> str:
    """A random day inside ``quarter`` as ISO text."""
    span = (quarter.end - quarter.start).days
    return (quarter.start + timedelta(days=rng.randint(0, span))).isoformat()


def old_date(rng: random.Random, first: Period) -> str:
    """A day between 2008 and the start of the range (for sites older than the data)."""
    day = date(2008, 1, 1) + timedelta(days=rng.randint(0, 3650))
    return min(day, first.start - timedelta(days=1)).isoformat()
