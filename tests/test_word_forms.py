"""Exact words (``=privatization``) and joined or split hyphenated words
(``co-operation`` / ``cooperation``), on every engine, with exact highlights."""

from __future__ import annotations

import pytest

from newsearch import Article, Index, analysis
from newsearch.errors import QuerySyntaxError
from newsearch.query import ast, parse

WORDS = Article(
    "Sale plans",
    (
        "A private placement of shares raised money before the privatization vote.",
        "The privatization of the airline was approved.",
        "Co-operation talks went on by e-mail with Al-Qaeda-linked groups.",
        "Cooperation by email, said a report on Alqaeda.",
        "The co operation of al Qaeda cells and e mail traffic.",
        "Private banks stayed out.",
    ),
    id="words",
)


@pytest.fixture
def words_index(new_index: Index) -> Index:
    new_index.add(WORDS)
    return new_index


def marked(index: Index, query: str) -> list[tuple[int, list[str]]]:
    """Each hit's paragraph number and its highlighted words, in rank order."""
    return [
        (hit.paragraph, [hit.text[s.start : s.end] for s in hit.highlights])
        for hit in index.search(query, limit=20)
    ]


def test_exact_word_parses_folded_and_unstemmed():
    assert parse("=Privatization") == ast.Term("exact", "privatization", text="Privatization")
    assert parse("exact:Netanyahu’s") == ast.Term("exact", "netanyahu", text="Netanyahu’s")
    assert parse('="private placements"') == ast.Phrase(
        "exact", ("private", "placements"), text="private placements"
    )


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [("title:=sale", 6, "paragraph text"), ("=privat*", 1, "prefix")],
)
def test_bad_exact_words_name_the_position(query, position, message):
    with pytest.raises(QuerySyntaxError, match=message) as caught:
        parse(query)
    assert caught.value.position == position


def test_exact_word_bypasses_stemming(words_index):
    assert sorted(marked(words_index, "=privatization")) == [
        (2, ["privatization"]),
        (3, ["privatization"]),
    ]
    assert sorted(marked(words_index, "=private")) == [(2, ["private"]), (7, ["Private"])]
    assert marked(words_index, '="private placement"') == [(2, ["private placement"])]
    assert marked(words_index, "=privatizations") == []


def test_stemmed_word_ranks_the_exact_form_first(words_index):
    ranked = marked(words_index, "privatization")
    assert [number for number, _ in ranked[:2]] in ([2, 3], [3, 2])
    assert ranked[2:] == [(7, ["Private"])]
    words_index.prefer_exact = False
    assert sorted(marked(words_index, "privatization")) == [
        (2, ["private", "privatization"]),
        (3, ["privatization"]),
        (7, ["Private"]),
    ]


def test_compounds_join_hyphenated_words():
    text = "Co-operation by e-mail with Al-Qaeda-linked groups in 1986-87"
    found = [(c.term, text[c.start : c.end]) for c in analysis.compounds(text)]
    assert found == [
        ("cooper", "Co-operation"),
        ("email", "e-mail"),
        ("alqaedalink", "Al-Qaeda-linked"),
        ("alqaeda", "Al-Qaeda"),
        ("qaedalink", "Qaeda-linked"),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cooperation", {4: ["Co-operation"], 5: ["Cooperation"], 6: ["co operation"]}),
        ("co-operation", {4: ["Co-operation"], 5: ["Cooperation"], 6: ["co operation"]}),
        ("email", {4: ["e-mail"], 5: ["email"], 6: ["e mail"]}),
        ("e-mail", {4: ["e-mail"], 5: ["email"], 6: ["e mail"]}),
        ("Alqaeda", {4: ["Al-Qaeda"], 5: ["Alqaeda"], 6: ["al Qaeda"]}),
        ("Al-Qaeda", {4: ["Al-Qaeda"], 5: ["Alqaeda"], 6: ["al Qaeda"]}),
    ],
)
def test_joined_and_split_words_find_each_other(words_index, query, expected):
    assert dict(marked(words_index, query)) == expected


def test_quoted_hyphenated_word_stays_an_exact_phrase(words_index):
    assert sorted(marked(words_index, '"co-operation"')) == [
        (4, ["Co-operation"]),
        (6, ["co operation"]),
    ]
    assert marked(words_index, '"co-operation talks"') == [(4, ["Co-operation talks"])]


def test_excluded_word_is_excluded_in_every_form(words_index):
    assert sorted(p for p, _ in marked(words_index, "by")) == [4, 5]
    assert marked(words_index, "by -cooperation") == []
    assert sorted(p for p, _ in marked(words_index, "the")) == [2, 3, 6]
    assert sorted(p for p, _ in marked(words_index, "the -email")) == [2, 3]
