"""Fuzzy terms (``volker~1``): the index's own words within one or two edits, on every
engine, with the words that matched highlighted."""

from __future__ import annotations

import pytest

from newsearch import Article, Index
from newsearch.errors import QuerySyntaxError
from newsearch.lexicon import Lexicon
from newsearch.query import ast, parse

from .conftest import run_cli

FED = Article(
    "Fed chief speaks",
    (
        "Paul Volcker said interest rates would stay high.",
        "Volker is how one wire spelled the name; Volcker again.",
        "Traders said nothing about the central bank.",
    ),
    id="fed",
)


@pytest.fixture
def fed_index(new_index: Index) -> Index:
    new_index.add(FED)
    return new_index


def marked(index: Index, query: str) -> list[tuple[int, list[str]]]:
    """Each hit's paragraph number and the words highlighted in it, in rank order."""
    return [
        (hit.paragraph, [hit.text[s.start : s.end] for s in hit.highlights])
        for hit in index.search(query, limit=20)
    ]


def test_fuzzy_word_parses_with_its_distance():
    assert parse("volker~1") == ast.Fuzzy("text", "volker", 1, text="volker")
    assert parse("title:Volcker~2") == ast.Fuzzy("title", "volcker", 2, text="Volcker")


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("volker~3", 6, "edit distance of 1 or 2"),
        ("rates volker~0", 12, "edit distance of 1 or 2"),
        ("co-operation~1", 0, "one word"),
    ],
)
def test_bad_fuzzy_terms_name_the_position(query, position, message):
    with pytest.raises(QuerySyntaxError, match=message) as caught:
        parse(query)
    assert caught.value.position == position


def test_plain_word_finds_only_its_own_spelling(fed_index):
    assert marked(fed_index, "volker") == [(3, ["Volker"])]


def test_fuzzy_word_finds_near_spellings_and_highlights_them(fed_index):
    assert sorted(marked(fed_index, "volker~1")) == [(2, ["Volcker"]), (3, ["Volker", "Volcker"])]


def test_swapped_letters_are_one_edit(fed_index):
    assert sorted(p for p, _ in marked(fed_index, "Volkcer~1")) == [2, 3]
    assert marked(fed_index, "vlokcer~1") == []
    assert sorted(p for p, _ in marked(fed_index, "vlokcer~2")) == [2, 3]


def test_fuzzy_word_under_not_excludes_every_match(fed_index):
    assert marked(fed_index, "said -volker~1") == [(4, ["said"])]


def test_fuzzy_word_in_a_field(fed_index):
    assert len(fed_index.search("title:cheef~1", limit=20)) == 4
    assert len(fed_index.search("title:cheef", limit=20)) == 0


def test_fuzzy_sees_words_added_later(fed_index):
    assert fed_index.search("netanjahu~1").total == 0
    fed_index.add(Article("Visit", ("Netanyahu arrived on Monday.",), id="visit"))
    assert marked(fed_index, "netanjahu~1") == [(2, ["Netanyahu"])]


def test_lexicon_ranks_nearest_then_commonest():
    lexicon = Lexicon({"volcker": 5, "volker": 1, "volkers": 9, "volk": 2, "baker": 40})
    assert lexicon.near("volker", 1) == [("volker", 0), ("volkers", 1), ("volcker", 1)]
    assert lexicon.near("volker", 2, limit=4) == [
        ("volker", 0),
        ("volkers", 1),
        ("volcker", 1),
        ("volk", 2),
    ]
    assert lexicon.count("baker") == 40 and lexicon.count("bakers") == 0


def test_lexicon_near_keeps_only_common_enough_terms():
    lexicon = Lexicon({"volcker": 5, "volker": 1, "volkers": 9, "volk": 2, "baker": 40})
    assert lexicon.near("volker", 2, min_count=5) == [("volkers", 1), ("volcker", 1)]
    assert lexicon.near("volker", 2, min_count=10) == []
    assert lexicon.near("vol", 1) == [("volk", 1)]  # lengths 2 to 4 only


def test_cli_fuzzy_query(runner, tmp_path, fed_index):
    result = run_cli(runner, "query", "--index", str(fed_index.path), "volker~1", "--json")
    assert result.exit_code == 0
    assert '"total": 2' in result.output
