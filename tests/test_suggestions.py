"""Did you mean: corrected queries from the index's own words, weighted by how many
paragraphs hold them, in the library, the JSON and the CLI, on every engine."""

from __future__ import annotations

import json

import pytest

from newsearch import Article, Index
from newsearch.engines.base import PREFIX_READS
from newsearch.lexicon import Lexicon
from newsearch.suggest import Suggestion, corrections

from .conftest import run_cli

FED = [
    Article(
        f"Fed note {n}",
        (f"Paul Volcker spoke about interest rates, note {n}.", "Markets listened."),
        id=f"fed-{n}",
    )
    for n in range(12)
] + [
    Article("Wire", ("Volker, as one wire spelled it, said rates would rise.",), id="wire"),
    Article("Walker", ("Mr Walker runs the Treasury desk.",), id="walker"),
]


@pytest.fixture
def fed_index(new_index: Index) -> Index:
    new_index.add_articles(FED)
    return new_index


def test_misspelled_word_gets_the_common_spelling(fed_index):
    results = fed_index.search("volker")
    assert results.total == 1
    assert results.suggestions == (Suggestion("volcker", 12),)


def test_each_misspelled_word_of_a_query_is_corrected(fed_index):
    results = fed_index.search("volcekr intrest")
    assert results.total == 0
    assert results.suggestions[0] == Suggestion("volcker interest", 12)


def test_no_suggestion_when_the_query_has_plenty_of_hits(fed_index):
    assert fed_index.search("markets").suggestions == ()
    assert fed_index.search("volcker").suggestions == ()


def test_no_suggestion_when_nothing_is_near(fed_index):
    assert fed_index.search("zzyzx").suggestions == ()


def test_corrections_rank_nearest_then_commonest():
    words = Lexicon({"volcker": 40, "volker": 1, "vulcker": 30, "volkers": 20, "walker": 50})
    # "walker" is one edit away and the commonest, but starts with another letter.
    assert corrections("volker", words) == ["volcker", "volkers", "vulcker"]
    assert corrections("volker", Lexicon({"volcker": 5, "volker": 1})) == []


def test_suggestions_in_json_and_on_the_cli(runner, fed_index):
    path = str(fed_index.path)
    shown = run_cli(runner, "query", "--index", path, "volker")
    assert shown.exit_code == 0
    assert "Did you mean: volcker (12 hits)?" in shown.output
    data = json.loads(run_cli(runner, "query", "--index", path, "volcekr", "--json").output)
    assert data["total"] == 0
    assert data["suggestions"][0] == {"query": "volcker", "hits": 12}
    assert [s["query"] for s in data["suggestions"]] == ["volcker", "volker"]


# "wheat" is right and common; "that", two edits away, is ten times more common still.
GRAIN = (
    [Article(f"Note {n}", ("They said that it would rain.",), id=f"that-{n}") for n in range(40)]
    + [Article(f"Grain {n}", ("Wheat prices fell.",), id=f"wheat-{n}") for n in range(3)]
    + [Article("Trade", ("Wheat exports rose.",), id="exports")]
)


def test_a_correction_keeps_the_first_letter(new_index):
    """As in Lucene's and Elasticsearch's spell checkers (prefix length 1): a common
    word is not 'corrected' into a commoner word that starts differently."""
    new_index.add_articles(GRAIN)
    assert corrections("wheat", new_index.lexicon("exact")) == []
    results = new_index.search("wheat exprots")
    assert results.total == 0
    assert results.suggestions == (Suggestion("wheat exports", 1),)
    # Without the rule "wheat" would become "that": 40 paragraphs against 4.
    assert new_index.lexicon("exact").near("wheat", 2) == [("that", 2), ("wheat", 0)][::-1]


def test_suggestions_read_only_the_words_of_the_typed_initials(fed_index):
    """A misspelled query reads the words starting like its words, not the whole
    vocabulary (which grows with the archive)."""
    assert fed_index.search("volker").suggestions == (Suggestion("volcker", 12),)
    vocabulary = fed_index.engine.vocabulary("exact")
    assert vocabulary._all is None
    assert vocabulary.starting_with("v") == {"volcker": 12, "volker": 1}


def test_starting_with_agrees_with_the_whole_vocabulary(fed_index):
    for field in ("text", "exact"):
        everything = dict(fed_index.engine.vocabulary(field))
        for prefix in ("", "v", "w", "ra", "zz"):
            found = fed_index.engine.vocabulary(field).starting_with(prefix)
            assert found == {t: n for t, n in everything.items() if t.startswith(prefix)}
    assert fed_index.engine.vocabulary("exact").starting_with("wa") == {"walker": 2}


def test_a_vocabulary_asked_for_many_letters_is_read_whole_once(fed_index):
    vocabulary = fed_index.engine.vocabulary("exact")
    everything = dict(type(vocabulary)(vocabulary._count, vocabulary._read))
    letters = sorted({t[:1] for t in everything})
    assert len(letters) > PREFIX_READS + 1
    for n, letter in enumerate(letters):
        expected = {t: c for t, c in everything.items() if t.startswith(letter)}
        assert vocabulary.starting_with(letter) == expected
        # The first PREFIX_READS letters are read apart, then the vocabulary whole.
        assert (vocabulary._all is None) == (n < PREFIX_READS)
    assert vocabulary.starting_with("vol") == {"volcker": 12, "volker": 1}


def test_a_word_in_more_than_one_percent_of_paragraphs_is_not_corrected(new_index):
    """Lucene's maxQueryFrequency: a common word is spelt right, even next to a word ten
    times commoner still."""
    new_index.add_articles(
        [Article(f"Close {n}", ("The market closed.",), id=f"m-{n}") for n in range(60)]
        + [Article(f"Bread {n}", ("He makes bread.",), id=f"b-{n}") for n in range(3)]
    )
    # 126 paragraphs: "makes" is in 3 of them, more than 1% (2); "market" in 60.
    assert new_index.search("makes").total == 3
    assert new_index.search("makes").suggestions == ()
    words = new_index.lexicon("exact")
    assert corrections("makes", words) == ["market"]
    assert corrections("makes", words, common=3) == ["market"]
    assert corrections("makes", words, common=2) == []
