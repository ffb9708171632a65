"""Which DHIS2 data element and category option combo a catalogue cell is exported as.

DHIS2 adds a data element up over all its category option combos: that is its total.
A dimension that partitions the whole (operator, technology: ``sum`` members) is a
category, as it was. A dimension that is a total with sub-counts (``speaker``:
``tong`` with ``ip`` and ``hong``; ``channel``: ``tong`` with ``truc_tuyen``) is not:
as a category, DHIS2's total of ``cum_loa`` was all the clusters plus the IP ones plus
the broken ones again. Its total member is the indicator's own data element (``cum_loa``)
and each sub-count a data element of its own (``cum_loa.ip``, "Số cụm loa truyền thanh:
Loa IP"), each with the category combo of the indicator's other dimensions, so no
total in DHIS2 ever adds a whole to its parts. :func:`cell_of` is the inverse
(``imports/dhis2_import.py``); the export is ``reports/dhis2.py``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from desktop_app.domain.catalogue import Catalogue, Indicator

__all__ = ["Element", "cell_of", "combo_keys", "elements_of", "exported_as"]


def _total_dimension(catalogue: Catalogue, indicator: Indicator) -> int | None:
    """The position of the indicator's dimension that has a total member, if any."""
    for i, dim in enumerate(indicator.disaggregation):
        if any(m.aggregation == "total" for m in catalogue.dimensions[dim]):
            return i
    return None


@dataclass(frozen=True)
class Element:
    """One DHIS2 data element of an indicator: its code, names and category dimensions."""

    code: str
    name_vi: str
    name_en: str
    dimensions: tuple[str, ...]


def elements_of(catalogue: Catalogue, indicator: Indicator) -> list[Element]:
    """The data elements ``indicator`` is exported as: itself, and one per sub-count of
    a dimension with a total member."""
    t = _total_dimension(catalogue, indicator)
    dims = indicator.disaggregation
    if t is None:
        return [Element(indicator.code, indicator.name_vi, indicator.name_en, dims)]
    rest = dims[:t] + dims[t + 1 :]
    out = [Element(indicator.code, indicator.name_vi, indicator.name_en, rest)]
    for m in catalogue.dimensions[dims[t]]:
        if m.aggregation != "total":
            out.append(
                Element(
                    f"{indicator.code}.{m.code}",
                    f"{indicator.name_vi}: {m.name_vi}",
                    f"{indicator.name_en}: {m.name_en}",
                    rest,
                )
            )
    return out


def combo_keys(catalogue: Catalogue, dimensions: tuple[str, ...]) -> list[str]:
    """Every category option combo code of ``dimensions`` ("viettel.4g"), in order."""
    codes = [[m.code for m in catalogue.dimensions[d]] for d in dimensions]
    return [".".join(combo) for combo in itertools.product(*codes)]


def exported_as(catalogue: Catalogue, indicator: Indicator, key: str) -> tuple[str, str]:
    """(data element, category option combo) of the cell ``key`` of ``indicator``."""
    t = _total_dimension(catalogue, indicator)
    if t is None:
        return indicator.code, key or "default"
    parts = key.split(".")
    part = parts.pop(t)
    total = (
        next(
            m for m in catalogue.dimensions[indicator.disaggregation[t]] if m.code == part
        ).aggregation
        == "total"
    )
    return (indicator.code if total else f"{indicator.code}.{part}"), ".".join(parts) or "default"


def cell_of(catalogue: Catalogue, element: str, combo: str) -> tuple[Indicator, str] | None:
    """The indicator and cell key a DHIS2 (data element, option combo) names, or None
    when the element is not one of the catalogue's; the key is not checked against the
    indicator's cells (the caller says which cell it lacks)."""
    rest = [] if combo in ("", "default") else combo.split(".")
    indicator = catalogue.indicators.get(element)
    part: str | None = None
    if indicator is None:
        base, _, part = element.partition(".")
        indicator = catalogue.indicators.get(base)
        if indicator is None or not part:
            return None
    t = _total_dimension(catalogue, indicator)
    if t is None:
        return (indicator, ".".join(rest)) if part is None else None
    members = catalogue.dimensions[indicator.disaggregation[t]]
    if part is None and len(rest) == len(indicator.disaggregation):
        # a file of an earlier export, the sub-count as an option combo ("cum_loa", "ip")
        return indicator, ".".join(rest)
    if part is None:
        part = next(m.code for m in members if m.aggregation == "total")
    elif not any(m.code == part and m.aggregation != "total" for m in members):
        return None
    rest.insert(t, part)
    return indicator, ".".join(rest)
