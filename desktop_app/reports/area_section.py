"""The "by area" section of the district and province reports: border communes, region III
communes and the others compared on the key ratios, with the deciding decisions under it.

The communes are grouped by the classifications in force in the report's year
(:meth:`AreaRepository.in_force`; a border commune that is also region III counts as
border). Village ratios are recombined exactly from each commune's ratio and village
count; the villages without signal are summed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from desktop_app.domain.areas import REPORT_GROUPS, report_group
from desktop_app.reports.texts import Lang, display
from desktop_app.store.aggregation import AreaFigures, UnitAggregate
from desktop_app.store.repositories.areas import AreaRepository
from desktop_app.store.store import Store

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
}


def area_label(key: str, lang: Lang, **params: object) -> str:
    """The section's fixed text ``key`` in ``lang``."""
    vi, en = LABELS[key]
    text = vi if lang == "vi" else en
    return text.format(**params) if params else text


@dataclass(frozen=True)
class AreaSection:
    """What the section prints: its table (texts) and the lines under it."""

    heading: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]


def _group_row(name: str, areas: Sequence[AreaFigures], lang: Lang) -> tuple[str, ...]:
    villages = sum(a.villages for a in areas)
    cells = [name, str(len(areas)), str(villages)]
    for code in RATIOS:
        weighted = [(a.derived.get(code), a.villages) for a in areas if a.villages]
        known = [(r, n) for r, n in weighted if r is not None]
        total = sum(n for _, n in known)
        cells.append(display(sum(r * n for r, n in known) / total if total else None, 1, lang))
    holes = [a.derived.get(HOLES) for a in areas]
    cells.append(display(sum(h for h in holes if h is not None), 0, lang))
    return tuple(cells)


def area_section(
    store: Store, agg: UnitAggregate, lang: Lang, *, counted_states: Collection[str] | None = None
) -> AreaSection | None:
    """The section for a district or province report (None for a commune); its figures
    count the same submissions as the report's own (``counted_states``, see ``aggregate``)."""
    from desktop_app.store.aggregation import aggregate

    if agg.level == "commune":
        return None
    decisions, kinds = AreaRepository(store).in_force(agg.period.year)
    heading = area_label("heading", lang)
    if not decisions:
        return AreaSection(heading, (), (), (area_label("none", lang, year=agg.period.year),))
    communes = list(agg.by_commune)
    if not communes:  # a province report aggregates by district only
        communes = list(
            aggregate(
                store,
                agg.unit.id,
                agg.period,
                with_previous=False,
                per_commune=True,
                counted_states=counted_states,
            )
            .by_commune
        )  # fmt: skip
    groups: dict[str, list[AreaFigures]] = {g: [] for g in REPORT_GROUPS}
    for a in communes:
        groups[report_group(kinds.get(a.unit.id, ()))].append(a)
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
    rows = [_group_row(area_label(g, lang), groups[g], lang) for g in REPORT_GROUPS]
    whole = "all_province" if agg.level == "province" else "all_district"
    rows.append(_group_row(area_label(whole, lang), communes, lang))
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
    return AreaSection(heading, columns, tuple(rows), tuple(notes))


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
        story.append(
            _simple_table(section.columns, section.rows, widths, styles, fonts, right_from=1)
        )
    for note in section.notes:
        story.append(Paragraph(para_text(note), styles["cell"]))
    return story
