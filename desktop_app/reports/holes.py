"""The province's (or a district's) report "Kết quả xóa thôn lõm sóng" for a year.

From the coverage-hole programme (:mod:`desktop_app.store.repositories.holes`): the
villages without mobile signal closed in the year, still open, planned and overdue
(:meth:`desktop_app.domain.holes.Hole.state_in`), counted by district and area type
(border, region III, other, by the classifications in force that year), then listed.
Holes of 4G and fixed broadband are counted in the summary. Same Decree 30 layout as
the other reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from desktop_app.domain.areas import REPORT_GROUPS, report_group
from desktop_app.domain.holes import YEAR_STATES, Hole, YearState
from desktop_app.domain.periods import Period
from desktop_app.domain.units import Unit
from desktop_app.reports.area_section import area_label
from desktop_app.reports.errors import UnknownFormatError, WrongUnitLevelError
from desktop_app.reports.model import Header, _header
from desktop_app.reports.texts import Lang, pick, translations
from desktop_app.store.aggregation import aggregate
from desktop_app.store.repositories.areas import AreaRepository
from desktop_app.store.repositories.holes import HoleRepository
from desktop_app.store.store import Store

LABELS: dict[str, tuple[str, str]] = {
    "subject": (
        "Kết quả xóa thôn, bản lõm sóng di động năm {year} trên địa bàn {area}",
        "Closing the villages without mobile signal in {area}, {year}",
    ),
    "s_summary": ("I. KẾT QUẢ CHUNG", "I. OVERVIEW"),
    "s_table": ("II. THEO HUYỆN VÀ ĐỊA BÀN", "II. BY DISTRICT AND AREA"),
    "s_lists": ("III. DANH SÁCH THÔN, BẢN", "III. THE VILLAGES"),
    "col_no": ("STT", "No."),
    "col_district": ("Huyện", "District"),
    "col_area": ("Địa bàn", "Area"),
    "closed": ("Đã xóa trong năm", "Closed in the year"),
    "still": ("Còn lõm sóng", "Still without signal"),
    "planned": ("Có kế hoạch", "Planned"),
    "overdue": ("Quá hạn", "Overdue"),
    "open": ("Chưa có phương án", "No fix yet"),
    "total": ("Tổng cộng", "Total"),
    "list_closed": ("1. Thôn, bản đã xóa lõm sóng trong năm", "1. Closed in the year"),
    "list_overdue": ("2. Thôn, bản quá hạn kế hoạch", "2. Overdue"),
    "list_planned": ("3. Thôn, bản đã có kế hoạch", "3. Planned"),
    "list_open": ("4. Thôn, bản chưa có phương án", "4. No fix yet"),
    "col_village": ("Thôn, bản", "Village"),
    "col_commune": ("Xã", "Commune"),
    "col_since": ("Lõm từ", "Since"),
    "col_when": ("Thời điểm", "When"),
    "col_fix": ("Trạm, doanh nghiệp", "Site, operator"),
    "col_funding": ("Nguồn vốn", "Funding"),
    "none": ("Không có.", "None."),
}


def holes_label(key: str, lang: Lang, **params: object) -> str:
    """The report's fixed text ``key`` in ``lang``."""
    return pick(LABELS, key, lang, **params)


@dataclass(frozen=True)
class HoleLine:
    """One village of the programme in the year's report."""

    hole: Hole
    village: str
    commune: Unit
    district: Unit | None
    group: str
    state: YearState
    site: str


@dataclass(frozen=True)
class HolesReport:
    """The year's report of the coverage-hole programme."""

    lang: Lang
    unit: Unit
    year: int
    header: Header
    subject: str
    summary: str
    lines: tuple[HoleLine, ...]
    counts: tuple[tuple[str, str, dict[str, int]], ...]  # district, area, state → n
    notes: tuple[str, ...]


def build_holes_report(
    store: Store, unit_id: str, year: int, *, lang: Lang = "vi", report_date: date | None = None
) -> HolesReport:
    """The report for a district or the province for ``year``."""
    from desktop_app.i18n import _

    unit = store.reference.unit(unit_id)
    if unit.level not in (1, 2):
        raise WrongUnitLevelError(unit=unit.name, kind=_("district or province"))
    communes = {c.id: c for c in store.reference.communes_under(unit_id)}
    agg = aggregate(store, unit_id, Period(year, 4), with_previous=False)
    header = _header(store, agg, report_date or date.today(), lang)
    decisions, kinds = AreaRepository(store).in_force(year)
    villages = AreaRepository(store).villages()
    sites = HoleRepository(store).site_names()
    lines: list[HoleLine] = []
    others = {"4g": 0, "broadband": 0}
    for hole in HoleRepository(store).all():
        commune = communes.get(hole.commune_id)
        state = hole.state_in(year)
        if commune is None or state is None:
            continue
        if hole.lack != "mobile":
            if state != "closed":
                others[hole.lack] += 1
            continue
        district = store.reference.unit(commune.parent_id) if commune.parent_id else None
        name, operator = sites.get(hole.site_id or "", ("", hole.operator))
        site = name or hole.operator or operator  # a site's name already says its operator
        village = villages.get(hole.village_id, (hole.village_id, ""))[0]
        group = report_group(kinds.get(hole.commune_id, ()))
        lines.append(HoleLine(hole, village, commune, district, group, state, site))
    lines.sort(key=lambda x: (x.district.code if x.district else "", x.commune.code, x.village))
    counts: list[tuple[str, str, dict[str, int]]] = []
    for district_name in dict.fromkeys(x.district.name if x.district else "" for x in lines):
        for group in REPORT_GROUPS:
            mine = [
                x for x in lines
                if (x.district.name if x.district else "") == district_name and x.group == group
            ]  # fmt: skip
            if mine:
                tally: dict[str, int] = {
                    s: sum(1 for x in mine if x.state == s) for s in YEAR_STATES
                }
                counts.append((district_name, area_label(group, lang), tally))
    tally = {s: sum(1 for x in lines if x.state == s) for s in YEAR_STATES}
    area = f"{unit.kind} {unit.short_name}" if lang == "vi" else unit.name
    tr = translations(lang)
    n, g4 = len(lines), others["4g"]
    followed = tr.ngettext(
        "In {year} the programme of {area} follows {n} village without mobile signal:"
        " {closed} closed in the year; {still} still without signal, of which {planned}"
        " planned, {overdue} overdue and {open} with no fix yet.",
        "In {year} the programme of {area} follows {n} villages without mobile signal:"
        " {closed} closed in the year; {still} still without signal, of which {planned}"
        " planned, {overdue} overdue and {open} with no fix yet.",
        n,
    ).format(
        year=year, area=area, n=n, closed=tally["closed"], still=n - tally["closed"],
        planned=tally["planned"], overdue=tally["overdue"], open=tally["open"],
    )  # fmt: skip
    also = tr.ngettext(
        "It also follows {g4} village without 4G and {broadband} without fixed broadband.",
        "It also follows {g4} villages without 4G and {broadband} without fixed broadband.",
        g4,
    ).format(g4=g4, broadband=others["broadband"])
    summary = f"{followed} {also}"
    notes = [area_label("basis", lang)] if decisions else []
    for d in decisions:
        notes.append(
            area_label(
                "decision",
                lang,
                id=d.id,
                title=f" {d.title}" if d.title else "",
                signed=area_label("signed", lang, date=d.signed) if d.signed else "",
                years=d.years_text(lang),
            )
        )
    return HolesReport(
        lang, unit, year, header, holes_label("subject", lang, year=year, area=area), summary,
        tuple(lines), tuple(counts), tuple(notes),
    )  # fmt: skip


def write_holes_report(
    store: Store,
    unit_id: str,
    year: int,
    out: Path,
    *,
    lang: Lang = "vi",
    report_date: date | None = None,
) -> Path:
    """Build the report and write it to ``out`` (.pdf)."""
    from desktop_app.reports.holes_pdf import write_holes_pdf
    from desktop_app.reports.output import safe_output

    out = Path(out)
    if out.suffix.lower() != ".pdf":
        raise UnknownFormatError(path=str(out), formats=".pdf")
    report = build_holes_report(store, unit_id, year, lang=lang, report_date=report_date)
    with safe_output(out) as tmp:
        write_holes_pdf(report, tmp)
    return out
