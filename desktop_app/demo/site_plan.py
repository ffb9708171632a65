"""The site register of a demo commune: BTS towers, post, radio, loudspeakers, Internet points."""

from __future__ import annotations

import random

from desktop_app.demo.model import NEVER, CommunePlan, SitePlan, old_date, point, quarter_date
from desktop_app.demo.names import OPERATOR_LABELS
from desktop_app.domain.periods import Period


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
    lat, lon = point(rng, v.lat, v.lon, 0.004)
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


def plan_bts(rng: random.Random, c: CommunePlan, quarters: list[Period]) -> None:
    """BTS sites: the old ones, new ones that bring signal, planned ones for the holes."""
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
            site = _bts(rng, c, rng.choice(centre), operator, -1, old_date(rng, quarters[0]), techs)
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


def plan_services(
    rng: random.Random, c: CommunePlan, quarters: list[Period], years: list[int]
) -> None:
    """Post, radio, loudspeakers and public Internet points, with their sites."""
    n_q = len(quarters)
    core = min(range(len(c.villages)), key=lambda i: (c.villages[i].remote, i))
    short = c.unit.short_name
    cv = c.villages[core]

    def site(kind: str, village: int | None, name: str, operator: str, start_q: int) -> SitePlan:
        anchor = c.villages[village] if village is not None else cv
        lat, lon = point(rng, anchor.lat, anchor.lon, 0.003)
        when = (
            quarter_date(rng, quarters[start_q])
            if 0 <= start_q < n_q
            else old_date(rng, quarters[0])
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


def plan_breakdowns(rng: random.Random, plans: list[CommunePlan], quarters: list[Period]) -> None:
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
