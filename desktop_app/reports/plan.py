"""The plan follow-up report: the year's targets against the latest approved figures.

For a district (its communes) or the province (its districts): each unit's targets of
the year, the figure achieved in the year's quarter with the most communes approved
(the latest of those), the gap (positive = ahead of the plan, whichever way the
indicator counts) and a status word: đạt (met), chưa đạt (not met), vượt (exceeded), judged by
:func:`desktop_app.domain.plan.status` at the printed precision. Drawn in the same
Decree 30 layout as the other reports (header, signature and table styles of
:mod:`desktop_app.reports.pdf`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from desktop_app.domain.periods import Period
from desktop_app.domain.plan import Status, count_status, decimals_of, gap, status
from desktop_app.domain.units import Unit
from desktop_app.reports.errors import UnknownFormatError, WrongUnitLevelError
from desktop_app.reports.model import Header, _header
from desktop_app.reports.texts import Lang, display, pick, translations
from desktop_app.store.aggregation import aggregate
from desktop_app.store.store import Store

LABELS: dict[str, tuple[str, str]] = {
    "subject": (
        "Kết quả thực hiện chỉ tiêu kế hoạch năm {year} về hạ tầng viễn thông, Internet, "
        "bưu chính trên địa bàn {area}",
        "Progress against the {year} plan targets for telecommunications, Internet and "
        "postal service in {area}",
    ),
    "s_summary": ("I. KẾT QUẢ CHUNG", "I. OVERVIEW"),
    "s_table": ("II. KẾT QUẢ THEO ĐƠN VỊ", "II. RESULTS BY UNIT"),
    # {targets}, {units}, {approved_of}: gettext plurals in the report's language
    "summary": (
        "Năm {year}, {area} có {targets} được giao cho {units}. "
        "Đối chiếu với số liệu {period} ({approved_of}): "
        "{met} chỉ tiêu đạt, {exceeded} chỉ tiêu vượt, {not_met} chỉ tiêu chưa đạt"
        "{missing}.",
        "In {year}, {area} has {targets} set for {units}. Against the figures "
        "of {period} ({approved_of}): {met} met, "
        "{exceeded} exceeded, {not_met} not met{missing}.",
    ),
    "missing": ("; {n} chỉ tiêu chưa có số liệu", "; {n} without figures yet"),
    "no_targets": (
        "Năm {year} chưa có chỉ tiêu kế hoạch nào được giao cho {area}.",
        "No plan target has been set for {area} in {year}.",
    ),
    "no_data": ("chưa có quý nào được duyệt", "no approved quarter yet"),
    "note": (
        "Chênh lệch dương là vượt kế hoạch, âm là chưa đạt (với số thôn lõm sóng, "
        "bán kính và số dân phục vụ, số nhỏ hơn là tốt hơn).",
        "A positive gap is ahead of the plan, a negative one behind it (for villages "
        "without signal, service radius and population served, smaller is better).",
    ),
    "col_no": ("STT", "No."),
    "col_unit": ("Đơn vị", "Unit"),
    "col_indicator": ("Chỉ tiêu", "Indicator"),
    "col_target": ("Kế hoạch", "Target"),
    "col_achieved": ("Thực hiện", "Achieved"),
    "col_gap": ("Chênh lệch", "Gap"),
    "col_status": ("Đánh giá", "Status"),
    "met": ("đạt", "met"),
    "not_met": ("chưa đạt", "not met"),
    "exceeded": ("vượt", "exceeded"),
    "none": ("chưa có số liệu", "no figures"),
    "s_area": ("III. KẾT QUẢ CỦA CÁC XÃ THEO ĐỊA BÀN", "III. COMMUNES' RESULTS BY AREA"),
    "col_area": ("Địa bàn", "Area"),
}


def _counts(lang: Lang, targets: int, units: int, approved: int, communes: int) -> dict[str, str]:
    """The summary's counted nouns in ``lang``, each a gettext plural ("1 unit",
    "2 units"; Vietnamese has one form: "2 đơn vị")."""
    tr = translations(lang)
    return {
        "targets": tr.ngettext("{n} plan target", "{n} plan targets", targets).format(n=targets),
        "units": tr.ngettext("{n} unit", "{n} units", units).format(n=units),
        "approved_of": tr.ngettext(
            "{approved} of {n} commune approved", "{approved} of {n} communes approved", communes
        ).format(approved=approved, n=communes),
    }


def plan_label(key: str, lang: Lang, **params: object) -> str:
    """The plan report's fixed text ``key`` in ``lang``."""
    return pick(LABELS, key, lang, **params)


@dataclass(frozen=True)
class PlanLine:
    """One target of one unit, with what was achieved."""

    unit: Unit
    indicator: str
    name: str
    unit_text: str
    target: float
    achieved: float | None
    gap: float | None
    status: Status | None
    decimals: int


#: a row of the by-area table: a group's counts, or its name and the sentence saying it
#: has no commune
AreaRow = tuple[str, int, int, int, int] | tuple[str, str]


@dataclass(frozen=True)
class PlanReport:
    """The plan follow-up report of a unit for a year, in one language."""

    lang: Lang
    unit: Unit
    year: int
    period: Period | None
    header: Header
    subject: str
    summary: str
    lines: tuple[PlanLine, ...]
    approved: int
    communes: int
    #: the communes' targets by area type: (area, met, exceeded, not met, no figures), or
    #: (area, sentence) for a group without a commune ("không có xã nào")
    by_area: tuple[AreaRow, ...] = ()
    area_notes: tuple[str, ...] = ()

    def counts(self) -> dict[Status, int]:
        """How many targets are met, not met and exceeded."""
        return count_status([line.status for line in self.lines if line.status is not None])


def build_plan_report(
    store: Store, unit_id: str, year: int, *, lang: Lang = "vi", report_date: date | None = None
) -> PlanReport:
    """The plan follow-up report of a district or the province for ``year``."""
    from desktop_app.i18n import _

    unit = store.reference.unit(unit_id)
    if unit.level not in (1, 2):
        raise WrongUnitLevelError(unit=unit.name, kind=_("district or province"))
    communes = [c.id for c in store.reference.communes_under(unit_id)]
    code, approved = store.targets.judged_quarter(communes, year)
    period = None if code is None else Period.parse(code)
    from desktop_app.reports import OFFICIAL_STATES

    # the latest APPROVED figures: drafts and periods under review are left out
    agg = aggregate(
        store,
        unit_id,
        period or Period(year, 4),
        with_previous=False,
        counted_states=OFFICIAL_STATES["district"],
    )
    day = report_date or date.today()
    header = _header(store, agg, day, lang)
    figures: dict[str, Mapping[str, float | None]] = {unit.id: agg.current.derived}
    if period is None:
        figures = {}
    else:
        for part in agg.by_district or agg.by_commune:  # a 2025 province: by commune
            figures[part.unit.id] = part.derived
    units = [unit, *(store.reference.children(unit_id) if unit.level == 1 else [])]
    if unit.level == 2:
        units += store.reference.communes_under(unit_id)
    catalogue = store.catalogue.derived
    lines: list[PlanLine] = []
    for u in units:
        targets = store.targets.get(u.id, year)
        for code, indicator in catalogue.items():
            if code not in targets:
                continue
            achieved = figures.get(u.id, {}).get(code)
            places = decimals_of(indicator)
            lines.append(
                PlanLine(
                    u,
                    code,
                    indicator.name_vi if lang == "vi" else indicator.name_en,
                    indicator.unit,
                    targets[code],
                    achieved,
                    None if achieved is None else gap(code, targets[code], achieved, places),
                    None if achieved is None else status(code, targets[code], achieved, places),
                    places,
                )
            )
    area = f"{unit.kind} {unit.short_name}" if lang == "vi" else unit.name
    report = PlanReport(
        lang,
        unit,
        year,
        period,
        header,
        plan_label("subject", lang, year=year, area=area),
        "",
        tuple(lines),
        approved,
        len(communes),
    )
    if not lines:
        text = plan_label("no_targets", lang, year=year, area=area)
    else:
        counts = report.counts()
        missing = sum(1 for line in lines if line.status is None)
        period_text = plan_label("no_data", lang) if period is None else period.label(lang)
        if lang == "vi" and period is not None:
            period_text = period_text[:1].lower() + period_text[1:]
        text = plan_label(
            "summary",
            lang,
            year=year,
            area=area,
            period=period_text,
            **_counts(
                lang, len(lines), len({line.unit.id for line in lines}), approved, len(communes)
            ),
            met=counts["met"],
            exceeded=counts["exceeded"],
            not_met=counts["not_met"],
            missing=plan_label("missing", lang, n=missing) if missing else "",
        )
    by_area, notes = _by_area(store, lines, [c.id for c in units if c.level == 3], year, lang)
    return PlanReport(
        **{**report.__dict__, "summary": text, "by_area": by_area, "area_notes": notes}
    )


def _by_area(
    store: Store, lines: list[PlanLine], communes_here: list[str], year: int, lang: Lang
) -> tuple[tuple[AreaRow, ...], tuple[str, ...]]:
    """The commune lines counted by area type (border, region III, other) in force in
    ``year``, with the deciding decisions; nothing when no decision is in force.

    A group that none of ``communes_here`` (the report's communes) falls in is its name
    and the sentence saying so, as in the district report's by-area table: "0 0 0 0"
    read as a group whose targets are neither met nor missed."""
    from desktop_app.domain.areas import REPORT_GROUPS, report_group
    from desktop_app.reports.area_section import area_label
    from desktop_app.store.repositories.areas import AreaRepository

    decisions, kinds = AreaRepository(store).in_force(year)
    communes = [line for line in lines if line.unit.level == 3]
    if not decisions or not communes:
        return (), ()
    rows: list[AreaRow] = []
    for group in REPORT_GROUPS:
        if not any(report_group(kinds.get(c, ())) == group for c in communes_here):
            rows.append((area_label(group, lang), area_label("no_commune", lang)))
            continue
        mine = [x for x in communes if report_group(kinds.get(x.unit.id, ())) == group]
        n = count_status([x.status for x in mine if x.status is not None])
        missing = sum(1 for x in mine if x.status is None)
        rows.append((area_label(group, lang), n["met"], n["exceeded"], n["not_met"], missing))
    notes = [area_label("basis", lang)]
    for d in decisions:
        signed = area_label("signed", lang, date=d.signed) if d.signed else ""
        title = f" {d.title}" if d.title else ""
        notes.append(
            area_label(
                "decision", lang, id=d.id, signed=signed, title=title, years=d.years_text(lang)
            )
        )
    return tuple(rows), tuple(notes)


def line_texts(line: PlanLine, lang: Lang) -> tuple[str, str, str, str]:
    """(target, achieved, gap, status) of a line as printed."""
    gap_text = "—"
    if line.gap is not None:
        gap_text = display(line.gap, line.decimals, lang)
        if line.gap > 0 and not gap_text.startswith("-"):
            gap_text = "+" + gap_text
    return (
        display(line.target, line.decimals, lang),
        display(line.achieved, line.decimals, lang),
        gap_text,
        plan_label(line.status or "none", lang),
    )


def write_plan_report(
    store: Store,
    unit_id: str,
    year: int,
    out: Path,
    *,
    lang: Lang = "vi",
    report_date: date | None = None,
) -> Path:
    """Build the plan follow-up report and write it to ``out`` (.pdf)."""
    from desktop_app.reports.output import safe_output
    from desktop_app.reports.plan_pdf import write_plan_pdf

    out = Path(out)
    if out.suffix.lower() != ".pdf":
        raise UnknownFormatError(path=str(out), formats=".pdf")
    report = build_plan_report(store, unit_id, year, lang=lang, report_date=report_date)
    with safe_output(out) as tmp:
        write_plan_pdf(report, tmp)
    return out
