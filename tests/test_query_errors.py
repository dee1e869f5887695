"""Query syntax errors with positions, nesting limits, and property tests: every
string parses to a normal-form AST or raises a positioned QuerySyntaxError."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsearch.errors import QuerySyntaxError
from newsearch.query import parse
from newsearch.query.ast import (
    And,
    Node,
    Or,
)

from .query_helpers import assert_normal_form, error_of, term

# -- errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("", 0, "empty query"),
        ("   \t ", 0, "empty query"),
        ('Hamas "Rafah crossing', 6, "unbalanced quote"),
        ("a “Rafah", 2, "unbalanced quote"),
        ("Hamas (Egypt OR Qatar", 6, "never closed"),
        ("(a (b)", 0, "never closed"),
        ("Hamas Egypt)", 11, "unmatched ')'"),
        (")", 0, "unmatched ')'"),
        ("a () b", 2, "empty parentheses"),
        ("Hamas AND", 6, "'AND' needs a term after it"),
        ("OR Qatar", 0, "'OR' needs a term before it"),
        ("AND Qatar", 0, "'AND' needs a term before it"),
        ("Hamas AND OR Qatar", 6, "'AND' needs a term after it"),
        ("Hamas OR", 6, "'OR' needs a term after it"),
        ("Hamas OR OR Qatar", 6, "'OR' needs a term after it"),
        ("(a OR) b", 3, "'OR' needs a term after it"),
        ("Hamas NOT", 6, "'NOT' needs a term after it"),
        ("NOT AND x", 0, "'NOT' needs a term after it"),
        ("date:2024-13-01", 5, "not a date"),
        ("date:2024-02-30", 5, "not a date"),
        ("date:yesterday", 5, "not a date"),
        ("x date:[2024-01-01 TO]", 7, "bad date range"),
        ("date:[2024-01-01 TO 2024-02-01", 5, "never closed"),
        ("date:[2024-03 TO 2024-01]", 5, "ends before it starts"),
        ("date:>=", 5, "not a date"),
        ("date:(2024 soon)", 11, "not a date"),
        ("x foo:bar", 2, "unknown field 'foo' (known: title, source"),
        ('foo:"bar"', 0, "unknown field 'foo'"),
        ("role:footer", 5, "unknown role 'footer' (known: title, standfirst, caption, body)"),
        ("language:en*", 9, "exact value"),
        ('"a b"~x', 5, "needs a whole number"),
        ('"a b"~', 5, "needs a whole number"),
        ('"a b"~3x', 5, "needs a whole number"),
        ('"a b"~99999', 5, "too large"),
        ("title:*", 6, "prefix needs letters or digits"),
    ],
)
def test_errors_name_their_position(query, position, message):
    error = error_of(query)
    assert error.position == position
    assert message in error.message
    assert error.query == query


def test_error_position_counts_characters_of_the_original_query():
    assert error_of("“Gaza” Hamas)").position == 12
    assert error_of("Négociation AND").position == 12


def test_error_caret_points_at_the_problem():
    assert error_of("Hamas AND").caret() == "Hamas AND\n      ^"


def test_nesting_deeper_than_100_is_an_error_at_the_101st_paren():
    assert parse("(" * 100 + "x" + ")" * 100) == term("x")
    error = error_of("(" * 101 + "x" + ")" * 101)
    assert error.position == 100
    assert error.message == "query nests parentheses too deeply (limit 100)"


def test_500_nested_parentheses_raise_syntax_error_not_recursion_error():
    error = error_of("(" * 500 + "x" + ")" * 500)
    assert error.position == 100


def test_deepest_allowed_nesting_leaves_room_on_the_stack():
    query = "-title:(" * 100 + '"x y"~2 date:2024 Israel-Ga*' + ")" * 100

    def parse_from_deep_in_the_stack(frames: int) -> Node:
        return parse_from_deep_in_the_stack(frames - 1) if frames else parse(query)

    assert isinstance(parse_from_deep_in_the_stack(500), And)


def test_field_groups_count_toward_the_nesting_limit():
    assert error_of("title:(" * 101 + "x" + ")" * 101).position == 7 * 100 + len("title:")


def test_ten_thousand_terms_parse():
    # How fast is measured in benchmarks/parse_speed.py, not here.
    words = [f"word{i}" for i in range(10_000)]
    queries = [" ".join(words), " OR ".join(words), " ".join(f"-{w}" for w in words)]
    for query in queries:
        node = parse(query)
        assert isinstance(node, (And, Or))
        assert len(node.children) >= 10_000


# -- normal form and robustness --------------------------------------------------


def parses_or_fails_cleanly(query: str) -> None:
    """``parse`` returns a normal-form node or raises a positioned QuerySyntaxError."""
    try:
        node = parse(query)
    except QuerySyntaxError as error:
        assert 0 <= error.position <= len(query)
        assert error.query == query
    else:
        assert_normal_form(node)


# Pieces of the query language, separated by "|".
_GRAMMAR = (
    'Hamas|Rafah|empty-handed|U.S.|9:30|Netanyahu’s|…|"|“|”|"Rafah crossing"|(|)|AND|OR|NOT|'
    "and|-|+|*|netan*|~|~3|title:|tag:|role:caption|role:|foo:|date:|2024|2024-02|"
    "2024-13-01|[2024-01 TO *]|>=|<|[|]|TO|https://x.com|:|&"
)
_PIECES = st.sampled_from(_GRAMMAR.split("|"))
_SEPARATORS = st.sampled_from(["", " ", "  ", "\t"])


@st.composite
def grammar_queries(draw: st.DrawFn) -> str:
    """Strings built from pieces of the query language, often glued together."""
    parts = draw(st.lists(st.tuples(_PIECES, _SEPARATORS), min_size=1, max_size=12))
    return "".join(piece + separator for piece, separator in parts)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_parses_or_raises_a_positioned_syntax_error(query):
    parses_or_fails_cleanly(query)


@settings(max_examples=300, deadline=None)
@given(grammar_queries())
def test_grammar_fragments_parse_or_raise_a_positioned_syntax_error(query):
    parses_or_fails_cleanly(query)
