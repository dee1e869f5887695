"""Coverage analytics: how much, when and where a query is covered, and all of it.

Computed over the engine's counting primitive (``Engine.group_counts``) and ordinary
searches, so both engines give the same numbers; nothing here formats output (the CLI
and the server do that from ``to_dict``). Significant terms live in ``significance``.

Days are each article's own calendar day (its local date), weeks start on Monday (ISO
8601), and a bucket is named by its first day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from .engines.base import Engine, Group, GroupCounts, Unit, day_date, day_number
from .model import Hit, SearchResults
from .query import ast

Interval = Literal["day", "week", "month", "year"]
INTERVALS: tuple[Interval, ...] = ("day", "week", "month", "year")
FacetBy = Literal["source", "section", "author", "tag", "language", "role", "year"]
FACETS: tuple[FacetBy, ...] = ("source", "section", "author", "tag", "language", "role", "year")
FacetUnit = Literal["articles", "stories"]
FACET_UNITS: tuple[FacetUnit, ...] = ("articles", "stories")
EXPORT_PAGE = 500


def bucket_start(day: date, interval: Interval) -> date:
    """The first day of the bucket holding ``day`` (weeks start on Monday)."""
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    if interval == "year":
        return day.replace(month=1, day=1)
    return day


def next_bucket(start: date, interval: Interval) -> date:
    """The first day of the bucket after the one starting on ``start``."""
    if interval == "day":
        return start + timedelta(days=1)
    if interval == "week":
        return start + timedelta(weeks=1)
    if interval == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date(start.year + 1, 1, 1)


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


# -- timeline ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    """One interval of a timeline: matching and total articles (or paragraphs)."""

    start: date
    matching: int
    total: int

    @property
    def ratio(self) -> float:
        """``matching / total`` (0 for an empty bucket), rounded to 6 places."""
        return _ratio(self.matching, self.total)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "matching": self.matching,
            "total": self.total,
            "ratio": self.ratio,
        }


@dataclass(frozen=True)
class Series:
    """One query's timeline. ``matching`` counts every match, ``undated`` those with no
    date (in no bucket), so ``sum(b.matching for b in buckets) + undated == matching``
    for articles and paragraphs. A story counts once in each bucket one of its matching
    articles ran in (copies run within a day, so a story crossing midnight, or the end
    of a week, month or year, counts in both buckets), and ``undated`` counts the stories
    with no dated matching article."""

    query: str
    matching: int
    undated: int
    buckets: tuple[Bucket, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "matching": self.matching,
            "undated": self.undated,
            "buckets": [b.to_dict() for b in self.buckets],
        }


@dataclass(frozen=True)
class Timeline:
    """Matching and total counts per interval for one or more queries, on shared buckets."""

    interval: Interval
    unit: Unit
    since: date | None
    until: date | None
    series: tuple[Series, ...]

    @property
    def starts(self) -> tuple[date, ...]:
        """The first day of each bucket (the same for every series)."""
        return tuple(b.start for b in self.series[0].buckets) if self.series else ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "interval": self.interval,
            "unit": self.unit,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "series": [s.to_dict() for s in self.series],
        }


def _per_bucket(found: GroupCounts, interval: Interval) -> Counter[date]:
    """Counts per day number folded into buckets. An article has one day, so its counts
    add up; a story counts once in each bucket one of its articles ran in, so its keys
    are gathered per bucket (a story of Monday and Tuesday is one story that week)."""
    folded: Counter[date] = Counter()
    if found.stories is None:
        for day, count in found.counts.items():
            folded[bucket_start(day_date(day), interval)] += count
        return folded
    gathered: dict[date, set[int]] = {}
    for day, stories in found.stories.items():
        gathered.setdefault(bucket_start(day_date(day), interval), set()).update(stories)
    folded.update({start: len(stories) for start, stories in gathered.items()})
    return folded


def timeline(
    engine: Engine,
    queries: Sequence[tuple[str, ast.Node]],
    *,
    interval: Interval,
    unit: Unit,
    dates: ast.DateRange | None,
) -> Timeline:
    """One bucket per interval from the first to the last day in range, empty ones too.

    ``queries`` are ``(text, node)`` pairs whose nodes already carry the date filter
    ``dates``; the totals count everything dated in ``dates``. Without ``since`` the
    buckets start at the earliest dated article in range, without ``until`` they end at
    the latest.
    """
    totals = engine.group_counts(dates or ast.MatchAll(), "day", unit=unit)
    matches = [engine.group_counts(node, "day", unit=unit) for _, node in queries]
    since = dates.start.date() if dates and dates.start else None
    # ``end`` is exclusive: the last day in range is the day of its previous instant.
    until = (
        day_date(day_number(dates.end - timedelta(microseconds=1))) if dates and dates.end else None
    )
    days = [day for found in (totals, *matches) for day in found.counts]
    first = since or (day_date(min(days)) if days else None)
    last = until or (day_date(max(days)) if days else None)
    starts: list[date] = []
    if first is not None and last is not None:
        start = bucket_start(first, interval)
        while start <= last:
            starts.append(start)
            start = next_bucket(start, interval)
    total_per = _per_bucket(totals, interval)
    series = []
    for (text, _), found in zip(queries, matches, strict=True):
        per = _per_bucket(found, interval)
        buckets = tuple(Bucket(s, per.get(s, 0), total_per.get(s, 0)) for s in starts)
        series.append(Series(text, found.matched, found.missing, buckets))
    return Timeline(interval, unit, since, until, tuple(series))


# -- facets -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with the matching articles and paragraphs that have it (and
    the stories, when counted: an article and its syndicated copies count once)."""

    value: str
    articles: int
    paragraphs: int
    stories: int | None = None

    def to_dict(self) -> dict[str, Any]:
        found = {"value": self.value, "articles": self.articles, "paragraphs": self.paragraphs}
        if self.stories is not None:
            found["stories"] = self.stories
        return found


@dataclass(frozen=True)
class Facets:
    """A query's matches counted by one field's values, most articles first.

    ``values`` holds the first ``limit`` of ``distinct`` values; ``missing_*`` count the
    matches with no value. Tags are many per article, so their counts may sum to more
    than the matches. With ``unit="stories"`` the stories are counted too (``stories``,
    ``missing_stories``; None otherwise) and rank the values.
    """

    query: str
    by: FacetBy
    articles: int
    paragraphs: int
    distinct: int
    values: tuple[FacetValue, ...]
    missing_articles: int
    missing_paragraphs: int
    stories: int | None = None
    missing_stories: int | None = None

    def to_dict(self) -> dict[str, Any]:
        found = {
            "query": self.query,
            "by": self.by,
            "articles": self.articles,
            "paragraphs": self.paragraphs,
            "distinct": self.distinct,
            "values": [v.to_dict() for v in self.values],
            "missing": {"articles": self.missing_articles, "paragraphs": self.missing_paragraphs},
        }
        if self.stories is not None:
            found["stories"] = self.stories
            found["missing"]["stories"] = self.missing_stories
        return found


def _by_year(found: GroupCounts) -> GroupCounts:
    years = _per_bucket(found, "year")
    return GroupCounts({str(y.year): n for y, n in years.items()}, found.missing, found.matched)


def facets(
    engine: Engine,
    query: str,
    node: ast.Node,
    by: FacetBy,
    *,
    limit: int,
    unit: FacetUnit = "articles",
) -> Facets:
    """Count the matches of ``node`` by ``by``'s values: articles and paragraphs, and
    stories when ``unit`` is "stories" (most stories first then). By year, a story
    counts once in each year one of its matching articles ran in, as in ``timeline``."""
    group: Group = "tags" if by == "tag" else "day" if by == "year" else by
    units: tuple[Unit, ...] = ("articles", "paragraphs")
    if unit == "stories":
        units += ("stories",)
    found = {u: engine.group_counts(node, group, unit=u) for u in units}
    if by == "year":
        found = {u: _by_year(counts) for u, counts in found.items()}
    articles, paragraphs = found["articles"], found["paragraphs"]
    stories = found.get("stories")
    values = [
        FacetValue(
            str(value),
            articles.counts.get(value, 0),
            count,
            stories.counts.get(value, 0) if stories is not None else None,
        )
        for value, count in paragraphs.counts.items()
    ]
    values.sort(key=lambda v: (-(v.stories or 0), -v.articles, -v.paragraphs, v.value))
    return Facets(
        query=query,
        by=by,
        articles=articles.matched,
        paragraphs=paragraphs.matched,
        distinct=len(values),
        values=tuple(values[:limit]),
        missing_articles=articles.missing,
        missing_paragraphs=paragraphs.missing,
        stories=stories.matched if stories is not None else None,
        missing_stories=stories.missing if stories is not None else None,
    )


# -- export -----------------------------------------------------------------------------


def export(page: Callable[[int, int], SearchResults], *, size: int = EXPORT_PAGE) -> Iterator[Hit]:
    """Every hit, page by page: ``page(offset, limit)`` must rank in a stable order.

    Holds one page at a time. An index changed by another process during the export may
    shift later pages.
    """
    offset = 0
    while True:
        results = page(offset, size)
        yield from results.hits
        offset += len(results.hits)
        if not results.hits or offset >= results.total:
            return
