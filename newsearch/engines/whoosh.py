"""The whoosh (whoosh-reloaded) engine adapter.

Text fields index the analyzer's terms joined by single spaces (``analysis.joined_terms``,
one position per term) and store the original text (whoosh's ``_stored_<field>``), so
whoosh itself only splits on spaces. Where spaces cannot carry the terms (a multi-valued
field's position gap, a term holding a space) the value is the original text behind a
marker, and the field's analyzer runs ``newsearch.analysis.tokenize`` on it. Highlighting
is ours, so no offsets are indexed.

The schema's analyzer and format (``TermsAnalyzer``, ``TermPositions``) are pickled
into the index by their import path, so this module path and those class names are part
of the on-disk format (``FORMAT_VERSION`` in ``newsearch.index``).
"""

from __future__ import annotations

import array
import pickle
import struct
import sys
import threading
import weakref
import zlib
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from . import whoosh_imports  # noqa: F401  (first: see its docstring)

# isort: split
import whoosh.index as whoosh_index
from whoosh import query as wq
from whoosh import scoring
from whoosh.analysis import Analyzer, Token
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3TermInfo, W3TermsReader, _lenfield
from whoosh.collectors import SortingCollector, TopCollector, UnlimitedCollector
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Positions
from whoosh.matching import AndNotMatcher, ListMatcher, NullMatcher
from whoosh.reading import TermNotFound
from whoosh.sorting import FieldFacet, MultiFacet
from whoosh.util.numeric import byte_to_length

from .. import analysis
from ..errors import IndexCorruptError, IndexLockedError, damaged_message
from ..model import Paragraph, local_time
from ..query import ast
from . import whoosh_files
from .base import (
    ROLE_BOOST,
    ArticleBatch,
    ArticleCopies,
    CopyPlan,
    CopyRecord,
    Engine,
    EngineHit,
    EngineResults,
    EngineStats,
    Group,
    GroupCounts,
    Planner,
    Sort,
    Unit,
    Vocabulary,
    article_key,
    day_number,
    group_values,
    metadata_values,
    stored_paragraph,
)

whoosh_files.install()  # segments' inner files read from their memory map, not copied

INDEX_NAME = "MAIN"
# BM25's k1 and b for paragraph documents: a weaker length normalisation (b 0.4, whoosh's
# default is 0.75) ranked the tune half of the Reuters topics better; k1 made no
# difference. tantivy's are fixed at 1.2 and 0.75. See benchmarks/relevance.md.
BM25 = (1.2, 0.4)
T = TypeVar("T")


# Marks a value that is the original text, to be tokenized, rather than joined terms.
_TOKENIZE = "\x00"


@lru_cache(maxsize=512)
def _tokens(value: str) -> tuple[tuple[int, str], ...]:
    # Rare (tags, odd ligatures), and tags repeat on every paragraph: cache them.
    return tuple((t.position, t.term) for t in analysis.tokenize(value))


def _positions(value: str) -> Iterator[tuple[int, str]]:
    """(position, term) pairs of an indexed value: joined terms or marked original text."""
    if value.startswith(_TOKENIZE):
        return iter(_tokens(value[1:]))
    return enumerate(value.split())


def indexed_value(text: str) -> str:
    """What a text field indexes for ``text``: its joined terms, or the marked text."""
    return _marked(text, analysis.joined_terms(text))


def _marked(text: str, joined: str | None) -> str:
    """``joined`` (``text``'s joined terms), or ``text`` marked for tokenizing where
    spaces cannot carry its terms."""
    return _TOKENIZE + text if joined is None else joined


_metadata_value = lru_cache(maxsize=1024)(indexed_value)


class TermsAnalyzer(Analyzer):
    """Reads an indexed value (see ``indexed_value``) back as whoosh tokens."""

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for position, term in _positions(value):
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + position
            yield token


class TermPositions(Positions):
    """whoosh's ``Positions`` postings, built without a token object per word."""

    def word_values(self, value: str, analyzer: Any, **kwargs: Any) -> Iterator[Any]:
        by_term: defaultdict[str, list[int]] = defaultdict(list)
        for position, term in _positions(value):
            by_term[term].append(position)
        single = _SINGLE_POSITIONS
        for term, found in by_term.items():
            if len(found) == 1:  # most words of a paragraph: one cached value, no pickle
                value = single.get(found[0]) or single.setdefault(found[0], self.encode(found))
            else:
                value = self.encode(found)
            yield term, len(found), len(found) * self.field_boost, value


# Position 0, 1, ... → whoosh's encoding of a list holding only that position.
_SINGLE_POSITIONS: dict[int, bytes] = {}


def _text_field(stored: bool = True) -> TEXT:
    field = TEXT(analyzer=TermsAnalyzer(), stored=stored, phrase=True)
    field.format = TermPositions(field_boost=field.format.field_boost)
    return field


def _schema() -> Schema:
    return Schema(
        article_id=ID(stored=True),
        paragraph=STORED(),
        role=ID(stored=True),
        **{name: _text_field() for name in ast.TEXT_FIELDS},
        # The paragraph text again, unstemmed (``=word``) and with hyphenated words
        # joined (``cooperation`` finds "co-operation"); neither is stored.
        exact=_text_field(stored=False),
        joined=TEXT(analyzer=TermsAnalyzer(), phrase=False),
        language=ID(stored=True),
        url=STORED(),
        date=STORED(),
        # Date filters are by day: one indexed day number (2 terms a value with a
        # 16-bit shift step, where DATETIME indexes 8) ...
        day=NUMERIC(int, bits=32, signed=True, shift_step=16),
        # ... and date sorting reads two unindexed columns.
        undated=COLUMN(NumericColumn("B", default=1)),
        stamp=COLUMN(NumericColumn("q", default=0)),
        # Copies (newsearch.copies): every paragraph carries its story as a number for
        # collapsing; paragraph 1 also holds the story id, the LSH band keys and the
        # MinHash signature, so the copy information commits with the article.
        story_key=COLUMN(NumericColumn("q", default=0)),
        story=ID(stored=True),
        story_id=STORED(),  # on every paragraph: a collapsed hit's story
        bands=KEYWORD(lowercase=False, commas=False, scorable=False),
        signature=STORED(),
        # Counting by group reads columns, never stored fields: the article (as
        # base.article_key), the local calendar day (base.day_number) and the values.
        article_key=COLUMN(NumericColumn("q", default=0)),
        calendar_day=COLUMN(NumericColumn("i", default=_UNDATED)),
        **{_group_column(name): COLUMN(VarBytesColumn()) for name in _VALUE_GROUPS},
    )


_UNDATED = -(2**31)
_VALUE_GROUPS = ("source", "section", "author", "tags", "language", "role")
# A paragraph with more matches than this share of its segment reads whole columns.
_WHOLE_COLUMN_SHARE = 0.1
# copy_candidates reads a segment's band keys (about 2.2 a document, read at 2-6 us each)
# when a batch asks for more than this many keys a document of the segment (looked up
# one by one at 10-14 us each). A build without copies asks for a few hundred keys a
# batch (keys shared by chance), one of copies for tens of thousands (causes.md,
# fourteenth round).
_KEYS_READ_AT = 0.5


def _group_column(group: str) -> str:
    return "calendar_day" if group == "day" else f"{group}_group"


_EPOCH = datetime(1970, 1, 1)


def _day(value: datetime) -> int:
    return (value - _EPOCH).days


def text_values(text: str, metadata: Sequence[str | None]) -> dict[str, str]:
    """What the analysed fields index for a paragraph's ``text`` and its article's
    ``metadata`` (``metadata_values``): the text fields, ``exact`` and ``joined``."""
    forms = analysis.indexed(text)
    values = {"text": _marked(text, forms.terms)}
    for name, value in zip(ast.TEXT_FIELDS[1:], metadata, strict=True):
        if value is not None:
            values[name] = _metadata_value(value)
    values["exact"] = forms.exact
    if forms.joined:
        values["joined"] = forms.joined
    return values


def _document(p: Paragraph) -> dict[str, Any]:
    metadata = metadata_values(p)
    return _other_fields(p, metadata) | text_values(p.text, metadata)


# Fields whose values come from the paragraph alone, in ``key_values``'s order.
KEY_FIELDS = ("article_id", "day", "language", "role")


def key_values(p: Paragraph) -> tuple[Any, ...]:
    """A paragraph's values of ``KEY_FIELDS`` (None where it has none): the language
    lower-cased, the day counted on the publication's clock."""
    language = p.language.lower() if p.language else None
    day = _day(local_time(p.date)) if p.date is not None else None
    return (p.article_id, day, language, p.role)


def _other_fields(p: Paragraph, metadata: Sequence[str | None]) -> dict[str, Any]:
    """A paragraph's document without the analysed fields (``text_values``), with the
    text fields' stored values."""
    doc: dict[str, Any] = {
        "paragraph": p.number,
        "_boost": ROLE_BOOST[p.role],
        "_stored_text": p.text,
    }
    for name, value in zip(KEY_FIELDS, key_values(p), strict=True):
        if value is not None:
            doc[name] = value
    for name, value in zip(ast.TEXT_FIELDS[1:], metadata, strict=True):
        if value is not None:
            doc["_stored_" + name] = value
    if p.url is not None:
        doc["url"] = p.url
    doc["article_key"] = article_key(p.article_id)
    for name, values in group_values(p).items():
        if values:
            doc[_group_column(name)] = analysis.VALUE_SEPARATOR.join(values).encode("utf-8")
    if p.date is not None:
        local = local_time(p.date)  # days and sorting go by the publication's clock
        doc["calendar_day"] = day_number(p.date)
        doc["date"] = p.date
        doc["undated"] = 0
        doc["stamp"] = (local - _EPOCH) // timedelta(microseconds=1)
    return doc


def _with_copies(doc: dict[str, Any], p: Paragraph, copies: ArticleCopies) -> dict[str, Any]:
    doc["story_key"] = article_key(copies.story)
    doc["story_id"] = copies.story
    if p.number == 1:
        doc["story"] = copies.story
        if copies.bands:
            doc["bands"] = " ".join(map(_key_text, copies.bands))
            doc["signature"] = copies.signature
    return doc


def _paragraph(fields: dict[str, Any]) -> Paragraph:
    return stored_paragraph(fields, fields.get("date"))


def _key_text(key: int) -> str:
    """A band key as the index holds it: 16 hex digits."""
    return f"{key:016x}"


def _copy_record(fields: dict[str, Any]) -> CopyRecord:
    return CopyRecord(
        article_id=fields["article_id"],
        title=fields["title"],
        date=fields.get("date"),
        source=fields.get("source"),
        url=fields.get("url"),
        story=fields.get("story") or fields["article_id"],
        signature=fields.get("signature", b""),
    )


class _TopCollector(TopCollector):
    """whoosh's ``TopCollector`` that also keeps the numbers of all the documents it
    matched: whoosh's own answers ``Results.docs()`` by running the query a second time."""

    def _collect(self, global_docnum: int, score: float) -> Any:
        self.docset.add(global_docnum)
        return super()._collect(global_docnum, score)

    def all_ids(self) -> set[int]:
        return self.docset


class _DayRange(wq.NumericRange):
    """whoosh's constant-score ``NumericRange`` on the ``day`` field, matched from the
    segment's ``calendar_day`` column (the same day, see ``_document``) instead of the
    day terms' postings: whoosh reads those one Python call per posting, and joins
    them through a tree of union matchers, so a two-week filter cost more than the rest
    of its query."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        days = _SegmentDays.of(searcher.reader())
        docnums = days.between(self.start, self.end)
        if not docnums:
            return NullMatcher
        return ListMatcher(docnums, all_weights=self.boost)


class _SegmentDays:
    """One segment's live documents ordered by calendar day (then number), from one
    read of its ``calendar_day`` column; kept as long as the segment's reader lives."""

    def __init__(self, reader: Any) -> None:
        # No column: an empty index, or a segment with no dated document.
        has_days = reader.has_column("calendar_day")
        days = (
            _whole_column(reader.column_reader("calendar_day", translate=False)) if has_days else []
        )
        dated = [n for n, day in enumerate(days) if day != _UNDATED]
        if reader.has_deletions():
            dated = [n for n in dated if not reader.is_deleted(n)]
        dated.sort(key=days.__getitem__)  # stable: by number within a day
        self._docnums = array.array("l", dated)
        self._days = array.array("l", (days[n] for n in dated))

    @classmethod
    def of(cls, reader: Any) -> _SegmentDays:
        return _per_reader(reader, "days", lambda: cls(reader))  # type: ignore[no-any-return]

    def between(self, first: int | None, last: int | None) -> list[int]:
        """The documents dated from day ``first`` to day ``last`` (None: open), sorted."""
        start = 0 if first is None else bisect_left(self._days, first)
        end = len(self._days) if last is None else bisect_right(self._days, last)
        return sorted(self._docnums[start:end])


class _BM25F(scoring.BM25F):  # type: ignore[misc]
    """whoosh's BM25F, reading each document's field length from the segment's length
    bytes read once per segment and field: whoosh reads and decodes one length per
    scored document, a fifth of a term query's time. Same lengths, same scores."""

    def scorer(self, searcher: Any, fieldname: str, text: bytes, qf: int = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf)
        if hasattr(scorer, "dfl"):  # a length-weighted scorer
            reader = searcher.reader()
            lengths = _per_reader(
                reader, ("lengths", fieldname), lambda: _lengths(reader, fieldname)
            )
            if lengths is not None:
                scorer.dfl = lengths
        return scorer


def _lengths(reader: Any, fieldname: str) -> Callable[[int], int | None] | None:
    """A document's length of ``fieldname`` in a segment, as ``doc_field_length``
    decodes it (None where its byte is 0); None when the segment keeps no lengths."""
    perdoc = getattr(reader, "_perdoc", None)
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) if perdoc else None
    if column is None:
        return None
    raw = bytes(_whole_column(column))  # one byte a document
    decoded = _BYTE_LENGTHS
    return lambda docnum: decoded[raw[docnum]]


_BYTE_LENGTHS: list[int | None] = [None, *(byte_to_length(b) for b in range(1, 256))]
# Values computed from one segment reader, kept as long as it lives (one commit's).
_PER_READER: weakref.WeakKeyDictionary[Any, dict[Any, Any]] = weakref.WeakKeyDictionary()
_PER_READER_LOCK = threading.Lock()


def _per_reader(reader: Any, key: Any, make: Callable[[], Any]) -> Any:
    """``make()``, computed once per segment ``reader`` and ``key``."""
    with _PER_READER_LOCK:
        kept = _PER_READER.setdefault(reader, {})
        if key not in kept:
            kept[key] = make()
        return kept[key]


class _AndNotMatcher(AndNotMatcher):
    """whoosh's ``AndNotMatcher`` with two bugs fixed.

    whoosh checks its first document against the exclusion only when the excluded
    matcher starts on exactly that document, so ``Rafah -Israel`` returned a paragraph
    naming Israel whenever Israel also occurred in an earlier one. And once ``skip_to``
    has run past the last positive document it still reads that document's id, so an
    exclusion that is itself an exclusion (``-(date:2024 NOT Rafah)``) raised IndexError.
    """

    def _find_first(self) -> None:
        if self.a.is_active() and self.b.is_active():
            self._find_next()

    def _find_next(self) -> bool | None:
        if not self.a.is_active():
            return False
        result: bool | None = super()._find_next()
        return result


class _AndNot(wq.AndNot):
    """``AndNot`` that matches with ``_AndNotMatcher``."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        positive = self.a.matcher(searcher, context)
        return _AndNotMatcher(positive, self.b.matcher(searcher, searcher.boolean_context()))


def compile_query(node: ast.Node) -> wq.Query:
    """Translate the engine-neutral AST into whoosh query objects."""
    if isinstance(node, ast.Term):
        return wq.Term(node.field, node.term)
    if isinstance(node, ast.Boost):
        return compile_query(node.child).with_boost(node.weight)
    if isinstance(node, ast.Phrase):
        # whoosh's slop counts the step between neighbours: 1 means adjacent.
        return wq.Phrase(node.field, list(node.terms), slop=node.slop + 1)
    if isinstance(node, ast.Prefix):
        stems = [wq.Term(node.field, s) for s in analysis.prefix_stems(node.prefix)]
        return (
            wq.Or([wq.Prefix(node.field, node.prefix), *stems])
            if stems
            else wq.Prefix(node.field, node.prefix)
        )
    if isinstance(node, ast.Keyword):
        return wq.Term(node.field, node.value)
    if isinstance(node, ast.DateRange):
        # Whole days: the day holding the start up to the day before an exclusive end.
        first = _day(node.start) if node.start is not None else None
        last = _day(node.end - timedelta(microseconds=1)) if node.end is not None else None
        return _DayRange("day", first, last)
    if isinstance(node, ast.Or):
        return wq.Or(_compile_each(node.children))
    if isinstance(node, ast.And):
        positive = _compile_each([c for c in node.children if not isinstance(c, ast.Not)])
        negative = _compile_each([c.child for c in node.children if isinstance(c, ast.Not)])
        matched = _all_of(positive)
        return _AndNot(matched, wq.Or(negative)) if negative else matched
    if isinstance(node, ast.Not):
        return _AndNot(wq.Every(), compile_query(node.child))
    if isinstance(node, ast.MatchAll):
        return wq.Every()
    return wq.NullQuery


def _compile_each(children: Sequence[ast.Node]) -> list[wq.Query]:
    """Each distinct child compiled once and boosted by its count: the same summed scores,
    and far less work (whoosh's AND matching slows with the square of its matchers)."""
    counts = Counter(children)
    return [
        compile_query(c) if n == 1 else compile_query(c).with_boost(float(n))
        for c, n in counts.items()
    ]


# whoosh nests the matchers of one And one inside the next and walks that chain
# recursively, so a flat And of about a thousand words overflows the stack. Groups of at
# most this many keep the nesting shallow (the scores are the same sums).
_AND_FANOUT = 64


def _all_of(queries: list[wq.Query]) -> wq.Query:
    """``And`` of ``queries`` as a tree of groups of at most ``_AND_FANOUT``."""
    if len(queries) == 1:
        return queries[0]
    if len(queries) <= _AND_FANOUT:
        return wq.And(queries)
    size = -(-len(queries) // _AND_FANOUT)
    return _all_of([_all_of(queries[i : i + size]) for i in range(0, len(queries), size)])


# What whoosh raises when its files are truncated, missing or garbled.
_DAMAGE = (OSError, EOFError, struct.error, pickle.UnpicklingError, zlib.error)


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn whoosh's low-level errors on damaged files into ``IndexCorruptError``."""
    try:
        yield
    except whoosh_index.EmptyIndexError as exc:
        raise IndexCorruptError(damaged_message(path, "no whoosh index found")) from exc
    except _DAMAGE as exc:
        raise IndexCorruptError(damaged_message(path, f"{type(exc).__name__}: {exc}")) from exc


class WhooshEngine(Engine):
    """An index stored with whoosh in ``path``."""

    name = "whoosh"

    def __init__(self, ix: Any, path: Path) -> None:
        self._ix = ix
        self._path = path
        self._searcher: Any = None
        # While this engine writes: (the writing thread, a searcher on unmapped files).
        self._write_searcher: tuple[int, Any] | None = None
        self._everything: tuple[Any, dict[tuple[Group, Unit], GroupCounts]] = (None, {})
        self._lock = threading.Lock()
        self._vocabularies: dict[str, Vocabulary] = {}
        self._columns: dict[str, list[Any]] = {}  # whole columns of the searcher's commit
        self._prepared: Any = None  # the batch being written's prepared postings
        self._band_keys: dict[str, Any] = {}  # segment id: its band keys (copy_candidates)
        self.bm25 = BM25

    @classmethod
    def create(cls, path: Path) -> WhooshEngine:
        path.mkdir(parents=True, exist_ok=True)
        return cls(whoosh_index.create_in(str(path), _schema(), indexname=INDEX_NAME), path)

    @classmethod
    def open(cls, path: Path) -> WhooshEngine:
        with _reading(path):
            return cls(whoosh_index.open_dir(str(path), indexname=INDEX_NAME), path)

    def _writer(self, lock_timeout: float) -> Any:
        from . import whoosh_writing  # whoosh's writing modules: loaded to write only

        try:
            # Writers read the index without memory-mapping it: mapped segment files
            # count toward the process's memory, which would then grow with the index
            # (measured on Reuters: 417 MB peak RSS mapped, 245 MB not). Searches keep
            # the mapping, which makes them about 15% faster.
            writer = self._unmapped().writer(
                timeout=lock_timeout,
                delay=0.05,
                limitmb=whoosh_writing.WRITER_POOL_MB,
                codec=whoosh_writing.codec(),
            )
            return whoosh_writing.with_chunked_pool(writer)
        except whoosh_index.LockError as exc:
            raise IndexLockedError(
                "index is being written by another process; try again when it has finished"
            ) from exc

    def _write(self, lock_timeout: float, work: Callable[[Any], T]) -> T:
        """Run ``work(writer)`` and commit it as one generation, or cancel it all."""
        with _reading(self._path):
            writer = self._writer(lock_timeout)
            try:
                with self._unmapped_lookups():
                    result = work(writer)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            self.last_commit = writer.generation
        return result

    def _unmapped(self) -> Any:
        return FileStorage(str(self._path), supports_mmap=False).open_index(INDEX_NAME)

    @contextmanager
    def _unmapped_lookups(self) -> Iterator[None]:
        """While writing, this thread's lookups (the copy plan's band keys, ids and
        stories) read the index without memory-mapping it.

        A batch's lookups land all over the term table, so through the mapped searcher
        they made most of the index's pages resident: on Reuters the indexer's peak RSS
        grew by about 36 MB per batch of 20,000 paragraphs (235 MB of mapped pages at the
        end). Read through files, the pages stay in the OS's cache, not in this process.
        """
        k1, b = self.bm25
        searcher = self._unmapped().searcher(weighting=scoring.BM25F(B=b, K1=k1))
        self._write_searcher = (threading.get_ident(), searcher)
        try:
            yield
        finally:
            self._write_searcher = None
            searcher.close()

    def replace_articles(
        self, batch: ArticleBatch, *, lock_timeout: float, plan: Planner | None = None
    ) -> set[str]:
        def replace(writer: Any) -> set[str]:
            made = plan() if plan is not None else CopyPlan({})
            prepared = self._prepared_for(writer, batch)
            existing = set()
            number = 0
            for article_id, paragraphs in batch:
                if writer.delete_by_term("article_id", article_id):
                    existing.add(article_id)
                if prepared is None:
                    self._add(writer, article_id, paragraphs, made)
                    continue
                copies = made.copies.get(article_id) or ArticleCopies(story=article_id)
                for p in paragraphs:
                    fields = _with_copies(_other_fields(p, metadata_values(p)), p, copies)
                    prepared.add(writer, number, fields)
                    number += 1
            self._rewrite(writer, made)
            return existing

        return self._write(lock_timeout, replace)

    def worker_job(self, batch: ArticleBatch) -> tuple[str, Any]:
        from . import whoosh_postings

        return f"{whoosh_postings.__name__}:prepare", whoosh_postings.job(batch)

    @contextmanager
    def prepared(self, answer: Any) -> Iterator[None]:
        self._prepared = answer
        try:
            yield
        finally:
            self._prepared = None

    def _prepared_for(self, writer: Any, batch: ArticleBatch) -> Any:
        """``batch``'s postings of the analysed fields (``whoosh_postings.Prepared``), the
        worker's if they fit, handed to ``writer``'s commit; None where ``writer`` cannot
        take them (whoosh's own writer then analyses every field)."""
        from . import whoosh_postings

        bulk = getattr(writer, "newsearch_postings", None)
        if bulk is None or writer.docnum != 0:
            return None
        prepared = self._prepared
        if prepared is None or not prepared.fits(batch):
            # Here: still fewer calls a posting than whoosh's pool, sort and merge.
            prepared = whoosh_postings.prepare(whoosh_postings.job(batch))
        bulk.prepared = prepared.terms
        return prepared

    def delete_articles(
        self, article_ids: Sequence[str], *, lock_timeout: float, plan: Planner | None = None
    ) -> set[str]:
        def delete(writer: Any) -> set[str]:
            made = plan() if plan is not None else CopyPlan({})
            found = {aid for aid in article_ids if writer.delete_by_term("article_id", aid)}
            self._rewrite(writer, made)
            return found

        return self._write(lock_timeout, delete)

    @staticmethod
    def _add(writer: Any, article_id: str, paragraphs: Sequence[Paragraph], made: CopyPlan) -> None:
        copies = made.copies.get(article_id) or ArticleCopies(story=article_id)
        for p in paragraphs:
            writer.add_document(**_with_copies(_document(p), p, copies))

    def _rewrite(self, writer: Any, made: CopyPlan) -> None:
        for article_id, paragraphs in made.rewrites:
            writer.delete_by_term("article_id", article_id)
            self._add(writer, article_id, paragraphs, made)

    def _current_searcher(self) -> Any:
        """A searcher on the latest commit (one commit per search: a consistent snapshot)."""
        writing = self._write_searcher
        if writing is not None and writing[0] == threading.get_ident():
            return writing[1]  # the commit this thread's writer changes, read unmapped
        if self._searcher is not None and not self._searcher.up_to_date():
            # Not Searcher.refresh(): in whoosh-reloaded 2.7.5 it keeps the segments a
            # merge replaced (documents show up twice) and fails on an empty index.
            self._searcher.close()
            self._searcher = None
        if self._searcher is None:
            k1, b = self.bm25
            self._searcher = self._ix.searcher(weighting=_BM25F(B=b, K1=k1))
            self._vocabularies = {}  # they belong to the searcher's commit
            self._columns = {}
        return self._searcher

    def set_bm25(self, k1: float, b: float) -> None:
        """Score with BM25 ``k1`` and ``b`` from the next search on (for tuning)."""
        with self._lock:
            self.bm25 = (k1, b)
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def search(self, query: ast.Node, *, limit: int, offset: int, sort: Sort) -> EngineResults:
        compiled = compile_query(query)
        with self._lock, _reading(self._path):
            searcher = self._current_searcher()
            wanted = max(1, offset + limit)
            if sort == "relevance":
                # Neither block-quality skipping nor matcher replacement: both make
                # whoosh drop matching documents from the count (the total came out
                # 36 for 42 hits on Reuters).
                collector = _TopCollector(wanted, usequality=False, replace=0)
            else:
                # Undated paragraphs last; ties keep index order (article, paragraph).
                facet = MultiFacet(
                    [FieldFacet("undated"), FieldFacet("stamp", reverse=sort == "newest")]
                )
                collector = SortingCollector(facet, limit=wanted)
            searcher.search_with_collector(compiled, collector)
            results = collector.results()
            total = len(results)
            hits = [
                EngineHit(_paragraph(hit.fields()), _score(hit.score))
                for hit in results[offset : offset + limit]
            ]
            articles: int | Callable[[], int] = 0
            if total:  # an empty index's reader has no columns
                articles = _count_articles(self._column(searcher, "article_key"), results.docs())
        return EngineResults(total=total, hits=hits, articles=articles)

    def _column(self, searcher: Any, name: str) -> Sequence[Any]:
        """A numeric column's values for every document of the searcher's commit, read
        once per commit (a search that matches thousands reads no value twice)."""
        # Kept for the mapped searcher's commit only (not a writer's unmapped one).
        columns = self._columns if searcher is self._searcher else {}
        if name not in columns:
            values: list[Any] = []
            for reader, offset in searcher.reader().leaf_readers():
                values[offset:] = _whole_column(reader.column_reader(name, translate=False))
            columns[name] = values
        return columns[name]

    def count(self, query: ast.Node) -> int:
        compiled = compile_query(query)
        with self._lock, _reading(self._path):
            # A boolean match: no scores, so far less work than search()'s collector.
            return sum(1 for _ in self._current_searcher().docs_for_query(compiled))

    def search_stories(
        self, query: ast.Node, *, limit: int, offset: int, sort: Sort
    ) -> EngineResults:
        compiled = compile_query(query)
        with self._lock, _reading(self._path):
            searcher = self._current_searcher()
            if sort == "relevance":
                collector: Any = UnlimitedCollector()
            else:
                facet = MultiFacet(
                    [FieldFacet("undated"), FieldFacet("stamp", reverse=sort == "newest")]
                )
                collector = SortingCollector(facet, limit=None)
            searcher.search_with_collector(compiled, collector)
            ranked = collector.results().top_n
            if not ranked:  # an empty index's reader has no columns
                return EngineResults(total=0, hits=[], articles=0, stories=0)
            keys = searcher.reader().column_reader("story_key")
            ids = self._column(searcher, "article_key")
            best: dict[int, tuple[Any, int]] = {}
            for score, docnum in ranked:
                best.setdefault(keys[docnum], (score, docnum))
            articles = len({ids[docnum] for _, docnum in ranked})
            page = list(best.values())[offset : offset + limit]
            stored = [(searcher.stored_fields(docnum), score) for score, docnum in page]
            members = _story_members(searcher, [f.get("story_id") or "" for f, _ in stored])
            hits = [
                EngineHit(
                    _paragraph(fields),
                    _score(score),
                    fields.get("story_id"),
                    tuple(members.get(fields.get("story_id") or "", ())),
                )
                for fields, score in stored
            ]
        return EngineResults(total=len(ranked), hits=hits, articles=articles, stories=len(best))

    def _heads(self, query: wq.Query) -> list[CopyRecord]:
        """The copy records of the paragraph-1 documents matching ``query``."""
        with self._lock, _reading(self._path):
            return _heads(self._current_searcher(), query)

    def copy_candidates(
        self, band_keys: Iterable[int], near: Callable[[datetime], bool] | None = None
    ) -> list[CopyRecord]:
        # ``near`` is not used: a date is read with the record (nothing stays mapped).
        with self._lock, _reading(self._path):
            searcher = self._current_searcher()
            reader = searcher.reader()
            if not reader.doc_count():  # a new index, the first batch of a build
                return []
            import numpy as np  # loaded by copy detection already (not at start-up)

            from ..copies.fingerprint import distinct, within

            wanted = distinct(np.fromiter(band_keys, dtype=np.uint64))
            docnums: set[int] = set()
            known: dict[str, Any] = {}
            for leaf, base in reader.leaf_readers():
                # A segment never changes but for deletions: once a batch asks for many
                # keys, its keys are read (all of them, 2-6 us a key) and kept, and the
                # term table is asked only for those it holds (~10 us a lookup, a miss
                # as much as a hit). A batch asking for few asks the table for each.
                segment = leaf.segment().segment_id()
                held = self._band_keys.get(segment)
                if held is None and len(wanted) > _KEYS_READ_AT * leaf.doc_count_all():
                    held = _segment_band_keys(leaf)
                if held is None:
                    among = wanted.tolist()
                else:
                    known[segment] = held
                    among = wanted[within(wanted, held)].tolist()
                terms = (_key_text(k).encode("ascii") for k in among)
                docnums.update(base + d for d in _holding(leaf, "bands", terms))
            self._band_keys = known  # merged segments' keys are dropped
            return _heads_of(searcher, sorted(docnums))

    def commit_token(self) -> object:
        # Each commit, by any writer, writes the next generation of the table of contents.
        with _reading(self._path):
            return self._ix.latest_generation()

    def copy_records(self, article_ids: Iterable[str]) -> dict[str, CopyRecord]:
        ids = [wq.Term("article_id", aid) for aid in set(article_ids)]
        if not ids:
            return {}
        return {r.article_id: r for r in self._heads(wq.Or(ids))}

    def story_records(self, stories: Iterable[str]) -> dict[str, list[CopyRecord]]:
        with self._lock, _reading(self._path):
            return _story_members(self._current_searcher(), stories)

    def story_sizes(self) -> dict[str, int]:
        with self._lock, _reading(self._path):
            searcher = self._current_searcher()
            # A term's document frequency still counts deleted documents until their
            # segment is merged: count the live ones of the few that may have two.
            shared = [story for story, n in _term_counts(searcher, "story").items() if n > 1]
            sizes = {
                story: sum(1 for _ in searcher.docs_for_query(wq.Term("story", story)))
                for story in shared
            }
        return {story: n for story, n in sizes.items() if n > 1}

    def vocabulary(self, field: str) -> Vocabulary:
        with self._lock, _reading(self._path):
            searcher = self._current_searcher()
            vocabularies = self._vocabularies if searcher is self._searcher else {}
            if field not in vocabularies:
                vocabularies[field] = Vocabulary(
                    lambda term: self._read(
                        searcher, lambda s: int(s.reader().doc_frequency(field, term))
                    ),
                    lambda prefix: self._read(searcher, lambda s: _term_counts(s, field, prefix)),
                )
            return vocabularies[field]

    def _read(self, searcher: Any, read: Callable[[Any], T]) -> T:
        """``read(searcher)``, or ``read`` of the current searcher if that one has been
        closed for a newer commit since (a vocabulary kept from an earlier commit)."""
        with self._lock, _reading(self._path):
            return read(self._current_searcher() if searcher.is_closed else searcher)

    def article(self, article_id: str) -> list[Paragraph]:
        with self._lock, _reading(self._path):
            searcher = self._current_searcher()
            docs = [_paragraph(fields) for fields in searcher.documents(article_id=article_id)]
        return sorted(docs, key=lambda p: p.number)

    def group_counts(self, query: ast.Node, by: Group, *, unit: Unit) -> GroupCounts:
        compiled = compile_query(query)
        with self._lock, _reading(self._path):
            searcher = self._current_searcher()
            # Counts of everything (a timeline's totals) change only with a new commit.
            cached = isinstance(query, ast.MatchAll)
            if cached and self._everything[0] is searcher and (by, unit) in self._everything[1]:
                return self._everything[1][(by, unit)]
            if self._everything[0] is not searcher:
                self._everything = (searcher, {})
            found = _group_counts(searcher, compiled, by, unit)
            if cached:
                self._everything[1][(by, unit)] = found
        return found

    def doc_frequencies(self, terms: Collection[str]) -> tuple[int, dict[str, int]]:
        with self._lock, _reading(self._path):
            searcher = self._current_searcher()
            counts = {term: searcher.doc_frequency("text", term) for term in terms}
            return searcher.doc_count(), counts

    def stats(self) -> EngineStats:
        with self._lock, _reading(self._path):
            searcher = self._current_searcher()
            paragraphs = searcher.doc_count()
            sources: Counter[str] = Counter()
            stamps: list[int] = []
            articles = 0
            # Each article once (its title paragraph), read from columns, not stored
            # fields: the source's group value and the local time in microseconds.
            for sub, _ in searcher.leaf_searchers():
                titles = list(wq.Term("role", "title").docs(sub))
                if not titles:
                    continue
                articles += len(titles)
                reader = sub.reader()
                source = _column_values(reader, _group_column("source"), titles)
                sources.update(value.decode("utf-8") for value in source if value)
                undated = _column_values(reader, "undated", titles)
                stamp = _column_values(reader, "stamp", titles)
                stamps.extend(t for t, no_date in zip(stamp, undated, strict=True) if not no_date)
        first, last = (min(stamps), max(stamps)) if stamps else (None, None)
        return EngineStats(
            articles=articles,
            paragraphs=paragraphs,
            first_date=None if first is None else _EPOCH + timedelta(microseconds=first),
            last_date=None if last is None else _EPOCH + timedelta(microseconds=last),
            sources=dict(sources.most_common()),
        )

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            self._ix.close()


def _group_counts(searcher: Any, compiled: wq.Query, by: Group, unit: Unit) -> GroupCounts:
    """``Engine.group_counts`` over every segment, from columns alone."""
    counts: Counter[Any] = Counter()
    missing = matched = 0
    articles: set[int] = set()
    grouped: set[tuple[int, Any]] = set()  # (article, value) pairs
    column = _group_column(by)
    for sub, _offset in searcher.leaf_searchers():
        docnums = list(compiled.docs(sub))
        if not docnums:
            continue
        reader = sub.reader()
        if unit == "paragraphs":
            matched += len(docnums)
            for value in _column_values(reader, column, docnums):
                found = _group_keys(by, value)
                counts.update(found)
                missing += not found
            continue
        keys = _column_values(reader, "article_key", docnums)
        if by != "role":
            # Every paragraph of an article has its values: read one paragraph's.
            first: dict[int, int] = {}
            for key, docnum in zip(keys, docnums, strict=True):
                first.setdefault(key, docnum)
            keys, docnums = list(first), list(first.values())
        if unit == "stories":  # an article and its copies count once per value
            keys = _column_values(reader, "story_key", docnums)
        articles.update(keys)
        values = _column_values(reader, column, docnums)
        for key, value in zip(keys, values, strict=True):
            grouped.update((key, v) for v in _group_keys(by, value))
    if unit != "paragraphs":
        counts = Counter(value for _, value in grouped)
        matched = len(articles)
        missing = matched - len({key for key, _ in grouped})
    if unit == "stories" and by == "day":  # which stories each day counts
        per_day: dict[Any, set[int]] = {}
        for key, day in grouped:
            per_day.setdefault(day, set()).add(key)
        stories = {day: frozenset(found) for day, found in per_day.items()}
        return GroupCounts(dict(counts), missing, matched, stories)
    return GroupCounts(dict(counts), missing, matched)


def _column_values(reader: Any, column: str, docnums: list[int]) -> list[Any]:
    """One segment's column values for ``docnums`` (segment-local, ascending)."""
    values = reader.column_reader(column, translate=False)
    if len(docnums) > _WHOLE_COLUMN_SHARE * reader.doc_count_all():
        every = _whole_column(values)  # one pass beats many random reads
        return [every[d] for d in docnums]
    return [values[d] for d in docnums]


def _term_counts(searcher: Any, field: str, prefix: str = "") -> dict[str, int]:
    """Every term of ``field`` starting with ``prefix`` and how many documents hold it
    (deleted ones too, until merged), read segment by segment: whoosh's reader of
    several segments looks each term up in every segment, 8 times slower."""
    counts: Counter[str] = Counter()
    for reader, _ in searcher.reader().leaf_readers():
        table = getattr(reader, "_terms", None)
        if isinstance(table, W3TermsReader) and _RECORD_KNOWN:
            # Each record's document count read in place: whoosh decodes every record
            # whole, unpickling the postings a one-document term keeps inline.
            start = table._keycoder(field, prefix.encode("utf-8"))
            skip = len(table._keycoder(field, b""))  # the field's part of each key
            for key, record in table._tindex.items_from(start):
                if not key.startswith(start):
                    break
                counts[key[skip:].decode("utf-8")] += _RECORD_DOCS.unpack_from(
                    record, _RECORD_DOCS_AT
                )[0]
        else:
            for term, info in reader.iter_prefix(field, prefix):
                counts[term.decode("utf-8")] += info.doc_frequency()
    return dict(counts)


# whoosh's W3 term record (``W3TermInfo``) starts with its flags, total weight and
# document count; another layout is read through whoosh.
_RECORD_KNOWN = W3TermInfo._struct.format in ("!BfIBBfII", b"!BfIBBfII")
_RECORD_DOCS = struct.Struct("!I")
_RECORD_DOCS_AT = struct.calcsize("!Bf")


def _count_articles(keys: Sequence[int], docnums: Collection[int]) -> Callable[[], int]:
    """How many distinct articles ``docnums`` hold (``keys``: each document's article),
    counted when asked for."""
    return lambda: len({keys[docnum] for docnum in docnums})


def _whole_column(values: Any) -> Sequence[Any]:
    """Every value of a column. A numeric column is read as one block of bytes (whoosh
    reads it value by value, about 40 times slower); other columns value by value."""
    if not isinstance(values, NumericColumn.Reader):
        return list(values)
    size = values._fixedlen * values._count
    block = values._dbfile.get(values._basepos, size)
    numbers = array.array(values._typecode, block)
    if sys.byteorder == "little":
        numbers.byteswap()  # whoosh writes numbers big-endian
    padding = values._doccount - values._count  # trailing documents hold the default
    return numbers.tolist() + [values._default] * padding


def _group_keys(by: Group, value: Any) -> tuple[Any, ...]:
    """The groups a column value stands for: a day number, or text values."""
    if by == "day":
        return () if value == _UNDATED else (value,)
    return tuple(value.decode("utf-8").split(analysis.VALUE_SEPARATOR)) if value else ()


def _score(value: Any) -> float:
    """A hit's relevance score; whoosh reports the sort key instead when sorting by date."""
    return float(value) if isinstance(value, (int, float)) else 0.0


def _heads(searcher: Any, query: wq.Query) -> list[CopyRecord]:
    """The copy records of the paragraph-1 documents matching ``query``."""
    return _heads_of(searcher, searcher.docs_for_query(query))


def _heads_of(searcher: Any, docnums: Iterable[int]) -> list[CopyRecord]:
    """The copy records of the paragraph-1 documents among ``docnums``."""
    found = (searcher.stored_fields(docnum) for docnum in docnums)
    return [_copy_record(fields) for fields in found if "story" in fields]


def _segment_band_keys(segment: Any) -> Any:
    """Every band key one segment's term table holds (deleted articles' too), sorted."""
    import numpy as np

    texts = []
    for field, text in segment._terms.terms_from("bands", b""):
        if field != "bands":
            break
        texts.append(text)
    # 16 hex digits a key: the numbers, big-endian, of all of them at once.
    numbers = np.frombuffer(bytes.fromhex(b"".join(texts).decode("ascii")), dtype=">u8")
    return np.sort(numbers.astype(np.uint64))


def _holding(segment: Any, field: str, terms: Iterable[bytes]) -> Iterator[int]:
    """The live documents of one segment holding any of ``terms`` (indexed as bytes).

    One term-table lookup a term, each term's postings read directly (a term in one
    document only: its number is in the table's entry already): a query of
    ``Term``s looks each term up twice a segment (``Term.matcher`` asks whether the
    segment has it, then reads its postings) and unions them through a tree of matchers;
    a build of many copies asks ~48,000 band keys a batch (thirteenth round, causes.md).
    """
    table, kind = segment._terms, segment.schema[field].format
    deleted = segment.deleted_docs_set
    for term in terms:
        try:
            info = table.term_info(field, term)
        except TermNotFound:
            continue
        if info.doc_frequency() == 1:  # most band keys: no postings reader (~4x faster)
            docnums: Iterable[int] = (info.min_id(),)
        else:
            docnums = table._codec.postings_reader(table._postfile, info, kind).all_ids()
        for docnum in docnums:
            if docnum not in deleted:
                yield docnum


def _story_members(searcher: Any, stories: Iterable[str]) -> dict[str, list[CopyRecord]]:
    """The articles of each story that has several."""
    # Most stories are one article: the term's frequency (which may still count deleted
    # articles) rules those out without reading a document.
    shared = [s for s in set(stories) if s and searcher.doc_frequency("story", s) > 1]
    found: dict[str, list[CopyRecord]] = {}
    if shared:
        for record in _heads(searcher, wq.Or([wq.Term("story", s) for s in shared])):
            found.setdefault(record.story, []).append(record)
    return found
