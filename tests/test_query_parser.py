"""The query language: every form of the syntax, its AST normal form, and its errors."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsearch.analysis import fold_prefix, terms
from newsearch.errors import QuerySyntaxError
from newsearch.query import parse
from newsearch.query.ast import (
    And,
    DateRange,
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


# -- words and phrases -------------------------------------------------------------


def test_words_are_stemmed_and_folded_terms():
    assert parse("Rafah") == Term("text", "rafah", text="Rafah")
    assert parse("crossing") == Term("text", "cross", text="crossing")
    assert parse("Hamas's") == Term("text", "hama", text="Hamas's")
    assert parse("Netanyahu’s") == Term("text", "netanyahu", text="Netanyahu’s")


def test_two_words_are_an_implicit_and():
    assert parse("Rafah Egypt") == And((term("Rafah"), term("Egypt")))


def test_quoted_text_is_an_exact_phrase():
    expected = Phrase("text", ("rafah", "border", "cross"), 0, text="Rafah border crossing")
    assert parse('"Rafah border crossing"') == expected


def test_curly_quotes_work_like_straight_ones():
    assert parse("“Rafah border crossing”") == phrase("Rafah border crossing")
    assert parse("“Rafah crossing”~3") == phrase("Rafah crossing", slop=3)


def test_phrase_slop_after_tilde():
    assert parse('"Rafah crossing"~3') == Phrase(
        "text", ("rafah", "cross"), 3, text="Rafah crossing"
    )
    assert parse('"Rafah crossing"~0') == phrase("Rafah crossing")


def test_quoted_single_word_is_a_term():
    assert parse('"Hamas"') == term("Hamas")
    assert parse('"Hamas"~4') == term("Hamas")


def test_quoted_punctuation_only_is_dropped():
    assert parse('"…" Gaza') == term("Gaza")
    assert parse('""') == MatchNone()


@pytest.mark.parametrize(
    "word", ["empty-handed", "Israel-Gaza", "U.S.", "9:30", "e-mail", "http://x.com/a?b=c"]
)
def test_word_with_several_terms_is_a_phrase(word):
    assert parse(word) == phrase(word)


def test_phrase_literal_stems():
    assert parse("empty-handed") == Phrase("text", ("empti", "hand"), 0, text="empty-handed")
    assert parse("9:30") == Phrase("text", ("9", "30"), 0, text="9:30")


def test_thousands_number_stays_one_term():
    assert parse("28,000") == Term("text", "28000", text="28,000")


def test_star_inside_a_word_is_punctuation():
    assert parse("ne*an") == Phrase("text", ("ne", "an"), 0, text="ne*an")


def test_prefix_is_folded_not_stemmed():
    assert parse("netan*") == Prefix("text", fold_prefix("netan"))
    assert parse("Négotiat*") == Prefix("text", "negotiat")


def test_prefix_after_several_terms_ands_the_words_before_it():
    assert parse("Israel-Ga*") == And(
        (Term("text", "israel", text="Israel-"), Prefix("text", "ga"))
    )


def test_plus_means_the_same_as_the_word():
    assert parse("+Hamas") == parse("Hamas")
    assert parse("+Hamas +Egypt") == parse("Hamas Egypt")


def test_lower_case_operators_are_words():
    assert parse("war and peace") == And((term("war"), term("and"), term("peace")))
    assert parse("not or") == And((term("not"), term("or")))


@pytest.mark.parametrize(
    "query",
    [
        "empty-handed",
        "Hamas's",
        "e-mail",
        "http://x.com/a?b=c",
        "https://example.com/path?x=1&y=2",
        "&",
        "!",
        "?",
        ",",
        "Hamas - Egypt",
        "Hamas * Egypt",
        "Hamas ~ Egypt",
        "Hamas~ Egypt~2 ~",
        "note: hi",
        "Hamas:",
        "what? yes! a, b & c",
        "…",
        "—",
        "-",
        "*",
        "+",
        "''",
        "'quoted'",
        "[bracket] {brace}",
        "a\tb\nc\u00a0d",
    ],
)
def test_ordinary_punctuation_never_fails(query):
    assert_normal_form(parse(query))


def test_punctuation_only_words_are_dropped():
    assert parse("Hamas … Egypt — !") == And((term("Hamas"), term("Egypt")))
    assert parse("Hamas - Egypt * +") == And((term("Hamas"), term("Egypt")))


def test_query_of_nothing_but_punctuation_matches_none():
    assert parse("… — !") == MatchNone()
    assert parse("-…") == MatchNone()
    assert parse("(…) OR “—”") == MatchNone()


def test_stray_tilde_is_punctuation():
    assert parse("Hamas~") == term("Hamas~")
    assert parse('"a b" ~3') == And((phrase("a b"), Term("text", "3", text="~3")))


def test_colon_only_makes_a_field_after_a_known_name():
    assert parse("note: hi") == And((term("note:"), term("hi")))
    assert parse("https://x.com") == phrase("https://x.com")
    assert parse("ftp://x.org") == phrase("ftp://x.org")
    assert parse("(a title:)") == And((term("a"), term("title:")))


# -- operators and precedence --------------------------------------------------------


def test_and_or_not():
    hamas, egypt = term("Hamas"), term("Egypt")
    assert parse("Hamas AND Egypt") == And((hamas, egypt))
    assert parse("Hamas OR Qatar") == Or((hamas, term("Qatar")))
    assert parse("Hamas NOT Israel") == And((hamas, neg(term("Israel"))))
    assert parse("Hamas -Israel") == And((hamas, neg(term("Israel"))))


def test_or_binds_looser_than_implicit_and():
    a, b, c = term("a"), term("b"), term("c")
    assert parse("a OR b c") == Or((a, And((b, c))))
    assert parse("a b OR c") == Or((And((a, b)), c))
    assert parse("a AND b OR c AND d") == Or((And((a, b)), And((c, term("d")))))


def test_not_binds_tighter_than_and():
    a, b, c = term("a"), term("b"), term("c")
    assert parse("a b NOT c") == And((a, b, neg(c)))
    assert parse("NOT a b") == And((neg(a), b))
    assert parse("NOT a OR b") == Or((alone_not(a), b))


def test_parentheses_group():
    a, b, c = term("a"), term("b"), term("c")
    assert parse("(a OR b) c") == And((Or((a, b)), c))
    assert parse("a (b OR c)") == And((a, Or((b, c))))


def test_and_and_or_children_are_flattened():
    a, b, c, d = term("a"), term("b"), term("c"), term("d")
    assert parse("a (b (c d))") == And((a, b, c, d))
    assert parse("a OR (b OR (c OR d))") == Or((a, b, c, d))
    assert parse("((a))") == a


def test_lone_negation_gets_match_all():
    assert parse("-Israel") == alone_not(term("Israel"))
    assert parse("NOT Israel") == alone_not(term("Israel"))
    assert parse("-a -b") == And((MatchAll(), neg(term("a")), neg(term("b"))))


def test_negation_under_or_is_wrapped():
    expected = Or((term("Hamas"), And((MatchAll(), Not(Term("text", "israel", text="Israel"))))))
    assert parse("Hamas OR -Israel") == expected


def test_double_negation_cancels():
    assert parse("NOT NOT x") == term("x")
    assert parse("--x") == term("x")
    assert parse("-(-x)") == term("x")
    assert parse("NOT NOT NOT x") == alone_not(term("x"))


def test_negating_phrases_groups_fields_and_dates():
    assert parse('a -"Rafah crossing"') == And((term("a"), neg(phrase("Rafah crossing"))))
    assert parse("x -(a OR b)") == And((term("x"), neg(Or((term("a"), term("b"))))))
    assert parse("x -title:Blinken") == And((term("x"), neg(term("Blinken", "title"))))
    assert parse("x NOT date:2024") == And(
        (term("x"), neg(DateRange(day("2024-01-01"), day("2025-01-01"))))
    )


def test_negation_alone_of_phrase_field_and_date():
    assert parse('-"Rafah crossing"') == alone_not(phrase("Rafah crossing"))
    assert parse("-title:Blinken") == alone_not(term("Blinken", "title"))
    assert parse("NOT date:2024") == alone_not(DateRange(day("2024-01-01"), day("2025-01-01")))


@pytest.mark.parametrize(
    "query",
    [
        "a OR -b",
        "-a OR -b",
        "-(a OR -b) c",
        "NOT (NOT a NOT b)",
        "(a -b) OR (-c (d OR -e))",
        "date:2024 -(title:x OR -y)",
        "-(-a -b)",
        "a (b (c (-d)))",
    ],
)
def test_negations_keep_the_normal_form(query):
    assert_normal_form(parse(query))


def test_attached_minus_makes_operators_ordinary_words():
    assert parse("x -AND") == And((term("x"), neg(term("AND"))))
    assert parse("x -NOT") == And((term("x"), neg(term("NOT"))))


def test_long_chains_of_not_do_not_recurse():
    assert parse("NOT " * 5000 + "x") == term("x")
    assert parse("-" * 5001 + "x") == alone_not(term("x"))


# -- fields ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["title", "source", "author", "section", "text"])
def test_text_fields(name):
    assert parse(f"{name}:Blinken") == term("Blinken", name)


def test_tag_field_maps_to_tags():
    assert parse("tag:war") == term("war", "tags")
    assert parse("tags:war") == term("war", "tags")


def test_field_names_are_case_insensitive():
    assert parse("Title:Blinken") == term("Blinken", "title")
    assert parse("DATE:2024") == DateRange(day("2024-01-01"), day("2025-01-01"))


def test_field_with_quoted_phrase():
    assert parse('title:"empty-handed"') == phrase("empty-handed", "title")
    assert parse('source:"The National"') == phrase("The National", "source")
    assert parse('title:"a b"~2') == phrase("a b", "title", slop=2)


def test_field_scopes_every_word_of_a_group():
    expected = Or((term("Blinken", "title"), term("Netanyahu", "title")))
    assert parse("title:(Blinken OR Netanyahu)") == expected
    assert parse('title:(a -"b c" d*)') == And(
        (term("a", "title"), neg(phrase("b c", "title")), Prefix("title", "d"))
    )


def test_field_value_is_literal_text():
    assert parse("title:source:x") == phrase("source:x", "title")
    assert parse("title:AND") == term("AND", "title")


def test_inner_field_wins_inside_a_field_group():
    assert parse("title:(a source:b)") == And((term("a", "title"), term("b", "source")))


def test_field_prefix():
    assert parse("title:netan*") == Prefix("title", "netan")


def test_role_and_language_are_lowercased_keywords():
    assert parse("role:Caption") == Keyword("role", "caption")
    assert parse("language:EN") == Keyword("language", "en")
    assert parse("language:pt-BR") == Keyword("language", "pt-br")
    assert parse('role:"body"') == Keyword("role", "body")
    assert parse("role:(title OR standfirst)") == Or(
        (Keyword("role", "title"), Keyword("role", "standfirst"))
    )


def test_field_words_that_analyze_to_nothing_are_dropped():
    assert parse("Gaza title:…") == term("Gaza")
    assert parse("Gaza title:(*)") == term("Gaza")


# -- dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("date:2024-02-09", "2024-02-09", "2024-02-10"),
        ("date:2024-02", "2024-02-01", "2024-03-01"),
        ("date:2024", "2024-01-01", "2025-01-01"),
        ("date:2024-12", "2024-12-01", "2025-01-01"),
        ("date:[2024-02-01 TO 2024-02-10]", "2024-02-01", "2024-02-11"),
        ("date:[2024-01 TO 2024-02]", "2024-01-01", "2024-03-01"),
        ("date:[2024-02-01 TO *]", "2024-02-01", None),
        ("date:[* TO 2024]", None, "2025-01-01"),
        ("date:>=2024-02-01", "2024-02-01", None),
        ("date:>2024-02", "2024-03-01", None),
        ("date:<=2024-02", None, "2024-03-01"),
        ("date:<2024-03-01", None, "2024-03-01"),
        ('date:"2024-02"', "2024-02-01", "2024-03-01"),
    ],
)
def test_date_filters(query, start, end):
    expected = DateRange(start and day(start), end and day(end))
    assert parse(query) == expected


def test_date_with_words_is_a_filter_beside_them():
    feb = DateRange(day("2024-02-01"), day("2024-03-01"))
    assert parse("Hamas date:2024-02") == And((term("Hamas"), feb))
    assert parse("date:2024-02 -Hamas") == And((feb, neg(term("Hamas"))))


def test_date_group_parses_each_word_as_a_date():
    jan = DateRange(day("2024-01-01"), day("2024-02-01"))
    march = DateRange(day("2024-03-01"), day("2024-04-01"))
    assert parse("date:(2024-01 OR 2024-03)") == Or((jan, march))
    assert parse("date:([2024-01 TO 2024-01] OR 2024-03)") == Or((jan, march))


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


def test_ten_thousand_terms_parse_fast():
    words = [f"word{i}" for i in range(10_000)]
    queries = [" ".join(words), " OR ".join(words), " ".join(f"-{w}" for w in words)]
    for query in queries:
        started = time.perf_counter()
        node = parse(query)
        assert time.perf_counter() - started < 1.0
        assert isinstance(node, (And, Or))
        assert len(node.children) >= 10_000


# -- normal form and robustness --------------------------------------------------


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
        assert isinstance(node, (Prefix, Keyword, DateRange))


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
