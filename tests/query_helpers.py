"""Expected-AST builders shared by the query parser tests."""

from __future__ import annotations

from datetime import datetime

import pytest

from newsearch.analysis import terms
from newsearch.errors import QuerySyntaxError
from newsearch.query import parse
from newsearch.query.ast import (
    And,
    DateRange,
    Fuzzy,
    Keyword,
    MatchAll,
    MatchNone,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
)


def term(word: str, field: str = "text") -> Term:
    """The Term a one-term word becomes."""
    [only] = terms(word)
    return Term(field, only, text=word)


def phrase(text: str, field: str = "text", slop: int = 0) -> Phrase:
    """The Phrase a several-term word or quoted text becomes."""
    return Phrase(field, tuple(terms(text)), slop, text=text)


def neg(node: Node) -> Not:
    return Not(node)


def alone_not(node: Node) -> And:
    """A negation with nothing positive beside it."""
    return And((MatchAll(), Not(node)))


def day(text: str) -> datetime:
    return datetime.fromisoformat(text)


def error_of(query: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    return caught.value


def assert_normal_form(node: Node, parent: Node | None = None) -> None:
    """The invariants the module docstring promises engines."""
    if isinstance(node, (And, Or)):
        assert len(node.children) >= 2
        assert not any(isinstance(child, type(node)) for child in node.children)
        for child in node.children:
            assert_normal_form(child, node)
    elif isinstance(node, Not):
        assert isinstance(parent, And)
        assert any(not isinstance(child, Not) for child in parent.children)
        assert_normal_form(node.child, node)
    elif isinstance(node, MatchAll):
        assert isinstance(parent, And)
        assert parent.children[0] is node
        assert all(isinstance(child, Not) for child in parent.children[1:])
    elif isinstance(node, MatchNone):
        assert parent is None
    elif isinstance(node, (Term, Phrase)):
        assert node.field in ("text", "title", "source", "author", "section", "tags")
    else:
        assert isinstance(node, (Prefix, Fuzzy, Keyword, DateRange))
