"""The query language: every form of the syntax, its AST normal form, and its errors."""

from __future__ import annotations

import pytest

from newsearch.analysis import fold_prefix
from newsearch.errors import QuerySyntaxError
from newsearch.query import parse
from newsearch.query.ast import (
    And,
    DateRange,
    Keyword,
    MatchAll,
    MatchNone,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
)

from .query_helpers import alone_not, assert_normal_form, day, neg, phrase, term

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


def test_star_inside_a_word_is_an_error_not_punctuation():
    # Once read as the phrase "ne an": a Lucene wildcard silently misread.
    with pytest.raises(QuerySyntaxError, match="wildcards inside or before a word") as caught:
        parse("ne*an")
    assert caught.value.position == 2


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
