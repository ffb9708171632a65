"""The sentences printed beside a report's figures: the page-1 notices (what this office
holds, the communes left out, provisional data) and the (*) footnote of "Kỳ trước".

A sentence whose wording depends on a number is a gettext plural in the report's
language (:func:`desktop_app.reports.texts.translations`): "1 commune", "2 communes".
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop_app.domain.units import Unit
from desktop_app.reports.fonts import nfc
from desktop_app.reports.holding import Holding
from desktop_app.reports.texts import Lang, label, translations
from desktop_app.store.aggregation import UnitAggregate


def names_text(units: Sequence[Unit], lang: Lang, limit: int = 12) -> str:
    """The units' names, the first ``limit`` of them and "và 7 xã khác" after."""
    names = [u.name for u in units]
    if len(names) <= limit:
        return ", ".join(names)
    return label("more_names", lang, names=", ".join(names[:limit]), n=len(names) - limit)


def notices(
    agg: UnitAggregate,
    provisional: Sequence[Unit],
    area: str,
    period: str,
    lang: Lang,
    holding: Holding | None = None,
) -> tuple[str, ...]:
    """Page 1's sentences: what a partial ``holding`` covers; that nothing at all was
    entered for the period, or that what was entered is not approved (nothing counted);
    the communes left out with data not approved, and apart from them those that entered
    nothing; the provisional communes counted (``--include-drafts``)."""
    out: list[str] = []
    if holding is not None and holding.partial:
        out.append(holding.notice(agg, lang))
    tr = translations(lang)
    entered = {u.id for u in agg.entered}
    if not entered:
        # nobody entered anything: not "not approved", which says something awaits approval
        out.append(label("nothing_entered", lang, period=period, area=area))
    elif not agg.current.has_data:
        key = "none_sent" if agg.level == "commune" else "none_counted"
        out.append(label(key, lang, period=period, area=area))
    waiting = [u for u in agg.excluded if u.id in entered]
    empty = [u for u in agg.excluded if u.id not in entered]
    if entered and waiting:
        n = len(waiting)
        if agg.level == "commune":
            text = tr.ngettext(
                "Data not sent, or returned, is left out for {n} commune: {names}.",
                "Data not sent, or returned, is left out for {n} communes: {names}.",
                n,
            )
        else:
            text = tr.ngettext(
                "Only approved data is counted; {n} commune not approved is left out: {names}.",
                "Only approved data is counted; {n} communes not approved are left out: {names}.",
                n,
            )
        out.append(text.format(n=n, names=names_text(waiting, lang)))
    if entered and empty:
        n = len(empty)
        text = tr.ngettext(
            "{n} commune has entered no figures for this period: {names}.",
            "{n} communes have entered no figures for this period: {names}.",
            n,
        )
        out.append(text.format(n=n, names=names_text(empty, lang)))
    if provisional:
        n = len(provisional)
        text = tr.ngettext(
            "DATA NOT APPROVED: the report counts provisional data of {n} commune: {names}.",
            "DATA NOT APPROVED: the report counts provisional data of {n} communes: {names}.",
            n,
        )
        out.append(text.format(n=n, names=names_text(provisional, lang)))
    return tuple(nfc(t) for t in out)


def previous_note(agg: UnitAggregate, lang: Lang) -> str:
    """The footnote of the "Kỳ trước" column when the two periods' communes differ.

    Both columns count the same communes (those with counted data this period,
    ``store.previous_basis``); the note names the communes of this period with nothing
    in the previous one and those whose previous data was left out, so a change between
    the columns is never read as like for like when it is not. Empty when they match.
    Across the 2025 reform it always says that the previous column holds the old
    communes' figures (named), which figures compare like for like and which are left
    blank as not comparable (``model.not_comparable``).
    """
    across = agg.previous_across_reform
    if agg.previous is None or not (across or agg.previous_missing or agg.previous_dropped):
        return ""
    period = agg.previous.period.label(lang)
    if lang == "vi":
        period = period[:1].lower() + period[1:]
    tr = translations(lang)
    parts = [label("previous_basis", lang)]
    if across:
        olds = agg.previous_sources
        n = len(olds)
        text = tr.ngettext(
            "(*) The “Previous” column ({period}, before the administrative units were"
            " reorganised on 1 July 2025) holds the figures of {n} old commune: {names}",
            "(*) The “Previous” column ({period}, before the administrative units were"
            " reorganised on 1 July 2025) holds the figures of {n} old communes: {names}",
            n,
        )
        parts = [text.format(n=n, period=period, names=names_text(olds, lang))]
        parts.append(label("reform_villages", lang))
        split = agg.previous_split
        if split:
            text = tr.ngettext(
                "{names} went into more than one of today's communes: its commune-wide"
                " figures cannot be divided and are left blank (—)",
                "{names} went into more than one of today's communes: their commune-wide"
                " figures cannot be divided and are left blank (—)",
                len(split),
            )
            parts.append(text.format(names=names_text(split, lang)))
        else:
            parts.append(label("reform_communes", lang))
    if agg.previous_missing:
        n = len(agg.previous_missing)
        text = tr.ngettext(
            "{n} commune has no counted data for {period}: {names}",
            "{n} communes have no counted data for {period}: {names}",
            n,
        )
        parts.append(text.format(n=n, period=period, names=names_text(agg.previous_missing, lang)))
    if agg.previous_dropped:
        n = len(agg.previous_dropped)
        text = tr.ngettext(
            "the {period} data of {n} commune with no counted data this period is left out:"
            " {names}",
            "the {period} data of {n} communes with no counted data this period is left out:"
            " {names}",
            n,
        )
        parts.append(text.format(n=n, period=period, names=names_text(agg.previous_dropped, lang)))
    return nfc("; ".join(parts) + ".")
