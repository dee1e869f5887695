"""Any string is a query: the parser, ``Index.search`` and ``newsearch query`` either
answer it or report a syntax error with a position — never another exception, a
traceback, a hang or a crash, however long, deep or odd the query or its options."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsearch import Article, Index, QuerySyntaxError, SearchResults
from newsearch.query import ast, parse
from newsearch.query.parser import FIELDS, MAX_DEPTH, MAX_SLOP

from .conftest import run_cli

# Pieces of the query language and of the text people paste into it, glued together
# with or without spaces so that operators, quotes and fields touch their neighbours.
WORDS = ["Rafah", "Egypt", "talks", "Netanyahu’s", "empty-handed", "U.S.", "9:30", "28,000"]
ODD_WORDS = ["café", "naïve", "שלום", "مرحبا", "😀", "…", "—", "\u200f", "\u202e", "\x00", "\t"]
OPERATORS = [
    "AND",
    "OR",
    "NOT",
    "and",
    "or",
    "not",
    "TO",
    "-",
    "+",
    "*",
    "~3",
    "~",
    "~x",
    "~1",
    "~2",
]
PUNCTUATION = ["(", ")", "[", "]", '"', "“", "”", "„", "«", "»", "'", ":", "::", "~1001"]
VALUES = [
    "Rafah",
    "netan*",
    '"Rafah border"',
    "(Egypt OR Qatar)",
    "2024",
    "2024-02-09",
    "[2024-02-01 TO 2024-02-10]",
    "[2024-02-01 TO *]",
    "[* TO *]",
    "[2024 TO 2023]",
    ">=2024-02-01",
    ">2024-02",
    "<=2024",
    "<2024-13",
    "2024-02-30",
    "0000",
    "99999",
    "[2024",
    "caption",
    "bogus",
    "en",
]
FIELDS_USED = [*FIELDS, "Title", "DATE", "lang", "foo", "https"]
OTHERS = ["https://example.org/x", "note: hi", "date:", "title:", "-(", '"a b"~2', '"a b"~']

pieces = st.one_of(
    st.sampled_from(WORDS + ODD_WORDS + OPERATORS + PUNCTUATION + OTHERS),
    st.sampled_from(WORDS),  # twice as likely, so that many queries find something
    st.builds(
        "{}:{}".format,
        st.sampled_from(FIELDS_USED),
        st.sampled_from(VALUES),
    ),
    st.text(max_size=3),
)
grammar_queries = st.lists(
    st.tuples(pieces, st.sampled_from([" ", " ", "", "  "])), max_size=12
).map(lambda parts: "".join(piece + gap for piece, gap in parts))
queries = st.one_of(st.text(), grammar_queries)

NODE_TYPES = (
    ast.Term,
    ast.Phrase,
    ast.Prefix,
    ast.Fuzzy,
    ast.Keyword,
    ast.DateRange,
    ast.And,
    ast.Or,
    ast.Not,
    ast.MatchAll,
    ast.MatchNone,
)


def assert_normal_form(node: ast.Node, *, root: bool = True) -> None:
    """The AST invariants documented in ``newsearch.query.parser`` (engines rely on them)."""
    assert isinstance(node, NODE_TYPES), node
    if isinstance(node, ast.MatchNone):
        assert root, "MatchNone inside a tree"
    assert not isinstance(node, (ast.MatchAll, ast.Not)), f"{node} outside an And"
    if isinstance(node, (ast.And, ast.Or)):
        assert len(node.children) >= 2, node
        assert not any(isinstance(c, type(node)) for c in node.children), "not flattened"
    if isinstance(node, ast.Or):
        for child in node.children:
            assert_normal_form(child, root=False)
    elif isinstance(node, ast.And):
        first, *rest = node.children
        negated = [c for c in node.children if isinstance(c, ast.Not)]
        assert not any(isinstance(c, ast.MatchAll) for c in rest), "MatchAll not first"
        if isinstance(first, ast.MatchAll):
            assert rest and len(negated) == len(rest), "MatchAll beside a positive child"
        else:
            assert len(negated) < len(node.children), "a negation with nothing positive"
        for child in node.children:
            if isinstance(child, ast.Not):
                assert_normal_form(child.child, root=False)
            elif not isinstance(child, ast.MatchAll):
                assert_normal_form(child, root=False)
    elif isinstance(node, ast.Term):
        assert node.field in ast.TEXT_FIELDS and node.term
    elif isinstance(node, ast.Phrase):
        assert node.field in ast.TEXT_FIELDS and len(node.terms) >= 2 and all(node.terms)
        assert 0 <= node.slop <= MAX_SLOP
    elif isinstance(node, ast.Prefix):
        assert node.field in ast.TEXT_FIELDS and node.prefix
    elif isinstance(node, ast.Fuzzy):
        assert node.field in ast.TEXT_FIELDS and node.term and node.distance in (1, 2)
    elif isinstance(node, ast.Keyword):
        assert node.field in ast.KEYWORD_FIELDS and node.value == node.value.lower()
    elif isinstance(node, ast.DateRange) and node.start and node.end:
        assert node.start < node.end


def parse_outcome(query: str) -> ast.Node | QuerySyntaxError:
    """The AST of ``query`` or the syntax error it raises (anything else propagates)."""
    try:
        return parse(query)
    except QuerySyntaxError as exc:
        return exc


def assert_error_points_into(query: str, exc: QuerySyntaxError) -> None:
    """The caret is under a character of the query, never past it or on a space."""
    assert exc.query == query
    if query.strip():
        assert 0 <= exc.position < len(query), (exc.position, exc)
        assert not query[exc.position].isspace(), exc
    else:
        assert exc.position == 0
    assert str(exc).endswith(f"(at position {exc.position})")


# -- (a) the parser -----------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(queries)
def test_parse_gives_a_normal_ast_or_a_syntax_error_at_a_character(query):
    outcome = parse_outcome(query)
    if isinstance(outcome, QuerySyntaxError):
        assert_error_points_into(query, outcome)
    else:
        assert_normal_form(outcome)


@pytest.mark.parametrize(
    "query",
    ["date:[2024 TO 2023]", 'title:"a', "(a", "a)", "a AND", "NOT", "lang:en", "date:2024-13"],
)
def test_known_mistakes_are_syntax_errors(query):
    assert isinstance(parse_outcome(query), QuerySyntaxError)


# -- (b) the library and (c) the command line, on the archive -----------------------


@settings(max_examples=200, deadline=None)
@given(queries)
def test_search_answers_or_raises_a_syntax_error(archive_index, query):
    try:
        results = archive_index.search(query)
    except QuerySyntaxError as exc:
        assert_error_points_into(query, exc)
        return
    assert isinstance(results, SearchResults)
    assert len(results.hits) == min(results.total, 10)


def expected_exit(index: Index, query: str) -> int:
    try:
        return 0 if index.search(query, limit=1).total else 1
    except QuerySyntaxError:
        return 2


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(queries)
def test_cli_exits_0_1_or_2_and_never_shows_a_traceback(archive_index, runner, query):
    # A leading "-" is an option to any command line; "--" is how a user passes it.
    words = ["--", query] if query.startswith("-") else [query]
    result = run_cli(runner, "query", "--index", str(archive_index.path), *words)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == expected_exit(archive_index, query), result.stderr
    if result.exit_code == 2:
        assert result.stderr.startswith("newsearch: error: bad query:"), result.stderr
        assert result.stdout == ""
    else:  # at most notes on how the query was read
        assert all(line.startswith("newsearch: note: ") for line in result.stderr.splitlines())
        assert result.stdout.strip()


# -- very long and very deep queries ------------------------------------------------

LONG = 10_000


@pytest.mark.parametrize("operator", [" ", " AND ", " OR "])
def test_ten_thousand_missing_words_are_answered(archive_index, operator):
    query = operator.join(f"zzword{i}" for i in range(LONG))
    assert archive_index.search(query).total == 0


@pytest.mark.parametrize("operator", [" ", " OR "])
def test_ten_thousand_repeats_of_one_word_find_what_it_finds(archive_index, operator):
    rafah = archive_index.search("Rafah", limit=100)
    results = archive_index.search(operator.join(["Rafah"] * LONG), limit=100)
    assert results.total == rafah.total > 0
    assert {(h.article_id, h.paragraph) for h in results} == {
        (h.article_id, h.paragraph) for h in rafah
    }


def test_ten_thousand_alternatives_find_what_one_finds(archive_index):
    query = " OR ".join(["Rafah", *(f"zzword{i}" for i in range(LONG - 1))])
    assert archive_index.search(query).total == archive_index.search("Rafah").total > 0


@pytest.mark.parametrize(("operator", "paragraphs"), [(" ", [2]), (" OR ", [2, 3])])
def test_a_paragraph_is_found_by_all_ten_thousand_of_its_words(new_index, operator, paragraphs):
    words = [f"w{i}" for i in range(LONG)]
    new_index.add(Article(title="Word list", body=(" ".join(words), "w1 only"), id="list"))
    results = new_index.search(operator.join(words))
    assert [h.paragraph for h in results] == paragraphs
    assert len(results.hits[0].highlights) == LONG
    assert results.hits[0].snippet.text.startswith("w0 w1 w2")


@pytest.mark.parametrize("opening", ["(", "title:(", "NOT (", "-(", '("a" OR ('])
def test_five_hundred_nested_groups_are_a_syntax_error_at_the_limit(archive_index, opening):
    query = opening * 500 + "Rafah" + ")" * 500
    with pytest.raises(QuerySyntaxError, match="too deeply") as caught:
        archive_index.search(query)
    groups = [i for i, character in enumerate(query) if character == "("]
    assert caught.value.position == groups[MAX_DEPTH]


def test_nesting_up_to_the_limit_is_answered(archive_index):
    # Alternating operators keep every level in the AST (same operators would flatten).
    query = "Rafah"
    for level in range(MAX_DEPTH):
        query = f"({query} OR zz{level})" if level % 2 else f"({query} AND Rafah)"
    assert archive_index.search(query).total == archive_index.search("Rafah").total
    query = "(" * MAX_DEPTH + "Rafah" + ")" * MAX_DEPTH
    assert archive_index.search(query).total == archive_index.search("Rafah").total


@pytest.mark.parametrize("sign", ["NOT ", "-", "+"])
def test_ten_thousand_signs_cancel_without_recursion(archive_index, sign):
    rafah = archive_index.search("Rafah").total
    without = archive_index.search("-Rafah").total
    assert archive_index.search(sign * LONG + "Rafah").total == rafah
    assert archive_index.search(sign * (LONG + 1) + "Rafah").total == (
        without if sign != "+" else rafah
    )


def test_deep_nesting_through_the_cli_exits_2_with_the_position(archive_index, runner):
    query = "(" * 500 + "Rafah" + ")" * 500
    result = run_cli(runner, "query", "--index", str(archive_index.path), query)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"newsearch: error: bad query: query nests parentheses too deeply (limit {MAX_DEPTH}) "
        f"(at position {MAX_DEPTH})"
    )


# -- huge --limit and --offset ------------------------------------------------------

HUGE = [10**9, 2**62, 2**64, 10**30]
# A native engine that sizes its result buffer by offset + limit aborts the whole
# process instead of raising, so the huge pages are asked for in a child process.
CHILD = """
import json, sys
from click.testing import CliRunner
from newsearch import Index
from newsearch.cli import cli
path, cases = sys.argv[1], json.loads(sys.argv[2])
with Index.open(path) as index:
    for limit, offset, sort in cases:
        found = index.search("Rafah", limit=limit, offset=offset, sort=sort)
        args = ["query", "--index", path, "Rafah", "--limit", str(limit),
                "--offset", str(offset), "--sort", sort, "--json"]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        shown = json.loads(result.stdout)
        print(json.dumps([found.total, len(found.hits), result.exit_code,
                          shown["total"], len(shown["hits"])]), flush=True)
"""


def test_huge_limits_and_offsets_are_answered(archive_index):
    rafah = archive_index.search("Rafah", limit=1000).total
    cases = [(n, 0, "relevance") for n in HUGE]
    cases += [(10, n, "relevance") for n in HUGE] + [(n, n, "relevance") for n in HUGE]
    cases += [(2**62, 0, "newest"), (2**62, 2, "oldest"), (0, 2**62, "relevance")]
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(archive_index.path), json.dumps(cases)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    answers = [json.loads(line) for line in child.stdout.splitlines()]
    assert answers == [
        [rafah, max(0, min(limit, rafah - offset)), 0, rafah, max(0, min(limit, rafah - offset))]
        for limit, offset, _ in cases
    ]
