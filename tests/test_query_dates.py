"""Date expressions: spans of days, months and years, and the since/until options."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsearch.errors import OptionError, QuerySyntaxError
from newsearch.query import date_range, date_span
from newsearch.query.ast import DateRange
from newsearch.query.dates import parse_date_expression


def day(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024", "2024-01-01", "2025-01-01"),
        ("2024-02", "2024-02-01", "2024-03-01"),
        ("2024-12", "2024-12-01", "2025-01-01"),
        ("2024-02-09", "2024-02-09", "2024-02-10"),
        ("2024-02-29", "2024-02-29", "2024-03-01"),
        ("2024-12-31", "2024-12-31", "2025-01-01"),
        ("2024/02/09", "2024-02-09", "2024-02-10"),
        ("2024/02", "2024-02-01", "2024-03-01"),
        ("2024-2-9", "2024-02-09", "2024-02-10"),
        (" 2024-02 ", "2024-02-01", "2024-03-01"),
    ],
)
def test_parse_date_gives_the_half_open_span(text, start, end):
    assert date_span(text) == (day(start), day(end))


@pytest.mark.parametrize(
    "text",
    ["", "yesterday", "24", "2024-13", "2024-02-30", "2023-02-29", "0000", "2024-02/09", "2024-"],
)
def test_parse_date_rejects_what_is_not_a_date(text):
    with pytest.raises(ValueError, match="not a date"):
        date_span(text)


def test_bad_day_message_says_why():
    with pytest.raises(ValueError, match=r"month must be in 1\.\.12"):
        date_span("2024-13-01")


def test_last_representable_year_ends_at_datetime_max():
    assert date_span("9999") == (day("9999-01-01"), datetime.max)
    assert date_span("9999-12-31") == (day("9999-12-31"), datetime.max)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("[2024-02-01 TO 2024-02-10]", "2024-02-01", "2024-02-11"),
        ("[2024-02-01 to 2024-02-10]", "2024-02-01", "2024-02-11"),
        ("[ 2024 TO 2024 ]", "2024-01-01", "2025-01-01"),
        ("[* TO 2024-02]", None, "2024-03-01"),
        ("[2024-02 TO *]", "2024-02-01", None),
        ("[* TO *]", None, None),
        (">=2024-02-01", "2024-02-01", None),
        (">2024-02-01", "2024-02-02", None),
        (">2024-02", "2024-03-01", None),
        ("<=2024-02", None, "2024-03-01"),
        ("<2024-02", None, "2024-02-01"),
        ("<2024-03-01", None, "2024-03-01"),
    ],
)
def test_date_expressions(text, start, end):
    assert parse_date_expression(text) == DateRange(start and day(start), end and day(end))


@pytest.mark.parametrize(
    "text", ["[2024-01-01 TO]", "[2024 2025]", "[2025 TO 2024]", "[x TO 2024]", ">=", "=2024"]
)
def test_bad_date_expressions_raise_value_error(text):
    with pytest.raises(ValueError):
        parse_date_expression(text)


def test_date_range_of_nothing_is_none():
    assert date_range() is None
    assert date_range(None, None) is None


def test_since_is_the_start_and_until_the_end_of_its_span():
    assert date_range("2024-02", "2024-02") == DateRange(day("2024-02-01"), day("2024-03-01"))
    assert date_range(since="2024") == DateRange(day("2024-01-01"), None)
    assert date_range(until="2024-02") == DateRange(None, day("2024-03-01"))
    assert date_range(until="2024-02-10") == DateRange(None, day("2024-02-11"))


def test_date_objects_are_whole_days():
    expected = DateRange(day("2024-02-01"), day("2024-02-11"))
    assert date_range(date(2024, 2, 1), date(2024, 2, 10)) == expected


def test_datetimes_are_instants_and_until_includes_its_instant():
    moment = datetime(2024, 2, 10, 12, 30)
    assert date_range(since=moment) == DateRange(moment, None)
    assert date_range(until=moment) == DateRange(None, moment + timedelta(microseconds=1))


def test_aware_datetimes_count_by_their_own_clock_like_stored_dates():
    aware = datetime(2024, 2, 10, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert date_range(since=aware) == DateRange(datetime(2024, 2, 10, 12, 0), None)


def test_bad_since_or_until_is_a_bad_option_value_not_a_bad_query():
    with pytest.raises(OptionError) as caught:
        date_range(since="last week")
    assert not isinstance(caught.value, QuerySyntaxError)
    assert caught.value.option == "since"
    assert caught.value.detail.startswith("not a date: 'last week'")
    with pytest.raises(OptionError) as caught:
        date_range(until="2024-13")
    assert caught.value.option == "until"


def test_since_after_until_is_an_error():
    with pytest.raises(OptionError, match="2024-02 is before since"):
        date_range("2024-03", "2024-02")


def test_since_and_until_on_the_same_day_is_that_day():
    assert date_range("2024-02-10", date(2024, 2, 10)) == DateRange(
        day("2024-02-10"), day("2024-02-11")
    )


def test_date_range_rejects_other_types():
    with pytest.raises(OptionError, match="expected a str, date or datetime"):
        date_range(since=20240201)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 30)))
def test_every_calendar_day_round_trips(value):
    start, end = date_span(value.isoformat())
    assert start == datetime(value.year, value.month, value.day)
    assert end - start == timedelta(days=1)
    assert date_range(value, value) == DateRange(start, end)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_is_a_date_or_a_value_error(text):
    try:
        start, end = date_span(text)
    except ValueError:
        return
    assert start < end
