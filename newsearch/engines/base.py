"""The small interface every engine adapter implements.

An engine stores paragraph documents and answers compiled query ASTs. It knows nothing
about files, readers, highlighting or output formats; nothing engine-specific (classes,
exceptions) escapes it: adapters translate their engine's errors into ``newsearch.errors``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from ..analysis import VALUE_SEPARATOR
from ..model import ArticleMeta, Paragraph, assembled
from ..query import ast
from ..query.ast import Node

Sort = Literal["relevance", "newest", "oldest"]
SORTS: tuple[Sort, ...] = ("relevance", "newest", "oldest")

# What the counting primitive counts: each matching paragraph, each article with at
# least one matching paragraph, or each story (newsearch.copies: an article and its
# copies count once; by day, a story counts on each day one of its articles ran).
Unit = Literal["articles", "paragraphs", "stories"]
UNITS: tuple[Unit, ...] = ("articles", "paragraphs", "stories")

# What matching paragraphs can be grouped by: their article's calendar day (an int, see
# ``day_number``) or one of their stored values (tags: one group per tag).
Group = Literal["day", "source", "section", "author", "tags", "language", "role"]
GROUPS: tuple[Group, ...] = ("day", "source", "section", "author", "tags", "language", "role")

_DAY_ZERO = date(1970, 1, 1)

# Role weights applied at indexing time: a match in a title or standfirst is a stronger
# signal of what the article is about than the same match in a body paragraph.
ROLE_BOOST = {"title": 1.5, "standfirst": 1.25, "caption": 1.0, "body": 1.0}


def stored_paragraph(fields: Mapping[str, Any], date: datetime | None) -> Paragraph:
    """A ``Paragraph`` from an engine's stored fields (tags joined by VALUE_SEPARATOR)."""
    tags = fields.get("tags")
    meta = assembled(
        ArticleMeta,
        id=fields["article_id"],
        title=fields["title"],
        date=date,
        source=fields.get("source"),
        author=fields.get("author"),
        url=fields.get("url"),
        section=fields.get("section"),
        tags=tuple(tags.split(VALUE_SEPARATOR)) if tags else (),
        language=fields.get("language"),
    )
    return assembled(
        Paragraph, meta=meta, number=fields["paragraph"], role=fields["role"], text=fields["text"]
    )


def metadata_values(p: Paragraph) -> tuple[str | None, ...]:
    """The article's values of the text fields after ``text`` in ``ast.TEXT_FIELDS``:
    title, source, author, section and its tags joined by VALUE_SEPARATOR (None where
    it has none)."""
    tags = VALUE_SEPARATOR.join(p.tags) if p.tags else None
    return (p.title, p.source, p.author, p.section, tags)


def article_key(article_id: str) -> int:
    """A 63-bit number standing for an article id, for engines' numeric columns."""
    # Imported here, to write: hashlib loads OpenSSL's library (4 ms), which a query
    # never needs. The import finds the module loaded: about 0.25 us a call.
    import hashlib

    digest = hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def day_number(value: datetime) -> int:
    """The article's own calendar day (its local date, whatever its time zone) as days
    since 1970-01-01: what timelines bucket and ``day_date`` turns back into a date."""
    return (value.date() - _DAY_ZERO).days


def day_date(number: int) -> date:
    """The calendar day of a ``day_number``."""
    return date.fromordinal(_DAY_ZERO.toordinal() + number)


def group_values(p: Paragraph) -> dict[Group, tuple[str, ...]]:
    """The text values a paragraph is grouped under, for each text ``Group`` (the language
    lower-cased, as it is indexed)."""
    one = {
        "source": p.source,
        "section": p.section,
        "author": p.author,
        "language": p.language.lower() if p.language else None,
        "role": p.role,
    }
    values: dict[Group, tuple[str, ...]] = {
        name: (value,) if value else ()
        for name, value in one.items()  # type: ignore[misc]
    }
    values["tags"] = tuple(t for t in p.tags if t)
    return values


# Fields every paragraph of an article shares: a query on these alone matches whole articles.
_ARTICLE_FIELDS = frozenset({"title", "source", "author", "section", "tags", "language"})


def article_level(node: Node) -> bool:
    """True when ``node`` matches all of an article's paragraphs or none of them (it
    only asks about dates and article metadata), so one paragraph can stand for each."""
    if isinstance(node, (ast.And, ast.Or)):
        return all(article_level(child) for child in node.children)
    if isinstance(node, ast.Not):
        return article_level(node.child)
    if isinstance(node, (ast.Term, ast.Phrase, ast.Prefix, ast.Keyword)):
        return node.field in _ARTICLE_FIELDS
    return isinstance(node, (ast.DateRange, ast.MatchAll, ast.MatchNone))


@dataclass(frozen=True)
class GroupCounts:
    """Matching paragraphs or articles counted by group.

    ``counts`` maps each group value to its count; ``missing`` counts those with no
    value; ``matched`` counts them all (tags are multi-valued, so their counts may sum
    to more than ``matched``). Stories by day also give ``stories``: the keys of the
    stories counted on each day, so that a week or a month counts each story once.
    """

    counts: dict[Any, int]
    missing: int
    matched: int
    stories: Mapping[Any, frozenset[int]] | None = None


@dataclass(frozen=True)
class EngineHit:
    paragraph: Paragraph
    score: float
    # ``search_stories`` only: the hit's story, and its articles if it has several.
    story: str | None = None
    members: tuple[CopyRecord, ...] = ()


@dataclass(frozen=True)
class EngineResults:
    """One page of hits; ``total`` paragraphs and ``articles`` match over all pages
    (``articles`` may be a function that counts them, called only if they are asked for).
    """

    total: int
    hits: list[EngineHit]
    articles: int | Callable[[], int]
    # Distinct stories among all the hits (``search_stories`` only).
    stories: int | None = None


@dataclass(frozen=True)
class CopyRecord:
    """What the index keeps about one article for copy detection (on its paragraph 1).

    ``signature`` is the MinHash signature (empty when the article has too little body
    text to compare); ``story`` is the id of the story the article belongs to.
    """

    article_id: str
    title: str
    date: datetime | None
    source: str | None
    url: str | None
    story: str
    signature: bytes


@dataclass(frozen=True)
class ArticleCopies:
    """The copy fields written with an article: its story, signature and LSH band keys."""

    story: str
    signature: bytes = b""
    bands: tuple[int, ...] = ()  # LSH band keys (below 2**60)


@dataclass(frozen=True)
class CopyPlan:
    """Copy fields for a batch's articles, plus committed articles to rewrite in the
    same commit because their story changed (each given whole, with its paragraphs)."""

    copies: Mapping[str, ArticleCopies]
    rewrites: Sequence[tuple[str, Sequence[Paragraph]]] = ()


# Called by an engine once it holds the write lock, so the plan is made against the
# commit it is about to change.
Planner = Callable[[], CopyPlan]


@dataclass(frozen=True)
class EngineStats:
    articles: int
    paragraphs: int
    first_date: datetime | None
    last_date: datetime | None
    sources: dict[str, int]


ArticleBatch = Sequence[tuple[str, Sequence[Paragraph]]]


# Prefixes read apart from a vocabulary before the next one reads it whole: a one-off
# query (the command line) reads only its words' letters; a process that keeps asking
# (a server) reads every term once, as it would have a letter at a time anyway.
PREFIX_READS = 4


class Vocabulary(Mapping[str, int]):
    """A text field's index terms and how many paragraphs hold each, for one commit.

    Looking up a term asks the index's term table (``count``); iterating reads every
    term once (``read("")``); ``starting_with`` reads only the terms of one prefix
    (``read(prefix)``), up to ``PREFIX_READS`` prefixes. Query words only look up a few
    terms, and a large archive's whole vocabulary takes a while to read.
    """

    def __init__(self, count: Callable[[str], int], read: Callable[[str], dict[str, int]]):
        self._count = count
        self._read = read
        self._all: dict[str, int] | None = None
        self._seen: dict[str, int] = {}
        self._prefixes: dict[str, dict[str, int]] = {}
        self._initials: dict[str, dict[str, int]] | None = None

    def __getitem__(self, term: str) -> int:
        if self._all is not None:
            return self._all[term]
        found = self._seen.get(term)
        if found is None:
            found = self._seen[term] = self._count(term)
        if not found:
            raise KeyError(term)
        return found

    def get(self, term: str, default: Any = None) -> Any:  # type: ignore[override]
        """``self[term]``, or ``default`` where it raises KeyError, without raising it
        (``Lexicon.count`` asks for each query word)."""
        if self._all is not None:
            return self._all.get(term, default)
        found = self._seen.get(term)
        if found is None:
            found = self._seen[term] = self._count(term)
        return found or default

    def starting_with(self, prefix: str) -> dict[str, int]:
        """The terms that start with ``prefix`` and their counts (read once)."""
        found = self._prefixes.get(prefix)
        if found is None:
            if self._all is None and len(self._prefixes) < PREFIX_READS:
                found = self._read(prefix)
            elif len(prefix) == 1:
                found = self._by_initial().get(prefix, {})
            else:
                found = {t: n for t, n in self._every().items() if t.startswith(prefix)}
            self._prefixes[prefix] = found
        return found

    def _by_initial(self) -> dict[str, dict[str, int]]:
        """Every term grouped by its first letter, in one pass."""
        if self._initials is None:
            self._initials = {}
            for term, n in self._every().items():
                self._initials.setdefault(term[:1], {})[term] = n
        return self._initials

    def _every(self) -> dict[str, int]:
        if self._all is None:
            self._all = self._read("")
        return self._all

    def __iter__(self) -> Iterator[str]:
        return iter(self._every())

    def __len__(self) -> int:
        return len(self._every())


_NO_BLOCK = nullcontext()  # reusable: it keeps no state


class Engine(ABC):
    """One index on disk, as seen through one engine."""

    name: str
    # ``commit_token`` of the last commit this object made (None before its first).
    last_commit: object = None

    @classmethod
    @abstractmethod
    def create(cls, path: Path) -> Engine:
        """Create an empty index in ``path`` (which exists and is empty of index files)."""

    @classmethod
    @abstractmethod
    def open(cls, path: Path) -> Engine:
        """Open an existing index; raise ``IndexCorruptError`` when it cannot be read."""

    @abstractmethod
    def replace_articles(
        self, batch: ArticleBatch, *, lock_timeout: float, plan: Planner | None = None
    ) -> set[str]:
        """Write the articles' paragraphs in one atomic commit, replacing any earlier copy.

        Article ids in ``batch`` are distinct. ``plan``, called once the write lock is
        held, gives each article's copy fields and the committed articles to rewrite in
        the same commit (without it, each article is its own story). Returns the ids of
        ``batch`` that were already in the index. Raises ``IndexLockedError`` when the
        write lock stays taken longer than ``lock_timeout`` seconds.
        """

    def reading(self) -> AbstractContextManager[None]:
        """A block in which this thread's searches, counts and vocabularies read one
        commit, the latest when the block begins (``Index.search`` runs in one: the
        engine then looks for a new commit once a search, not at every read). The
        default changes nothing: each read sees what it would without the block."""
        return _NO_BLOCK

    def begin(self) -> None:
        """Keep one writer (and the write lock, from the next write on) until ``end``.

        An engine that supports it then leaves each ``replace_articles`` uncommitted
        until ``commit`` or ``end``, and answers the copy planner's questions
        (``copy_candidates``, ``copy_records``, ``commit_token``, ``article``) as if
        those batches were committed. The default commits every write, as without it.
        """
        return None

    def commit(self) -> None:
        """Commit the batches written since ``begin`` or the last commit."""
        return None

    def committed_writes(self) -> int | None:
        """How many of the ``replace_articles`` calls since ``begin`` are committed (the
        first ones: a failed write or commit rolls back every write after them); None
        when each call commits before it returns, as by default."""
        return None

    def end(self, *, commit: bool) -> None:
        """Commit (or with ``commit=False`` roll back) what is uncommitted and release
        the writer ``begin`` kept; ``last_commit`` is then the index's commit token."""
        return None

    @abstractmethod
    def delete_articles(
        self, article_ids: Sequence[str], *, lock_timeout: float, plan: Planner | None = None
    ) -> set[str]:
        """Delete the articles (and apply ``plan``'s rewrites) in one commit; return the
        ids that were there."""

    @abstractmethod
    def search(self, query: Node, *, limit: int, offset: int, sort: Sort) -> EngineResults:
        """The hits ranked ``offset`` to ``offset + limit``, and how many paragraphs and
        distinct articles match in all."""

    @abstractmethod
    def count(self, query: Node) -> int:
        """How many paragraphs match ``query`` (nothing else is computed)."""

    @abstractmethod
    def search_stories(self, query: Node, *, limit: int, offset: int, sort: Sort) -> EngineResults:
        """The best hit of each story ranked ``offset`` to ``offset + limit``, the total
        number of hits and the number of distinct stories among them."""

    @abstractmethod
    def copy_candidates(
        self, band_keys: Iterable[int], near: Callable[[datetime], bool] | None = None
    ) -> list[CopyRecord]:
        """The articles holding any of these LSH band keys (each article once). With
        ``near``, an engine that reads an article's date cheaply leaves out a dated
        article for which ``near(date)`` (its date on its own clock, as stored) is False
        before reading its record; undated articles are always in."""

    @abstractmethod
    def commit_token(self) -> object:
        """A value that changes with every commit to the index, by any process (copy
        detection trusts what it knows of the committed band keys while it holds)."""

    @abstractmethod
    def copy_records(self, article_ids: Iterable[str]) -> dict[str, CopyRecord]:
        """The copy records of these articles (absent ids are left out)."""

    @abstractmethod
    def story_records(self, stories: Iterable[str]) -> dict[str, list[CopyRecord]]:
        """Every article of each story that has more than one (the others left out)."""

    @abstractmethod
    def story_sizes(self) -> dict[str, int]:
        """Articles per story, for the stories with more than one article."""

    @abstractmethod
    def vocabulary(self, field: str) -> Vocabulary:
        """Every index term of a text field and the number of paragraphs holding it.

        One per commit (callers may keep it until the index changes); counts may
        include paragraphs deleted since the last merge.
        """

    @abstractmethod
    def article(self, article_id: str) -> list[Paragraph]:
        """Every paragraph of one article, in order (empty when it is not indexed)."""

    @abstractmethod
    def group_counts(self, query: Node, by: Group, *, unit: Unit) -> GroupCounts:
        """The paragraphs matching ``query``, or their articles (``unit``), counted by
        ``by``. An article counts once in each group one of its matching paragraphs is in.
        """

    @abstractmethod
    def doc_frequencies(self, terms: Collection[str]) -> tuple[int, dict[str, int]]:
        """The number of paragraphs in the index and, for each analyzer term, how many
        of them hold it in their text (deleted paragraphs may still count until merged)."""

    @abstractmethod
    def stats(self) -> EngineStats:
        """Counts, date span and sources."""

    def worker_job(self, batch: ArticleBatch) -> tuple[str, Any] | None:
        """Work an analysis worker process can do for ``batch`` before it is written: a
        function of this package (``"module:name"``) and its picklable argument, or None.
        The function's answer is handed back through ``prepared``."""
        return None

    @contextmanager
    def prepared(self, answer: Any) -> Iterator[None]:
        """While the batch of ``worker_job`` is written, use ``answer`` (the worker's)."""
        yield

    @abstractmethod
    def close(self) -> None:
        """Release files and readers."""
