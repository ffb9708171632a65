"""The note under a report's table saying which old units its figures come from.

A report of a 2025 commune or province for a period reads, beside the new communes' own
data, the data of the pre-2025 communes they were formed from (``store.lineage``). The
note names them, and warns of pre-2025 communes whose villages the province has not yet
mapped to a new commune (their villages are counted nowhere).
"""

from __future__ import annotations

from desktop_app.reports.texts import Lang, translations
from desktop_app.store.aggregation import UnitAggregate

_TEXTS = {
    "one": (
        "Số liệu của {unit} gồm số liệu của các đơn vị trước sắp xếp năm 2025: {sources}.",
        "The figures of {unit} include those of the units before the 2025 reform: {sources}.",
    ),
}


def _text(key: str, lang: Lang, **params: object) -> str:
    vi, en = _TEXTS[key]
    return (vi if lang == "vi" else en).format(**params)


def lineage_lines(agg: UnitAggregate, lang: Lang) -> tuple[str, ...]:
    """The sentences of the note (none for a unit of the pre-2025 structure)."""
    lines: list[str] = []
    if agg.unit.structure == "2025":
        if agg.level == "commune":
            olds = agg.sources.get(agg.unit.id, ())
            if olds:
                names = ", ".join(f"{u.name} ({u.id})" for u in olds)
                lines.append(_text("one", lang, unit=agg.unit.name, sources=names))
        else:
            count = len({u.id for olds in agg.sources.values() for u in olds})
            if count:
                text = translations(lang).ngettext(
                    # one counted noun: "the 1 communes of today" cannot happen
                    "The figures include those of {count} commune before the 2025 reform,"
                    " from which today's communes ({news}) were formed.",
                    "The figures include those of {count} communes before the 2025 reform,"
                    " from which today's communes ({news}) were formed.",
                    count,
                )
                lines.append(text.format(count=count, news=len(agg.sources)))
    if agg.unplaced:
        known = {c.commune.id: c.commune.name for c in agg.completeness}
        communes = ", ".join(known.get(i, i) for i in sorted(agg.unplaced))
        lines.append(
            translations(lang)
            .ngettext(
                "Not counted: {villages} village of {communes} (not yet mapped by the province"
                " to a new commune: coverage-desk reform plan).",
                "Not counted: {villages} villages of {communes} (not yet mapped by the province"
                " to a new commune: coverage-desk reform plan).",
                sum(agg.unplaced.values()),
            )
            .format(villages=sum(agg.unplaced.values()), communes=communes)
        )
    return tuple(lines)
