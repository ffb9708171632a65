"""What a report says, independent of its format: built once, drawn as PDF, XLSX or CSV.

:func:`build_model` turns the store's aggregation (:mod:`desktop_app.store.aggregation`)
and the office settings into a :class:`ReportModel`: header block, title, summary
paragraphs, the indicator table (this period, previous period, annual target),
villages without signal, completeness, chart series and the annex by commune or
district. Every string is NFC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from desktop_app.domain.catalogue import Catalogue, Indicator, by_section
from desktop_app.domain.units import Unit
from desktop_app.reports.area_section import AreaSection
from desktop_app.reports.fonts import nfc
from desktop_app.reports.holding import Holding
from desktop_app.reports.map_annex import MapAnnex
from desktop_app.reports.narrative import (
    HEADLINE,
    completeness_sentence,
    completeness_table,
    coverage_text,
    coverage_words,
    held_base,
    list_base,
    summary,
)
from desktop_app.reports.notices import notices, previous_note
from desktop_app.reports.texts import (
    Lang,
    agency_name,
    derived_decimals,
    display,
    label,
    official_date,
    short_date,
    translations,
)
from desktop_app.reports.trend_section import TrendSection
from desktop_app.store.aggregation import (
    NO_SIGNAL,
    AreaFigures,
    IndicatorSummary,
    PeriodFigures,
    UnitAggregate,
)
from desktop_app.store.store import Store

Kind = Literal["commune", "district", "province"]
Number = int | float | Decimal

#: Derived indicators shown in the summary, the chart and the annex, in this order.
ANNEX_CODES = ("so_thon", *HEADLINE)
CHART_CODES = ("ty_le_thon_co_song", "ty_le_thon_4g")
#: The sections' names, in ``domain.catalogue.SECTION_ORDER`` (the order ``by_section`` gives)
SECTIONS: dict[str, tuple[str, str]] = {
    "population": ("Dân cư", "Population"),
    "mobile": ("Thông tin di động", "Mobile"),
    "fixed": ("Internet cố định và băng rộng", "Fixed Internet and broadband"),
    "devices": ("Thiết bị đầu cuối", "Devices"),
    "postal": ("Bưu chính", "Postal service"),
    "radio": ("Truyền thanh cơ sở", "Grassroots radio"),
    "egov": ("Chính quyền số", "E-government"),
}
_UNIT_EN = {"thôn": "villages", "người": "persons", "xã": "communes"}


@dataclass(frozen=True)
class TableRow:
    """One row of the indicator table; a ``heading`` row has a label only."""

    number: str
    code: str
    cell: str
    label: str
    unit: str
    previous: Number | None
    current: Number | None
    target: float | None
    decimals: int
    heading: bool = False

    def texts(self, lang: Lang) -> tuple[str, str, str]:
        """(previous, current, target) as printed."""
        if self.heading:
            return ("", "", "")
        return (
            display(self.previous, self.decimals, lang),
            display(self.current, self.decimals, lang),
            display(self.target, self.decimals, lang),
        )


@dataclass(frozen=True)
class Header:
    """The Decree 30 header and signature, from the office settings (or defaults)."""

    parent_agency: str
    office_name: str
    number: str
    place: str
    date_line: str
    signer_on_behalf: str
    signer_title: str
    signer_name: str
    recipients: tuple[str, ...]
    #: the issuing office's unit, short ("Mai Sơn"): kept capitalised in running text
    issuer: str = ""
    #: its kind ("huyện"), to name the office's area where its name does not
    issuer_kind: str = ""


@dataclass(frozen=True)
class ReportModel:
    """Everything a report shows, in one language."""

    kind: Kind
    lang: Lang
    aggregate: UnitAggregate
    report_date: date
    header: Header
    title: str
    subject: str
    summary: tuple[str, ...]
    rows: tuple[TableRow, ...]
    holes: tuple[str, ...]
    completeness_text: str
    completeness_columns: tuple[str, ...]
    completeness_rows: tuple[tuple[str, ...], ...]
    chart_title: str
    chart_series: tuple[str, ...]
    chart: tuple[tuple[str, tuple[float, ...]], ...]
    annex_title: str
    annex_columns: tuple[str, ...]
    annex_rows: tuple[tuple[str | Number | None, ...], ...]
    annex_decimals: tuple[int, ...] = field(default_factory=tuple)
    #: the "by area" section (district and province reports, see ``area_section.py``)
    areas: AreaSection | None = None
    #: the map annex (district and province reports, see ``map_annex.py``)
    map: MapAnnex | None = None
    #: the key ratios quarter by quarter (district and province, see ``trend_section.py``)
    trend: TrendSection | None = None
    #: page-1 notices: no data at all, communes left out, provisional communes
    notices: tuple[str, ...] = ()
    #: printed on every page when provisional (not approved) data is counted
    draft_mark: str = ""
    #: lines under the annex (the area decisions when it is grouped by area)
    annex_notes: tuple[str, ...] = ()
    #: under the annex table: which grouping it uses, where that needs saying
    annex_note: str = ""
    #: under the indicator table, marked (*) on "Kỳ trước": the communes the previous
    #: column could not compare like for like (``previous_note``)
    previous_note: str = ""
    #: what this office holds of the area (``reports.holding``); None: all of it
    holding: Holding | None = None
    #: under the chart's title: the chart covers the held communes only ("" when all held)
    chart_note: str = ""
    #: under the heading of the villages without signal: the same (the list, or "none
    #: left", is of the held communes only)
    holes_note: str = ""
    #: over the annex table: the districts or communes it leaves out, as this office holds
    #: nothing of them (``Holding.annex_note``; "" when all is held)
    annex_scope: str = ""


def unit_text(unit: str, lang: Lang) -> str:
    """A unit of measure in ``lang`` (the catalogue's are Vietnamese)."""
    return _UNIT_EN.get(unit, unit) if lang == "en" else unit


def issuing_unit(store: Store, agg: UnitAggregate) -> Unit:
    """The unit of the office that issues the report: the one printing it.

    Decree 30 puts the issuing body on the letterhead, and the report's subject (its
    area) in the title: a province overview printed at Huyện Mai Sơn is issued by the
    district, "trên địa bàn tỉnh Sơn La". An old commune's report reprinted by the 2025
    commune it went into (its office after ``reform move``) keeps the old commune's
    letterhead, so a locked quarter's report stays the same byte for byte
    (``tests/reform/test_locked_after_move.py``). A database whose installation record
    names no unit it holds falls back on the report's own unit.
    """
    from desktop_app.store.errors import UnknownUnitError
    from desktop_app.store.lineage import lineage_sources

    try:
        office = store.reference.unit(store.node.office_id)
    except (LookupError, UnknownUnitError):
        return agg.unit
    if agg.unit.id in lineage_sources(store).get(office.id, ()):
        return agg.unit
    return office


def _header(store: Store, agg: UnitAggregate, day: date, lang: Lang) -> Header:
    settings = {k: nfc(v).strip() for k, v in store.reference.settings().items()}
    unit = issuing_unit(store, agg)
    parent = agg.parents.get(unit.id)
    if parent is None and unit.parent_id:
        parent = store.reference.unit(unit.parent_id)

    def get(key: str, default: str) -> str:
        return settings[key] if key in settings else default

    # the default letterhead: the parent's people's committee over the office's own
    office = get("office_name", f"ỦY BAN NHÂN DÂN {unit.name.upper()}")
    place = get("place", unit.short_name) or unit.short_name
    recipients = get("recipients", label("recipient_default", lang))
    # a 2025 commune has no district above it (and a province nothing above the UBND)
    above = parent.name.upper() if parent and unit.structure != "2025" else ""
    return Header(
        parent_agency=get("parent_agency", f"UBND {above}" if above else ""),
        office_name=office,
        number=get("report_number", "…/BC-UBND") or "…/BC-UBND",
        place=place,
        date_line=official_date(place, day, lang),
        signer_on_behalf=get("signer_on_behalf", label("on_behalf_default", lang)),
        signer_title=get("signer_title", label("signer_default_vi", lang)),
        signer_name=get("signer_name", ""),
        recipients=tuple(line.strip() for line in recipients.splitlines() if line.strip()),
        issuer=unit.short_name,
        issuer_kind=unit.kind,
    )


def _indicator_rows(
    catalogue: Catalogue, agg: UnitAggregate, lang: Lang, start: int, held: int | None = None
) -> list[TableRow]:
    rows: list[TableRow] = []
    number = start
    section = ""
    prev = agg.previous.indicators if agg.previous is not None else {}
    blank = not_comparable(catalogue, agg)
    for ind in by_section(catalogue.indicators.values()):
        if ind.section != section:
            section = ind.section
            names = SECTIONS.get(section, (section, section))
            rows.append(
                TableRow(
                    "",
                    "",
                    "",
                    names[0] if lang == "vi" else names[1],
                    "",
                    None,
                    None,
                    None,
                    0,
                    heading=True,
                )
            )
        cur = agg.current.indicators[ind.code]
        old = None if ind.code in blank else prev.get(ind.code)
        rows.extend(_rows_of(catalogue, ind, cur, old, lang, str(number), held))
        number += 1
    return rows


def _rows_of(
    catalogue: Catalogue,
    ind: Indicator,
    cur: IndicatorSummary,
    old: IndicatorSummary | None,
    lang: Lang,
    number: str,
    held: int | None = None,
) -> list[TableRow]:
    name = _summary_coverage(ind.name(lang), cur, lang, held)
    who = label("village_unit" if ind.level == "village" else "commune_unit", lang)
    if cur.method == "count_true":
        return [
            TableRow(
                number, ind.code, "", name, who, old.total if old else None, cur.total, None, 0
            )
        ]
    if cur.method == "count_choice":
        out = [TableRow(number, ind.code, "", name, "", None, None, None, 0, heading=True)]
        for k, choice in enumerate(ind.choices, start=1):
            out.append(
                TableRow(
                    f"{number}.{k}",
                    ind.code,
                    choice,
                    "– " + catalogue.choice_label(ind, choice, lang),
                    who,
                    old.choices.get(choice) if old and old.reported else None,
                    cur.choices.get(choice) if cur.reported else None,
                    None,
                    0,
                )
            )
        return out
    decimals = 0 if ind.kind == "integer" else 2
    unit = ind.unit_vi if lang == "vi" else ind.unit_en
    out = [
        TableRow(
            number, ind.code, "", name, unit, old.total if old else None, cur.total, None, decimals
        )
    ]
    if ind.disaggregation:
        k = 0
        for key in catalogue.disaggregation_keys(ind.code):
            now = cur.cells.get(key)
            before = old.cells.get(key) if old else None
            if (not now and not before) or catalogue.is_total_key(ind.code, key):
                continue  # the total member is the indicator's own row
            k += 1
            out.append(
                TableRow(
                    f"{number}.{k}",
                    ind.code,
                    key,
                    "– " + catalogue.disaggregation_label(ind.code, key, lang),
                    unit,
                    before,
                    now,
                    None,
                    decimals,
                )
            )
    return out


def _derived_rows(
    catalogue: Catalogue, agg: UnitAggregate, lang: Lang, holding: Holding | None = None
) -> list[TableRow]:
    rows = [TableRow("", "", "", label("g_derived", lang), "", None, None, None, 0, True)]
    prev = dict(agg.previous.derived) if agg.previous is not None else {}
    for code in not_comparable(catalogue, agg):
        prev.pop(code, None)
    n = 0
    base = list_base(agg, lang)
    for code, der in catalogue.derived.items():
        if code not in agg.current.derived:
            continue
        n += 1
        name = der.name_vi if lang == "vi" else der.name_en
        current = agg.current.derived[code]
        if code == VILLAGE_COUNT:
            if base and agg.current.villages:
                name += f" ({base})"  # the villages of the communes whose lists are here
            if not agg.current.villages:
                current = None  # no village list at all: "—", not 0 villages
            if agg.previous is not None and not agg.previous.villages:
                prev.pop(code, None)
        rows.append(
            TableRow(
                str(n),
                code,
                "",
                _with_coverage(name, agg, code, lang, holding),
                unit_text(der.unit, lang),
                prev.get(code),
                current,
                agg.targets.get(code),
                derived_decimals(der.unit),
            )
        )
    return rows


def not_comparable(catalogue: Catalogue, agg: UnitAggregate) -> set[str]:
    """The indicators and derived indicators whose "Kỳ trước" is left blank: across the
    2025 reform (``agg.previous_across_reform``), those that count or average communes
    (2 old communes are not 1 new one: "Trung tâm xã có cáp quang", "Tỷ lệ xã có điểm
    BĐVHX"), and, when an old commune went into several 2025 communes
    (``agg.previous_split``), every commune-wide figure, which cannot be divided between
    them. Sums over the same territory (BTS sites, dossiers) and every village figure
    (the same villages, placed by the lineage and the province's mapping) compare like
    for like and are kept (``tests/reform/test_series.py``).
    """
    if not agg.previous_across_reform:
        return set()
    from desktop_app.domain.derived import compile_derived
    from desktop_app.store.aggregation import summarise_indicator

    communal = {code for code, ind in catalogue.indicators.items() if ind.level == "commune"}
    if agg.previous_split:
        out = set(communal)
    else:
        out = {
            code
            for code in communal
            if summarise_indicator(catalogue, catalogue.indicators[code], []).method != "sum"
        }
    for code, item in compile_derived(catalogue).items():
        counts_communes = "count(communes" in catalogue.derived[code].formula.replace(" ", "")
        if counts_communes or (agg.previous_split and item.refs & communal):
            out.add(code)
    return out


def _with_coverage(
    name: str, agg: UnitAggregate, code: str, lang: Lang, holding: Holding | None = None
) -> str:
    """``name (20/22 xã có số liệu)`` when only part of the area has the data (at a
    partial office: of the held communes, said so)."""
    return name + coverage_text(agg, code, lang, brackets=True, holding=holding)


def _summary_coverage(
    name: str, summary: IndicatorSummary, lang: Lang, held: int | None = None
) -> str:
    """The same for an indicator's total: its villages/communes that gave a value (at a
    partial office, of the ``held`` communes and their villages)."""
    if summary.total is None:
        return name
    expected = held if held is not None and summary.level == "commune" else summary.expected
    unit = label("village_unit" if summary.level == "village" else "commune_unit", lang)
    complete = summary.reported == expected and held is None
    parts = [] if complete else [f"{summary.reported}/{expected} {unit}"]
    text = coverage_words(parts, lang, held)
    return f"{name} ({text})" if text else name


def _no_holes(signal: IndicatorSummary, lang: Lang) -> str:
    """ "Không còn thôn, bản chưa có sóng di động." when every village answered; else
    only of the villages that did: 48 of 375 with no village without signal says
    nothing of the other 327."""
    if signal.reported >= signal.expected:
        return label("no_holes", lang)
    return (
        translations(lang)
        .ngettext(
            "Of the {n} of {of} village with data on mobile signal, none is without signal.",
            "Of the {n} of {of} villages with data on mobile signal, none is without signal.",
            signal.expected,
        )
        .format(n=signal.reported, of=signal.expected)
    )


def _holes_cover(signal: IndicatorSummary, lang: Lang) -> str:
    """The line over the list of villages without signal when not every village has
    answered: the list is of those that did ("" when all did)."""
    if signal.reported >= signal.expected:
        return ""
    return (
        translations(lang)
        .ngettext(
            "The list covers only the villages with data on mobile signal: {n} of {of} village.",
            "The list covers only the villages with data on mobile signal: {n} of {of} villages.",
            signal.expected,
        )
        .format(n=signal.reported, of=signal.expected)
    )


def _with_district(commune: Unit, agg: UnitAggregate) -> str:
    """A commune's name, with its district in a province report."""
    district = agg.parents.get(commune.id)
    if agg.level != "province" or district is None:
        return commune.name
    return f"{commune.name}, {district.name}"


def build_model(
    store: Store,
    agg: UnitAggregate,
    *,
    lang: Lang = "vi",
    report_date: date | None = None,
    provisional: Sequence[Unit] = (),
    holding: Holding | None = None,
) -> ReportModel:
    """The report of ``agg`` in ``lang``, dated ``report_date`` (default today).

    ``provisional``: communes whose data is counted although not submitted/approved
    (``--include-drafts``); they are named on page 1 and every page is marked.
    ``holding``: the communes this office holds the data of (``reports.holding``): when
    only some, page 1 says what the figures cover and the summary does not call them
    the whole area's.
    """
    catalogue = store.catalogue
    day = report_date or date.today()
    unit = agg.unit
    area = f"{unit.kind} {unit.short_name}" if lang == "vi" else unit.name
    period_text = agg.period.label(lang)
    if lang == "vi":
        period_text = period_text[:1].lower() + period_text[1:]
    rows = _derived_rows(catalogue, agg, lang, holding)
    rows += _indicator_rows(catalogue, agg, lang, len(rows), held_base(holding))
    holes = tuple(
        label(
            "hole_line",
            lang,
            commune=_with_district(w.commune, agg),
            n=len(w.villages),
            villages=", ".join(w.villages),
        )
        for w in agg.without_signal
    ) or (
        _no_holes(agg.current.indicators[NO_SIGNAL[0]], lang)
        if agg.current.indicators[NO_SIGNAL[0]].reported
        else label("holes_no_data", lang),
    )
    c_cols, c_rows = completeness_table(agg, lang)
    if provisional and agg.level != "province":
        marked = {u.name for u in provisional}
        note = label("provisional_note", lang)
        c_rows = [
            (*r[:3], "; ".join(x for x in (note, r[3]) if x)) if r[1] in marked else r
            for r in c_rows
        ]
    # a 2025 province has no districts: its chart and annex go by commune
    by_district = agg.level == "province" and agg.unit.structure != "2025"
    areas = agg.by_district if by_district else agg.by_commune
    partial = holding is not None and holding.partial
    if holding is not None and partial:
        # the districts or communes this office holds nothing of are left out (named once,
        # over the annex), not listed with "—" as if they had sent no data
        areas = [a for a in areas if holding.holds(a.unit)]

    def name(unit: Unit) -> str:
        return holding.row_name(unit, lang) if holding is not None else unit.name

    chart = (
        tuple(
            (name(a.unit), tuple(float(a.derived.get(c) or 0.0) for c in CHART_CODES))
            for a in areas
            if any(a.derived.get(c) is not None for c in CHART_CODES)  # no bar for no data
        )
        if agg.level != "commune"
        else ()
    )
    series = tuple(
        (catalogue.derived[c].name_vi if lang == "vi" else catalogue.derived[c].name_en)
        for c in CHART_CODES
        if c in catalogue.derived
    )
    first_col = label("col_district" if by_district else "col_commune", lang)
    codes = [c for c in ANNEX_CODES if c in catalogue.derived]
    annex_cols = (
        label("col_no", lang),
        first_col,
        *(
            f"{catalogue.derived[c].name_vi if lang == 'vi' else catalogue.derived[c].name_en}"
            f" ({unit_text(catalogue.derived[c].unit, lang)})"
            for c in codes
        ),
    )
    annex_rows: tuple[tuple[str | Number | None, ...], ...] = tuple(
        (str(i), name(a.unit), *(annex_figure(a, c) for c in codes))
        for i, a in enumerate(areas, start=1)
    )
    annex_key = "annex_districts" if by_district else "annex_communes"
    annex_decimals = (0, 0, *(derived_decimals(catalogue.derived[c].unit) for c in codes))
    if agg.level == "commune":
        annex_key = "annex_villages"
        annex_cols, annex_rows, annex_decimals = village_annex(catalogue, agg, lang)
    return ReportModel(
        kind=agg.level,
        lang=lang,
        aggregate=agg,
        report_date=day,
        header=_header(store, agg, day, lang),
        title=label("title", lang),
        subject=nfc(label("subject", lang, period=period_text, area=area)),
        summary=tuple(nfc(s) for s in summary(catalogue, agg, lang, holding)),
        rows=tuple(rows),
        holes=tuple(nfc(h) for h in holes),
        completeness_text=nfc(completeness_sentence(agg, lang, holding)),
        completeness_columns=c_cols,
        completeness_rows=tuple(c_rows),
        chart_title=label("chart_title", lang),
        chart_series=series,
        chart=chart,
        annex_title=label(annex_key, lang, period=agg.period.label(lang)),
        annex_columns=annex_cols,
        annex_rows=annex_rows,
        annex_decimals=annex_decimals,
        notices=notices(agg, provisional, area, period_text, lang, holding),
        previous_note=previous_note(agg, lang),
        draft_mark=label("draft_mark", lang) if provisional else "",
        annex_note=(
            nfc(label("annex_by_new_commune", lang))
            if agg.level == "province" and not by_district
            else ""
        ),
        holding=holding if partial else None,
        chart_note=nfc(holding.scope_line(agg, lang)) if holding is not None else "",
        holes_note=nfc(
            " ".join(
                t
                for t in (
                    holding.scope_line(agg, lang) if holding is not None else "",
                    _holes_cover(agg.current.indicators[NO_SIGNAL[0]], lang)
                    if agg.without_signal
                    else "",
                )
                if t
            )
        ),
        annex_scope=(
            nfc(holding.annex_note(agg, lang, by_district=by_district))
            if holding is not None and agg.level != "commune"
            else ""
        ),
    )


#: The derived indicator that counts the villages ("Số thôn/bản").
VILLAGE_COUNT = "so_thon"


def annex_figure(area: AreaFigures, code: str) -> float | None:
    """``area``'s figure ``code`` in an annex row: a unit whose village list is not known
    here has "—" villages, not 0 (it has villages; the office has not received them)."""
    if code == VILLAGE_COUNT and not area.villages:
        return None
    return area.derived.get(code)


#: Village indicators in the commune report's annex.
VILLAGE_CODES = ("song_di_dong", "phu_4g", "thon_ftth", "so_ho", "ho_internet", "ho_dttm")


def village_annex(
    catalogue: Catalogue, agg: UnitAggregate, lang: Lang
) -> tuple[tuple[str, ...], tuple[tuple[str | Number | None, ...], ...], tuple[int, ...]]:
    """Columns, rows and decimals of the commune report's annex: one row per village."""
    codes = [c for c in VILLAGE_CODES if c in catalogue.indicators]
    columns = (
        label("col_no", lang),
        label("col_village", lang),
        *(catalogue.indicators[c].name(lang) for c in codes),
    )
    yes, no = label("yes", lang), label("no", lang)
    rows: list[tuple[str | Number | None, ...]] = []
    for i, village in enumerate(agg.villages, start=1):
        cells: list[str | Number | None] = [str(i), village.name]
        for code in codes:
            ind = catalogue.indicators[code]
            value = village.values.get((code, ""))
            if value is None:
                cells.append("—" if ind.kind in ("boolean", "choice") else None)
            elif isinstance(value, bool):
                cells.append(yes if value else no)
            elif isinstance(value, str):
                cells.append(catalogue.choice_label(ind, value, lang))
            elif isinstance(value, int | Decimal):
                cells.append(value)
            else:
                cells.append(", ".join(sorted(value)))
        rows.append(tuple(cells))
    return columns, tuple(rows), (0,) * len(columns)


def attached_line(model: ReportModel) -> str:
    """ "(Kèm theo Báo cáo số … ngày … của Ủy ban nhân dân huyện Mai Sơn)" under an
    annex title."""
    # the issuing office (the one printing), not the report's area; "Phòng Văn hóa và
    # Thông tin" alone does not say of which district a province report's annex is
    head = model.header
    office = agency_name(head.office_name, (head.issuer,))
    if head.issuer and nfc(head.issuer).lower() not in office.lower():
        office = " ".join(x for x in (office, head.issuer_kind, head.issuer) if x)
    return label(
        "annex_of",
        model.lang,
        number=model.header.number,
        day=short_date(model.report_date, model.lang),
        office=office,
    )


def figures_by_code(figures: PeriodFigures | None) -> Mapping[str, float | None]:
    """The derived figures of a period, or an empty mapping."""
    return figures.derived if figures is not None else {}
