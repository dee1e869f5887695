"""No silent misreading: habits from other query languages are errors that say so, at a
position counted from 0; lower-case operators are words with a note; numbers keep their
separators; apostrophe forms fold alike."""

from __future__ import annotations

import json

import pytest

from newsearch import Article
from newsearch.analysis import terms
from newsearch.errors import QuerySyntaxError
from newsearch.query import parse
from newsearch.query.ast import Term

from .conftest import run_cli


def error_at(query: str) -> tuple[int, str]:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    return caught.value.position, caught.value.message


@pytest.mark.parametrize(
    ("query", "position", "words"),
    [
        ("title:-oil", 6, "goes before the field"),
        ("title:+oil", 6, "goes before the field"),
        ("title:", 0, "needs a value right after the colon"),
        ("oil tag:", 4, "needs a value right after the colon"),
        ("date:", 0, "needs a value right after the colon"),
        ("title: oil", 0, "needs a value right after the colon"),
        ("(oil source:)", 5, "needs a value right after the colon"),
        ("title:NOT oil", 6, "is not an exclusion"),
        ("opec^2", 4, "boosts ('^2') are not supported"),
        ('"crude oil"^2', 11, "boosts ('^2') are not supported"),
        ('"crude oil pri*"', 14, "'*' (a prefix) cannot go inside quotes"),
        ("c*t", 1, "wildcards inside or before a word"),
        ("oil *gas", 4, "wildcards inside or before a word"),
    ],
)
def test_habits_of_other_query_languages_are_errors_at_their_position(query, position, words):
    found_position, message = error_at(query)
    assert (found_position, words in message) == (position, True)


def test_positions_count_from_0_in_the_message_and_the_attribute():
    with pytest.raises(QuerySyntaxError) as caught:
        parse("oil AND")
    assert caught.value.position == 4
    assert str(caught.value) == "'AND' needs a term after it (at position 4)"
    assert caught.value.caret() == "oil AND\n    ^"


def test_a_lower_case_not_after_a_field_is_the_word():
    assert parse("title:not") == Term("title", "not", text="not")


def test_lower_case_operators_are_words_with_a_note_when_little_is_found(archive_index):
    results = archive_index.search("Qatar or Egypt")
    assert results.total == 0  # all three words, "or" included, in one paragraph: none
    assert results.notes == ("'or' searched as a word: operators are upper case (OR)",)
    assert results.to_dict()["notes"] == list(results.notes)
    assert archive_index.search("Qatar OR Egypt").notes == ()
    assert archive_index.search("Qatar OR Egypt").total == 12


def test_cli_prints_the_note_on_stderr(archive_index, runner):
    result = run_cli(runner, "query", "--index", str(archive_index.path), "Qatar and not Egypt")
    assert result.exit_code == 1
    assert result.stderr == (
        "newsearch: note: 'and', 'not' searched as words: operators are upper case (AND, NOT)\n"
    )


def test_a_decimal_comma_is_not_a_thousands_comma(new_index):
    new_index.add(Article(title="Times", body=("The vote ended at 11:15 local time.",), id="t"))
    new_index.add(Article(title="Troops", body=("Some 28,000 troops and 1,5 tonnes.",), id="n"))
    assert [h.article_id for h in new_index.search("1,5")] == ["n"]  # not 11:15
    assert [h.article_id for h in new_index.search("15")] == ["t"]
    assert [h.article_id for h in new_index.search("28000")] == ["n"]
    assert terms("1,234.5 and 1,5") == ["1234.5", "and", "1,5"]


@pytest.mark.parametrize("apostrophe", ["'", "\u2019", "\u02bc", "\u2018", "`", "\u00b4"])
def test_every_apostrophe_form_folds_the_same_on_both_code_paths(apostrophe, new_index):
    word = f"Netanyahu{apostrophe}s don{apostrophe}t"
    assert terms(word) == ["netanyahu", "dont"]  # ASCII and non-ASCII paths alike
    new_index.add(Article(title="T", body=(f"{word} agree.",), id=f"a{ord(apostrophe)}"))
    assert new_index.search('"Netanyahu\u2019s don\u2019t agree"').total == 1
    assert new_index.search('"netanyahu dont"').hits[0].highlights[0].start == 0


def test_bad_since_is_a_bad_option_value_not_a_bad_query(archive_index, runner):
    where = str(archive_index.path)
    result = run_cli(runner, "query", "--index", where, "Rafah", "--since", "soon")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "newsearch: error: invalid value for '--since': not a date: 'soon' (use YYYY"
    )
    assert "bad query" not in result.stderr
    reversed_range = run_cli(
        runner, "query", "--index", where, "Rafah", "--since", "2024-03", "--until", "2024-02"
    )
    assert reversed_range.stderr == (
        "newsearch: error: invalid value for '--until': 2024-02 is before since (2024-03)\n"
    )


def test_a_query_tantivy_refuses_is_a_query_error_not_damage(tmp_path, runner):
    story = {"id": "s", "title": "Story", "text": "Words."}
    (tmp_path / "s.json").write_text(json.dumps(story), encoding="utf-8")
    where = str(tmp_path / "i")
    run_cli(runner, "index", "--index", where, "--engine", "tantivy", str(tmp_path / "s.json"))
    result = run_cli(runner, "query", "--index", where, "a" * 20_000 + "*")
    assert result.exit_code == 2
    assert result.stderr.startswith("newsearch: error: the tantivy engine cannot run this query")
    assert "damaged" not in result.stderr and "rebuild" not in result.stderr
