"""The "by area" section of the district and province reports: border communes, region III
communes and the others compared on the key ratios, with the deciding decisions under it.

The communes are grouped by the classifications in force in the report's year
(:meth:`AreaRepository.in_force`; a border commune that is also region III counts as
border). Village ratios are recombined exactly from each commune's ratio and the number
of its villages with the data (its coverage); the villages without signal are summed,
"—" when no commune of the group has the data.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop_app.domain.areas import REPORT_GROUPS, report_group
from desktop_app.reports.fonts import nfc
from desktop_app.reports.holding import Holding, holding_label
from desktop_app.reports.texts import Lang, display, pick, translations
from desktop_app.store.aggregation import AreaFigures, UnitAggregate
from desktop_app.store.repositories.areas import AreaRepository
from desktop_app.store.store import Store

if TYPE_CHECKING:
    from desktop_app.reports.model import ReportModel

RATIOS = ("ty_le_thon_co_song", "ty_le_thon_4g", "ty_le_thon_ftth")
HOLES = "so_thon_lom_song"
LABELS: dict[str, tuple[str, str]] = {
    "heading": ("Các chỉ tiêu chính theo địa bàn", "Main indicators by area"),
    "border": ("Xã biên giới", "Border communes"),
    "region3": ("Xã khu vực III", "Region III communes"),
    "other": ("Các xã khác", "Other communes"),
    "all_district": ("Toàn huyện", "Whole district"),
    "all_province": ("Toàn tỉnh", "Whole province"),
    "col_area": ("Địa bàn", "Area"),
    "col_communes": ("Số xã", "Communes"),
    "col_villages": ("Số thôn", "Villages"),
    "col_holes": ("Số thôn lõm sóng", "Villages without signal"),
    "none": (
        "Chưa có quyết định phân loại địa bàn nào có hiệu lực trong năm {year}.",
        "No area classification decision is in force in {year}.",
    ),
    "basis": ("Phân loại địa bàn theo:", "Areas as classified by:"),
    "decision": (
        "Quyết định số {id}{signed}{title}; hiệu lực {years}.",
        "Decision No. {id}{signed}{title}; in force {years}.",
    ),
    "signed": (" ngày {date}", " of {date}"),
    "annex_title": (
        "Các chỉ tiêu chính theo xã, nhóm theo địa bàn, {period}",
        "Main indicators by commune, grouped by area, {period}",
    ),
    "col_commune": ("Xã", "Commune"),
    "listed": (
        "Cột “Số thôn” chỉ tính thôn, bản của {base} ({groups}).",
        "The “Villages” column counts only the villages of the {base} ({groups}).",
    ),
    "listed_group": ("{name}: {x}/{y} xã", "{name}: {x} of {y}"),
    "col_commune_district": ("Xã (huyện)", "Commune (district)"),
    "no_commune": ("không có xã nào", "no commune"),
    "no_commune_held": (
        "không có xã nào có dữ liệu tại đơn vị",
        "no commune held at this office",
    ),
}

ROMAN = ("I", "II", "III", "IV", "V")


def area_label(key: str, lang: Lang, **params: object) -> str:
    """The section's fixed text ``key`` in ``lang``."""
    return pick(LABELS, key, lang, **params)


#: decimals of the section's columns after the area's name: communes, villages, the three
#: ratios, villages without signal
DECIMALS = (0, 0, 1, 1, 1, 0)
Figure = int | float | None


@dataclass(frozen=True)
class AreaSection:
    """What the section prints: its table (texts) and the lines under it; ``figures``
    holds the same rows as numbers (None: no data), for the workbook."""

    heading: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]
    figures: tuple[tuple[str | Figure, ...], ...] = ()


def _weight(area: AreaFigures, code: str) -> int:
    """The villages ``area``'s ratio ``code`` was computed on: those with its data."""
    covered = area.coverage.get(code)
    return covered.villages if covered is not None else area.villages


def _group_figures(
    name: str, areas: Sequence[AreaFigures], empty: str = ""
) -> tuple[str | Figure, ...]:
    """A group's row as numbers; a group without a commune is its name and ``empty``
    (the sentence saying so) with no figure: "0" communes and "—" read as a measured
    group whose communes sent nothing."""
    if not areas and empty:
        return (name, empty, *(None for _ in DECIMALS[1:]))
    # no village list of any of its communes here: "—" villages, not 0
    listed = sum(a.villages for a in areas) if any(a.villages for a in areas) else None
    cells: list[str | Figure] = [name, len(areas), listed]
    for code in RATIOS:
        # each commune's ratio is over its villages with the data, so it weighs with
        # those (weighing with all its villages overweighted a half-entered commune)
        weighted = [(a.derived.get(code), _weight(a, code)) for a in areas]
        known = [(r, n) for r, n in weighted if r is not None and n]
        total = sum(n for _, n in known)
        cells.append(sum(r * n for r, n in known) / total if total else None)
    holes = [h for h in (a.derived.get(HOLES) for a in areas) if h is not None]
    # no commune with the data: "—", not 0 villages without signal
    cells.append(round(sum(holes)) if holes else None)
    return tuple(cells)


def _printed(figures: tuple[str | Figure, ...], lang: Lang) -> tuple[str, ...]:
    name, *numbers = figures
    if isinstance(numbers[0], str):  # a group without a commune: its sentence, no figure
        return (str(name), numbers[0], *("" for _ in numbers[1:]))
    shown = [
        display(None if isinstance(v, str) else v, d, lang)
        for v, d in zip(numbers, DECIMALS, strict=True)
    ]
    return (str(name), *shown)


def commune_figures(
    store: Store, agg: UnitAggregate, *, counted_states: Collection[str] | None = None
) -> list[AreaFigures]:
    """Each commune's figures of a district or province aggregate.

    A province report aggregates by district only, so its communes are aggregated
    once more here, counting the same submissions as the report (``counted_states``);
    the report asks once and gives the list to each section.
    """
    from desktop_app.store.aggregation import aggregate

    if agg.by_commune or agg.level != "province":
        return list(agg.by_commune)
    again = aggregate(
        store,
        agg.unit.id,
        agg.period,
        with_previous=False,
        per_commune=True,
        counted_states=counted_states,
    )
    return list(again.by_commune)


def _groups(communes: Sequence[AreaFigures], kinds: dict[str, set[str]]) -> dict[str, list[Any]]:
    groups: dict[str, list[AreaFigures]] = {g: [] for g in REPORT_GROUPS}
    for a in communes:
        groups[report_group(kinds.get(a.unit.id, ()))].append(a)
    return groups


def decision_notes(store: Store, year: int, lang: Lang) -> tuple[str, ...]:
    """ "Areas as classified by:" and one line per decision in force in ``year``."""
    decisions, _kinds = AreaRepository(store).in_force(year)
    if not decisions:
        return (area_label("none", lang, year=year),)
    notes = [area_label("basis", lang)]
    for d in decisions:
        notes.append(
            area_label(
                "decision",
                lang,
                id=d.id,
                signed=area_label("signed", lang, date=d.signed) if d.signed else "",
                title=f" {d.title}" if d.title else "",
                years=d.years_text(lang),
            )
        )
    return tuple(notes)


def area_section(
    store: Store,
    agg: UnitAggregate,
    lang: Lang,
    communes: Sequence[AreaFigures] | None = None,
    held: Holding | None = None,
) -> AreaSection | None:
    """The section for a district or province report (None for a commune).

    ``communes``: the communes' figures when the caller has them (:func:`commune_figures`).
    ``held``: when the office holds only some of the area's communes, the section counts
    those (their villages are the only ones known here) and its last row is theirs, not
    "Toàn tỉnh" (:mod:`desktop_app.reports.holding`).
    """
    if agg.level == "commune":
        return None
    decisions, kinds = AreaRepository(store).in_force(agg.period.year)
    heading = area_label("heading", lang)
    if not decisions:
        return AreaSection(heading, (), (), decision_notes(store, agg.period.year, lang))
    communes = list(communes) if communes is not None else commune_figures(store, agg)
    if held is not None and held.partial:
        ids = {u.id for u in held.held}
        communes = [a for a in communes if a.unit.id in ids]
    groups = _groups(communes, kinds)
    catalogue = store.catalogue.derived
    names = [
        (catalogue[c].name_vi if lang == "vi" else catalogue[c].name_en) + " (%)" for c in RATIOS
    ]
    columns = (
        area_label("col_area", lang),
        area_label("col_communes", lang),
        area_label("col_villages", lang),
        *names,
        area_label("col_holes", lang),
    )
    empty = area_label("no_commune_held" if held and held.partial else "no_commune", lang)
    figures = [_group_figures(area_label(g, lang), groups[g], empty) for g in REPORT_GROUPS]
    whole = "all_province" if agg.level == "province" else "all_district"
    total = holding_label("total_row", lang) if held and held.partial else area_label(whole, lang)
    figures.append(_group_figures(total, communes))
    return AreaSection(
        heading,
        columns,
        tuple(_printed(f, lang) for f in figures),
        (*_listed_note(agg, groups, lang), *decision_notes(store, agg.period.year, lang)),
        tuple(figures),
    )


def _listed_note(
    agg: UnitAggregate, groups: dict[str, list[AreaFigures]], lang: Lang
) -> tuple[str, ...]:
    """Under the table, when not every commune's village list is known here: the "Số
    thôn" column counts the villages of those whose list is, of each group (the report's
    one base, :func:`desktop_app.reports.narrative.list_base`)."""
    from desktop_app.reports.narrative import list_base

    base = list_base(agg, lang)
    if not base or not agg.current.villages:
        return ()  # no list at all: the column prints "—"
    parts = [
        area_label(
            "listed_group",
            lang,
            name=area_label(g, lang),
            x=sum(1 for a in groups[g] if a.villages),
            y=len(groups[g]),
        )
        for g in REPORT_GROUPS
        if groups[g]
    ]
    return (nfc(area_label("listed", lang, base=base, groups="; ".join(parts))),)


def annex_by_area(
    store: Store, model: ReportModel, communes: Sequence[AreaFigures], lang: Lang
) -> ReportModel:
    """``model`` with its annex listing the communes grouped by area (district, province).

    Each group (border, region III, other) opens with a row "I. Xã biên giới (2 xã)"
    and numbers its communes from 1; at a province a commune names its district.
    The deciding decisions are printed under the annex. A commune report is left alone.
    """
    from dataclasses import replace

    from desktop_app.reports.model import ANNEX_CODES, annex_figure, unit_text
    from desktop_app.reports.texts import derived_decimals

    agg = model.aggregate
    if agg.level == "commune":
        return model
    held = model.holding
    if held is not None and held.partial:
        # as the annex by district: the communes held nothing of are named once, not listed
        communes = [a for a in communes if held.holds(a.unit)]
    _decisions, kinds = AreaRepository(store).in_force(agg.period.year)
    catalogue = store.catalogue.derived
    codes = [c for c in ANNEX_CODES if c in catalogue]
    province = agg.level == "province"
    districts = {u.id: u.name for u in store.reference.children(agg.unit.id)} if province else {}
    rows: list[tuple[Any, ...]] = []
    empty = ("",) * len(codes)
    for number, (group, members) in zip(ROMAN, _groups(communes, kinds).items(), strict=False):
        n = len(members)
        text = translations(lang).ngettext("{name} ({n} commune)", "{name} ({n} communes)", n)
        name = text.format(name=area_label(group, lang), n=n)
        if not members:  # "(không có xã nào)", not "(0 xã)" over no row
            none = "no_commune_held" if held is not None and held.partial else "no_commune"
            name = f"{area_label(group, lang)} ({area_label(none, lang)})"
        rows.append((number, name, *empty))
        for i, a in enumerate(members, start=1):
            district = districts.get(a.unit.parent_id or "")
            label = f"{a.unit.name} ({district})" if district else a.unit.name
            rows.append((str(i), label, *(annex_figure(a, c) for c in codes)))
    columns = (
        model.annex_columns[0],
        area_label("col_commune_district" if province else "col_commune", lang),
        *(
            f"{catalogue[c].name_vi if lang == 'vi' else catalogue[c].name_en}"
            f" ({unit_text(catalogue[c].unit, lang)})"
            for c in codes
        ),
    )
    return replace(
        model,
        annex_title=area_label("annex_title", lang, period=agg.period.label(lang)),
        annex_columns=columns,
        annex_rows=tuple(rows),
        annex_decimals=(0, 0, *(derived_decimals(catalogue[c].unit) for c in codes)),
        annex_notes=decision_notes(store, agg.period.year, lang),
        annex_scope=(
            nfc(held.annex_note(agg, lang, by_district=False)) if held is not None else ""
        ),
    )


def area_flowables(section: AreaSection | None, styles: Any, fonts: Any, width: float) -> list[Any]:
    """The section as PDF flowables (nothing for a commune report)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    from desktop_app.reports.pdf import _heading, _simple_table
    from desktop_app.reports.pdf_blocks import para_text

    if section is None:
        return []
    story: list[Any] = _heading(section.heading, styles)
    if section.rows:
        n = len(section.columns)
        widths = [34 * mm] + [14 * mm, 16 * mm] + [(width - 64 * mm) / (n - 3)] * (n - 3)
        table = _simple_table(section.columns, section.rows, widths, styles, fonts, right_from=1)
        # a group without a commune: its sentence across the figures' columns
        for r, row in enumerate(section.rows, start=1):
            if row[1][:1].isalpha():
                table.setStyle([("SPAN", (1, r), (-1, r)), ("ALIGN", (1, r), (-1, r), "LEFT")])
        story.append(table)
    for note in section.notes:
        story.append(Paragraph(para_text(note), styles["cell"]))
    return story
