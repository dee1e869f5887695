"""Publication dates from input: date strings, Unix times, ``datetime`` values, and the
``Published: …`` / ``Updated: …`` lines of page text.

``read_date`` is the one parser of a date string in input; ``coerce_date`` takes any
metadata value. (The query language's dates are ``newsearch.query.dates.date_span``.)

Time zones: a date keeps the publication's own clock. A value with a zone or offset
(``2024-02-09T23:30:00-05:00``, ``… EST``, a tz-aware ``datetime``) becomes an aware
datetime with that fixed UTC offset, so its calendar day stays the local one
(``date:2024-02-09`` finds that New York evening) and JSON shows the offset. A value
without one stays naive (its zone is unknown). Unix times are instants: aware, UTC.
"""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime, timezone

from dateutil import parser as dateparser

_DATE_LINE_RE = re.compile(r"(?P<kind>published|updated|last updated)\s*:\s*(?P<value>.+)", re.I)
_DATE_LINE_MAX = 80
_YEAR_RE = re.compile(r"\b\d{4}\b")

# Named zones dateutil would otherwise read from the machine's local zone or ignore;
# fixed here so a date means the same on every machine.
_TZ_HOURS: dict[str, float] = {
    "UTC": 0, "GMT": 0, "Z": 0, "BST": 1, "CET": 1, "CEST": 2,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}  # fmt: skip
_DEFAULT_DATE = datetime(2000, 1, 1)


def _tzinfo(name: str | None, offset: int | None) -> int | None:
    if offset is not None:
        return offset
    hours = _TZ_HOURS.get((name or "").upper())
    return int(hours * 3600) if hours is not None else None


def fixed_offset(value: datetime | date) -> datetime:
    """A datetime with its local clock kept: aware ones get a fixed UTC offset (any zone
    rules dropped), naive ones stay naive, a pure date is midnight."""
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    offset = value.utcoffset() if value.tzinfo is not None else None
    if offset is None:
        return value.replace(tzinfo=None)
    return value.replace(tzinfo=timezone(offset))


def read_date(text: str, *, fuzzy: bool = False) -> datetime | None:
    """Parse ISO 8601 or anything dateutil reads, keeping its offset; else None."""
    text = text.strip()
    if not text:
        return None
    try:
        value = dateparser.isoparse(text)
    except (ValueError, OverflowError):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = dateparser.parse(text, default=_DEFAULT_DATE, tzinfos=_tzinfo, fuzzy=fuzzy)
        except (ValueError, OverflowError, TypeError):
            return None
    return fixed_offset(value)


def coerce_date(value: object) -> datetime | None:
    """A datetime from text, a number (Unix time) or a date; None if unusable."""
    if isinstance(value, (datetime, date)):
        return fixed_offset(value)
    if isinstance(value, str):
        return read_date(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) > 1e11 else value  # milliseconds
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def date_line(line: str) -> tuple[str, datetime] | None:
    """For a date line, its kind ("published" or "updated") and date; else None.

    A date line is ``Published: …``, ``Updated: …`` or ``Last updated: …`` (at most 80
    characters) whose value has a 4-digit year and that dateutil reads.
    """
    line = line.strip()
    match = _DATE_LINE_RE.fullmatch(line)
    if match is None or len(line) > _DATE_LINE_MAX:
        return None
    value = match["value"]
    if not _YEAR_RE.search(value):
        return None
    parsed = read_date(value, fuzzy=True)
    if parsed is None:
        return None
    kind = "published" if match["kind"].lower() == "published" else "updated"
    return kind, parsed


def text_date(text: str) -> datetime | None:
    """The date given by the text's date lines: Published wins over Updated."""
    found: dict[str, datetime] = {}
    for line in text.splitlines():
        hit = date_line(line)
        if hit is not None:
            found.setdefault(hit[0], hit[1])
    return found.get("published") or found.get("updated")
