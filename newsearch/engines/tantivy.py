"""The tantivy engine adapter: the same AST and the same analyzer on a native index.

Tokens: tantivy never analyses text itself. Each text field is two fields: the
original, stored and never searched (``stored_text``…), and under the field's own name
the analyzer's terms joined by single spaces, indexed and not stored, which tantivy's
whitespace tokenizer reads back one position per term (``analysis.joined_terms``). So
the index holds exactly the terms and positions of ``newsearch.analysis.tokenize``.
Where spaces cannot carry them (a multi-valued field's position gap, a term holding a
space), the field is handed over pre-tokenized from ``tokenize`` instead. Offsets are
not indexed: the highlighter re-tokenizes the stored text. Queries are tantivy query
objects, built in ``tantivy_query``.

Dates are i64 microseconds since 1970 on the publication's own clock (any ``datetime``, not
only tantivy's date range); an aware date also stores its UTC offset in seconds.
Date sorting is tantivy's fast-field sort; ties go in indexing order (``seq``), as do
equal scores (``_by_score``).
"""

from __future__ import annotations

import array
import contextlib
import itertools
import json
import operator
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Occur, Order, Query

from .. import analysis
from ..analysis import VALUE_SEPARATOR
from ..errors import (
    IndexCorruptError,
    IndexLockedError,
    NewsearchError,
    QueryRejectedError,
    damaged_message,
)
from ..model import ROLES, ArticleMeta, Paragraph, assembled, local_time
from ..query import ast
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
    article_level,
    day_number,
    metadata_values,
)
from .tantivy_query import (
    EPOCH,
    MICROSECOND,
    Compiler,
    all_hits,
    all_of,
    dated,
    micros,
    paragraph_key,
    stored_field,
)

if not hasattr(tantivy.Searcher, "fast_field_values"):  # nor the other 0.27 calls used here
    raise ImportError("newsearch needs tantivy 0.27 or later")

KEYWORD_FIELDS = ("article_id", "role", "language", "url", "source_key", "key")
# The raw, fast field that tantivy's terms aggregation counts for each group.
GROUP_FIELDS: dict[str, str] = {
    "source": "source_key",
    "section": "section_key",
    "author": "author_key",
    "tags": "tag_key",
    "language": "language",
    "role": "role",
    "day": "day",
}
_NEW_GROUP_FIELDS = ("section_key", "author_key", "tag_key")
# More distinct values than this in one grouping are not counted (tantivy's own limit).
MAX_GROUPS = 65_000
_NO_VALUE = "\x00"
HEAP_BYTES = 64_000_000
LOCK_POLL_SECONDS = 0.05
_SOURCE_BUCKETS = 10_000
_STORY_BUCKETS = 1_000_000
# Searcher.search(weight_by_field=…) multiplies a score by log2(2 + weight).
_WEIGHTS = {role: 2.0**boost - 2.0 for role, boost in ROLE_BOOST.items()}
_OPTIONAL = ("source", "author", "url", "section", "language")


# tantivy cannot store a text field without indexing it: the originals' analyzer
# yields no token at all. Tokenizers are not saved in the index: registered on each open.
_STORED_ONLY = "newsearch_stored_only"
_STORED_TEXT = stored_field("text")
_TERMS_TOKENIZER = "whitespace"


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in KEYWORD_FIELDS:
        stored, fast = name != "key", name in GROUP_FIELDS.values()
        builder.add_text_field(name, stored=stored, fast=fast, tokenizer_name="raw")
    for name in _NEW_GROUP_FIELDS:
        builder.add_text_field(name, stored=False, fast=True, tokenizer_name="raw")
    for name in ast.TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name=_TERMS_TOKENIZER)
        builder.add_text_field(
            stored_field(name), stored=True, tokenizer_name=_STORED_ONLY, index_option="basic"
        )
    # The paragraph text again, unstemmed (``=word``) and with hyphenated words joined
    # (``cooperation`` finds "co-operation"); neither is stored.
    builder.add_text_field("exact", tokenizer_name=_TERMS_TOKENIZER)
    builder.add_text_field("joined", tokenizer_name=_TERMS_TOKENIZER, index_option="freq")
    # Indexed so that ``paragraph:1`` finds one paragraph per article.
    builder.add_integer_field("paragraph", stored=True, indexed=True)
    builder.add_integer_field("article_key", indexed=True, fast=True)
    builder.add_integer_field("day", fast=True)  # base.day_number: the local calendar day
    builder.add_integer_field("seq", fast=True)  # indexing order, like whoosh's doc numbers
    builder.add_integer_field("date", stored=True, indexed=True, fast=True)
    builder.add_integer_field("utc_offset", stored=True)  # seconds; only on aware dates
    builder.add_float_field("weight", fast=True)
    # Copies (newsearch.copies): every paragraph carries its story as a number for
    # collapsing; paragraph 1 also holds the story id, the LSH band keys and the
    # MinHash signature, so the copy information commits with the article.
    builder.add_integer_field("story_key", fast=True)
    builder.add_text_field("story", stored=True, fast=True, tokenizer_name="raw")
    # Band keys as integers: indexing them measured half the cost of text terms.
    builder.add_integer_field("bands", indexed=True)
    builder.add_bytes_field("signature", stored=True, indexed=False)
    builder.add_bytes_field("story_id", stored=True, indexed=False)  # a collapsed hit's story
    return builder.build()


def _datetime(value: int | None) -> datetime | None:
    return EPOCH + value * MICROSECOND if value is not None else None


def _pretokenized(text: str) -> tantivy.PreTokenizedString:
    """``text`` with the analyzer's tokens: terms, positions and offsets."""
    tokens = [tantivy.Token(t.term, t.position, t.start, t.end) for t in analysis.tokenize(text)]
    return tantivy.PreTokenizedString(text, tokens)


_Tokenized = list[tuple[str, tantivy.PreTokenizedString]]
_Forms = tuple[str | None, tantivy.PreTokenizedString | None]


def _forms(value: str) -> _Forms:
    """How a text field is indexed: its joined terms (``joined_terms``), or where spaces
    cannot carry them, its tokens for ``add_pre_tokenized_text``."""
    joined = analysis.joined_terms(value)
    return joined, _pretokenized(value) if joined is None else None


# ``_forms`` of metadata values, which recur from article to article (a source, a set
# of tags: multi-valued, so tokenized), analysed once.
_METADATA_FORMS: analysis.Cache[str, _Forms] = analysis.Cache(_forms, limit=10_000)


# Each metadata text field (``metadata_values``'s order) with its stored original's name.
_METADATA_FIELDS = tuple((name, stored_field(name)) for name in ast.TEXT_FIELDS[1:])
_SECOND = timedelta(seconds=1)


def _indexed(
    fields: dict[str, Any], name: str, stored: str, value: str, tokenized: _Tokenized
) -> None:
    """Add a text field: the original, stored as ``stored``, and its terms, indexed
    (see ``_forms``)."""
    fields[stored] = value
    joined, tokens = _forms(value) if name == "title" else _METADATA_FORMS[value]
    if tokens is not None:
        tokenized.append((name, tokens))
    else:
        fields[name] = joined


def _article_fields(p: Paragraph) -> tuple[dict[str, Any], _Tokenized]:
    """The fields every paragraph of ``p``'s article shares (built once per article).

    Read from ``p.meta`` once (each ``p.<name>`` is a property reading it), the group
    fields written here, not through ``group_values``' dictionary of tuples (Reuters:
    0.9 against 1.6 µs a paragraph)."""
    meta = p.meta
    fields: dict[str, Any] = {"article_id": meta.id, "article_key": article_key(meta.id)}
    tokenized: _Tokenized = []
    for (name, stored), value in zip(_METADATA_FIELDS, metadata_values(p), strict=True):
        if value is not None:
            _indexed(fields, name, stored, value, tokenized)
    if meta.source:
        fields[GROUP_FIELDS["source"]] = meta.source
    if meta.language:
        fields["language"] = meta.language.lower()
    if meta.url is not None:
        fields["url"] = meta.url
    if meta.date is not None:
        _put_date(fields, meta.date)
        fields["day"] = day_number(meta.date)
    # The group fields (``group_values``): the section, the author, the non-empty tags.
    if meta.section:
        fields[GROUP_FIELDS["section"]] = [meta.section]
    if meta.author:
        fields[GROUP_FIELDS["author"]] = [meta.author]
    tags = [tag for tag in meta.tags if tag]
    if tags:
        fields[GROUP_FIELDS["tags"]] = tags
    return fields, tokenized


def _documents(
    paragraphs: Sequence[Paragraph],
    seq: Iterator[int],
    every: Mapping[str, Any] | None = None,
    first: ArticleCopies | None = None,
) -> Iterator[tantivy.Document]:
    """One article's documents (its paragraphs share their metadata: see ``_article_fields``),
    with the fields ``every`` on each and the copy fields of ``first`` on paragraph 1."""
    if not paragraphs:
        return
    shared, tokenized = _article_fields(paragraphs[0])
    shared.update(every or {})
    # The shared fields go into tantivy once: each paragraph starts from a copy of that
    # document (a native copy, far cheaper than converting the fields again).
    base = _document(shared, tokenized)
    article_id = paragraphs[0].article_id
    indexed = analysis.indexed
    for p in paragraphs:
        number, role, text = p.number, p.role, p.text
        doc = base.__copy__()
        if number == 1 and first is not None:
            _add_copy_fields(doc, first)
        doc.add_text("key", paragraph_key(article_id, number))
        doc.add_text("role", role)
        doc.add_integer("paragraph", number)
        doc.add_integer("seq", next(seq))
        # Every paragraph has a weight, 0 for a body's (a factor of 1): the search
        # reads it for every match, and a column with a value in every document reads
        # faster than one with gaps (half the corpus, 300 queries: 0.13 against 0.15 ms).
        doc.add_float("weight", _WEIGHTS[role])
        terms, exact, joined = indexed(text)
        doc.add_text(_STORED_TEXT, text)
        if terms is None:
            doc.add_pre_tokenized_text("text", _pretokenized(text))
        else:
            doc.add_text("text", terms)
        doc.add_text("exact", exact)
        if joined:
            doc.add_text("joined", joined)
        yield doc


def _document(fields: Mapping[str, Any], tokenized: _Tokenized) -> tantivy.Document:
    doc = tantivy.Document(**fields)  # one call: far cheaper than one per field
    for name, tokens in tokenized:
        doc.add_pre_tokenized_text(name, tokens)
    return doc


def _copy_fields(copies: ArticleCopies) -> dict[str, Any]:
    """The copy fields on every paragraph of an article (``_add_copy_fields``: paragraph 1's)."""
    return {"story_key": article_key(copies.story), "story_id": copies.story.encode("utf-8")}


def _add_copy_fields(doc: tantivy.Document, copies: ArticleCopies) -> None:
    """Paragraph 1's copy fields: the story id, and the band keys and signature if any."""
    doc.add_text("story", copies.story)
    if copies.bands:
        for key in copies.bands:
            doc.add_integer("bands", key)
        doc.add_bytes("signature", copies.signature)


def _fields(doc: tantivy.Document) -> dict[str, Any]:
    """A stored document's fields by their names (text fields stored apart, see
    ``stored_field``; the indexed ones are not stored)."""
    name = _STORED_NAMES.get
    return {name(stored, stored): values[0] for stored, values in doc.to_dict().items() if values}


_STORED_NAMES = {stored_field(name): name for name in ast.TEXT_FIELDS}


def _put_date(fields: dict[str, Any], date: datetime) -> None:
    """Store ``date`` on the publication's clock (``local_time``: a naive date is that
    already), with its UTC offset when it has one (``_stored_date`` reads them back)."""
    offset = date.utcoffset()
    fields["date"] = micros(date if offset is None else local_time(date))
    if offset is not None:
        fields["utc_offset"] = offset // _SECOND


def _stored_date(fields: dict[str, Any]) -> datetime | None:
    """The stored date on the publication's clock, with its UTC offset when it has one."""
    date = _datetime(fields.get("date"))
    if date is not None and "utc_offset" in fields:
        date = date.replace(tzinfo=timezone(timedelta(seconds=fields["utc_offset"])))
    return date


_STORED_TITLE, _STORED_SOURCE, _STORED_AUTHOR, _STORED_SECTION, _STORED_TAGS = (
    stored_field(name) for name in ast.TEXT_FIELDS[1:]
)


def _paragraph(doc: tantivy.Document) -> Paragraph:
    """The stored paragraph of a hit: what ``stored_paragraph(_fields(doc), …)`` makes,
    each value read on its own (``get_first``: None when absent). Every hit shown makes
    one, and ``to_dict`` converts every stored field, the copy signature's bytes too (a
    page of ten: 107 → 40 µs, measured warm in one process)."""
    value = doc.get_first
    date = value("date")
    if date is not None:
        date = EPOCH + date * MICROSECOND
        offset = value("utc_offset")
        if offset is not None:
            date = date.replace(tzinfo=timezone(timedelta(seconds=offset)))
    tags = value(_STORED_TAGS)
    meta = assembled(
        ArticleMeta,
        id=value("article_id"),
        title=value(_STORED_TITLE),
        date=date,
        source=value(_STORED_SOURCE),
        author=value(_STORED_AUTHOR),
        url=value("url"),
        section=value(_STORED_SECTION),
        tags=tuple(tags.split(VALUE_SEPARATOR)) if tags else (),
        language=value("language"),
    )
    return assembled(
        Paragraph,
        meta=meta,
        number=value("paragraph"),
        role=value("role"),
        text=value(_STORED_TEXT),
    )


_TIE_ROOM = 32  # hits past the page that ``_by_score``'s first search asks for


def _by_score(
    searcher: tantivy.Searcher, query: Query, offset: int, limit: int
) -> tuple[int, list[tuple[float, Any]]]:
    """How many hits ``query`` has, and its page by score, equal scores in indexing
    order (``seq``).

    tantivy breaks a tie by document address, and orders segments by their random ids:
    two builds of one input put equal scores in different orders (and a build's
    segments depend on when it committed). Every score above the page's last is
    complete in tantivy's top ``offset + limit``; the hits sharing that last score are
    fetched until one scores lower or none are left, then ties are put in ``seq`` order.
    """
    wanted = offset + limit
    # Room for the last score's ties: a second search costs as much as the first, a
    # longer top list little (on Reuters 123 of the benchmark's 300 queries tie past
    # their 10th hit, 9 past their 42nd).
    found = searcher.search(query, wanted + _TIE_ROOM, count=True, weight_by_field="weight")
    hits = found.hits
    if len(hits) > wanted:
        last, end = hits[wanted - 1][0], wanted
        while True:
            while end < len(hits) and hits[end][0] == last:
                end += 1
            if end < len(hits) or end == found.count:
                break
            more = min(found.count, 4 * end)  # the ties may go on past the hits found
            hits = searcher.search(query, more, count=False, weight_by_field="weight").hits
        hits = hits[:end]
    scores = [-score for score, _ in hits]
    if len(set(scores)) < len(scores):
        hits = _in_seq_order(searcher, hits, scores)
    return found.count, hits[offset:wanted]


def _in_seq_order(
    searcher: tantivy.Searcher, hits: list[tuple[Any, Any]], ranks: Sequence[Any]
) -> list[tuple[Any, Any]]:
    """``hits`` by their ``ranks`` (one a hit, the lowest first), equal ranks in
    indexing order (``seq``)."""
    seqs = searcher.fast_field_values("seq", [address for _, address in hits])
    return [hits[n] for _, _, n in sorted(zip(ranks, seqs, range(len(hits)), strict=True))]


def _story_hit(doc: tantivy.Document) -> tuple[Paragraph, str | None]:
    """A collapsed hit's paragraph (read as a hit's, ``_paragraph``) and story id."""
    story = doc.get_first("story_id")
    return _paragraph(doc), bytes(story).decode("utf-8") if story is not None else None


def _copy_record(doc: tantivy.Document) -> CopyRecord:
    fields = _fields(doc)
    return CopyRecord(
        article_id=fields["article_id"],
        title=fields["title"],
        date=_stored_date(fields),
        source=fields.get("source"),
        url=fields.get("url"),
        story=fields.get("story") or fields["article_id"],
        signature=bytes(fields.get("signature", b"")),
    )


class _Window:
    """One ingest's writer, kept from its first write to its end (``Engine.begin``), and
    what it wrote since its last commit, as the copy planner must see it: tantivy's
    searchers read commits only.

    For each article written (a new version, a rewrite; a deletion as None) it keeps
    what its copy record is made of (``record``, made only when asked for: a few in a
    batch are), and the band keys of those with a signature in two flat arrays
    (``keys``, each key's row in ``rows``; a row is one version written), so that
    ``candidates`` finds them without a Python object per key. About 1.1 KB an article
    (its metadata kept alive, a 512-byte signature; measured on Reuters), dropped at
    each commit.
    """

    def __init__(self, writer: Any, seq: Iterator[int], token: object) -> None:
        self.writer = writer
        self.seq = seq  # continues the index's seq across the ingest's batches
        self.base = token  # the commit token when the writer was taken
        self.token = token  # the index as this writer knows it (``commit_token``)
        self.batches = 0  # written since the last commit
        # Each article's row, metadata, story and signature.
        self.written: dict[str, tuple[int, ArticleMeta, str, bytes] | None] = {}
        self.ids: list[str] = []  # each row's article
        self.keys = array.array("Q")
        self.rows = array.array("I")

    def wrote(
        self, article_id: str, paragraphs: Sequence[Paragraph], copies: ArticleCopies
    ) -> None:
        if not paragraphs:
            self.written[article_id] = None
            return
        row = len(self.ids)
        bands = copies.bands
        signature = copies.signature if bands else b""  # stored with the band keys only
        self.written[article_id] = (row, paragraphs[0].meta, copies.story, signature)
        self.ids.append(article_id)
        if bands:
            self.keys.extend(bands)
            self.rows.extend(array.array("I", (row,)) * len(bands))

    def has(self, article_id: str) -> bool | None:
        """Whether this window holds the article (None: it does not know)."""
        if article_id not in self.written:
            return None
        return self.written[article_id] is not None

    def candidates(
        self, band_keys: Collection[int], near: Callable[[datetime], bool] | None
    ) -> list[CopyRecord]:
        """The window's articles holding any of ``band_keys`` (``copy_candidates``)."""
        if not band_keys or not self.keys:
            return []
        import numpy as np  # loaded to write already (newsearch.copies)

        from ..copies.fingerprint import distinct, within

        wanted = distinct(np.fromiter(band_keys, dtype=np.uint64, count=len(band_keys)))
        keys = np.frombuffer(self.keys, dtype=np.uint64)
        rows = distinct(np.frombuffer(self.rows, dtype=np.uint32)[within(keys, wanted)])
        found = []
        for row in rows.tolist():
            article_id = self.ids[row]
            held = self.written[article_id]
            if held is None or held[0] != row:  # a later version replaced this one
                continue
            record = self.record(article_id)
            if near is None or record.date is None or near(local_time(record.date)):  # type: ignore[union-attr]
                found.append(record)
        return found  # type: ignore[return-value]

    def record(self, article_id: str) -> CopyRecord | None:
        """The article's copy record as it will read once committed (``_copy_record``)."""
        held = self.written[article_id]
        if held is None:
            return None
        _, meta, story, signature = held
        stored: dict[str, Any] = {}
        if meta.date is not None:  # as stored and read back
            _put_date(stored, meta.date)
        date = _stored_date(stored)
        return CopyRecord(article_id, meta.title, date, meta.source, meta.url, story, signature)

    def committed(self) -> None:
        """Its writes are committed: forget them (the seq and the token go on)."""
        self.batches = 0
        self.written, self.ids = {}, []
        self.keys, self.rows = array.array("Q"), array.array("I")


class _EngineErrors:
    """Turns tantivy's errors (and Rust panics) into ``newsearch.errors`` (see
    ``_engine_errors``)."""

    __slots__ = ("path", "writing")

    def __init__(self, path: Path, writing: bool) -> None:
        self.path = path
        self.writing = writing

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _: Any) -> bool:
        if exc is None:
            return False
        path = self.path
        if isinstance(exc, (ValueError, OSError)):
            detail = f"{type(exc).__name__}: {exc}"
            if self.writing:
                raise NewsearchError(f"cannot write the index in {path.parent}: {detail}") from exc
            raise IndexCorruptError(damaged_message(path, detail)) from exc
        if type(exc).__name__ != "PanicException":
            return False
        raise IndexCorruptError(damaged_message(path, f"tantivy failed: {exc}")) from exc


def _engine_errors(path: Path, writing: bool = False) -> _EngineErrors:
    """Turn tantivy's errors (and Rust panics) into ``newsearch.errors`` in a ``with``
    block. A class, not a ``contextlib`` generator: a query enters several of these
    blocks, and entering a generator's costs about 1.3 µs more."""
    return _EngineErrors(path, writing)


# From this many matches on, distinct articles are counted by an aggregation.
_AGGREGATE_FROM = 1_000
# A collapsed search first ranks this many hits (or four times the page's end).
_STORY_PREFIX = 50
_BUCKET_KEY = operator.itemgetter("key")


class _Reading(threading.local):
    """``TantivyEngine.reading``'s block: on entering, the searcher of the latest commit
    is held for the thread (one ``meta.json`` stat, where ``_searcher`` stats it at each
    read: 2.4 times a benchmark query, 2.3–4.5 µs each), and every read in the block uses
    it; a nested block keeps the outer one's. One object an engine, its state per thread."""

    searcher: tantivy.Searcher | None = None
    depth = 0

    def __init__(self, engine: TantivyEngine) -> None:
        self.engine = engine

    def __enter__(self) -> None:
        if not self.depth:
            engine = self.engine
            with _engine_errors(engine._path):
                self.searcher = engine._searcher()
        self.depth += 1

    def __exit__(self, *exc: object) -> bool:
        self.depth -= 1
        if not self.depth:
            self.searcher = None
        return False


class TantivyEngine(Engine):
    """An index stored with tantivy in ``path``."""

    name = "tantivy"

    def __init__(self, ix: tantivy.Index, path: Path) -> None:
        self._ix = ix
        self._path = path
        self._meta_file = str(path / "meta.json")
        self._schema = ix.schema
        self._lock = threading.Lock()
        nothing = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
        ix.register_tokenizer(_STORED_ONLY, nothing.filter(tantivy.Filter.remove_long(0)).build())
        self._current: tuple[Any, Any] = (None, None)  # (meta.json stamp, its searcher)
        self._read = _Reading(self)  # this thread's searcher inside ``reading`` blocks
        # Vocabularies of the commit this searcher reads.
        self._vocabularies: tuple[Any, dict[str, Vocabulary]] = (None, {})
        self._copied: tuple[Any, dict[int, int]] = (None, {})  # _stories_of_copies
        self._holding = False  # between ``begin`` and ``end``, by thread ``_holder``
        self._holder = 0
        self._window: _Window | None = None  # the kept writer, from the first write on
        self._writes = self._committed = 0  # since ``begin``: ``committed_writes``

    @classmethod
    def create(cls, path: Path) -> TantivyEngine:
        path.mkdir(parents=True, exist_ok=True)
        with _engine_errors(path, writing=True):
            return cls(tantivy.Index(_schema(), path=str(path), reuse=False), path)

    @classmethod
    def open(cls, path: Path) -> TantivyEngine:
        with _engine_errors(path):
            if not path.is_dir() or not tantivy.Index.exists(str(path)):
                raise IndexCorruptError(damaged_message(path, "no tantivy index found"))
            return cls(tantivy.Index.open(str(path)), path)

    def reading(self) -> _Reading:
        return self._read

    def _searcher(self) -> tantivy.Searcher:
        """A searcher on the latest commit (one per search: a consistent snapshot),
        reopened only when a commit came after the one it reads; inside a ``reading``
        block, the block's."""
        held = self._read.searcher
        if held is not None:
            return held
        with self._lock:
            # Every commit replaces meta.json: its stamp changes with each commit.
            meta = os.stat(self._meta_file)
            stamp = (meta.st_mtime_ns, meta.st_size, meta.st_ino)
            if self._current[0] == stamp:
                return self._current[1]
            for attempt in range(3):
                try:
                    self._ix.reload()
                    break
                except ValueError:
                    # Another process's commit may have removed files between reading
                    # the commit list and opening them: read the newer list.
                    if attempt == 2:
                        raise
            searcher = self._ix.searcher()
            self._current = (stamp, searcher)
            return searcher

    def _writer(self, lock_timeout: float) -> Any:
        """tantivy's writer, waiting up to ``lock_timeout`` seconds for its lock file."""
        deadline = time.monotonic() + lock_timeout
        while True:
            try:
                writer = self._ix.writer(heap_size=HEAP_BYTES, num_threads=1)
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise IndexLockedError(
                        "index is being written by another process; try again when it has finished"
                    ) from exc
                time.sleep(LOCK_POLL_SECONDS)
                continue
            # A writer killed during its commit leaves files that no commit refers to
            # (a deletes file named after the commit's opstamp): the next writer doing
            # the same work would fail to create the same file. tantivy deletes them
            # only after a commit; do it first.
            writer.garbage_collect_files()
            return writer

    def replace_articles(
        self, batch: ArticleBatch, *, lock_timeout: float, plan: Planner | None = None
    ) -> set[str]:
        if self._holding and self._holder == threading.get_ident():
            return self._write_held(batch, lock_timeout, plan)
        with _engine_errors(self._path):
            writer = self._writer(lock_timeout)
        try:
            articles = list(batch)  # the caller's own errors stay its own
            with _engine_errors(self._path, writing=True):
                # The lock is ours: the latest commit is the state we change.
                searcher = self._searcher()
                seq = self._next_seq(searcher)
                made = plan() if plan is not None else CopyPlan({})
                found = self._write(writer, searcher, None, articles, made, seq)
                self.last_commit = writer.commit()  # the commit's opstamp
        except BaseException:
            with contextlib.suppress(Exception):
                writer.rollback()
            raise
        finally:
            with contextlib.suppress(Exception):
                writer.wait_merging_threads()  # lets merges finish; releases the lock
        return found

    @staticmethod
    def _next_seq(searcher: tantivy.Searcher) -> Iterator[int]:
        last = searcher.search(Query.all_query(), 1, order_by_field="seq", order=Order.Desc).hits
        return itertools.count(last[0][0] + 1 if last and last[0][0] is not None else 0)

    def _write(
        self,
        writer: Any,
        searcher: tantivy.Searcher,
        window: _Window | None,
        articles: ArticleBatch,
        made: CopyPlan,
        seq: Iterator[int],
    ) -> set[str]:
        """Delete and add ``articles`` and ``made``'s rewrites (``window``: noting them
        there); the ids of ``articles`` that were in the index."""
        found = set()
        for article_id, paragraphs in articles:
            held = window.has(article_id) if window is not None else None
            if held if held is not None else self._has_article(searcher, article_id):
                found.add(article_id)
                # Also the window's own uncommitted version: tantivy applies a delete
                # to every document added before it, committed or not.
                writer.delete_documents_by_term("article_id", article_id)
            self._add(writer, article_id, paragraphs, made, seq, window)
        for article_id, paragraphs in made.rewrites:
            writer.delete_documents_by_term("article_id", article_id)
            self._add(writer, article_id, paragraphs, made, seq, window)
        return found

    # -- one writer for an ingest (``Engine.begin``) -----------------------------------

    def begin(self) -> None:
        self._holding = True
        self._holder = threading.get_ident()  # other threads write and read as before
        self._writes = self._committed = 0

    def committed_writes(self) -> int | None:
        return self._committed

    def _own_window(self) -> _Window | None:
        """The kept writer's window, to the ingest's own thread (its copy planner)."""
        window = self._window
        return window if window is not None and self._holder == threading.get_ident() else None

    def _write_held(
        self, batch: ArticleBatch, lock_timeout: float, plan: Planner | None
    ) -> set[str]:
        """``replace_articles`` into the kept writer, uncommitted (``begin``)."""
        window = self._window
        if window is None:
            with _engine_errors(self._path):
                writer = self._writer(lock_timeout)
            try:
                with _engine_errors(self._path, writing=True):
                    seq = self._next_seq(self._searcher())
                    window = _Window(writer, seq, self.commit_token())
            except BaseException:
                with contextlib.suppress(Exception):
                    writer.wait_merging_threads()
                raise
            self._window = window
        try:
            articles = list(batch)
            with _engine_errors(self._path, writing=True):
                made = plan() if plan is not None else CopyPlan({})
                # After the plan, which may have committed the window (``article``).
                searcher = self._searcher()
                found = self._write(window.writer, searcher, window, articles, made, window.seq)
        except BaseException:
            # What this batch wrote cannot be told apart from the window's earlier
            # batches: all of them go, and only commits stay.
            self._roll_back(window)
            raise
        window.batches += 1
        self._writes += 1
        window.token = (window.base, self._writes)
        self.last_commit = window.token
        return found

    def commit(self) -> None:
        window = self._window
        if window is None or not window.batches:
            return
        try:
            with _engine_errors(self._path, writing=True):
                window.writer.commit()
        except BaseException:
            self._roll_back(window)
            raise
        window.committed()
        self._committed = self._writes

    def _roll_back(self, window: _Window) -> None:
        with contextlib.suppress(Exception):
            window.writer.rollback()
        window.committed()  # nothing of it is left to see

    def end(self, *, commit: bool) -> None:
        self._holding = False
        window, self._window = self._window, None
        if window is None:
            return
        try:
            if commit:
                self._window = window  # ``commit`` rolls it back if the commit fails
                self.commit()
            else:
                self._roll_back(window)
        finally:
            self._window = None
            with contextlib.suppress(Exception):
                window.writer.wait_merging_threads()  # lets merges finish; releases the lock
            self.last_commit = self.commit_token()

    @staticmethod
    def _add(
        writer: Any,
        article_id: str,
        paragraphs: Sequence[Paragraph],
        made: CopyPlan,
        seq: Iterator[int],
        window: _Window | None = None,
    ) -> None:
        copies = made.copies.get(article_id) or ArticleCopies(story=article_id)
        add = writer.add_document
        for document in _documents(paragraphs, seq, _copy_fields(copies), copies):
            add(document)
        if window is not None:
            window.wrote(article_id, paragraphs, copies)

    def delete_articles(
        self, article_ids: Sequence[str], *, lock_timeout: float, plan: Planner | None = None
    ) -> set[str]:
        return self.replace_articles(
            [(aid, ()) for aid in article_ids], lock_timeout=lock_timeout, plan=plan
        )

    def _has_article(self, searcher: tantivy.Searcher, article_id: str) -> bool:
        # The term table rules out most ids (every one in a new build) without a search;
        # its frequency still counts deleted paragraphs, so a known id is searched.
        return bool(
            searcher.doc_freq("article_id", article_id)
            and searcher.search(self._article_query(article_id), 1, count=True).count
        )

    def _article_query(self, article_id: str) -> Query:
        return Query.term_query(self._schema, "article_id", article_id)

    def search(self, query: ast.Node, *, limit: int, offset: int, sort: Sort) -> EngineResults:
        with _engine_errors(self._path):
            searcher = self._searcher()
        compiled = self._compile(searcher, query)
        with _engine_errors(self._path):
            # tantivy refuses a limit of 0 and sizes its buffers by offset + limit.
            wanted = max(1, min(limit, searcher.num_docs))
            if offset >= searcher.num_docs:
                total, page = searcher.search(compiled, 1, count=True).count, []
            elif sort == "relevance":
                total, page = _by_score(searcher, compiled, offset, wanted)
            else:
                total, page = self._by_date(searcher, compiled, offset, wanted, sort)
            # Made without the frozen dataclass's ``__init__`` (``model.assembled``).
            doc = searcher.doc
            hits = [
                assembled(EngineHit, paragraph=_paragraph(doc(address)), score=score)
                for score, address in page[:limit]
            ]
            if offset == 0 and len(page) >= total:  # the page holds every match
                articles: int | Callable[[], int] = self._distinct(
                    searcher, compiled, total=total, ranked=page
                )
            else:
                articles = self._count_later(searcher, compiled, total)
        return EngineResults(total=total, hits=hits, articles=articles)

    def _count_later(
        self, searcher: tantivy.Searcher, query: Query, total: int
    ) -> Callable[[], int]:
        """The distinct articles of ``query``'s ``total`` matches, counted when asked for
        (``SearchResults.total_articles``) in ``searcher``'s commit."""

        def count() -> int:
            with _engine_errors(self._path):
                return self._distinct(searcher, query, total=total)

        return count

    def count(self, query: ast.Node) -> int:
        with _engine_errors(self._path):
            searcher = self._searcher()
        compiled = self._compile(searcher, query)
        with _engine_errors(self._path):
            return int(searcher.search(compiled, 1, count=True).count)

    def _compile(self, searcher: tantivy.Searcher, query: ast.Node) -> Query:
        """The tantivy query; one tantivy refuses to build is the query's fault, not damage."""
        try:
            return Compiler(searcher, self._schema).compile(query)
        except ValueError as exc:
            raise QueryRejectedError(f"the tantivy engine cannot run this query: {exc}") from exc

    def _by_date(
        self, searcher: tantivy.Searcher, query: Query, offset: int, limit: int, sort: Sort
    ) -> tuple[int, list[tuple[float, Any]]]:
        """Hits by date (undated last), ties in indexing order; scores are 0.

        tantivy sorts by the date alone. Every date but the page's last is complete in
        its top ``offset + limit``; the hits sharing that last date are fetched whole.
        """
        order = Order.Desc if sort == "newest" else Order.Asc
        found = searcher.search(query, offset + limit, order_by_field="date", order=order)
        hits = list(found.hits)
        if found.count > len(hits):
            last = hits[-1][0]
            same = (
                (Occur.MustNot, dated(self._schema, None, None))
                if last is None
                else (Occur.Must, dated(self._schema, last, last + 1))
            )
            tied = all_hits(searcher, Query.boolean_query([(Occur.Must, query), same]))
            hits = [h for h in hits if h[0] != last] + [(last, a) for _, a in tied]
        # The hits come grouped by date, in order: rank by group, then by seq.
        groups: dict[Any, int] = {}
        ranks = [groups.setdefault(date, len(groups)) for date, _ in hits]
        ranked = _in_seq_order(searcher, hits, ranks)
        return found.count, [(0.0, address) for _, address in ranked[offset : offset + limit]]

    def search_stories(
        self, query: ast.Node, *, limit: int, offset: int, sort: Sort
    ) -> EngineResults:
        with _engine_errors(self._path):
            searcher = self._searcher()
        compiled = self._compile(searcher, query)
        with _engine_errors(self._path):
            # Rank only a prefix of the hits, growing it until it holds the page's
            # stories: a story's best hit is its first in the ranking, and a prefix of
            # the ranking is the same whatever its length (ties by ``seq``).
            wanted = offset + limit
            size = max(1, min(searcher.num_docs, max(_STORY_PREFIX, 4 * wanted)))
            while True:
                total, ranked = self._ranked(searcher, compiled, size, sort)
                keys = searcher.fast_field_values("story_key", [a for _, a in ranked])
                best: dict[int, tuple[float, Any]] = {}
                for hit, key in zip(ranked, keys, strict=True):
                    best.setdefault(key, hit)
                if len(best) >= wanted or len(ranked) >= total:
                    break
                size = min(total, size * 4)
            if not total:
                return EngineResults(total=0, hits=[], articles=0, stories=0)
            page = list(best.values())[offset : offset + limit]
            found = [(*_story_hit(searcher.doc(address)), score) for score, address in page]
            members = self._story_members(searcher, [story for _, story, _ in found if story])
            hits = [
                EngineHit(paragraph, score, story, tuple(members.get(story or "", ())))
                for paragraph, story, score in found
            ]
            articles = self._article_keys(searcher, compiled, total=total, ranked=ranked)
            # Every hit ranked: each story's best hit is in ``best``.
            everything = len(ranked) >= total
            stories = len(best) if everything else self._story_count(searcher, articles)
        return EngineResults(total=total, hits=hits, articles=len(articles), stories=stories)

    def _ranked(
        self, searcher: tantivy.Searcher, query: Query, size: int, sort: Sort
    ) -> tuple[int, list[tuple[float, Any]]]:
        """How many hits ``query`` has, and the first ``size`` in ``search``'s order."""
        if sort == "relevance":
            return _by_score(searcher, query, 0, size)
        return self._by_date(searcher, query, 0, size, sort)

    def _story_count(self, searcher: tantivy.Searcher, articles: set[int]) -> int:
        """How many stories ``articles`` (keys) make: each is a story of its own but
        those in stories of several, which count once per story."""
        stories = self._stories_of_copies(searcher)
        copied = articles.intersection(stories)
        return len(articles) - len(copied) + len({stories[key] for key in copied})

    def _stories_of_copies(self, searcher: tantivy.Searcher) -> dict[int, int]:
        """The story key of each article in a story of several (by its key), once per
        commit."""
        if self._copied[0] is not searcher:
            shared = list(self._story_counts(searcher))
            query = Query.term_set_query(self._schema, "story", shared) if shared else None
            addresses = [a for _, a in all_hits(searcher, query)] if query is not None else []
            found = {}
            if addresses:
                keys = searcher.fast_field_values("article_key", addresses)
                stories = searcher.fast_field_values("story_key", addresses)
                found = dict(zip(keys, stories, strict=True))
            self._copied = (searcher, found)
        return self._copied[1]

    def _heads(
        self,
        query: Query,
        searcher: tantivy.Searcher | None = None,
        near: Callable[[datetime], bool] | None = None,
    ) -> list[CopyRecord]:
        """The copy records of the paragraph-1 documents matching ``query`` (with
        ``near``: those undated or dated where it says True)."""
        with _engine_errors(self._path):
            searcher = searcher or self._searcher()
            addresses = [address for _, address in all_hits(searcher, query)]
            if near is not None and addresses:
                # The date's fast field first: each stored record read decompresses a
                # block of the doc store, and the pages it touched stay resident.
                dates = searcher.fast_field_values("date", addresses)
                addresses = [
                    a
                    for a, d in zip(addresses, dates, strict=True)
                    if d is None or near(_datetime(d))  # type: ignore[arg-type]
                ]
            docs = (searcher.doc(address) for address in addresses)
            return [_copy_record(doc) for doc in docs if doc.get_first("story") is not None]

    def _story_members(
        self, searcher: tantivy.Searcher, stories: Iterable[str]
    ) -> dict[str, list[CopyRecord]]:
        # Most stories are one article: the term's frequency (which may still count
        # deleted articles) rules those out without reading a document.
        shared = [s for s in set(stories) if searcher.doc_freq("story", s) > 1]
        query = self._any_term("story", shared)
        found: dict[str, list[CopyRecord]] = {}
        for record in self._heads(query, searcher) if query is not None else []:
            found.setdefault(record.story, []).append(record)
        return found

    def _any_term(self, field: str, values: Iterable[str | int]) -> Query | None:
        """Documents holding any of ``values`` in ``field``, unscored (a term set: a
        boolean query of one scored clause a value held a scorer and its block buffers
        per term and segment, which a batch of wire copies made tens of thousands)."""
        wanted = sorted(set(values))
        return Query.term_set_query(self._schema, field, wanted) if wanted else None

    def copy_candidates(
        self, band_keys: Iterable[int], near: Callable[[datetime], bool] | None = None
    ) -> list[CopyRecord]:
        with _engine_errors(self._path):
            searcher = self._searcher()
            # Most keys are in no other article: a term-table lookup settles those
            # (none at all in a new index, the first batch of a build).
            keys = set(band_keys)
            present = (
                [k for k in keys if searcher.doc_freq("bands", k)] if searcher.num_docs else []
            )
        query = self._any_term("bands", present)
        found = self._heads(query, searcher, near) if query is not None else []
        window = self._own_window()
        if window is None:
            return found
        # The window's versions stand for the committed ones they replace.
        found = [r for r in found if window.has(r.article_id) is None]
        return found + window.candidates(keys, near)

    def commit_token(self) -> object:
        window = self._own_window()
        if window is not None:  # no other writer can commit while it is kept
            return window.token
        # Every commit, by any writer, raises the opstamp in meta.json; merges keep it.
        with _engine_errors(self._path), open(self._meta_file, "rb") as meta:
            return json.loads(meta.read()).get("opstamp")

    def copy_records(self, article_ids: Iterable[str]) -> dict[str, CopyRecord]:
        window = self._own_window()
        held: dict[str, CopyRecord] = {}
        if window is not None:  # the window's versions stand for the committed ones
            wanted = set(article_ids)
            for aid in [aid for aid in wanted if window.has(aid) is not None]:
                wanted.discard(aid)
                if (record := window.record(aid)) is not None:
                    held[aid] = record
            article_ids = wanted
        with _engine_errors(self._path):
            searcher = self._searcher()
            # The term table rules out ids never indexed (a batch's new articles: every
            # one in a build) without a query term each.
            keys = {paragraph_key(aid, 1) for aid in article_ids}
            present = [key for key in keys if searcher.doc_freq("key", key)]
        query = self._any_term("key", present)
        found = {r.article_id: r for r in self._heads(query, searcher)} if query is not None else {}
        return found | held

    def story_records(self, stories: Iterable[str]) -> dict[str, list[CopyRecord]]:
        with _engine_errors(self._path):
            return self._story_members(self._searcher(), stories)

    def story_sizes(self) -> dict[str, int]:
        with _engine_errors(self._path):
            return self._story_counts(self._searcher())

    @staticmethod
    def _story_counts(searcher: tantivy.Searcher) -> dict[str, int]:
        """Articles per story, for the stories of several."""
        terms = {"terms": {"field": "story", "size": _STORY_BUCKETS, "min_doc_count": 2}}
        found = searcher.aggregate(Query.all_query(), {"stories": terms})["stories"]
        return {b["key"]: b["doc_count"] for b in found["buckets"] if b["doc_count"] > 1}

    def vocabulary(self, field: str) -> Vocabulary:
        with _engine_errors(self._path):
            searcher = self._searcher()  # a new one for each new commit
            if self._vocabularies[0] is not searcher:
                self._vocabularies = (searcher, {})
            cache = self._vocabularies[1]
            if field not in cache:
                cache[field] = Vocabulary(
                    lambda term: self._term_count(searcher, field, term),
                    lambda prefix: self._read_vocabulary(searcher, field, prefix),
                )
            return cache[field]

    def _term_count(self, searcher: tantivy.Searcher, field: str, term: str) -> int:
        with _engine_errors(self._path):
            return int(searcher.doc_freq(field, term))

    def _read_vocabulary(
        self, searcher: tantivy.Searcher, field: str, prefix: str
    ) -> dict[str, int]:
        with _engine_errors(self._path):
            return dict(searcher.terms_with_prefix(field, prefix))

    def article(self, article_id: str) -> list[Paragraph]:
        window = self._own_window()
        if window is not None and window.has(article_id) is not None:
            # The window keeps no paragraphs (they would cost far more memory than its
            # records): commit it to read them. The copy planner asks for an article
            # only to rewrite its story, which no build of Reuters did.
            self.commit()
        with _engine_errors(self._path):
            searcher = self._searcher()
            hits = all_hits(searcher, self._article_query(article_id))
            docs = [_paragraph(searcher.doc(address)) for _, address in hits]
        return sorted(docs, key=lambda p: p.number)

    def group_counts(self, query: ast.Node, by: Group, *, unit: Unit) -> GroupCounts:
        with _engine_errors(self._path):
            searcher = self._searcher()
        compiled = self._compile(searcher, query)
        with _engine_errors(self._path):
            if unit == "paragraphs":
                return self._aggregate(searcher, compiled, by)
            key = "story_key" if unit == "stories" else "article_key"
            if by == "role":  # the one group that differs between an article's paragraphs
                counts = {}
                for role in ROLES:
                    only = all_of(
                        Occur.Must, [compiled, Query.term_query(self._schema, "role", role)]
                    )
                    if found := self._distinct(searcher, only, key):
                        counts[role] = found
                return GroupCounts(counts, 0, self._distinct(searcher, compiled, key))
            first = Query.term_query(self._schema, "paragraph", 1)
            if article_level(query):
                # Each matching article counted through its first paragraph, which has
                # the same day and metadata as every other.
                leads = all_of(Occur.Must, [first, compiled])
                if unit == "stories":
                    return self._count_stories(searcher, leads, by)
                return self._aggregate(searcher, leads, by)
            addresses = [address for _, address in all_hits(searcher, compiled)]
            keys = searcher.fast_field_values("article_key", addresses) if addresses else []
            if by == "day":  # numeric: pair each paragraph's article with its day
                days = dict(zip(keys, searcher.fast_field_values("day", addresses), strict=True))
                if unit == "stories":
                    stories = searcher.fast_field_values("story_key", addresses)
                    return _story_days(days, dict(zip(keys, stories, strict=True)))
                dated = Counter(day for day in days.values() if day is not None)
                return GroupCounts(dict(dated), len(days) - dated.total(), len(days))
            if not keys:
                return GroupCounts({}, 0, 0)
            # Text values are counted by tantivy: over the first paragraphs of the articles.
            matching = Query.term_set_query(self._schema, "article_key", sorted(set(keys)))
            leads = all_of(Occur.Must, [first, matching])
            if unit == "stories":
                return self._count_stories(searcher, leads, by)
            return self._aggregate(searcher, leads, by, matched=len(set(keys)))

    def _distinct(
        self,
        searcher: tantivy.Searcher,
        query: Query,
        key: str = "article_key",
        total: int | None = None,
        ranked: Sequence[tuple[float, Any]] = (),
    ) -> int:
        """How many distinct ``key`` values the matches of ``query`` hold (``total``:
        how many matches there are, when already known; ``ranked``: hits already found).

        Many matches are counted by tantivy's terms aggregation (its buckets are exact
        when there may be as many as there are matches); few by reading their values,
        which is quicker than building an aggregation's answer.
        """
        if total is None:
            total = int(searcher.search(query, 1, count=True).count)
        if len(ranked) < total:
            buckets = self._key_buckets(searcher, query, key, total)
            if buckets is not None:
                return len(buckets)
        return len(self._article_keys(searcher, query, key, total=total, ranked=ranked))

    def _article_keys(
        self,
        searcher: tantivy.Searcher,
        query: Query,
        key: str = "article_key",
        *,
        total: int | None = None,
        ranked: Sequence[tuple[float, Any]] = (),
    ) -> set[int]:
        """The distinct ``key`` values of the matches (``total``: their number, if known);
        many are gathered by an aggregation, as in ``_distinct``. ``ranked`` (hits
        already found) are read instead of searching again when they are every match."""
        if total is None or len(ranked) < total:
            buckets = self._key_buckets(searcher, query, key, total)
            if buckets is not None:
                return set(map(_BUCKET_KEY, buckets))  # integers already
            ranked = all_hits(searcher, query, total)
        addresses = [address for _, address in ranked]
        return set(searcher.fast_field_values(key, addresses)) if addresses else set()

    @staticmethod
    def _key_buckets(
        searcher: tantivy.Searcher, query: Query, key: str, total: int | None
    ) -> list[dict[str, Any]] | None:
        """One bucket per distinct ``key`` value of the ``total`` matches, from tantivy's
        terms aggregation, when there are more than ``_AGGREGATE_FROM`` and the buckets
        are exact (nothing left over); else None."""
        if total is None or total <= _AGGREGATE_FROM:
            return None
        spec = {"terms": {"field": key, "size": total, "segment_size": total}}
        found = searcher.aggregate(query, {"keys": spec})["keys"]
        return None if found.get("sum_other_doc_count") else found["buckets"]

    def _count_stories(self, searcher: tantivy.Searcher, leads: Query, by: Group) -> GroupCounts:
        """Distinct stories of the articles ``leads`` (their first paragraphs), by ``by``:
        tantivy's terms aggregation with the stories as a sub-aggregation."""
        stories = {"terms": {"field": "story_key", "size": MAX_GROUPS}}
        terms: dict[str, Any] = {"field": GROUP_FIELDS[by], "size": MAX_GROUPS}
        if by != "day":
            terms["missing"] = _NO_VALUE
        found = searcher.aggregate(leads, {"groups": {"terms": terms, "aggs": {"s": stories}}})
        counts = {b["key"]: len(b["s"]["buckets"]) for b in found["groups"]["buckets"]}
        matched = self._distinct(searcher, leads, "story_key")
        if by == "day":
            undated = Query.boolean_query(
                [(Occur.Must, leads), (Occur.MustNot, dated(self._schema, None, None))]
            )
            missing = self._distinct(searcher, undated, "story_key")
            days = {
                int(b["key"]): frozenset(int(s["key"]) for s in b["s"]["buckets"])
                for b in found["groups"]["buckets"]
            }
            return GroupCounts({d: len(s) for d, s in days.items()}, missing, matched, days)
        missing = counts.pop(_NO_VALUE, 0)
        return GroupCounts(counts, missing, matched)

    def _aggregate(
        self, searcher: tantivy.Searcher, query: Query, by: Group, matched: int | None = None
    ) -> GroupCounts:
        """Documents of ``query`` (``matched`` of them, if known) counted by ``by`` with
        tantivy's terms aggregation."""
        terms: dict[str, Any] = {"field": GROUP_FIELDS[by], "size": MAX_GROUPS}
        if by != "day":
            terms["missing"] = _NO_VALUE
        found = searcher.aggregate(query, {"groups": {"terms": terms}})["groups"]
        counts = {bucket["key"]: bucket["doc_count"] for bucket in found["buckets"]}
        if matched is None:
            matched = searcher.search(query, 1, count=True).count
        if by == "day":
            counts = {int(day): n for day, n in counts.items()}
            missing = matched - sum(counts.values())  # one day each; the rest are undated
        else:
            missing = counts.pop(_NO_VALUE, 0)
        return GroupCounts(counts, missing, matched)

    def doc_frequencies(self, terms: Collection[str]) -> tuple[int, dict[str, int]]:
        with _engine_errors(self._path):
            searcher = self._searcher()
            return searcher.num_docs, {term: searcher.doc_freq("text", term) for term in terms}

    def stats(self) -> EngineStats:
        with _engine_errors(self._path):
            searcher = self._searcher()
            titles = Query.term_query(self._schema, "role", "title")
            articles = searcher.search(titles, 1, count=True).count
            with_date = all_of(Occur.Must, [titles, dated(self._schema, None, None)])
            first, last = (
                searcher.search(with_date, 1, order_by_field="date", order=order).hits
                for order in (Order.Asc, Order.Desc)
            )
            terms = {"terms": {"field": "source_key", "size": _SOURCE_BUCKETS}}
            by_source = searcher.aggregate(titles, {"sources": terms})["sources"]
            sources = Counter({b["key"]: b["doc_count"] for b in by_source["buckets"]})
            if by_source["sum_other_doc_count"]:  # more sources than buckets: count them all
                docs = (searcher.doc(address) for _, address in all_hits(searcher, titles))
                sources = Counter(s for doc in docs if (s := doc.get_first(stored_field("source"))))
            paragraphs = searcher.num_docs
        return EngineStats(
            articles=articles,
            paragraphs=paragraphs,
            first_date=_datetime(first[0][0]) if first else None,
            last_date=_datetime(last[0][0]) if last else None,
            sources=dict(sorted(sources.items(), key=lambda item: (-item[1], item[0]))),
        )

    def close(self) -> None:
        with self._lock:
            self._ix = None  # type: ignore[assignment]
            self._current = (None, None)


def _story_days(days: dict[int, int | None], stories: dict[int, int]) -> GroupCounts:
    """Stories per day from each matching article's day and story: a story counts once
    on each day one of its articles ran."""
    per_day: dict[int, set[int]] = {}
    for article, day in days.items():
        if day is not None:
            per_day.setdefault(day, set()).add(stories[article])
    every = set(stories.values())
    dated_stories = set().union(*per_day.values())
    return GroupCounts(
        {day: len(found) for day, found in per_day.items()},
        len(every - dated_stories),
        len(every),
        {day: frozenset(found) for day, found in per_day.items()},
    )
