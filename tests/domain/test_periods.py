"""DHIS2-style period codes."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain.periods import (
    MAX_YEAR,
    MIN_YEAR,
    Period,
    PeriodError,
    period_range,
    periods_for_frequency,
)

annual_periods = st.builds(Period, st.integers(MIN_YEAR, MAX_YEAR))
quarterly_periods = st.builds(Period, st.integers(MIN_YEAR, MAX_YEAR), st.integers(1, 4))
periods = st.one_of(annual_periods, quarterly_periods)


# --- parsing ---------------------------------------------------------------------------------


def test_parse_annual() -> None:
    p = Period.parse("2019")
    assert (p.year, p.quarter, p.kind, p.code) == (2019, None, "annual", "2019")
    assert p == Period(2019)


def test_parse_quarterly() -> None:
    p = Period.parse("2019Q3")
    assert (p.year, p.quarter, p.kind, p.code) == (2019, 3, "quarterly", "2019Q3")
    assert p == Period(2019, 3)
    assert str(p) == "2019Q3"


@pytest.mark.parametrize("code", ["2000", "2100", "2000Q1", "2100Q4", "2024Q2"])
def test_parse_range_limits_are_inclusive(code: str) -> None:
    assert Period.parse(code).code == code


@pytest.mark.parametrize(
    "code",
    [
        "",
        "19",
        "019",
        "20190",
        "1999",
        "2101",
        "1999Q4",
        "2101Q1",
        "2019Q5",
        "2019Q0",
        "2019Q03",
        "2019q3",  # decided: lower-case q is rejected, one spelling per key
        "2019 Q3",
        "2019-Q3",
        "2019Q",
        "Q3 2019",
        " 2019",
        "2019\n",
        "2019S1",
        "2019W12",
        "201901",
        "２０１９",  # full-width digits
        "٢٠١٩",  # Arabic-Indic digits
        "abcd",
    ],
)
def test_parse_rejects_bad_codes(code: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(code)


def test_parse_error_message_is_clear() -> None:
    with pytest.raises(PeriodError, match=r"invalid period code '2019q3'.*'2019Q3'"):
        Period.parse("2019q3")
    with pytest.raises(PeriodError, match="outside the supported range 2000-2100"):
        Period.parse("1999")


def test_parse_rejects_non_text() -> None:
    with pytest.raises(PeriodError, match="must be text"):
        Period.parse(2019)  # type: ignore[arg-type]


def test_period_error_is_a_value_error() -> None:
    assert issubclass(PeriodError, ValueError)


@pytest.mark.parametrize(
    ("year", "quarter"),
    [(1999, None), (2101, None), (2019, 0), (2019, 5), (2019, True), (True, None), ("2019", None)],
)
def test_constructor_validates(year: object, quarter: object) -> None:
    with pytest.raises(PeriodError):
        Period(year, quarter)  # type: ignore[arg-type]


def test_period_is_frozen_and_hashable() -> None:
    p = Period(2019, 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.year = 2020  # type: ignore[misc]
    assert {p, Period.parse("2019Q3")} == {p}


@given(periods)
def test_code_round_trip(p: Period) -> None:
    assert Period.parse(p.code) == p


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2019", date(2019, 1, 1), date(2019, 12, 31)),
        ("2019Q1", date(2019, 1, 1), date(2019, 3, 31)),
        ("2019Q2", date(2019, 4, 1), date(2019, 6, 30)),
        ("2019Q3", date(2019, 7, 1), date(2019, 9, 30)),
        ("2019Q4", date(2019, 10, 1), date(2019, 12, 31)),
        ("2020Q1", date(2020, 1, 1), date(2020, 3, 31)),  # leap year changes nothing here
    ],
)
def test_start_and_end(code: str, start: date, end: date) -> None:
    p = Period.parse(code)
    assert (p.start, p.end) == (start, end)


@given(quarterly_periods)
def test_quarters_tile_without_gaps(p: Period) -> None:
    if p.year < MAX_YEAR or p.quarter != 4:
        assert p.next().start == p.end + timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "annual", "quarterly"),
    [
        (date(2019, 1, 1), "2019", "2019Q1"),
        (date(2019, 3, 31), "2019", "2019Q1"),
        (date(2019, 4, 1), "2019", "2019Q2"),
        (date(2019, 9, 30), "2019", "2019Q3"),
        (date(2019, 12, 31), "2019", "2019Q4"),
    ],
)
def test_containing(day: date, annual: str, quarterly: str) -> None:
    assert Period.containing(day, "annual").code == annual
    assert Period.containing(day).code == quarterly
    assert Period.containing(day, "quarterly").code == quarterly


def test_containing_rejects_unknown_kind_and_years_out_of_range() -> None:
    with pytest.raises(PeriodError, match="unknown period kind"):
        Period.containing(date(2019, 1, 1), "monthly")  # type: ignore[arg-type]
    with pytest.raises(PeriodError):
        Period.containing(date(1999, 12, 31))


# --- navigation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "previous", "following"),
    [
        ("2019Q1", "2018Q4", "2019Q2"),
        ("2019Q2", "2019Q1", "2019Q3"),
        ("2019Q3", "2019Q2", "2019Q4"),
        ("2019Q4", "2019Q3", "2020Q1"),
        ("2019", "2018", "2020"),
    ],
)
def test_previous_and_next(code: str, previous: str, following: str) -> None:
    p = Period.parse(code)
    assert p.previous().code == previous
    assert p.next().code == following


@pytest.mark.parametrize("code", ["2000", "2000Q1"])
def test_no_previous_before_min_year(code: str) -> None:
    with pytest.raises(PeriodError, match="no period before/after"):
        Period.parse(code).previous()


@pytest.mark.parametrize("code", ["2100", "2100Q4"])
def test_no_next_after_max_year(code: str) -> None:
    with pytest.raises(PeriodError, match="no period before/after"):
        Period.parse(code).next()


def test_edges_still_navigate_inward() -> None:
    assert Period.parse("2000Q1").next().code == "2000Q2"
    assert Period.parse("2100Q4").previous().code == "2100Q3"
    assert Period.parse("2100Q1").previous().code == "2099Q4"


@given(periods)
def test_next_and_previous_are_inverse(p: Period) -> None:
    if p.code not in {"2100", "2100Q4"}:
        assert p.next().previous() == p
        assert p.next() > p
    if p.code not in {"2000", "2000Q1"}:
        assert p.previous().next() == p
        assert p.previous() < p


def test_annual_and_quarters() -> None:
    q3 = Period.parse("2019Q3")
    year = Period.parse("2019")
    assert q3.annual() == year
    assert year.annual() is year
    assert [q.code for q in year.quarters()] == ["2019Q1", "2019Q2", "2019Q3", "2019Q4"]
    assert q3.quarters() == (q3,)
    assert year.quarters()[0].start == year.start
    assert year.quarters()[-1].end == year.end


def test_contains() -> None:
    year = Period(2019)
    assert year.contains(Period(2019, 1))
    assert year.contains(Period(2019, 4))
    assert year.contains(year)
    assert not year.contains(Period(2020, 1))
    assert not year.contains(Period(2018, 4))
    assert not Period(2019, 3).contains(year)
    assert Period(2019, 3).contains(Period(2019, 3))
    assert not Period(2019, 3).contains(Period(2019, 2))


@given(quarterly_periods)
def test_a_quarter_is_contained_in_its_year_only(p: Period) -> None:
    assert p.annual().contains(p)
    assert p in p.annual().quarters()
    for other in [Period(y) for y in (p.year - 1, p.year + 1) if MIN_YEAR <= y <= MAX_YEAR]:
        assert not other.contains(p)


# --- ordering --------------------------------------------------------------------------------


def test_ordering_is_chronological_with_year_before_its_quarters() -> None:
    codes = ["2020", "2019Q4", "2019Q1", "2019", "2018Q4", "2019Q2", "2019Q3", "2018"]
    assert [p.code for p in sorted(Period.parse(c) for c in codes)] == [
        "2018",
        "2018Q4",
        "2019",
        "2019Q1",
        "2019Q2",
        "2019Q3",
        "2019Q4",
        "2020",
    ]


def test_comparison_operators() -> None:
    a, b = Period(2019, 1), Period(2019, 2)
    assert a < b and a <= b and b > a and b >= a and a <= a and a >= a
    assert not a < a
    assert max(a, b) is b


def test_comparison_with_other_types_is_an_error() -> None:
    other: object = "2020"
    with pytest.raises(TypeError):
        _ = Period(2019) < other
    assert Period(2019) != other


@given(periods, periods)
def test_order_agrees_with_start_date_then_kind(a: Period, b: Period) -> None:
    key_a = (a.start, a.kind != "annual")
    key_b = (b.start, b.kind != "annual")
    assert (a < b) == (key_a < key_b)
    assert (a == b) == (key_a == key_b)


# --- labels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "lang", "label"),
    [
        ("2019Q3", "vi", "Quý 3/2019"),
        ("2019", "vi", "Năm 2019"),
        ("2019Q3", "en", "Q3 2019"),
        ("2019", "en", "2019"),
        ("2019Q1", "vi_VN", "Quý 1/2019"),
        ("2019Q1", "en-GB", "Q1 2019"),
        ("2019Q1", "EN", "Q1 2019"),
    ],
)
def test_label(code: str, lang: str, label: str) -> None:
    assert Period.parse(code).label(lang) == label


def test_label_default_is_vietnamese() -> None:
    assert Period(2019, 2).label() == "Quý 2/2019"


def test_label_unknown_language() -> None:
    with pytest.raises(ValueError, match="no period label for language 'fr'"):
        Period(2019).label("fr")


# --- ranges ----------------------------------------------------------------------------------


def test_period_range_quarterly_across_years() -> None:
    got = period_range(Period.parse("2018Q3"), Period.parse("2019Q2"))
    assert [p.code for p in got] == ["2018Q3", "2018Q4", "2019Q1", "2019Q2"]


def test_period_range_annual() -> None:
    assert [p.code for p in period_range(Period(2017), Period(2019))] == ["2017", "2018", "2019"]


def test_period_range_single_and_empty() -> None:
    assert period_range(Period(2019, 2), Period(2019, 2)) == [Period(2019, 2)]
    assert period_range(Period(2019, 3), Period(2019, 2)) == []


def test_period_range_up_to_the_last_supported_period() -> None:
    got = period_range(Period(2100, 3), Period(2100, 4))
    assert [p.code for p in got] == ["2100Q3", "2100Q4"]
    assert len(period_range(Period(MIN_YEAR), Period(MAX_YEAR))) == MAX_YEAR - MIN_YEAR + 1


def test_period_range_rejects_mixed_kinds() -> None:
    with pytest.raises(PeriodError, match="same kind"):
        period_range(Period(2019), Period(2019, 4))


@given(quarterly_periods, quarterly_periods)
def test_period_range_properties(a: Period, b: Period) -> None:
    first, last = min(a, b), max(a, b)
    got = period_range(first, last)
    assert got[0] == first and got[-1] == last
    assert got == sorted(got)
    assert len(got) == (last.year - first.year) * 4 + (last.quarter or 0) - (first.quarter or 0) + 1


# --- frequency -------------------------------------------------------------------------------


def test_annual_indicator_in_a_quarter_uses_the_year() -> None:
    assert periods_for_frequency("annual", Period(2019, 3)) == Period(2019)


def test_indicator_in_its_own_kind_of_period_uses_that_period() -> None:
    assert periods_for_frequency("annual", Period(2019)) == Period(2019)
    assert periods_for_frequency("quarterly", Period(2019, 3)) == Period(2019, 3)


def test_quarterly_indicator_in_a_year_is_an_error() -> None:
    with pytest.raises(PeriodError, match="quarterly indicator has no single value"):
        periods_for_frequency("quarterly", Period(2019))


@pytest.mark.parametrize("frequency", ["monthly", "Annual", ""])
def test_unknown_frequency(frequency: str) -> None:
    with pytest.raises(PeriodError, match="unknown frequency"):
        periods_for_frequency(frequency, Period(2019, 1))
