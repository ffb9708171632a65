"""Typed values of the demo office, computed from the plans of :mod:`desktop_app.demo.plan`.

Pure and deterministic: every value follows from the plan (the randomness was drawn
while planning), so the same plan always gives the same cells. Every rule of
``indicators.csv`` holds except the warnings the demo keeps on purpose (postal
deliveries below one a day in the remotest communes).
"""

from __future__ import annotations

from desktop_app.demo.model import OPERATORS, RADIO_LEVELS, TECHNOLOGIES, CommunePlan, VillagePlan
from desktop_app.domain.values import Value

Cells = dict[tuple[str, str], Value]
"""(indicator, disaggregation key) → typed value."""

POST_CLASSES = ("cap_1", "cap_2", "cap_3", "phat")


def households(v: VillagePlan, year: int) -> int:
    """so_ho of a village in ``year``."""
    return v.households[year]


def has_grid(v: VillagePlan, year_index: int) -> bool:
    """dien_luoi in the ``year_index``-th year of the range."""
    return year_index >= v.grid_year


def ftth(v: VillagePlan, q: int) -> bool:
    """thon_ftth at quarter ``q``."""
    return q >= v.ftth_q


def ho_ftth(v: VillagePlan, q: int, year: int) -> int:
    """Households with a fibre subscription at quarter ``q``."""
    if not ftth(v, q):
        return 0
    grown = v.ftth_share + 0.018 * (q - max(v.ftth_q, 0))
    return min(households(v, year), round(households(v, year) * min(0.45, grown)))


def ho_internet(v: VillagePlan, q: int, year: int) -> int:
    """Households with Internet (fibre, or mobile data where there is signal)."""
    so_ho = households(v, year)
    signal = v.signal(q)
    mobile = 0.0
    if signal != "khong_co":
        mobile = v.mobile_share * (1 + 0.05 * q) * (0.6 if signal == "yeu" else 1.0)
    return min(so_ho, ho_ftth(v, q, year) + round(so_ho * mobile))


def has_4g(v: VillagePlan, q: int) -> bool:
    """phu_4g at quarter ``q`` (never without signal)."""
    return v.signal(q) != "khong_co" and q >= v.g4_q


def village_quarter(v: VillagePlan, q: int, year: int) -> Cells:
    """The quarterly cells of a village."""
    signal = v.signal(q)
    four = has_4g(v, q)
    operators = (
        frozenset()
        if signal == "khong_co"
        else frozenset(o for o, f in v.operators.items() if f <= q)
    )
    return {
        ("song_di_dong", ""): signal,
        ("phu_4g", ""): four,
        ("phu_5g", ""): four and q >= v.g5_q,
        ("nha_mang", ""): operators,
        ("thon_ftth", ""): ftth(v, q),
        ("ho_ftth", ""): ho_ftth(v, q, year),
        ("ho_internet", ""): ho_internet(v, q, year),
    }


def village_year(v: VillagePlan, year_index: int, year: int, has_speaker: bool) -> Cells:
    """The annual cells of a village."""
    so_ho = households(v, year)
    dan_so = round(so_ho * v.persons)
    poor = min(so_ho - 1, round(so_ho * v.poor * (0.92**year_index)))
    smart = min(so_ho, round(so_ho * min(0.95, v.phone_share + 0.08 * year_index)))
    only_2g = (so_ho - smart) // 2
    no_phone = max(0, so_ho - smart - only_2g - (so_ho // 50))
    return {
        ("so_ho", ""): so_ho,
        ("dan_so", ""): dan_so,
        ("so_ho_ngheo", ""): poor,
        ("dien_luoi", ""): has_grid(v, year_index),
        ("ho_dttm", ""): smart,
        ("ho_chi_2g", ""): only_2g,
        ("ho_khong_dtdd", ""): no_phone,
        ("nguoi_tt_dttm", ""): min(dan_so, round(smart * 1.7)),
        ("ho_ngheo_dttm", ""): round(poor * (0.05 + 0.05 * year_index)),
        ("thon_co_loa", ""): has_speaker,
    }


def bts_counts(c: CommunePlan, q: int) -> dict[str, int]:
    """Working BTS sites per operator at quarter ``q`` (what the register says)."""
    counts = dict.fromkeys(OPERATORS, 0)
    for s in c.sites:
        if s.site_type == "bts" and s.active_at(q):
            counts[s.operator] += 1
    return counts


def commune_quarter(c: CommunePlan, q: int, year: int, last_q: int) -> Cells:
    """The quarterly cells of a commune (the BTS mismatch is typed in the last quarter)."""
    cells: Cells = {}
    sites = bts_counts(c, q)
    if c.mismatch and q == last_q:
        sites["viettel"] += 1
    for op in OPERATORS:
        cells[("bts_vi_tri", op)] = sites[op]
    for op in OPERATORS:
        for tech in TECHNOLOGIES:
            cells[("bts_tram", f"{op}.{tech}")] = sum(
                1
                for s in c.sites
                if s.site_type == "bts"
                and s.operator == op
                and s.active_at(q)
                and tech in s.technologies_at(q)
            )
    cells[("bts_dung_chung", "")] = sum(
        1 for s in c.sites if s.site_type == "bts" and s.shared and s.active_at(q)
    )
    fibre = q >= c.fibre_q
    cells[("xa_cap_quang", "")] = fibre
    fixed = sum(ho_ftth(v, q, year) for v in c.villages)
    people = sum(
        round(households(v, year) * v.persons) for v in c.villages if v.signal(q) != "khong_co"
    )
    uptake = (0.55 if c.urban else 0.22) + 0.025 * q
    cells[("tb_bang_rong", "co_dinh")] = fixed + (3 + c.schools if fibre else 0)
    cells[("tb_bang_rong", "di_dong")] = round(people * uptake)
    total = round(c.dossiers * (0.85 + 0.1 * ((q * 7 + len(c.villages)) % 4)))
    cells[("ho_so_tthc", "tong")] = total
    online = min(0.65, (0.08 if c.urban else 0.02) + 0.04 * q)
    cells[("ho_so_tthc", "truc_tuyen")] = round(total * online)
    return cells


def commune_year(c: CommunePlan, year_index: int, year: int, year_q: int) -> Cells:
    """The annual cells of a commune, as they stand at quarter ``year_q`` (its last)."""

    def existing(kind: str) -> list[int]:
        return [i for i, s in enumerate(c.sites) if s.site_type == kind and s.active_at(year_q)]

    fibre = year_q >= c.fibre_q
    cells: Cells = {
        ("diem_internet_cc", ""): len(existing("public_internet_point")),
        ("diem_bdvhx", ""): len(existing("cultural_post_office")),
    }
    bb_share = (0.5 if fibre else 0.2) + 0.2 * year_index
    for facility, total, online in (
        ("truong_hoc", c.schools, min(c.schools, round(c.schools * bb_share))),
        ("tram_y_te", 1, int(fibre)),
        ("tru_so_ubnd", 1, int(fibre or c.urban or year_index > 0)),
    ):
        cells[("co_so_tong", facility)] = total
        cells[("co_so_bang_rong", facility)] = online
    for post_class in POST_CLASSES:
        cells[("buu_cuc", post_class)] = sum(
            1
            for s in c.sites
            if s.site_type == "post_office" and s.post_class == post_class and s.active_at(year_q)
        )
    cells[("thung_thu", "")] = c.letter_boxes
    cells[("dai_ly_buu_chinh", "")] = c.agents + (1 if year_index and c.agents < 3 else 0)
    cells[("tan_suat_phat", "")] = c.post_freq[year]
    cells[("bao_trong_ngay", "")] = c.same_day_paper
    cells[("dien_tich", "")] = c.area
    cells[("dai_truyen_thanh", "")] = RADIO_LEVELS[c.radio[year]]
    clusters = [s for s in c.sites if s.site_type == "loudspeaker_cluster" and s.start_q <= year_q]
    cells[("cum_loa", "tong")] = len(clusters)
    cells[("cum_loa", "ip")] = sum(1 for s in clusters if s.ip)
    cells[("cum_loa", "hong")] = sum(1 for s in clusters if s.broken_q <= year_q)
    cells[("xa_ung_dung_cntt", "")] = c.ict
    return cells


def speaker_villages(c: CommunePlan, year_q: int) -> set[int]:
    """Villages holding a loudspeaker cluster (working or not) at quarter ``year_q``."""
    return {
        s.village
        for s in c.sites
        if s.site_type == "loudspeaker_cluster" and s.start_q <= year_q and s.village is not None
    }


def achieved(plans: list[CommunePlan], q: int, year: int) -> dict[str, float]:
    """Derived figures of a group of communes at quarter ``q``: what targets are set against."""
    villages = [v for c in plans for v in c.villages]
    n = len(villages) or 1
    with_signal = sum(1 for v in villages if v.signal(q) != "khong_co")
    so_ho = sum(households(v, year) for v in villages) or 1
    return {
        "ty_le_thon_co_song": 100 * with_signal / n,
        "ty_le_thon_4g": 100 * sum(1 for v in villages if has_4g(v, q)) / n,
        "so_thon_lom_song": float(len(villages) - with_signal),
        "ty_le_ho_internet": 100 * sum(ho_internet(v, q, year) for v in villages) / so_ho,
    }
