"""Compiling the query AST into tantivy query objects (never its string parser).

Sloppy phrases: tantivy's own slop is not ours (it allows the reverse order, and with
three or more words it misses chains that fit). ``"a b c"~N`` means each gap between
neighbours is 0 to N positions, so it becomes one exact phrase with explicit offsets per
combination of gaps. When there would be more than ``MAX_PHRASE_VARIANTS`` of them, the
paragraphs holding every word are checked against their stored text with the phrase
matcher the highlighter uses (``newsearch.phrases``), and the phrase becomes the set of
paragraph keys that passed.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import tantivy
from tantivy import Occur, Query

from .. import analysis
from ..phrases import phrase_spans
from ..query import ast

MAX_PHRASE_VARIANTS = 64
EPOCH = datetime(1970, 1, 1)
MICROSECOND = timedelta(microseconds=1)


def micros(value: datetime) -> int:
    """A naive datetime as microseconds since 1970 (exact, any year)."""
    return (value - EPOCH) // MICROSECOND


def dated(schema: tantivy.Schema, low: int | None, high: int | None) -> Query:
    """Paragraphs dated in ``[low, high)`` microseconds; undated ones never match."""
    if low is None and high is None:
        return Query.exists_query("date")
    kind = tantivy.FieldType.Integer
    return Query.range_query(schema, "date", kind, low, high, include_upper=high is None)


def stored_field(name: str) -> str:
    """The stored-only field holding the original text of the indexed field ``name``."""
    return f"stored_{name}"


def paragraph_key(article_id: str, number: int) -> str:
    return f"{number}/{article_id}"


def all_hits(
    searcher: tantivy.Searcher, query: Query, count: int | None = None
) -> list[tuple[Any, Any]]:
    """Every hit of ``query`` as ``(score, DocAddress)`` (``count``: how many, if known)."""
    if count is None:
        count = searcher.search(query, 1, count=True).count
    return searcher.search(query, count, count=False).hits if count else []


def all_of(occur: Occur, queries: Sequence[Query]) -> Query:
    return Query.boolean_query([(occur, q) for q in queries])


class Compiler:
    """Builds tantivy queries against one searcher (which resolves large sloppy phrases)."""

    def __init__(self, searcher: tantivy.Searcher, schema: tantivy.Schema) -> None:
        self.searcher = searcher
        self.schema = schema

    def term(self, field: str, value: str) -> Query:
        return Query.term_query(self.schema, field, value)

    def compile(self, node: ast.Node) -> Query:
        """Translate the engine-neutral AST (in the parser's normal form)."""
        if isinstance(node, (ast.Term, ast.Keyword)):
            return self.term(node.field, node.term if isinstance(node, ast.Term) else node.value)
        if isinstance(node, ast.Phrase):
            return self.phrase(node)
        if isinstance(node, ast.Boost):
            return Query.boost_query(self.compile(node.child), node.weight)
        if isinstance(node, ast.Prefix):
            # As whoosh: the prefix (a constant score) or one of the shorter stems.
            pattern = "".join(f"\\x{{{ord(c):x}}}" for c in node.prefix) + ".*"
            stems = [self.term(node.field, s) for s in analysis.prefix_stems(node.prefix)]
            regex = Query.regex_query(self.schema, node.field, pattern)
            return all_of(Occur.Should, [regex, *stems])
        if isinstance(node, ast.DateRange):
            start, end = (micros(d) if d is not None else None for d in (node.start, node.end))
            return dated(self.schema, start, end)
        if isinstance(node, ast.Or):
            return all_of(Occur.Should, [self.compile(c) for c in node.children])
        if isinstance(node, ast.And):
            clauses = [
                (Occur.MustNot, self.compile(c.child))
                if isinstance(c, ast.Not)
                else (Occur.Must, self.compile(c))
                for c in node.children
            ]
            return Query.boolean_query(clauses)
        if isinstance(node, ast.Not):
            return self.compile(ast.And((ast.MatchAll(), node)))
        return Query.all_query() if isinstance(node, ast.MatchAll) else Query.empty_query()

    def phrase(self, node: ast.Phrase) -> Query:
        terms, field, slop = list(node.terms), node.field, node.slop
        if len(terms) == 1:
            return self.term(field, terms[0])
        if (slop + 1) ** (len(terms) - 1) <= MAX_PHRASE_VARIANTS:
            variants = []
            for gaps in itertools.product(range(slop + 1), repeat=len(terms) - 1):
                offsets = [0, *itertools.accumulate(gap + 1 for gap in gaps)]
                words = list(zip(offsets, terms, strict=True))
                variants.append(Query.phrase_query(self.schema, field, words))
            return variants[0] if len(variants) == 1 else all_of(Occur.Should, variants)
        every_word = all_of(Occur.Must, [self.term(field, t) for t in terms])
        # With two words tantivy's slop finds a superset of ours (it also allows the
        # reverse order); with more it misses chains, so take every word.
        candidates = (
            Query.phrase_query(self.schema, field, terms, slop) if len(terms) == 2 else every_word
        )
        checked: dict[str, bool] = {}
        keys = []
        for _score, address in all_hits(self.searcher, candidates):
            doc = self.searcher.doc(address)
            value = doc.get_first(stored_field(field))
            if value not in checked:
                checked[value] = bool(phrase_spans(list(analysis.tokenize(value)), terms, slop))
            if checked[value]:
                keys.append(paragraph_key(doc.get_first("article_id"), doc.get_first("paragraph")))
        if not keys:
            return Query.empty_query()
        passed = Query.const_score_query(Query.term_set_query(self.schema, "key", keys), 0.0)
        return all_of(Occur.Must, [passed, every_word])  # scored by its words
