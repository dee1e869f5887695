"""Plain data types shared by every part: articles, paragraphs, hits and results."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Literal, TypeVar

from .ranking import rank_scores

Role = Literal["title", "standfirst", "caption", "body"]
ROLES: tuple[Role, ...] = ("title", "standfirst", "caption", "body")
D = TypeVar("D")


_new, _set = object.__new__, object.__setattr__


def assembled(cls: type[D], **values: Any) -> D:
    """The frozen dataclass ``cls`` with these field values, equal to ``cls(**values)``
    (fields left out keep their defaults) but made without the generated ``__init__``,
    whose ``object.__setattr__`` for each field makes a frozen object cost about three
    times a plain one. For the objects made for every hit shown (its paragraph,
    metadata and hit), from values that need no checking. The call's keyword dict is
    new for each call: it becomes the object's ``__dict__`` as it is (copying it into
    the object's own measured 17 k instructions more a benchmark query, ~50 objects)."""
    made = _new(cls)
    _set(made, "__dict__", values)
    return made


@dataclass(frozen=True)
class ArticleMeta:
    """An article's metadata, carried unchanged by each of its paragraphs and hits.

    ``date`` is the publication's own date-time: naive when the input gave no zone,
    else aware with the input's UTC offset (its calendar day is the local one).
    """

    id: str
    title: str
    date: datetime | None = None
    source: str | None = None
    author: str | None = None
    url: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The metadata as flat JSON fields (``article_id``, ``title``, ``date``, …)."""
        return {
            "article_id": self.id,
            "title": self.title,
            "date": iso_date(self.date),
            "source": self.source,
            "author": self.author,
            "url": self.url,
            "section": self.section,
            "tags": list(self.tags),
            "language": self.language,
        }


def _from_meta(name: str) -> Any:
    """A read-only attribute that reads ``self.meta.<name>``."""
    return property(operator.attrgetter(f"meta.{name}"), doc=f"The article's {name}.")


class _MetaFields:
    """Read access to the carried ``meta`` as plain attributes (``p.title``, ``hit.date``)."""

    meta: ArticleMeta
    article_id: str = _from_meta("id")
    title: str = _from_meta("title")
    date: datetime | None = _from_meta("date")
    source: str | None = _from_meta("source")
    author: str | None = _from_meta("author")
    url: str | None = _from_meta("url")
    section: str | None = _from_meta("section")
    tags: tuple[str, ...] = _from_meta("tags")
    language: str | None = _from_meta("language")


@dataclass(frozen=True)
class Article:
    """One news article as read from a file, before it is split into paragraphs.

    ``body`` holds the article's paragraphs in reading order, as the reader found them;
    ``paragraphs.split_article`` drops boilerplate and gives each a role. An empty ``id``
    means "derive one" (url, else a hash of title, date and text).
    """

    title: str
    body: tuple[str, ...] = ()
    id: str = ""
    standfirst: str | None = None
    date: datetime | None = None
    source: str | None = None
    author: str | None = None
    url: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None

    def meta(self, article_id: str) -> ArticleMeta:
        """The metadata its paragraphs carry, under the id it is indexed by."""
        return ArticleMeta(
            id=article_id,
            title=self.title.strip(),
            date=self.date,
            source=self.source,
            author=self.author,
            url=self.url,
            section=self.section,
            tags=self.tags,
            language=self.language,
        )


@dataclass(frozen=True)
class Paragraph(_MetaFields):
    """One searchable paragraph: the unit newsearch indexes and returns.

    ``number`` counts every paragraph of the article from 1 in reading order (the title
    is paragraph 1). The article's metadata is ``meta``, also readable as attributes
    (``p.article_id``, ``p.title``, ``p.date`` …).
    """

    meta: ArticleMeta
    number: int
    role: Role
    text: str


@dataclass(frozen=True)
class Span:
    """A highlighted range ``[start, end)`` of character offsets."""

    start: int
    end: int

    def to_list(self) -> list[int]:
        return [self.start, self.end]


@dataclass(frozen=True)
class Snippet:
    """A fragment of a paragraph with highlight spans relative to the fragment."""

    text: str
    highlights: tuple[Span, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "highlights": [s.to_list() for s in self.highlights]}


def span(start: int, end: int, _new: Callable[[type[Span]], Span] = object.__new__) -> Span:
    """``Span(start, end)``, made without the frozen dataclass's ``__init__`` (as
    ``assembled`` makes objects): the highlighter makes one for each word it marks, in
    the paragraph and again in the snippet (0.46 against 1.05 µs)."""
    made = _new(Span)
    values = made.__dict__
    values["start"] = start
    values["end"] = end
    return made


_ANCHOR_RE = re.compile(r"(.+)#p([1-9][0-9]*)")


def anchor(article_id: str, number: int) -> str:
    """The stable name of one paragraph: ``ARTICLE_ID#pN``."""
    return f"{article_id}#p{number}"


def parse_anchor(text: str) -> tuple[str, int] | None:
    """``(article_id, paragraph number)`` from an anchor, or None when it is not one."""
    match = _ANCHOR_RE.fullmatch(text)
    return (match.group(1), int(match.group(2))) if match else None


def iso_date(value: datetime | None) -> str | None:
    """ISO 8601 text for a date (with its UTC offset when it has one), or None."""
    return value.isoformat() if value is not None else None


def local_time(value: datetime) -> datetime:
    """The date-time on the publication's own clock, naive: what date filters, date
    sorting and calendar days use (an aware date keeps its offset only for display)."""
    return value.replace(tzinfo=None)


@dataclass(frozen=True)
class Copy:
    """Another article of the same story (a syndicated copy), with its similarity to the
    article it is a copy of (estimated Jaccard of their body shingles)."""

    article_id: str
    title: str
    date: datetime | None
    source: str | None
    url: str | None
    similarity: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "date": iso_date(self.date),
            "source": self.source,
            "url": self.url,
            "similarity": round(self.similarity, 3),
        }


@dataclass(frozen=True)
class Hit(_MetaFields):
    """One matching paragraph with its article's metadata, score and highlights.

    ``paragraph`` is the paragraph's number; the metadata is ``meta``, also readable as
    attributes (``hit.title``, ``hit.date`` …).
    """

    meta: ArticleMeta
    paragraph: int
    role: Role
    text: str
    score: float
    highlights: tuple[Span, ...]
    snippet: Snippet
    context: tuple[Paragraph, ...] = ()
    # Collapsed results only: the hit's story id and the story's other articles.
    story: str | None = None
    copies: tuple[Copy, ...] = ()

    @property
    def anchor(self) -> str:
        """The paragraph's stable name, ``ARTICLE_ID#pN`` (``Index.article`` takes it)."""
        return anchor(self.article_id, self.paragraph)

    @classmethod
    def of(
        cls,
        p: Paragraph,
        score: float,
        highlights: tuple[Span, ...],
        snippet: Snippet,
        context: tuple[Paragraph, ...] = (),
    ) -> Hit:
        """The hit for a matching paragraph."""
        return assembled(
            cls,
            meta=p.meta,
            paragraph=p.number,
            role=p.role,
            text=p.text,
            score=score,
            highlights=highlights,
            snippet=snippet,
            context=context,
        )

    def to_dict(self) -> dict[str, Any]:
        """The hit as the documented JSON object (metadata fields flat, beside the hit's)."""
        data: dict[str, Any] = {
            "anchor": self.anchor,
            "article_id": self.article_id,
            "paragraph": self.paragraph,
            "role": self.role,
            "score": round(self.score, 6),
        }
        data.update(self.meta.to_dict())
        data.update(
            {
                "text": self.text,
                "highlights": [s.to_list() for s in self.highlights],
                "snippet": self.snippet.to_dict(),
            }
        )
        if self.context:
            data["context"] = [
                {"paragraph": p.number, "role": p.role, "text": p.text} for p in self.context
            ]
        if self.story is not None:
            data["story"] = self.story
            data["copies"] = [c.to_dict() for c in self.copies]
        return data


@dataclass(frozen=True)
class ArticleHits(_MetaFields):
    """The hits of one article, in the order they were ranked."""

    meta: ArticleMeta
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class SearchResults:
    """One page of ranked hits, the number of matching paragraphs (``total``) and of
    matching articles (``total_articles``), both over all pages, and ``notes`` about how
    the query was read (lower-case ``and``/``or``/``not`` searched as words)."""

    query: str
    total: int
    offset: int
    limit: int
    hits: tuple[Hit, ...] = field(default_factory=tuple)
    # The matching articles' number, or how to count them (``total_articles``).
    article_count: int | Callable[[], int] = field(default=0, repr=False, compare=False)
    # Corrected queries when this one found few hits, best first (see newsearch.suggest).
    suggestions: tuple[Suggestion, ...] = ()
    notes: tuple[str, ...] = ()
    # Collapsed results only: distinct stories among all the matching paragraphs.
    total_stories: int | None = None

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    @cached_property
    def total_articles(self) -> int:
        """How many articles match, over all pages: exact, and counted when first read.

        A page of hits does not need it, and for a frequent word the count costs more
        than the page (the tantivy engine gathers the article keys of every match); as
        in Elasticsearch (``track_total_hits``), whoever wants the exact total asks for
        it. It counts the index as it was when the page was searched.
        """
        count = self.article_count
        return count() if callable(count) else count

    def by_article(self) -> list[ArticleHits]:
        """Hits grouped by article, articles ranked by their paragraphs' evidence.

        An article scores its best hit plus a decaying share of its next best ones
        (``newsearch.ranking``); when scores are all 0 (sorted by date) articles keep
        the order of their first hit.
        """
        groups: dict[str, list[Hit]] = {}
        scores: dict[str, list[float]] = {}  # what ``rank_articles`` gathers, in one pass
        for hit in self.hits:
            article_id = hit.meta.id
            group = groups.get(article_id)
            if group is None:
                groups[article_id] = [hit]
                scores[article_id] = [hit.score]
            else:
                group.append(hit)
                scores[article_id].append(hit.score)
        order = rank_scores(scores)
        # Made without the frozen dataclass's ``__init__`` (``assembled``): one a hit, at most.
        return [
            assembled(ArticleHits, meta=groups[aid][0].meta, hits=tuple(groups[aid]))
            for aid in order
        ]

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON object: query, totals, offset, limit and hits."""
        return {
            "query": self.query,
            "total": self.total,
            "total_articles": self.total_articles,
            "offset": self.offset,
            "limit": self.limit,
            "notes": list(self.notes),
            "hits": [h.to_dict() for h in self.hits],
            "suggestions": [s.to_dict() for s in self.suggestions],
            **({"total_stories": self.total_stories} if self.total_stories is not None else {}),
        }


@dataclass(frozen=True)
class Suggestion:
    """A corrected query ("Did you mean") and the number of paragraphs it finds."""

    query: str
    hits: int

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "hits": self.hits}


@dataclass(frozen=True)
class SkippedInput:
    """An input (file, line or article) that was not indexed, and why; ``count`` inputs
    when one skip stands for several (WARC records passed over for one reason)."""

    where: str
    reason: str
    count: int = 1


@dataclass(frozen=True)
class InputWarning:
    """Something about an input that was indexed anyway (replaced bytes, an ignored key)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class IndexReport:
    """What one indexing run did: counts, skipped inputs with reasons, warnings, time."""

    added: int = 0
    replaced: int = 0
    paragraphs: int = 0
    skipped: list[SkippedInput] = field(default_factory=list)
    warnings: list[InputWarning] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False
    # Paragraphs written but not committed yet, for a progress callback (an engine that
    # commits several batches at once: ``Index.commit_seconds``); 0 once the run has
    # ended, so not in ``to_dict``.
    pending: int = 0

    @property
    def skipped_count(self) -> int:
        """How many inputs were skipped (a counted skip stands for several)."""
        return sum(s.count for s in self.skipped)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "replaced": self.replaced,
            "paragraphs": self.paragraphs,
            "skipped": [
                {"where": s.where, "reason": s.reason, "count": s.count} for s in self.skipped
            ],
            "warnings": [{"where": w.where, "message": w.message} for w in self.warnings],
            "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted,
        }


@dataclass(frozen=True)
class IndexStats:
    """Counts and facts about an index."""

    path: str
    engine: str
    articles: int
    paragraphs: int
    first_date: datetime | None
    last_date: datetime | None
    sources: dict[str, int]
    size_bytes: int
    # Stories with more than one article, and the largest (story id, articles).
    stories_with_copies: int = 0
    largest_story: tuple[str, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "engine": self.engine,
            "articles": self.articles,
            "paragraphs": self.paragraphs,
            "first_date": iso_date(self.first_date),
            "last_date": iso_date(self.last_date),
            "sources": dict(self.sources),
            "size_bytes": self.size_bytes,
            "stories_with_copies": self.stories_with_copies,
            "largest_story": (
                {"story": self.largest_story[0], "articles": self.largest_story[1]}
                if self.largest_story
                else None
            ),
        }
