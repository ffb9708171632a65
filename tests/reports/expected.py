"""What the tests expect in a report's indicator table, read straight from the aggregation."""

from __future__ import annotations

import re
from decimal import Decimal

from desktop_app.store.aggregation import PeriodFigures, UnitAggregate

Figure = int | float | Decimal | None

_VI_NUMBER = re.compile(r"-?\d{1,3}(?:\.\d{3})*(?:,\d+)?|-?\d+(?:,\d+)?")


def figure(figures: PeriodFigures | None, code: str, cell: str) -> Figure:
    """The aggregation's figure of (code, cell) in ``figures``: a derived value, an
    indicator total, a disaggregation cell or the count of a choice."""
    if figures is None:
        return None
    if code in figures.derived:
        return figures.derived[code]
    summary = figures.indicators[code]
    if summary.method == "count_choice":
        return summary.choices.get(cell) if summary.reported else None
    if cell:
        return summary.cells.get(cell)
    return summary.total


def expected_row(agg: UnitAggregate, code: str, cell: str) -> tuple[Figure, Figure, Figure]:
    """(previous, current, target) of a table row, from the aggregation."""
    target = agg.targets.get(code) if code in agg.current.derived else None
    return figure(agg.previous, code, cell), figure(agg.current, code, cell), target


def parse_vi(token: str) -> Decimal | None:
    """``1.234,5`` → 1234.5; ``—`` → None."""
    if token == "—":
        return None
    if not _VI_NUMBER.fullmatch(token):
        raise ValueError(f"not a Vietnamese number: {token!r}")
    return Decimal(token.replace(".", "").replace(",", "."))


def parse_en(token: str) -> Decimal | None:
    """``1,234.5`` → 1234.5; ``—`` → None."""
    if token == "—":
        return None
    return Decimal(token.replace(",", ""))
