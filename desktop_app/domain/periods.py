"""Reporting periods as DHIS2-style codes: ``2019`` (annual) and ``2019Q3`` (quarterly).

Decisions (the code is a database key, so there is exactly one spelling per period):

* :meth:`Period.parse` is strict. It accepts exactly four ASCII digits, optionally followed by
  an upper-case ``Q`` and one digit 1-4. ``"2019q3"``, ``" 2019"``, ``"19"``, ``"2019Q5"``,
  ``"2019Q03"``, ``"2019-Q3"``, ``"2019S1"`` and full-width digits are all rejected with a
  :class:`PeriodError` that says what was expected. Normalising user input (trimming,
  upper-casing) is the caller's choice, not the parser's.
* Years run from :data:`MIN_YEAR` to :data:`MAX_YEAR` inclusive; :meth:`Period.previous` and
  :meth:`Period.next` raise :class:`PeriodError` past either end.
* Ordering is chronological by start date, and a year sorts just before its own first
  quarter: ``2018Q4 < 2019 < 2019Q1 < 2019Q2 < ... < 2019Q4 < 2020``.
* :func:`period_range` is inclusive and needs both ends of the same kind; it returns an empty
  list when ``first`` is after ``last``.

Pure: no I/O.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Literal

from desktop_app.domain.frozen import Frozen, set_field

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "Frequency",
    "Period",
    "PeriodError",
    "PeriodKind",
    "period_range",
    "periods_for_frequency",
]

MIN_YEAR = 2000
MAX_YEAR = 2100

PeriodKind = Literal["annual", "quarterly"]
Frequency = Literal["annual", "quarterly"]

_CODE = re.compile(r"(?P<year>[0-9]{4})(?:Q(?P<quarter>[1-4]))?", re.ASCII)
_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


class PeriodError(ValueError):
    """A period code or period operation that is not valid."""


@functools.total_ordering
class Period(Frozen):
    """An annual (``quarter is None``) or quarterly reporting period.

    A plain immutable class, not a dataclass, which the window's start would compile
    (:mod:`desktop_app.domain.frozen`).
    """

    __slots__ = ("quarter", "year")
    year: int
    quarter: int | None

    def __init__(self, year: int, quarter: int | None = None) -> None:
        set_field(self, "year", year)
        set_field(self, "quarter", quarter)
        self._check()

    def _check(self) -> None:
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise PeriodError(f"period year must be an integer, got {self.year!r}")
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise PeriodError(
                f"period year {self.year} is outside the supported range {MIN_YEAR}-{MAX_YEAR}"
            )
        if self.quarter is not None and (
            isinstance(self.quarter, bool)
            or not isinstance(self.quarter, int)
            or not 1 <= self.quarter <= 4
        ):
            raise PeriodError(f"quarter must be 1, 2, 3 or 4, got {self.quarter!r}")

    # --- construction -------------------------------------------------------------------------

    @classmethod
    def parse(cls, code: str) -> Period:
        """Parse a period code: ``"2019"`` (annual) or ``"2019Q3"`` (quarterly).

        Raises :class:`PeriodError` for anything else, including lower-case ``q``.
        """
        if not isinstance(code, str):
            raise PeriodError(f"period code must be text, got {type(code).__name__}")
        match = _CODE.fullmatch(code)
        if match is None:
            raise PeriodError(
                f"invalid period code {code!r}: expected a year such as '2019' "
                "or a quarter such as '2019Q3' (upper-case Q, quarter 1-4)"
            )
        quarter = match.group("quarter")
        return cls(int(match.group("year")), int(quarter) if quarter else None)

    @classmethod
    def containing(cls, day: date, kind: PeriodKind = "quarterly") -> Period:
        """Return the period of the given kind that contains ``day``."""
        if kind == "annual":
            return cls(day.year)
        if kind == "quarterly":
            return cls(day.year, (day.month - 1) // 3 + 1)
        raise PeriodError(f"unknown period kind {kind!r}: expected 'annual' or 'quarterly'")

    # --- properties ---------------------------------------------------------------------------

    @property
    def kind(self) -> PeriodKind:
        """``"annual"`` or ``"quarterly"``."""
        return "annual" if self.quarter is None else "quarterly"

    @property
    def code(self) -> str:
        """The DHIS2-style code: ``"2019"`` or ``"2019Q3"``."""
        return f"{self.year}" if self.quarter is None else f"{self.year}Q{self.quarter}"

    @property
    def start(self) -> date:
        """First day of the period."""
        month = 1 if self.quarter is None else 3 * (self.quarter - 1) + 1
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        """Last day of the period (inclusive)."""
        month, day = _QUARTER_END[4 if self.quarter is None else self.quarter]
        return date(self.year, month, day)

    def __str__(self) -> str:
        return self.code

    # --- ordering -----------------------------------------------------------------------------

    def _sort_key(self) -> tuple[int, int]:
        return (self.year, 0 if self.quarter is None else self.quarter)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() < other._sort_key()

    # --- navigation ---------------------------------------------------------------------------

    def previous(self) -> Period:
        """The period of the same kind just before this one (Q1's previous is last year's Q4)."""
        if self.quarter is None:
            return self._make(self.year - 1, None)
        if self.quarter == 1:
            return self._make(self.year - 1, 4)
        return self._make(self.year, self.quarter - 1)

    def next(self) -> Period:
        """The period of the same kind just after this one (Q4's next is next year's Q1)."""
        if self.quarter is None:
            return self._make(self.year + 1, None)
        if self.quarter == 4:
            return self._make(self.year + 1, 1)
        return self._make(self.year, self.quarter + 1)

    def _make(self, year: int, quarter: int | None) -> Period:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise PeriodError(
                f"no period before/after {self.code}: years run {MIN_YEAR}-{MAX_YEAR}"
            )
        return Period(year, quarter)

    def annual(self) -> Period:
        """The annual period containing this one (an annual period returns itself)."""
        return self if self.quarter is None else Period(self.year)

    def quarters(self) -> tuple[Period, ...]:
        """The quarters this period covers: Q1-Q4 of a year, or the quarter itself."""
        if self.quarter is None:
            return (
                Period(self.year, 1),
                Period(self.year, 2),
                Period(self.year, 3),
                Period(self.year, 4),
            )
        return (self,)

    def contains(self, other: Period) -> bool:
        """True if ``other`` lies entirely within this period (a period contains itself)."""
        return self.start <= other.start and other.end <= self.end

    # --- display ------------------------------------------------------------------------------

    def label(self, lang: str = "vi") -> str:
        """Human label: ``"Quý 3/2019"``/``"Năm 2019"`` in Vietnamese, ``"Q3 2019"``/``"2019"``
        in English. ``lang`` may carry a region (``"vi_VN"``, ``"en-GB"``)."""
        language = lang.replace("-", "_").split("_", 1)[0].lower()
        if language == "vi":
            return f"Năm {self.year}" if self.quarter is None else f"Quý {self.quarter}/{self.year}"
        if language == "en":
            return f"{self.year}" if self.quarter is None else f"Q{self.quarter} {self.year}"
        raise ValueError(f"no period label for language {lang!r}: expected 'vi' or 'en'")


def period_range(first: Period, last: Period) -> list[Period]:
    """All periods from ``first`` to ``last`` inclusive, oldest first.

    Both ends must be of the same kind; an empty list when ``first`` is after ``last``.
    """
    if first.kind != last.kind:
        raise PeriodError(
            f"period range needs two periods of the same kind, got {first.code} ({first.kind}) "
            f"and {last.code} ({last.kind})"
        )
    result: list[Period] = []
    current = first
    while current <= last:
        result.append(current)
        if current == last:
            break
        current = current.next()
    return result


def periods_for_frequency(frequency: str, period: Period) -> Period:
    """The period that holds a value of an indicator with ``frequency`` when ``period`` is asked.

    An annual indicator asked in ``2019Q3`` is read and written in ``2019``; an indicator asked
    in a period of its own frequency uses that period. A quarterly indicator has no single
    value for a whole year, so asking one in an annual period raises :class:`PeriodError`
    (use ``period.quarters()`` to aggregate).
    """
    if frequency == "annual":
        return period.annual()
    if frequency == "quarterly":
        if period.quarter is None:
            raise PeriodError(
                f"a quarterly indicator has no single value for the year {period.code}; "
                "read its quarters instead"
            )
        return period
    raise PeriodError(f"unknown frequency {frequency!r}: expected 'annual' or 'quarterly'")
