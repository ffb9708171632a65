"""The simulated history of a demo office, planned before anything is written.

Pure: from a seeded :class:`random.Random`, the communes of the office and the
quarters to cover, :func:`plan_office` draws every village (its remoteness, when it
gets signal, 4G, fibre, grid power) and every site of the register (when it opens,
breaks or gains a technology). :mod:`desktop_app.demo.series` turns the plans into
typed values, :mod:`desktop_app.demo.generator` writes them through the store.

Quarters are numbered 0..n-1 over the covered range; a negative quarter means
"before the range" and :data:`NEVER` means "not within it".
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from desktop_app.demo.names import OPERATOR_LABELS, village_names
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
_PROVINCE_CENTRE = (21.327, 103.914)
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

    @property
    def urban(self) -> bool:
        """A thị trấn or a phường."""
        return self.unit.kind in ("thị trấn", "phường")


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _point(rng: random.Random, lat: float, lon: float, spread: float) -> tuple[float, float]:
    return (
        round(_clamp(lat + rng.uniform(-spread, spread), *_LAT_RANGE), 6),
        round(_clamp(lon + rng.uniform(-spread, spread) * 1.2, *_LON_RANGE), 6),
    )


def quarter_date(rng: random.Random, quarter: Period) -> str:
    """A random day inside ``quarter`` as ISO text."""
    span = (quarter.end - quarter.start).days
    return (quarter.start + timedelta(days=rng.randint(0, span))).isoformat()


def _old_date(rng: random.Random, first: Period) -> str:
    day = date(2008, 1, 1) + timedelta(days=rng.randint(0, 3650))
    return min(day, first.start - timedelta(days=1)).isoformat()


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
        v_remote = round(_clamp(v_remote, 0.0, 1.0), 4)
        base = rng.randint(80, 250) if urban else rng.randint(40, 200 if name.mong else 230)
        households = {}
        for year in years:
            households[year] = base
            base += rng.randint(0, 4)
        lat, lon = _point(rng, *centre, 0.045)
        out.append(
            VillagePlan(
                name=name.name,
                mong=name.mong,
                remote=v_remote,
                lat=lat,
                lon=lon,
                households=households,
                persons=rng.uniform(5.2, 5.9) if name.mong else rng.uniform(4.0, 5.2),
                poor=_clamp(0.04 + 0.55 * v_remote + rng.uniform(-0.05, 0.05), 0.01, 0.85),
                grid_year=-1,
                mobile_share=(0.1 + 0.35 * (1 - v_remote)) * rng.uniform(0.8, 1.2),
                ftth_share=rng.uniform(0.2, 0.4) if urban else rng.uniform(0.03, 0.12),
                phone_share=_clamp(0.25 + 0.5 * (1 - v_remote) + rng.uniform(-0.1, 0.1), 0.1, 0.9),
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


def _bts(
    rng: random.Random,
    commune: CommunePlan,
    village: int,
    operator: str,
    start_q: int,
    start_date: str | None,
    techs: dict[str, int],
) -> SitePlan:
    v = commune.villages[village]
    lat, lon = _point(rng, v.lat, v.lon, 0.004)
    return SitePlan(
        "bts",
        village,
        f"BTS {OPERATOR_LABELS[operator]} {v.name}",
        operator,
        lat,
        lon,
        start_q,
        start_date,
        techs,
        shared=rng.random() < 0.15,
    )


def _plan_bts(rng: random.Random, c: CommunePlan, quarters: list[Period]) -> None:
    n_q = len(quarters)
    served = [i for i, v in enumerate(c.villages) if v.signal_q < 0]
    served.sort(key=lambda i: c.villages[i].remote)
    centre = served[: max(1, len(served) // 2)] or [0]
    n_v = len(c.villages)
    counts = {
        "viettel": rng.randint(2, 4) if c.urban else max(1, round(n_v / 7 + rng.uniform(-0.5, 1))),
        "vnpt": rng.randint(1, 2) if c.urban else rng.choice((0, 1, 1, 2)),
        "mobifone": rng.randint(1, 2) if c.urban else rng.choice((0, 0, 1)),
        "vietnamobile": rng.choice((0, 1)) if c.urban else 0,
    }
    for operator, count in counts.items():
        for _ in range(count):
            techs = {"2g": -1, "3g": -1}
            if c.urban or rng.random() < 0.7:
                techs["4g"] = -1
            elif rng.random() < 0.6:
                techs["4g"] = rng.randint(0, n_q - 1)
            site = _bts(
                rng, c, rng.choice(centre), operator, -1, _old_date(rng, quarters[0]), techs
            )
            c.sites.append(site)
    for i, v in enumerate(c.villages):
        if 0 < v.signal_q < n_q and rng.random() < 0.6:  # coverage-hole programme
            when = quarter_date(rng, quarters[v.signal_q])
            c.sites.append(
                _bts(rng, c, i, "viettel", v.signal_q, when, {"2g": v.signal_q, "4g": v.signal_q})
            )
            v.g4_q = v.signal_q
        elif v.hole and rng.random() < 0.7:
            site = _bts(rng, c, i, "viettel", NEVER, f"{quarters[-1].year + 1}-06-30", {"4g": 0})
            site.planned = True
            site.notes = "Trạm phủ sóng thôn lõm, chờ kéo điện lưới"
            c.sites.append(site)


def _first_active(c: CommunePlan, operator: str) -> int:
    return min((s.start_q for s in c.sites if s.site_type == "bts" and s.operator == operator
                and not s.planned), default=NEVER)  # fmt: skip


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
            first = _first_active(c, operator)
            if first < NEVER and rng.random() < chance * (1 - v.remote) + 0.05:
                v.operators[operator] = max(v.signal_q, first, rng.randint(-4, n_q))
        if v.grid_year <= 0 and rng.random() < (0.95 if c.urban else 0.75 * (1 - v.remote)):
            v.ftth_q = max(c.fibre_q, rng.randint(-4, n_q + 2))
    five = min((v.g5_q for v in c.villages), default=NEVER)
    if five < NEVER:
        next(s for s in c.sites if s.operator == "viettel").tech_from["5g"] = five


def _plan_services(
    rng: random.Random, c: CommunePlan, quarters: list[Period], years: list[int]
) -> None:
    """Post, radio, loudspeakers and public Internet points, with their sites."""
    n_q = len(quarters)
    core = min(range(len(c.villages)), key=lambda i: (c.villages[i].remote, i))
    short = c.unit.short_name
    cv = c.villages[core]

    def site(kind: str, village: int | None, name: str, operator: str, start_q: int) -> SitePlan:
        anchor = c.villages[village] if village is not None else cv
        lat, lon = _point(rng, anchor.lat, anchor.lon, 0.003)
        when = (
            quarter_date(rng, quarters[start_q])
            if 0 <= start_q < n_q
            else _old_date(rng, quarters[0])
        )
        made = SitePlan(kind, village, name, operator, lat, lon, start_q, when)
        c.sites.append(made)
        return made

    if not c.urban and rng.random() < 0.92:
        site("cultural_post_office", core, f"Điểm Bưu điện - Văn hóa xã {short}", "vnpost", -1)
        if rng.random() < 0.5:
            site(
                "public_internet_point",
                core,
                f"Điểm Internet công cộng BĐ-VHX {short}",
                "vnpost",
                -1,
            )
    if c.unit.kind == "thị trấn" or (c.unit.kind == "phường" and rng.random() < 0.4):
        made = site("post_office", core, f"Bưu cục {short}", "vnpost", -1)
        made.post_class = "cap_2" if c.unit.kind == "thị trấn" else "cap_3"
    elif not c.urban and rng.random() < 0.15:
        made = site("post_office", core, f"Bưu cục {short}", "vnpost", -1)
        made.post_class = "cap_3"
    if c.urban:
        for k in range(rng.randint(1, 2)):
            site(
                "public_internet_point",
                rng.randrange(len(c.villages)),
                f"Điểm Internet công cộng số {k + 1}",
                "viettel",
                -1,
            )
    level = 3 if c.urban and rng.random() < 0.3 else rng.choices((0, 1, 2, 3), (1, 4, 4, 1))[0]
    if c.urban:
        level = max(level, 2)
    for i, year in enumerate(years):
        if i and level < 3 and rng.random() < 0.35:
            level += 1
        c.radio[year] = level
    first_level = c.radio[years[0]]
    radio_q = (
        -1 if first_level else next((q for q, p in enumerate(quarters) if c.radio[p.year]), NEVER)
    )
    if radio_q < NEVER:
        site("radio_station", core, f"Đài truyền thanh {c.unit.kind} {short}", "", radio_q)
    share = 1.0 if c.urban else rng.uniform(0.35, 0.9)
    for i, v in enumerate(c.villages):
        if radio_q >= NEVER or v.hole or rng.random() > share:
            continue
        start = radio_q if radio_q >= 0 else (-1 if rng.random() < 0.8 else rng.randint(0, n_q - 1))
        cluster = site("loudspeaker_cluster", i, f"Cụm loa {v.name}", "", start)
        cluster.ip = c.radio[quarters[max(0, start)].year] == 3 and rng.random() < 0.8
        if rng.random() < 0.06:
            cluster.broken_q = -1 if rng.random() < 0.5 else rng.randint(0, n_q - 1)
            cluster.broken_note = "Hỏng bộ thu, chờ sửa chữa"


def plan_office(
    rng: random.Random, communes: list[tuple[Unit, str]], quarters: list[Period]
) -> list[CommunePlan]:
    """Plan every commune (given with its district id) over ``quarters``."""
    n_q = len(quarters)
    years = sorted({p.year for p in quarters})
    plans: list[CommunePlan] = []
    for unit, district_id in communes:
        centre = DISTRICT_CENTRES.get(district_id.partition(":")[2], _PROVINCE_CENTRE)
        lat, lon = _point(rng, *centre, 0.14)
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
            slow = c.remote > (0.6 if i == 0 else 0.7)
            c.post_freq[year] = (
                Decimal("2") if c.urban else Decimal("0.5") if slow else Decimal("1")
            )
        _plan_bts(rng, c, quarters)
        _plan_village_coverage(rng, c, n_q)
        _plan_services(rng, c, quarters, years)
    remotest = max(plans, key=lambda c: (c.remote, c.unit.id))
    if not remotest.urban:
        for year in years:
            remotest.post_freq[year] = Decimal("0.5")
    _plan_breakdowns(rng, plans, quarters)
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


def _plan_breakdowns(rng: random.Random, plans: list[CommunePlan], quarters: list[Period]) -> None:
    """A few BTS sites go out of order late in the range; one commune miscounts its BTS."""
    n_q = len(quarters)
    old = [
        s
        for c in plans
        for s in c.sites
        if s.site_type == "bts" and s.start_q < 0 and s.operator != "viettel"
    ]
    for s in rng.sample(old, min(len(old), max(1, round(len(old) / 25)))):
        s.broken_q = max(0, n_q - rng.randint(1, 2))
        s.broken_note = "Mất kết nối truyền dẫn, nhà mạng đang khắc phục"
    candidates = [c for c in plans if not c.urban] or plans
    candidates[len(candidates) // 3].mismatch = True
