"""The generated wording of a report: the summary of changes and the completeness.

Plain Vietnamese (or English) sentences built from the aggregation, with numbers in
the language's format (:func:`desktop_app.domain.values.format_number`).
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop_app.domain.catalogue import Catalogue
from desktop_app.reports.holding import Holding, holding_label
from desktop_app.reports.texts import (
    Lang,
    derived_decimals,
    display,
    label,
    lower_first,
    rounded,
    translations,
)
from desktop_app.store.aggregation import UnitAggregate

HEADLINE = (
    "so_thon_lom_song",
    "ty_le_thon_co_song",
    "ty_le_thon_4g",
    "ty_le_thon_ftth",
    "ty_le_ho_internet",
    "ty_le_ho_dttm",
)
STATES = ("draft", "submitted", "approved", "returned", "accepted")


def _change(
    name: str,
    unit: str,
    old: float | None,
    new: float | None,
    lang: Lang,
    decimals: int,
    target: float | None,
) -> str | None:
    if new is None:
        return None
    suffix = "%" if unit == "%" else ""
    n = display(new, decimals, lang) + suffix
    if old is None:
        text = f"{name}: {n}" if lang == "en" else f"{name} là {n}"
    else:
        o = display(old, decimals, lang) + suffix
        a, b = rounded(old, decimals), rounded(new, decimals)
        if a == b:
            text = f"{name} unchanged at {n}" if lang == "en" else f"{name} giữ nguyên {n}"
        elif lang == "en":
            text = f"{name} went from {o} to {n}"
        else:
            text = f"{name} {'tăng' if b > a else 'giảm'} từ {o} {'lên' if b > a else 'xuống'} {n}"
    if target is not None:
        t = display(target, decimals, lang) + suffix
        text += f" (annual target {t})" if lang == "en" else f" (kế hoạch năm {t})"
    return text


def list_base(agg: UnitAggregate, lang: Lang) -> str:
    """ "22/204 xã có danh sách thôn" when the villages the report counts are those of only
    some of its communes (the others' village lists are not known here), else "". Every
    village count of the report is over that one base and says so."""
    communes = {s.commune.id for s in agg.completeness}
    listed = sum(1 for u in agg.listed if u.id in communes)
    if listed >= len(communes):
        return ""
    return label("listed", lang, x=listed, y=len(communes))


def summary(
    catalogue: Catalogue, agg: UnitAggregate, lang: Lang, holding: Holding | None = None
) -> tuple[str, ...]:
    """The summary paragraphs: villages and the headline changes, then completeness.
    With a partial ``holding`` the villages are those of the held communes, said so."""
    unit = agg.unit
    period = agg.period.label(lang)
    villages = display(agg.current.villages, 0, lang)
    prev_label = agg.previous.period.label(lang) if agg.previous is not None else ""
    n = agg.current.villages
    if not n:
        # no village of any commune is known for the period: not "có 0 thôn"
        area = f"{unit.kind} {unit.short_name}" if lang == "vi" else unit.name
        opening = label("no_villages", lang, period=period, area=area)
    elif holding is not None and holding.partial:
        opening = holding.opening(agg, n, villages, lang)
    else:
        area = f"toàn {unit.kind}" if lang == "vi" else unit.name
        opening = (
            translations(lang)
            .ngettext(
                "In {period}, {area} has {villages} active village",
                "In {period}, {area} has {villages} active villages",
                n,
            )
            .format(period=period, area=area, villages=villages)
        )
    base = list_base(agg, lang)
    if base and n:
        opening += f" ({base})"
    parts: list[str] = []
    prev = agg.previous.derived if agg.previous is not None else {}
    prev_cover = agg.previous.coverage if agg.previous is not None else {}
    for code in HEADLINE:
        der = catalogue.derived.get(code)
        if der is None or code not in agg.current.derived:
            continue
        name = lower_first(der.name_vi if lang == "vi" else der.name_en)
        if lang == "en" and der.unit == "%":
            name = "share of " + lower_first(der.name_en)
        text = _change(
            name + coverage_text(agg, code, lang, brackets=True, holding=holding),
            der.unit,
            # a change is only stated between figures covering the same villages/communes
            prev.get(code) if prev_cover.get(code) == agg.current.coverage.get(code) else None,
            agg.current.derived[code],
            lang,
            derived_decimals(der.unit),
            agg.targets.get(code),
        )
        if text:
            parts.append(text)
    if parts and prev_label:  # the changes since the previous period follow
        opening += (
            f"; so với {prev_label.lower()}:" if lang == "vi" else f"; compared with {prev_label}:"
        )
    else:  # no previous period or no headline figure: the villages end the sentence
        opening += "."
    first = opening + (" " + "; ".join(parts) + "." if parts else "")
    return (first, completeness_sentence(agg, lang, holding))


def held_base(holding: Holding | None) -> int | None:
    """How many communes this office holds when it holds only part of the area (the base
    a partial report's coverage counts on), else None."""
    return len(holding.held) if holding is not None and holding.partial else None


def coverage_words(parts: Sequence[str], lang: Lang, held: int | None = None) -> str:
    """ "48/375 thôn, 3/22 xã có số liệu" ("" without parts); at a partial office
    (``held`` communes) "… có số liệu tại đơn vị": the counts are of the held communes
    and their villages, and the words say so."""
    if not parts:
        return ""
    what = ", ".join(parts)
    if held is None:
        return label("coverage", lang, what=what)
    return holding_label("coverage", lang, what=what)


def coverage_text(
    agg: UnitAggregate,
    code: str,
    lang: Lang,
    *,
    brackets: bool = False,
    holding: Holding | None = None,
) -> str:
    """ "48/375 thôn, 3/22 xã có số liệu" when a derived figure covers only part of the
    area (villages for a village figure, communes always).

    With a partial ``holding`` both counts are of what this office holds (its villages
    were always the held communes' only; the communes were all the province's, "48/375
    thôn, 3/204 xã"), and they are printed also when every held commune has the data
    ("22/22 xã có số liệu tại đơn vị"): a figure of part of the province never reads as
    the whole province's, wherever it is read."""
    found = agg.current.coverage.get(code)
    if found is None or agg.current.derived.get(code) is None:
        return ""
    held = held_base(holding)
    if held is None and found.complete:
        return ""
    of_communes = found.of_communes if held is None else held
    # a figure that reads no value (the number of villages) counts every commune of the
    # area as having it, those held elsewhere too: of the held, that is all of them
    communes = min(found.communes, of_communes)
    parts = []
    if found.by_villages and (held is not None or found.villages < found.of_villages):
        parts.append(f"{found.villages}/{found.of_villages} {label('village_unit', lang)}")
    if held is not None or communes < of_communes:
        parts.append(f"{communes}/{of_communes} {label('commune_unit', lang)}")
    text = coverage_words(parts, lang, held)
    return f" ({text})" if brackets and text else text


def state_counts(states: Sequence[str]) -> dict[str, int]:
    """How many communes are in each submission state (approved includes accepted)."""
    counts = {s: 0 for s in STATES}
    for s in states:
        counts[s if s in counts else "draft"] += 1
    counts["approved"] += counts.pop("accepted")
    return counts


def completeness_sentence(agg: UnitAggregate, lang: Lang, holding: Holding | None = None) -> str:
    """ "18/22 xã đã gửi số liệu (3 đã duyệt, 2 bị trả lại, 13 chờ duyệt); 4 xã chưa gửi."
    (of the held communes, said so, when ``holding`` is partial)"""
    c = state_counts([s.state for s in agg.completeness])
    total = len(agg.completeness)
    sent = total - c["draft"]
    tr = translations(lang)
    period = agg.period.label(lang)
    period = period.lower() if lang == "vi" else period
    scope = holding_label("completeness", lang) if holding is not None and holding.partial else ""
    if not agg.entered and not sent:
        # no "0/22 xã đã gửi (0 đã duyệt, …)": nothing was entered, so nothing to count
        if agg.level == "commune":
            return label("nothing_entered_commune", lang, period=period) + scope + "."
        return label("nothing_entered_area", lang, total=total, period=period) + scope + "."
    head = tr.ngettext(
        "{sent} of {total} commune has sent its data for {period}",
        "{sent} of {total} communes have sent their data for {period}",
        total,
    ).format(sent=sent, total=total, period=period)
    if lang == "en":
        states = f" ({c['approved']} approved, {c['returned']} returned, {c['submitted']} awaiting"
        states += " review)"
    else:
        states = (
            f" ({c['approved']} đã duyệt, {c['returned']} bị trả lại, {c['submitted']} chờ duyệt)"
        )
    tail = tr.ngettext(
        "; {draft} has not sent yet", "; {draft} have not sent yet", c["draft"]
    ).format(draft=c["draft"])
    return head + states + tail + scope + "."


def completeness_table(
    agg: UnitAggregate, lang: Lang
) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Columns and rows of the completeness table: per commune, or per district for a
    province."""
    cols: tuple[str, ...]
    rows: list[tuple[str, ...]]
    if agg.level != "province":
        cols = (
            label("col_no", lang),
            label("col_commune", lang),
            label("col_state", lang),
            label("col_note", lang),
        )
        rows = [
            (str(i), s.commune.name, label(f"state_{s.state}", lang), s.reason)
            for i, s in enumerate(agg.completeness, start=1)
        ]
        return cols, rows
    cols = (
        label("col_no", lang),
        label("col_district", lang),
        label("col_count", lang),
        label("state_submitted", lang),
        label("state_approved", lang),
        label("state_returned", lang),
        label("state_draft", lang),
    )
    groups: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for s in agg.completeness:
        key = s.district.id if s.district else ""
        names[key] = s.district.name if s.district else ""
        groups.setdefault(key, []).append(s.state)
    rows = []
    for i, (key, states) in enumerate(groups.items(), start=1):
        c = state_counts(states)
        rows.append(
            (
                str(i),
                names[key],
                str(len(states)),
                str(c["submitted"]),
                str(c["approved"]),
                str(c["returned"]),
                str(c["draft"]),
            )
        )
    return cols, rows
