"""The parser's fast path for plain queries (``plain_parse``) builds exactly the AST the
full parser builds, and declines every query it does not fully understand, so that
errors and their positions always come from the full parser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsearch.errors import QuerySyntaxError
from newsearch.query import parse
from newsearch.query.ast import And, DateRange, Phrase, Term
from newsearch.query.parser import FIELDS, full_parse, plain_parse


def outcome(parser, query: str) -> tuple[str, str | None]:
    """What a parser makes of ``query``: the AST's repr (every field, ``quoted`` too,
    which equality ignores), or the error's message, query and position."""
    try:
        return ("ast", repr(parser(query)))
    except QuerySyntaxError as error:
        return ("error", repr((error.message, error.query, error.position)))


# Pieces glued with or without whitespace, so that every operator, quote, bracket and
# field touches its neighbours: reserved words, signs, stars, tildes, colons, dashes,
# quotes of three kinds, unicode letters and digits, underscores, odd spaces.
PIECES = [
    *["oil", "prices", "Rafah", "crossing", "qtly", "1987", "mln", "x", "a1b2"],
    *["café", "naïve", "Straße", "ﬁnance", "ΑΘΗΝΑ", "東京", "٣", "²", "Ⅻ", "ǅ", "İ"],
    *["AND", "OR", "NOT", "TO", "and", "or", "not", "And"],
    *["-", "+", "*", "~", "~1", "~2", "~3", "^2", "=", ":", "::", "_", "__", "'", "’"],
    *["(", ")", "[", "]", '"', "“", "”", "„", "«", "»", "…", "—", ".", ",", "/", "//"],
    *["\t", "\n", "\u00a0", "\u2003", "\u200b", "\x00", "\x1c", "\u3000"],
    *["date:[1987-05-21 TO 1987-06-03]", "date:[1987 TO *]", "date:[1987-02-30 TO 1988]"],
    *["date:[", "date:[x]", "date:[]", "date:1987", "DATE:[1987 TO 1988]", "date:"],
    *[f"{name}:" for name in FIELDS],
    *[f"{name}:oil" for name in FIELDS],
    *["Title:oil", "tag:AND", "exact:NOT", "text:OR", "foo:bar", "https://x", "title:="],
    *['"oil prices"', '"oil prices"~2', "“Rafah border”", '"oil"', '""', '" "', '"a*"'],
    *['"oil prices', "oil*", "volker~1", "=oil", "-oil", "+oil", "e-mail", "U.S."],
]
SEPARATORS = [" ", " ", "", "  ", "\t", "\u00a0"]

queries = st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(SEPARATORS)), max_size=8).map(
    lambda parts: "".join(piece + sep for piece, sep in parts)
)
plain_words = st.from_regex(r"[^\W_]+", fullmatch=True)
plain_queries = st.lists(
    st.tuples(
        st.one_of(
            plain_words,
            plain_words.map('"{}"'.format),
            st.tuples(plain_words, plain_words).map(lambda w: f"“{w[0]} {w[1]}”"),
            st.tuples(st.sampled_from(list(FIELDS)), plain_words).map("{0[0]}:{0[1]}".format),
        ),
        st.sampled_from([" ", "  ", "\t", "\u3000 "]),
    ),
    min_size=1,
    max_size=5,
).map(lambda parts: " ".join(piece + sep for piece, sep in parts))


@settings(max_examples=600, deadline=None)
@given(queries)
def test_parse_answers_every_query_as_the_full_parser(query):
    assert outcome(parse, query) == outcome(full_parse, query)


@settings(max_examples=400, deadline=None)
@given(queries)
def test_the_fast_path_declines_what_the_full_parser_rejects(query):
    if outcome(full_parse, query)[0] == "error":
        assert plain_parse(query) is None


@settings(max_examples=400, deadline=None)
@given(plain_queries)
def test_plain_words_and_phrases_take_the_fast_path(query):
    if any(word in query.split() for word in ("AND", "OR", "NOT")):
        return
    if not any(f"{name}:" in query for name in ("role", "language", "date")):
        assert plain_parse(query) is not None
    assert outcome(parse, query) == outcome(full_parse, query)


@pytest.mark.parametrize(
    "query",
    [
        "oil",
        "loss net",
        "  loss\tnet  ",
        '"qtly dividend"',
        "“first quarter”",
        "earned date:[1987-05-21 TO 1987-06-03]",
        "title:oil prices",
        "exact:prices tags:grain",
        "TO be",
    ],
)
def test_the_benchmark_shapes_take_the_fast_path(query):
    assert plain_parse(query) is not None
    assert outcome(parse, query) == outcome(full_parse, query)


def test_the_fast_path_builds_the_full_parsers_nodes():
    assert plain_parse('loss "qtly dividend" date:[1987-05-21 TO 1987-06-03]') == And(
        (
            Term("text", "loss", text="loss"),
            Phrase("text", ("qtli", "dividend"), 0, text="qtly dividend"),
            full_parse("date:[1987-05-21 TO 1987-06-03]"),
        )
    )
    assert plain_parse('"qtly dividend"').quoted
    assert isinstance(plain_parse("date:[1987 TO 1988]"), DateRange)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "oil AND gas",
        "oil OR gas",
        "NOT oil",
        "oil*",
        "volker~1",
        "-oil",
        "(oil)",
        "oil)",
        '"oil prices"~2',
        '"oil prices',
        "title:AND",
        "role:caption",
        "Title:oil",
        "date:[1987-02-30 TO 1988]",
        "date:[1987 TO 1988]x",
        "oil_gas",
        "e-mail",
    ],
)
def test_the_fast_path_declines_the_rest(query):
    assert plain_parse(query) is None
    assert outcome(parse, query) == outcome(full_parse, query)
