"""The public facade: ``Index`` ties readers, paragraphs, the query parser, an engine and
the highlighter together. It is the one place that knows about all of them."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from . import significance, suggest
from .engines import DEFAULT_ENGINE, engine_class
from .engines.base import SORTS, UNITS, CopyRecord, Engine, EngineHit, Sort, Unit
from .errors import IndexCorruptError, IndexNotFoundError, InputError, NewsearchError
from .highlight import SNIPPET_CHARS, Highlighter
from .lexicon import Lexicon, resolve
from .model import (
    Article,
    Copy,
    Hit,
    IndexReport,
    IndexStats,
    InputWarning,
    Paragraph,
    SearchResults,
    SkippedInput,
    Snippet,
    Suggestion,
    assembled,
    parse_anchor,
)
from .query import ast, date_range, parse
from .query.habits import FEW_HITS, lowercase_operators, operator_note
from .query.parser import make_and

if TYPE_CHECKING:  # the readers load at the first add: queries never need them
    from . import analytics, copies
    from .readers import Parsed, ReadProgress

FORMAT_VERSION = 10
META_FILE = "newsearch.json"
DATA_DIR = "data"
DEFAULT_INDEX = "indexes/default"
INDEX_ENV = "NEWSEARCH_INDEX"
# Articles are written in batches of whole articles (on whoosh a batch is one writer
# and one commit). Larger batches mean fewer segments and merges; memory stays bounded.
BATCH_PARAGRAPHS = 20_000
# An engine that keeps one writer for an ingest (``Engine.begin``: tantivy) commits the
# batches written once this many seconds have passed since its last commit, or once
# they hold this many articles, and at the end: each commit makes tantivy write what it
# holds while the indexer waits (seven commits were 2.8-4.0 s of a 12-16 s build of
# Reuters). A crash or Ctrl-C loses what is not committed; a reader sees the articles
# at the commit; another writer waits for the whole ingest.
COMMIT_SECONDS = 20.0
COMMIT_ARTICLES = 50_000
# A paragraph longer than this is not news text (a pasted dump, an encoded blob).
MAX_PARAGRAPH_CHARS = 100_000
DEFAULT_LOCK_TIMEOUT = 10.0

DateLike = str | date | datetime | None
# Called with the run's report after each batch written and at the end: its counts are
# what is committed, ``pending`` the paragraphs written since the last commit.
Progress = Callable[[IndexReport], None]


def default_index_path() -> Path:
    """``$NEWSEARCH_INDEX`` if set, else ``indexes/default``."""
    return Path(os.environ.get(INDEX_ENV) or DEFAULT_INDEX)


def _read_meta(path: Path) -> dict[str, Any]:
    try:
        meta: dict[str, Any] = json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(
            f"cannot read {path / META_FILE}: {exc}; rebuild the index with "
            f"'newsearch index --rebuild --index {path} FILES…'"
        ) from exc
    if meta.get("format") != FORMAT_VERSION:
        raise IndexCorruptError(
            f"index {path} has format version {meta.get('format')!r}, this newsearch reads "
            f"version {FORMAT_VERSION}; rebuild it with "
            f"'newsearch index --rebuild --index {path} FILES…'"
        )
    return meta


def _write_meta(path: Path, meta: dict[str, Any]) -> None:
    tmp = path / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path / META_FILE)


def _recorded_engine(path: Path) -> str | None:
    """The engine an index (even a damaged or outdated one) records, if it can be read."""
    try:
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    engine = meta.get("engine") if isinstance(meta, dict) else None
    return engine if isinstance(engine, str) else None


# Stems that versions before newsearch.stemmer cached beside the index.
_OLD_STEMS_FILE = "stems.tsv"


def remove_index(path: Path) -> None:
    """Delete an index's own files (its metadata and engine data), nothing else."""
    import shutil  # not with the module: a query never needs it (bz2, lzma)

    shutil.rmtree(path / DATA_DIR, ignore_errors=True)
    (path / _OLD_STEMS_FILE).unlink(missing_ok=True)
    (path / META_FILE).unlink(missing_ok=True)


def checked(article: Article) -> Article:
    """An article given through the library, checked: it has a title and a usable date
    (made ``readers.dates.fixed_offset``); raises ``InputError`` otherwise."""
    if not isinstance(article, Article):
        raise InputError(f"expected an Article, not {type(article).__name__}")
    name = f"article {article.id!r}" if article.id else "an article"
    if not isinstance(article.title, str) or not article.title.strip():
        raise InputError(f"{name} has no title; every article needs one")
    if isinstance(article.body, str):  # it would be read as one paragraph per character
        raise InputError(f"{name} has a str body; give its paragraphs as a tuple of str")
    if article.date is None or (type(article.date) is datetime and article.date.tzinfo is None):
        return article  # already what fixed_offset makes of it (naive: its own clock)
    from .readers.dates import fixed_offset

    if not isinstance(article.date, (date, datetime)):
        raise InputError(
            f"{name} has a date of type {type(article.date).__name__}; use a datetime or date"
        )
    return replace(article, date=fixed_offset(article.date))


def _batch_bodies(batch: dict[str, list[Paragraph]]) -> list[list[int]]:
    """Each article's body (copy detection's input, ``fingerprint.in_body``) as the
    numbers of its paragraphs in ``_batch_texts``."""
    from .copies.fingerprint import in_body  # numpy: loaded to write, never to query

    bodies, number = [], 0
    for paragraphs in batch.values():
        bodies.append([number + n for n, p in enumerate(paragraphs) if in_body(p)])
        number += len(paragraphs)
    return bodies


def _batch_texts(batch: dict[str, list[Paragraph]]) -> list[str]:
    """The texts an engine analyses for a batch: paragraphs and each article's title
    (once: a title is its article's paragraph 1 when it has one)."""
    texts = [p.text for paragraphs in batch.values() for p in paragraphs]
    texts.extend(ps[0].title for ps in batch.values() if ps and ps[0].text != ps[0].title)
    return texts


class _Interrupts:
    """Ctrl-C while articles are written, never lost.

    Python raises ``KeyboardInterrupt`` wherever the main thread is when the signal
    comes, and one raised inside a finalizer (``__del__``: whoosh's file lock has one,
    run as each commit ends) is printed as "Exception ignored" and dropped, so the run
    went on as if never interrupted. While it is open, this hands such a dropped
    interrupt to ``check`` instead of printing it; ``checked`` checks before each item.
    """

    def __init__(self) -> None:
        self.seen = False
        self._previous = sys.unraisablehook
        sys.unraisablehook = self._unraisable

    def _unraisable(self, unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            self.seen = True
        else:
            self._previous(unraisable)

    def check(self) -> None:
        """Raise the interrupt a finalizer dropped, if one did."""
        if self.seen:
            raise KeyboardInterrupt

    def checked(self, items: Iterable[Parsed]) -> Iterator[Parsed]:
        for item in items:
            self.check()
            yield item

    def close(self) -> None:
        if sys.unraisablehook == self._unraisable:
            sys.unraisablehook = self._previous


class _Written:
    """The counts of the batches an ingest wrote, joining its report once committed (the
    paragraphs written meanwhile are its ``pending``): an engine that keeps one writer
    (``Engine.begin``) commits several batches at once, so the report never counts what
    a crash or Ctrl-C would lose."""

    def __init__(self, engine: Engine, report: IndexReport, progress: Progress | None) -> None:
        self.engine = engine
        self.report = report
        self.progress = progress
        self.counted = 0  # batches written and committed
        self.waiting: list[tuple[int, int, int]] = []  # added, replaced, paragraphs
        self.articles = 0  # in the batches waiting
        self.since = time.monotonic()  # the last commit seen

    def batch(self, added: int, replaced: int, articles: Iterable[list[Paragraph]]) -> None:
        paragraphs = sum(map(len, articles))
        self.waiting.append((added, replaced, paragraphs))
        self.articles += added + replaced
        self.report.pending += paragraphs

    def settle(self) -> None:
        """Count the batches the engine has committed."""
        through = self.engine.committed_writes()
        done = len(self.waiting) if through is None else through - self.counted
        if done <= 0:
            return
        report = self.report
        for added, replaced, paragraphs in self.waiting[:done]:
            report.added += added
            report.replaced += replaced
            report.paragraphs += paragraphs
            report.pending -= paragraphs
            self.articles -= added + replaced
        del self.waiting[:done]
        self.counted += done
        self.since = time.monotonic()

    def shown(self) -> None:
        """Tell ``progress`` how the run stands (after each batch written, and at the end)."""
        if self.progress is not None:
            self.progress(self.report)


class Index:
    """A newsearch index on disk: add articles, search them, show, delete, stats.

    >>> index = Index.open("indexes/default", create=True)
    >>> index.add_paths(["seeds/"]).added
    1
    """

    def __init__(self, path: Path, engine: Engine, *, lock_timeout: float) -> None:
        self.path = path
        self.engine = engine
        self.lock_timeout = lock_timeout
        self.batch_paragraphs = BATCH_PARAGRAPHS
        # 0: commit every batch (what an engine without ``begin`` does anyway).
        self.commit_seconds = COMMIT_SECONDS
        # Analyse in a worker process (a second core) when the input spans several
        # batches; the index is the same either way.
        self.analysis_process = True
        # Syndicated-copy detection while indexing (newsearch.copies); off, every
        # article is its own story and has no fingerprint.
        self.detect_copies = True
        # The band keys this writer knows to be committed (made when first writing).
        self._known_keys: copies.KnownKeys | None = None
        self._lexicons: dict[tuple[str, str], tuple[object, Lexicon]] = {}
        # Rank paragraphs holding the word as typed above those with only its stem.
        self.prefer_exact = True

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        create: bool = False,
        engine: str | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        rebuild: bool = False,
    ) -> Index:
        """Open the index at ``path`` (default ``$NEWSEARCH_INDEX`` or ``indexes/default``).

        With ``create=True`` a missing index is created, with ``engine`` (default
        whoosh). Opening an existing index uses the engine recorded in it.
        ``rebuild=True`` deletes the index's files first (even a damaged or outdated
        index) and creates it anew, with the engine it recorded unless ``engine`` says
        otherwise. A writer waits up to ``lock_timeout`` seconds for
        another process's write lock.
        """
        where = Path(path) if path is not None else default_index_path()
        if rebuild:
            engine = engine or _recorded_engine(where)  # a rebuild keeps the engine
            remove_index(where)
            create = True
        if not (where / META_FILE).exists():
            if not create:
                raise IndexNotFoundError(
                    f"no index at {where}; create one with 'newsearch index --index {where} FILES…'"
                )
            return cls._create(where, engine or DEFAULT_ENGINE, lock_timeout)
        meta = _read_meta(where)
        recorded = meta.get("engine", DEFAULT_ENGINE)
        if engine is not None and engine != recorded:
            raise NewsearchError(
                f"index {where} uses the {recorded} engine, not {engine}; "
                f"rebuild it with 'newsearch index --rebuild --engine {engine}' to switch"
            )
        adapter = engine_class(recorded).open(where / DATA_DIR)
        return cls(where, adapter, lock_timeout=lock_timeout)

    @classmethod
    def _create(cls, where: Path, engine: str, lock_timeout: float) -> Index:
        adapter_class = engine_class(engine)
        where.mkdir(parents=True, exist_ok=True)
        adapter = adapter_class.create(where / DATA_DIR)
        _write_meta(where, {"format": FORMAT_VERSION, "engine": engine})
        return cls(where, adapter, lock_timeout=lock_timeout)

    def close(self) -> None:
        """Release the engine's files."""
        self.engine.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- adding ------------------------------------------------------------------------

    def add(self, article: Article) -> IndexReport:
        """Index one article (replacing an earlier copy with the same id).

        Raises ``InputError`` for an article without a title or with a date that is not
        a ``datetime``/``date``. A tz-aware date keeps its own clock and offset.
        """
        return self.add_articles([article])

    def add_articles(
        self, articles: Iterable[Article], *, progress: Progress | None = None
    ) -> IndexReport:
        """Index articles from any iterable, streaming, in batches of whole articles.

        An article without a title raises ``InputError``; the articles before it are
        indexed, none after it.
        """
        from .readers import Parsed

        parsed = (Parsed(where=a.id or a.title[:60], article=a) for a in map(checked, articles))
        return self._ingest(parsed, progress)

    def add_paths(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        source: str | None = None,
        progress: Progress | None = None,
        workers: int = 1,
        language: str | None = None,
        reading: ReadProgress | None = None,
    ) -> IndexReport:
        """Index files and folders (recursively): plain text, JSON, JSON Lines, web pages
        (``.html``) and WARC crawls (``.warc.gz``).

        Raises ``InputError`` before indexing anything if a path does not exist; a bad
        file is skipped with a reason in the report and the rest is indexed. ``workers``
        processes extract web pages; ``language`` (``"en"``) keeps only articles in that
        language; ``reading`` is kept up to date with records and bytes read.
        """
        from .readers import read_paths

        items = read_paths(
            [Path(p) for p in paths],
            source=source,
            workers=workers,
            language=language,
            progress=reading,
            exclude=[self.path],  # an index under an indexed folder never reads itself
        )
        return self._ingest(items, progress)

    def add_stream(
        self,
        stream: IO[str] | IO[bytes],
        *,
        source: str | None = None,
        where: str = "<stdin>",
        progress: Progress | None = None,
        language: str | None = None,
    ) -> IndexReport:
        """Index JSON Lines (one article per line) from a stream; ``language`` keeps only
        articles in that language."""
        from .readers import read_stream
        from .readers.pipeline import settle

        items = read_stream(stream, where=where, source=source)
        return self._ingest(settle(items, language=language), progress)

    def _ingest(self, items: Iterable[Parsed], progress: Progress | None) -> IndexReport:
        from .parallel import Pipeline  # subprocess, pickle, ctypes: for writing only

        report = IndexReport()
        started = time.perf_counter()
        batch: dict[str, list[Paragraph]] = {}
        pending = 0
        written = _Written(self.engine, report, progress)
        pipeline = Pipeline(
            lambda b: self._flush(b, written),
            _batch_texts,
            self.analysis_process,
            _batch_bodies if self.detect_copies else None,
            lambda b: self.engine.worker_job(list(b.items())),
            self.engine.prepared,
        )
        interrupts = _Interrupts()
        self.engine.begin()
        try:
            for item in interrupts.checked(items):
                report.warnings.extend(InputWarning(item.where, w) for w in item.warnings)
                prepared = self._prepare(item, report)
                if prepared is None:
                    continue
                article_id, paragraphs = prepared
                if article_id in batch:
                    # The same article twice in one batch: the later copy wins.
                    pending -= len(batch.pop(article_id))
                    report.replaced += 1
                batch[article_id] = paragraphs
                pending += len(paragraphs)
                if pending >= self.batch_paragraphs:
                    pipeline.submit(batch, more=True)
                    batch, pending = {}, 0
            interrupts.check()
            pipeline.submit(batch, more=False)
            pipeline.finish()
            self._end(written, commit=True)
        except KeyboardInterrupt:
            report.interrupted = True  # what is not committed yet is rolled back
        except InputError:
            pipeline.submit(batch, more=False)  # the whole articles read before it
            pipeline.finish()
            self._end(written, commit=True)
            raise
        except Exception:
            # The whole batches written are kept (an error while writing or committing
            # one has rolled back everything uncommitted already).
            self._end(written, commit=True)
            raise
        finally:
            pipeline.close()
            interrupts.close()
            self._end(written, commit=False)  # after Ctrl-C (or once ended: nothing)
        report.seconds = time.perf_counter() - started
        return report

    def _end(self, written: _Written, *, commit: bool) -> None:
        """Commit or roll back what the engine holds uncommitted, and let its writer go."""
        before = self.engine.last_commit
        try:
            self.engine.end(commit=commit)
        finally:
            if self._known_keys is not None:
                self._known_keys.renamed(before, self.engine.last_commit)
            written.settle()
            if written.report.pending:  # rolled back: Ctrl-C, or a failed write
                written.report.pending = 0
            elif commit:
                written.shown()

    def _prepare(self, item: Parsed, report: IndexReport) -> tuple[str, list[Paragraph]] | None:
        if item.article is None:
            report.skipped.append(item.as_skipped())
            return None
        from . import paragraphs as paragraphs_mod  # to write only: hashlib, OpenSSL

        article_id = paragraphs_mod.article_id(item.article)
        paragraphs = paragraphs_mod.split_article(item.article, article_id)
        if not paragraphs:
            report.skipped.append(SkippedInput(item.where, "no paragraphs"))
            return None
        longest = max(len(p.text) for p in paragraphs)
        if longest > MAX_PARAGRAPH_CHARS:
            report.skipped.append(
                SkippedInput(
                    item.where,
                    f"a paragraph of {longest:,} characters is over the "
                    f"{MAX_PARAGRAPH_CHARS:,}-character limit",
                )
            )
            return None
        return article_id, paragraphs

    def _flush(self, batch: dict[str, list[Paragraph]], written: _Written) -> None:
        if not batch:
            return
        from . import copies as copies_mod  # numpy: loaded to write, never to query

        if self.detect_copies:
            plan = copies_mod.Planner(self.engine, batch, known=self._known())
        else:
            # Not compared: each article is its own story; the copies of the versions it
            # replaces still get their stories re-assigned.
            plan = copies_mod.Planner(self.engine, {}, deleted=batch, known=self._known())
        existing = self.engine.replace_articles(
            list(batch.items()), lock_timeout=self.lock_timeout, plan=plan
        )
        plan.committed()
        written.batch(len(batch) - len(existing), len(existing), batch.values())
        written.settle()
        if written.waiting and (
            time.monotonic() - written.since >= self.commit_seconds
            or written.articles >= COMMIT_ARTICLES
        ):
            self.engine.commit()
            written.settle()
        written.shown()

    def _known(self) -> copies.KnownKeys:
        if self._known_keys is None:
            from . import copies as copies_mod

            self._known_keys = copies_mod.KnownKeys()
        return self._known_keys

    # -- deleting and reading ----------------------------------------------------------

    def delete(self, *article_ids: str) -> set[str]:
        """Delete articles (all their paragraphs, in one commit); return the ids found.

        Their former copies get their stories re-assigned in the same commit.
        """
        from . import copies as copies_mod

        plan = copies_mod.Planner(self.engine, {}, deleted=article_ids, known=self._known())
        found = self.engine.delete_articles(
            list(article_ids), lock_timeout=self.lock_timeout, plan=plan
        )
        plan.committed()
        return found

    def article(self, article_id: str, *, context: int | None = None) -> list[Paragraph]:
        """Every paragraph of an article in order; empty when it is not indexed.

        ``article_id`` may be a hit's anchor (``ID#p7``): its article, or with
        ``context=N`` only paragraph 7 and N paragraphs either side; empty when the
        article has no paragraph 7.
        """
        found = self.engine.article(article_id)
        anchor = parse_anchor(article_id)
        if found or anchor is None:
            return found
        article_id, number = anchor
        found = self.engine.article(article_id)
        if number not in {p.number for p in found}:
            return []
        if context is None:
            return found
        return [p for p in found if abs(p.number - number) <= context]

    def stats(self) -> IndexStats:
        """Articles, paragraphs, date span, sources and size on disk."""
        counts = self.engine.stats()
        stories = self.engine.story_sizes()
        largest = min(stories.items(), key=lambda item: (-item[1], item[0]), default=None)
        size = sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())
        return IndexStats(
            path=str(self.path),
            engine=self.engine.name,
            articles=counts.articles,
            paragraphs=counts.paragraphs,
            first_date=counts.first_date,
            last_date=counts.last_date,
            sources=counts.sources,
            size_bytes=size,
            stories_with_copies=len(stories),
            largest_story=largest,
        )

    def copies(self, article_id: str) -> list[Copy]:
        """The other articles of ``article_id``'s story, earliest first, each with its
        similarity to it. Raises ``NewsearchError`` when the article is not indexed."""
        record = self.engine.copy_records([article_id]).get(article_id)
        if record is None:
            raise NewsearchError(f"no article with id {article_id!r} in the index")
        members = self.engine.story_records([record.story]).get(record.story, [])
        return _copies_of(record, members)

    # -- searching ---------------------------------------------------------------------

    def lexicon(self, field: str = "text", prefix: str = "") -> Lexicon:
        """The index terms of a text field with their paragraph counts (kept per commit);
        with ``prefix``, only the terms that start with it (the rest is not read)."""
        counts = self.engine.vocabulary(field)
        cached = self._lexicons.get((field, prefix))
        if cached is None or cached[0] is not counts:
            cached = (counts, Lexicon(counts.starting_with(prefix) if prefix else counts))
            self._lexicons[field, prefix] = cached
        return cached[1]

    def search(
        self,
        query: str,
        *,
        since: DateLike = None,
        until: DateLike = None,
        limit: int = 10,
        offset: int = 0,
        sort: Sort = "relevance",
        context: int = 0,
        highlight: bool = True,
        expand: bool = False,
        collapse: bool = False,
    ) -> SearchResults:
        """Parse ``query``, run it and return one page of highlighted paragraph hits.

        ``since``/``until`` are inclusive dates (``"2024-02"``, ``date(2024, 2, 9)``);
        ``sort`` is ``relevance``, ``newest`` or ``oldest``; ``context`` adds that many
        neighbouring paragraphs to each hit. ``collapse=True`` gives one hit per story (its
        best-ranked paragraph; ``limit`` and ``offset`` then count stories), each with the
        story's other articles as ``copies``, and ``total_stories``. ``expand`` widens the
        query with words of its best paragraphs (``newsearch.expansion``); highlights
        still mark only the query's own words. When few paragraphs match,
        ``suggestions`` holds corrected queries (``newsearch.suggest``). Raises
        ``QuerySyntaxError`` for a bad query.
        """
        if limit < 0 or offset < 0 or context < 0:
            raise NewsearchError("limit, offset and context must not be negative")
        if sort not in SORTS:
            raise NewsearchError(f"unknown sort {sort!r} (choose from {', '.join(SORTS)})")
        dates = date_range(since, until)
        # One commit for the whole search: its words resolved, its hits and its
        # suggestions (the engine looks for a new commit once, not at each read).
        with self.engine.reading():
            node = self._node(query, dates)
            if expand:
                from . import expansion

                searched = expansion.expanded(self.engine, node, self.lexicon())
            else:
                searched = node
            if collapse:
                found = self.engine.search_stories(searched, limit=limit, offset=offset, sort=sort)
            else:
                found = self.engine.search(searched, limit=limit, offset=offset, sort=sort)
            articles: dict[str, list[Paragraph]] = {}
            hits = []
            highlighter = Highlighter(node) if highlight else None
            for engine_hit in found.hits:
                p = engine_hit.paragraph
                if highlighter is not None:
                    spans, snippet = highlighter(p.text)
                else:
                    spans, snippet = (), Snippet(p.text[:SNIPPET_CHARS])
                neighbours: tuple[Paragraph, ...] = ()
                if context:
                    if p.article_id not in articles:
                        articles[p.article_id] = self.article(p.article_id)
                    neighbours = tuple(
                        q
                        for q in articles[p.article_id]
                        if q.number != p.number and abs(q.number - p.number) <= context
                    )
                hits.append(Hit.of(p, engine_hit.score, spans, snippet, neighbours))
            if collapse:
                hits = [self._collapsed(h, e) for h, e in zip(hits, found.hits, strict=True)]
            suggestions = self._suggestions(query, node, dates, found.total, offset)
        # Made without the frozen dataclass's ``__init__`` (``model.assembled``).
        return assembled(
            SearchResults,
            query=query,
            total=found.total,
            offset=offset,
            limit=limit,
            hits=tuple(hits),
            article_count=found.articles,
            suggestions=suggestions,
            notes=_notes(query, found.total),
            total_stories=found.stories,
        )

    def _suggestions(
        self, query: str, node: ast.Node, dates: ast.DateRange | None, total: int, offset: int
    ) -> tuple[Suggestion, ...]:
        """Did-you-mean queries for a first page with few hits (``newsearch.suggest``)."""
        if offset or total >= suggest.FEW_HITS:
            return ()

        def count(corrected: str) -> int:
            return self.engine.count(self._node(corrected, dates))

        def words(initial: str) -> Lexicon:
            return self.lexicon(ast.EXACT_FIELD, initial)

        paragraphs = self.engine.doc_frequencies(())[0]
        return tuple(suggest.suggest(query, node, words, count, paragraphs))

    @staticmethod
    def _collapsed(hit: Hit, found: EngineHit) -> Hit:
        """A collapsed result: the hit with its story id and the story's other articles."""
        own = next((m for m in found.members if m.article_id == hit.article_id), None)
        copies = tuple(_copies_of(own, found.members)) if own is not None else ()
        return replace(hit, story=found.story or hit.article_id, copies=copies)

    def _node(
        self, query: str, dates: ast.DateRange | None, *, everything: bool = False
    ) -> ast.Node:
        """The AST of ``query`` within ``dates``, its words resolved against the index's
        vocabulary (``lexicon.resolve``). An empty query is only a date filter, or with
        ``everything`` may match every paragraph."""
        if not query.strip() and (dates is not None or everything):
            return dates or ast.MatchAll()
        node = parse(query) if dates is None else make_and([parse(query), dates]) or dates
        # Each field's lexicon asked for once (one commit's, whatever the words): asking
        # ``lexicon`` checks for a new commit, and resolving asks for each word.
        lexicons: dict[str, Lexicon] = {}

        def lexicon(field: str) -> Lexicon:
            found = lexicons.get(field)
            if found is None:
                found = lexicons[field] = self.lexicon(field)
            return found

        return resolve(node, lexicon, prefer_exact=self.prefer_exact)

    # -- coverage ----------------------------------------------------------------------

    def timeline(
        self,
        query: str | Sequence[str],
        *,
        interval: analytics.Interval = "day",
        since: DateLike = None,
        until: DateLike = None,
        unit: Unit = "articles",
    ) -> analytics.Timeline:
        """Matching and total articles (or paragraphs) per day, week, month or year.

        Several queries share their buckets: ``index.timeline(["Rafah", "Gaza"])``.
        Buckets run from ``since`` (else the first dated article) to ``until`` (else the
        last), empty ones included; weeks start on Monday; days are articles' own dates.
        """
        from . import analytics  # the coverage methods' module, loaded when first used

        _choice("interval", interval, analytics.INTERVALS)
        _choice("unit", unit, UNITS)
        queries = [query] if isinstance(query, str) else list(query)
        if not queries:
            raise NewsearchError("give at least one query")
        dates = date_range(since, until)
        nodes = [(q, self._node(q, dates, everything=True)) for q in queries]
        return analytics.timeline(self.engine, nodes, interval=interval, unit=unit, dates=dates)

    def facets(
        self,
        query: str,
        by: analytics.FacetBy = "source",
        *,
        limit: int = 20,
        since: DateLike = None,
        until: DateLike = None,
        unit: analytics.FacetUnit = "articles",
    ) -> analytics.Facets:
        """The matches' sources (or sections, authors, tags, languages, roles, years),
        with article and paragraph counts, most first, and the matches with no value.
        ``unit="stories"`` also counts stories (an article and its copies once) and
        ranks by them."""
        from . import analytics

        _choice("facet", by, analytics.FACETS)
        _choice("unit", unit, analytics.FACET_UNITS)
        if limit < 0:
            raise NewsearchError("limit must not be negative")
        node = self._node(query, date_range(since, until), everything=True)
        return analytics.facets(self.engine, query, node, by, limit=limit, unit=unit)

    def terms(
        self,
        query: str,
        *,
        limit: int = 25,
        sample: int = significance.DEFAULT_SAMPLE,
        since: DateLike = None,
        until: DateLike = None,
    ) -> significance.Terms:
        """The words most over-represented in the top ``sample`` matching paragraphs
        against the whole index (JLH score; see ``newsearch.significance``)."""
        if limit < 0 or sample < 1:
            raise NewsearchError("limit must not be negative and sample must be at least 1")
        node = self._node(query, date_range(since, until))
        found = self.engine.search(node, limit=sample, offset=0, sort="relevance")
        texts = [hit.paragraph.text for hit in found.hits]
        return significance.significant_terms(
            self.engine, query, node, texts, found.total, limit=limit
        )

    def export(
        self,
        query: str,
        *,
        since: DateLike = None,
        until: DateLike = None,
        context: int = 0,
        highlight: bool = True,
    ) -> Iterator[Hit]:
        """Every hit of ``query`` (all pages), oldest first, one page in memory at a time.

        The order is stable: by date, undated last, then in indexing order.
        """
        from . import analytics

        self._node(query, date_range(since, until))  # a bad query fails now, not on first use

        def page(offset: int, limit: int) -> SearchResults:
            return self.search(
                query,
                since=since,
                until=until,
                limit=limit,
                offset=offset,
                sort="oldest",
                context=context,
                highlight=highlight,
            )

        return analytics.export(page)


def _choice(name: str, value: str, choices: Sequence[str]) -> None:
    if value not in choices:
        raise NewsearchError(f"unknown {name} {value!r} (choose from {', '.join(choices)})")


def _notes(query: str, total: int) -> tuple[str, ...]:
    """Notes for a query that found little and holds lower-case ``and``/``or``/``not``."""
    if total > FEW_HITS:
        return ()
    words = lowercase_operators(query)
    return (operator_note(words),) if words else ()


def _copies_of(record: CopyRecord, members: Iterable[CopyRecord]) -> list[Copy]:
    """``members`` but ``record`` itself, earliest first, with their similarity to it."""
    from . import copies as copies_mod

    others = [m for m in members if m.article_id != record.article_id]
    others.sort(key=lambda m: copies_mod.order_key(m.date, m.article_id))
    return [
        Copy(
            article_id=m.article_id,
            title=m.title,
            date=m.date,
            source=m.source,
            url=m.url,
            similarity=copies_mod.similarity(record.signature, m.signature),
        )
        for m in others
    ]
