"""The peer systems, each written as a competent user of that engine would write it.

Every peer indexes the same paragraph records (``corpus.paragraph_record``) with an
English stemming analyzer, stores the text, answers the ``BenchQuery`` kinds in its own
query syntax, and makes its own snippets.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from benchmarks.queries import BenchQuery


def _day_bounds(query: BenchQuery) -> tuple[datetime, datetime]:
    """``[start 00:00, day after end 00:00)`` for a date query."""
    assert query.start and query.end
    start = datetime.combine(query.start, time())
    return start, datetime.combine(query.end + timedelta(days=1), time())


def _date(record: dict[str, Any]) -> datetime | None:
    return datetime.fromisoformat(record["date"]) if record.get("date") else None


# --- whoosh ------------------------------------------------------------------------


class WhooshSystem:
    """Raw whoosh: StemmingAnalyzer, QueryParser (AND), ``hit.highlights``."""

    def __init__(self, name: str, procs: int) -> None:
        self.name = name
        self.procs = procs

    def unavailable(self) -> str | None:
        return None

    def build(self, records: Iterable[dict[str, Any]], path: Path) -> int:
        from whoosh import index
        from whoosh.analysis import StemmingAnalyzer
        from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

        schema = Schema(
            id=ID(stored=True, unique=True),
            article_id=ID(stored=True),
            number=NUMERIC(stored=True),
            title=STORED(),
            text=TEXT(analyzer=StemmingAnalyzer(), stored=True),
            date=DATETIME(stored=True),
            tags=KEYWORD(stored=True, commas=True, lowercase=True),
        )
        path.mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(path), schema)
        options: dict[str, Any] = {"procs": self.procs}
        if self.procs > 1:
            options["multisegment"] = True
        writer = ix.writer(**options)
        count = 0
        for record in records:
            fields = {
                "id": record["id"],
                "article_id": record["article_id"],
                "number": record["number"],
                "title": record["title"],
                "text": record["text"],
                "tags": ",".join(record["tags"]),
            }
            if record.get("date"):
                fields["date"] = _date(record)
            writer.add_document(**fields)
            count += 1
        writer.commit()
        ix.close()
        return count

    def open(self, path: Path) -> WhooshSearcher:
        return WhooshSearcher(path)


class WhooshSearcher:
    """An open whoosh index and searcher."""

    def __init__(self, path: Path) -> None:
        from whoosh import index
        from whoosh.qparser import AndGroup, QueryParser

        self.ix = index.open_dir(str(path))
        self.searcher = self.ix.searcher()
        self.parser = QueryParser("text", self.ix.schema, group=AndGroup)

    def search(self, query: BenchQuery, limit: int, snippets: bool) -> list[tuple[str, str]]:
        from whoosh.query import DateRange

        text = " ".join(query.words)
        parsed = self.parser.parse(f'"{text}"' if query.kind == "phrase" else text)
        date_filter = None
        if query.kind == "date":
            start, end = _day_bounds(query)
            date_filter = DateRange("date", start, end, endexcl=True)
        results = self.searcher.search(parsed, limit=limit, filter=date_filter)
        if not snippets:
            return [(hit["article_id"], "") for hit in results]
        return [(hit["article_id"], hit.highlights("text")) for hit in results]

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()


# --- SQLite FTS5 ---------------------------------------------------------------------


class SqliteSystem:
    """SQLite FTS5 (stdlib sqlite3): porter tokenizer, ``bm25()``, ``snippet()``."""

    name = "sqlite-fts5"
    _FILE = "fts.sqlite"

    def unavailable(self) -> str | None:
        try:
            sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        except sqlite3.OperationalError as error:
            return f"sqlite3 has no FTS5: {error}"
        return None

    def build(self, records: Iterable[dict[str, Any]], path: Path) -> int:
        path.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path / self._FILE)
        db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(text, article_id UNINDEXED, "
            "number UNINDEXED, title UNINDEXED, date UNINDEXED, tags UNINDEXED, "
            "tokenize='porter unicode61')"
        )
        rows = (
            (r["text"], r["article_id"], r["number"], r["title"], r["date"], ",".join(r["tags"]))
            for r in records
        )
        with db:
            cursor = db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", rows)
            count = cursor.rowcount
        with db:
            db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        db.close()
        return count

    def open(self, path: Path) -> SqliteSearcher:
        return SqliteSearcher(path / self._FILE)


class SqliteSearcher:
    """An open FTS5 database."""

    def __init__(self, file: Path) -> None:
        self.db = sqlite3.connect(file)
        self.db.execute("SELECT count(*) FROM docs WHERE rowid = 1").fetchone()

    def search(self, query: BenchQuery, limit: int, snippets: bool) -> list[tuple[str, str]]:
        quoted = [f'"{word}"' for word in query.words]
        match = f'"{" ".join(query.words)}"' if query.kind == "phrase" else " ".join(quoted)
        snippet = "snippet(docs, 0, '<b>', '</b>', '…', 24)" if snippets else "''"
        sql = f"SELECT article_id, {snippet} FROM docs WHERE docs MATCH ?"
        params: list[Any] = [match]
        if query.kind == "date":
            start, end = _day_bounds(query)
            sql += " AND date >= ? AND date < ?"
            params += [start.isoformat(), end.isoformat()]
        sql += " ORDER BY bm25(docs) LIMIT ?"
        return [(row[0], row[1]) for row in self.db.execute(sql, [*params, limit])]

    def close(self) -> None:
        self.db.close()


# --- tantivy -------------------------------------------------------------------------


class TantivySystem:
    """tantivy-py: ``en_stem`` text, a date field, its query parser, SnippetGenerator."""

    name = "tantivy"

    def unavailable(self) -> str | None:
        try:
            import tantivy  # noqa: F401
        except ImportError as error:
            return f"tantivy cannot be imported: {error}"
        return None

    @staticmethod
    def schema() -> Any:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("article_id", stored=True, tokenizer_name="raw")
        builder.add_integer_field("number", stored=True)
        builder.add_text_field("title", stored=True)
        builder.add_text_field("text", stored=True, tokenizer_name="en_stem")
        builder.add_date_field("date", stored=True, indexed=True, fast=True)
        builder.add_text_field("tags", stored=True, tokenizer_name="raw")
        return builder.build()

    def build(self, records: Iterable[dict[str, Any]], path: Path) -> int:
        import tantivy

        path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self.schema(), path=str(path))
        writer = index.writer()
        count = 0
        for record in records:
            fields: dict[str, Any] = {
                "id": record["id"],
                "article_id": record["article_id"],
                "number": record["number"],
                "title": record["title"],
                "text": record["text"],
                "tags": record["tags"],
            }
            if record.get("date"):
                fields["date"] = _date(record)
            writer.add_document(tantivy.Document(**fields))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        return count

    def open(self, path: Path) -> TantivySearcher:
        return TantivySearcher(path)


class TantivySearcher:
    """An open tantivy index and searcher."""

    def __init__(self, path: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        self.index = tantivy.Index.open(str(path))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def _query(self, query: BenchQuery) -> Any:
        tantivy = self.tantivy
        text = " ".join(query.words)
        text = f'"{text}"' if query.kind == "phrase" else text
        parsed = self.index.parse_query(text, ["text"], conjunction_by_default=True)
        if query.kind != "date":
            return parsed
        start, end = _day_bounds(query)
        dates = tantivy.Query.range_query(
            self.schema, "date", tantivy.FieldType.Date, start, end, include_upper=False
        )
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, parsed), (tantivy.Occur.Must, dates)]
        )

    def search(self, query: BenchQuery, limit: int, snippets: bool) -> list[tuple[str, str]]:
        tantivy_query = self._query(query)
        hits = self.searcher.search(tantivy_query, limit, count=True).hits
        docs = [self.searcher.doc(address) for _score, address in hits]
        if not snippets:
            return [(doc["article_id"][0], "") for doc in docs]
        generator = self.tantivy.SnippetGenerator.create(
            self.searcher, tantivy_query, self.schema, "text"
        )
        return [(doc["article_id"][0], generator.snippet_from_doc(doc).to_html()) for doc in docs]

    def close(self) -> None:
        self.searcher = None
