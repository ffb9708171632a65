"""One workbook cell to one typed value, the way the grid reads what a clerk types.

Text goes through :func:`desktop_app.domain.values.parse_input` (Vietnamese
numbers, «Có»/«Không», choice labels). A number Excel stored as a number is taken
as that number, never re-read as text: ``1.234`` typed in a numeric Excel cell is
one point two three four, not 1234.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from desktop_app.domain import values as typed
from desktop_app.domain.catalogue import Catalogue, Indicator, Lang
from desktop_app.i18n import _
from desktop_app.imports import layout


class CellError(ValueError):
    """A cell that cannot be read as a value of its column, worded for the user."""


def _number(indicator: Indicator, raw: int | float) -> typed.Value:
    if isinstance(raw, float) and not math.isfinite(raw):
        raise CellError(_("{value} is not a number.").format(value=raw))
    if indicator.kind == "integer":
        if raw != int(raw):
            raise CellError(_("{value} is not a whole number.").format(value=raw))
        return int(raw)
    if indicator.kind == "decimal":
        return Decimal(repr(raw)) if isinstance(raw, float) else raw
    if indicator.kind == "boolean" and raw in (0, 1):
        return bool(raw)
    raise CellError(
        _("{value} is a number; this column takes text (see the list).").format(value=raw)
    )


def read_cell(
    indicator: Indicator, raw: Any, catalogue: Catalogue, lang: Lang
) -> typed.Value | None:
    """The value a cell holds (None when empty); :class:`CellError` when it holds none."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        if indicator.kind != "boolean":
            raise CellError(_("TRUE/FALSE only fits a Yes/No column."))
        return raw
    if isinstance(raw, int | float):
        return _number(indicator, raw)
    if isinstance(raw, datetime | date | time):
        raise CellError(_("the cell holds a date; type the value instead."))
    text = unicodedata.normalize("NFC", str(raw)).strip()
    if not text:
        return None
    if text.startswith("="):
        raise CellError(_("the cell holds a formula; type the value itself."))
    if indicator.kind == "multichoice" and text in (layout.EMPTY_SET, "–", "—"):
        return frozenset()
    try:
        return typed.parse_input(indicator, text, catalogue)
    except typed.ValueInputError as exc:
        raise CellError(exc.message_vi if lang == "vi" else exc.message_en) from None
