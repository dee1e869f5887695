"""The systems under test: newsearch (public API only) and the peers, by name.

A system builds an index from a slice (``build``) and opens it for searching
(``open``); the searcher answers a ``BenchQuery`` with ``(article_id, snippet)`` pairs.
newsearch indexes ``Article``s and splits them itself; the peers index the paragraph
records the same splitter made, so every system holds the same paragraphs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from benchmarks.corpus import Slice, read_articles, read_jsonl
from benchmarks.peers import SqliteSystem, TantivySystem, WhooshSystem
from benchmarks.queries import BenchQuery


class Searcher(Protocol):
    """An open index."""

    def search(self, query: BenchQuery, limit: int, snippets: bool) -> list[tuple[str, str]]:
        """The top ``limit`` hits as (article id, snippet text; "" without snippets)."""

    def close(self) -> None:
        """Release the index."""


class System(Protocol):
    """One search system under test."""

    name: str

    def unavailable(self) -> str | None:
        """Why the system cannot run here, or None."""

    def open(self, path: Path) -> Searcher:
        """Open a built index for searching."""


def newsearch_query(query: BenchQuery) -> str:
    """A ``BenchQuery`` in newsearch's query syntax."""
    return query.label()


class NewsearchSystem:
    """newsearch through its public facade ``Index``, on one of its engines."""

    def __init__(self, name: str, engine: str, worker: bool = True) -> None:
        self.name = name
        self.engine = engine
        self.worker = worker  # False: analysis in the indexing process (no worker)

    def unavailable(self) -> str | None:
        try:
            from newsearch.engines import engine_class

            engine_class(self.engine)
        except Exception as error:  # the engine's package may be missing
            return f"newsearch cannot use the {self.engine} engine: {error}"
        return None

    def build_slice(self, data: Slice, path: Path) -> int:
        from newsearch import Index

        index = Index.open(path, create=True, engine=self.engine)
        index.analysis_process = self.worker
        try:
            report = index.add_articles(read_articles(data.articles_path))
        finally:
            index.close()
        return int(report.paragraphs)

    def open(self, path: Path) -> NewsearchSearcher:
        return NewsearchSearcher(path)


class NewsearchSearcher:
    """An open newsearch ``Index``."""

    def __init__(self, path: Path) -> None:
        from newsearch import Index

        self.index = Index.open(path)
        # True: answer as ``newsearch query --json`` and the HTTP API do, through the
        # documented JSON object (``to_dict``), which reads ``total_articles``.
        self.as_json = False

    def search(self, query: BenchQuery, limit: int, snippets: bool) -> list[tuple[str, str]]:
        results = self.index.search(newsearch_query(query), limit=limit, highlight=snippets)
        if self.as_json:
            data = results.to_dict()
            return [(hit["article_id"], hit["snippet"]["text"]) for hit in data["hits"]]
        # In newsearch's own article order (its paragraphs' evidence, newsearch.ranking).
        hits = [hit for article in results.by_article() for hit in article.hits]
        if not snippets:
            return [(hit.article_id, "") for hit in hits]
        return [(hit.article_id, hit.snippet.text) for hit in hits]

    def close(self) -> None:
        self.index.close()


def _peer_records(data: Slice) -> Iterable[dict[str, Any]]:
    return read_jsonl(data.paragraphs_path)


def build(system: Any, data: Slice, path: Path) -> int:
    """Index a slice with a system; returns the paragraphs indexed."""
    if isinstance(system, NewsearchSystem):
        return system.build_slice(data, path)
    return int(system.build(_peer_records(data), path))


SYSTEMS: dict[str, Any] = {
    "newsearch": NewsearchSystem("newsearch", engine="whoosh"),
    "newsearch-tantivy": NewsearchSystem("newsearch-tantivy", engine="tantivy"),
    "newsearch-1proc": NewsearchSystem("newsearch-1proc", engine="whoosh", worker=False),
    "newsearch-tantivy-1proc": NewsearchSystem(
        "newsearch-tantivy-1proc", engine="tantivy", worker=False
    ),
    "whoosh-1proc": WhooshSystem("whoosh-1proc", procs=1),
    "whoosh-2proc": WhooshSystem("whoosh-2proc", procs=2),
    "sqlite-fts5": SqliteSystem(),
    "tantivy": TantivySystem(),
}


def get_system(name: str) -> Any:
    """The system registered under ``name``."""
    try:
        return SYSTEMS[name]
    except KeyError:
        raise ValueError(f"unknown system {name!r}; choose from {', '.join(SYSTEMS)}") from None
