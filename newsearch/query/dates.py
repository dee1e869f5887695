"""Date expressions: calendar dates, spans, comparisons and ranges.

Every date names a span of time at its own granularity: ``2024`` is the whole year,
``2024-02`` the month, ``2024-02-09`` (or ``2024/02/09``) the day. Spans are half-open
``[start, end)`` pairs of naive datetimes, so "through February" ends at 2024-03-01.

The query language's ``date:`` values are parsed here (``parse_date_expression``), and so
are the API and CLI ``--since``/``--until`` options (``date_range``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from newsearch.errors import OptionError
from newsearch.query.ast import DateRange

_DATE_RE = re.compile(r"([0-9]{4})(?:([-/])([0-9]{1,2})(?:\2([0-9]{1,2}))?)?")
_COMPARISON_RE = re.compile(r"(>=|<=|>|<)(.*)", re.DOTALL)
_RANGE_RE = re.compile(r"\[\s*(\S+)\s+(?i:TO)\s+(\S+)\s*\]")
_FORMATS = "use YYYY, YYYY-MM or YYYY-MM-DD"
OPEN_END = "*"


def date_span(text: str) -> tuple[datetime, datetime]:
    """The half-open span ``[start, end)`` of a year, month or day written as text.

    Accepts ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` and the same with ``/``; raises
    ``ValueError`` with a message naming the text otherwise. The span of the last day
    a datetime can hold ends at ``datetime.max``.
    """
    match = _DATE_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a date: {text!r} ({_FORMATS})")
    year, _, month, day = match.groups()
    try:
        start = datetime(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError(f"not a date: {text!r} ({exc})") from None
    if day is not None:
        return start, _shift(start, days=1)
    if month is not None:
        return start, _first_of_next_month(start)
    return start, _first_of_next_year(start)


def parse_date_expression(text: str) -> DateRange:
    """The ``DateRange`` of one ``date:`` value; raises ``ValueError`` when it is malformed.

    Forms: a date (its span), ``[A TO B]`` (both ends inclusive at their granularity,
    ``*`` leaves an end open), and ``>=A``, ``>A``, ``<=A``, ``<A`` (``>2024-02`` starts
    on 2024-03-01, ``<=2024-02`` ends before 2024-03-01).
    """
    if text.startswith("["):
        return _parse_range(text)
    comparison = _COMPARISON_RE.fullmatch(text)
    if comparison is not None:
        return _parse_comparison(comparison.group(1), comparison.group(2))
    start, end = date_span(text)
    return DateRange(start, end)


def date_range(
    since: str | date | datetime | None = None,
    until: str | date | datetime | None = None,
) -> DateRange | None:
    """The ``DateRange`` for the ``since``/``until`` options; ``None`` when both are ``None``.

    ``since`` starts at the beginning of its span and ``until`` runs through the end of
    its span: ``until="2024-02"`` ends at 2024-03-01, ``until=date(2024, 2, 10)`` at
    2024-02-11. A ``datetime`` is an exact instant: ``since`` starts at it, ``until``
    includes it (the range ends one microsecond later). An aware datetime counts by its
    own clock, as stored dates do (``model.local_time``). A malformed value, or ``since``
    after ``until``, raises ``OptionError`` (a bad option value, not a bad query).
    """
    if since is None and until is None:
        return None
    start = None if since is None else _bound("since", since, at_end=False)
    end = None if until is None else _bound("until", until, at_end=True)
    if start is not None and end is not None and start >= end:
        raise OptionError("until", f"{until} is before since ({since})")
    return DateRange(start, end)


def _parse_range(text: str) -> DateRange:
    """``[A TO B]``: from the start of A's span to the end of B's span."""
    match = _RANGE_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"bad date range {text!r} (use [START TO END], with * for an open end)")
    first, last = match.groups()
    start = None if first == OPEN_END else date_span(first)[0]
    end = None if last == OPEN_END else date_span(last)[1]
    if start is not None and end is not None and start >= end:
        raise ValueError(f"date range {text!r} ends before it starts")
    return DateRange(start, end)


def _parse_comparison(operator: str, value: str) -> DateRange:
    """``>=A``, ``>A``, ``<=A`` or ``<A`` at A's granularity."""
    start, end = date_span(value)
    if operator == ">=":
        return DateRange(start, None)
    if operator == ">":
        return DateRange(end, None)
    if operator == "<=":
        return DateRange(None, end)
    return DateRange(None, start)


def _bound(option: str, value: str | date | datetime, *, at_end: bool) -> datetime:
    """One end of a ``date_range``: the start of ``value``'s span, or its (exclusive) end."""
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)  # stored dates are compared on their own clock
        return _shift(value, microseconds=1) if at_end else value
    if isinstance(value, date):
        start = datetime(value.year, value.month, value.day)
        return _shift(start, days=1) if at_end else start
    if isinstance(value, str):
        try:
            start, end = date_span(value)
        except ValueError as exc:
            raise OptionError(option, str(exc)) from None
        return end if at_end else start
    raise OptionError(option, f"expected a str, date or datetime, not {type(value).__name__}")


def _shift(moment: datetime, **delta: int) -> datetime:
    """``moment`` moved forward, stopping at ``datetime.max`` instead of overflowing."""
    try:
        return moment + timedelta(**delta)
    except OverflowError:
        return datetime.max


def _first_of_next_month(start: datetime) -> datetime:
    """The first day of the month after ``start``'s month."""
    if start.month == 12:
        return _first_of_next_year(start)
    return start.replace(month=start.month + 1)


def _first_of_next_year(start: datetime) -> datetime:
    """The first day of the year after ``start``'s year (``datetime.max`` after 9999)."""
    if start.year == datetime.max.year:
        return datetime.max
    return datetime(start.year + 1, 1, 1)
