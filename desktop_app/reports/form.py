"""A blank collection form: for each village of a commune, the indicators to collect on
paper for a period, with empty boxes and, lightly, last period's value beside each.

One page per village (a commune clerk hands each village head its own), then one page
for the commune's own indicators. Choices are printed as boxes to tick.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from desktop_app.domain.catalogue import Catalogue, Indicator
from desktop_app.domain.periods import Period
from desktop_app.domain.values import Value
from desktop_app.reports.fonts import nfc, report_fonts
from desktop_app.reports.pdf import BOTTOM, LEFT, RIGHT, TOP
from desktop_app.reports.pdf_blocks import para_text
from desktop_app.reports.texts import Lang, display
from desktop_app.store.store import Store

__all__ = ["write_form"]

_TEXTS = {
    "title": ("PHIẾU THU THẬP SỐ LIỆU", "DATA COLLECTION FORM"),
    "village": ("{village}, {commune} - {period}", "{village}, {commune} - {period}"),
    "commune": (
        "Chỉ tiêu cấp xã: {commune} - {period}",
        "Commune indicators: {commune} - {period}",
    ),
    "cols": (
        ("TT", "Chỉ tiêu", "Đơn vị", "Kỳ trước", "Số liệu kỳ này"),
        ("No.", "Indicator", "Unit", "Last period", "This period"),
    ),
    "sign": (
        "Người cung cấp số liệu (ký, ghi rõ họ tên)",
        "Provided by (signature and full name)",
    ),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
}
LIGHT = colors.Color(0.55, 0.55, 0.55)


def _t(key: str, lang: Lang) -> Any:
    vi, en = _TEXTS[key]
    return vi if lang == "vi" else en


def _previous_text(catalogue: Catalogue, ind: Indicator, value: Value | None, lang: Lang) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_t("yes" if value else "no", lang))
    if isinstance(value, str):
        return catalogue.choice_label(ind, value, lang)
    if isinstance(value, frozenset):
        return ", ".join(catalogue.choice_label(ind, c, lang) for c in sorted(value)) or "—"
    return display(value, 0 if ind.kind == "integer" else 2, lang)


_BOX = "[\u00a0\u00a0\u00a0\u00a0]\u00a0"


def _box_text(catalogue: Catalogue, ind: Indicator, lang: Lang) -> str:
    """What to fill in (Paragraph markup): a box to tick per choice, one a line; blank
    space for a number."""
    if ind.kind == "boolean":
        options = [str(_t("yes", lang)), str(_t("no", lang))]
    elif ind.kind in ("choice", "multichoice"):
        options = [catalogue.choice_label(ind, c, lang) for c in ind.choices]
    else:
        return ""
    return "<br/>".join(para_text(_BOX + o) for o in options)


def _rows(
    catalogue: Catalogue,
    indicators: Sequence[Indicator],
    previous: Mapping[tuple[str, str], Value],
    lang: Lang,
    styles: dict[str, ParagraphStyle],
) -> list[list[Any]]:
    data: list[list[Any]] = [[Paragraph(para_text(c), styles["head"]) for c in _t("cols", lang)]]
    for n, ind in enumerate(indicators, start=1):
        unit = ind.unit_vi if lang == "vi" else ind.unit_en
        for k, key in enumerate(catalogue.disaggregation_keys(ind.code)):
            name = ind.name(lang)
            number = str(n)
            if key:
                name = "– " + catalogue.disaggregation_label(ind.code, key, lang)
                number = f"{n}.{k + 1}"
                if k == 0:
                    data.append(
                        [str(n), Paragraph(para_text(ind.name(lang)), styles["cell"]), unit]
                    )
                    data[-1] += ["", ""]
            data.append(
                [
                    number,
                    Paragraph(para_text(name), styles["cell"]),
                    nfc(unit),
                    Paragraph(
                        para_text(
                            _previous_text(catalogue, ind, previous.get((ind.code, key)), lang)
                        ),
                        styles["light"],
                    ),
                    Paragraph(_box_text(catalogue, ind, lang), styles["cell"]),
                ]
            )
    return data


def write_form(store: Store, commune_id: str, period: Period, out: Path, lang: Lang = "vi") -> int:
    """Write the blank form of ``commune_id`` for ``period`` to ``out``; the pages printed."""
    from desktop_app.reports.output import safe_output
    from desktop_app.store.aggregation import aggregate

    catalogue = store.catalogue
    now = aggregate(store, commune_id, period, with_previous=False)
    try:
        before = aggregate(store, commune_id, period.previous(), with_previous=False)
    except ValueError:
        before = None
    old = {v.id: v.values for v in before.villages} if before is not None else {}
    old_commune: Mapping[tuple[str, str], Value] = {}
    if before is not None:
        old_commune = _commune_values(store, commune_id, period.previous())
    wanted = [i for i in catalogue.indicators.values() if _collected(i, period)]
    fonts = report_fonts()
    base = ParagraphStyle("f", fontName=fonts.regular, fontSize=11, leading=13.5)
    styles = {
        "cell": base,
        "head": ParagraphStyle("fh", parent=base, fontName=fonts.bold, alignment=1),
        "light": ParagraphStyle("fl", parent=base, textColor=LIGHT, fontSize=10),
        "title": ParagraphStyle(
            "ft", parent=base, fontName=fonts.bold, fontSize=14, leading=18, alignment=1
        ),
        "sub": ParagraphStyle(
            "fs", parent=base, fontName=fonts.bold, fontSize=12, leading=16, alignment=1
        ),
        "sign": ParagraphStyle("fg", parent=base, fontName=fonts.italic, alignment=2),
    }
    width = A4[0] - LEFT - RIGHT
    widths = [12 * mm, width * 0.40, 20 * mm, 26 * mm]
    widths.append(width - sum(widths))
    label = period.label(lang)
    label = label[:1].lower() + label[1:] if lang == "vi" else label
    story: list[Any] = []
    pages = 0

    def page(subtitle: str, indicators: Sequence[Indicator], previous: Mapping[Any, Value]) -> None:
        nonlocal pages
        if story:
            story.append(PageBreak())
        pages += 1
        table = Table(_rows(catalogue, indicators, previous, lang, styles), colWidths=widths,
                      repeatRows=1)  # fmt: skip
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)),
                    ("FONTNAME", (0, 0), (-1, -1), fonts.regular),
                    ("FONTSIZE", (0, 0), (-1, -1), 11),
                    ("TOPPADDING", (0, 1), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 1), (-1, -1), 6),
                ]
            )
        )
        story.extend(
            [
                Paragraph(para_text(_t("title", lang)), styles["title"]),
                Paragraph(para_text(subtitle), styles["sub"]),
                Spacer(1, 5 * mm),
                table,
                Spacer(1, 8 * mm),
                Paragraph(para_text(_t("sign", lang)), styles["sign"]),
            ]
        )

    village_indicators = [i for i in wanted if i.level == "village"]
    for village in now.villages:
        subtitle = _t("village", lang).format(
            village=village.name, commune=now.unit.name, period=label
        )
        page(subtitle, village_indicators, old.get(village.id, {}))
    commune_indicators = [i for i in wanted if i.level == "commune"]
    page(
        _t("commune", lang).format(commune=now.unit.name, period=label),
        commune_indicators,
        old_commune,
    )
    with safe_output(Path(out)) as tmp:
        doc = SimpleDocTemplate(
            str(tmp),
            pagesize=A4,
            leftMargin=LEFT,
            rightMargin=RIGHT,
            topMargin=TOP,
            bottomMargin=BOTTOM,
            title=nfc(f"{_t('title', lang)} - {now.unit.name} - {label}"),
            creator="Coverage Desk",
            invariant=1,
        )
        doc.build(story)
        return int(doc.page)


def _collected(ind: Indicator, period: Period) -> bool:
    """Quarterly indicators every quarter; annual ones on a year's form or in its Q4."""
    if ind.frequency == "quarterly":
        return True
    return period.quarter in (None, 4)


def _commune_values(store: Store, commune_id: str, period: Period) -> dict[tuple[str, str], Value]:
    from desktop_app.store.area_reader import Loader

    loader = Loader(store)
    raw = loader.commune_values(commune_id, [period])
    return dict(loader.merged(raw, period).get(commune_id, {}))
