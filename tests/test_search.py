"""Every row of the query table, through the library, on the seed and a small archive.

Runs once per engine (``archive_index`` is parametrized), so every engine must return
the same hits.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from newsearch import Index, QuerySyntaxError
from newsearch.paragraphs import article_id
from newsearch.readers import read_paths

from .conftest import SEED_FILE


def _seed():
    parsed = next(read_paths([SEED_FILE]))
    assert parsed.article is not None
    return parsed.article


SEED_ID = article_id(_seed())
SEED_PARAGRAPHS = 34


def hits(index: Index, query: str, **kwargs) -> set[tuple[str, int]]:
    results = index.search(query, limit=1000, **kwargs)
    assert results.total == len(results.hits)
    return {(h.article_id, h.paragraph) for h in results}


def seed(*numbers: int) -> set[tuple[str, int]]:
    return {(SEED_ID, n) for n in numbers}


def whole(aid: str, count: int) -> set[tuple[str, int]]:
    return {(aid, n) for n in range(1, count + 1)}


def seed_where(*words: str) -> set[tuple[str, int]]:
    """Seed paragraphs containing every word (whole words, case-sensitive) - an oracle."""
    paragraphs = [p for p in _paragraphs() if all(re.search(rf"\b{w}\b", p.text) for w in words)]
    return {(SEED_ID, p.number) for p in paragraphs}


def _paragraphs():
    from newsearch.paragraphs import split_article

    return split_article(_seed(), SEED_ID)


def test_seed_has_the_expected_paragraphs():
    assert len(_paragraphs()) == SEED_PARAGRAPHS


def test_two_words_mean_both(archive_index):
    assert hits(archive_index, "Rafah Egypt") == seed(9, 13)


@pytest.mark.parametrize("query", ['"Rafah border crossing"', "“Rafah border crossing”"])
def test_exact_phrase_with_straight_or_curly_quotes(archive_index, query):
    assert hits(archive_index, query) == seed(13) | {("old-1", 2)}


def test_phrase_needs_adjacent_words_unless_slop_allows(archive_index):
    assert hits(archive_index, '"Rafah crossing"') == set()
    assert hits(archive_index, '"Rafah crossing"~3') == seed(13) | {("old-1", 2)}


def test_and(archive_index):
    assert hits(archive_index, "Hamas AND Egypt") == seed(2, 4, 9, 15, 17)
    assert hits(archive_index, "Hamas AND Egypt") == seed_where("Hamas", "Egypt")


def test_or(archive_index):
    expected = seed_where("Hamas") | seed_where("Qatar") | {("gulf-1", 1), ("gulf-1", 3)}
    assert hits(archive_index, "Hamas OR Qatar") == expected


def test_not_and_minus_exclude(archive_index):
    expected = seed_where("Hamas") - seed_where("Israel")
    assert hits(archive_index, "Hamas NOT Israel") == expected
    assert hits(archive_index, "Hamas -Israel") == expected
    assert (SEED_ID, 17) in expected


def test_lone_negation_matches_everything_else(archive_index):
    everything = hits(archive_index, "date:[* TO *]")
    assert len(everything) == SEED_PARAGRAPHS + 5 + 3 + 3
    assert hits(archive_index, "-Israel") == everything - hits(archive_index, "Israel")


def test_parentheses_and_precedence(archive_index):
    # "talking" in seed paragraph 32 has the same stem as "talks".
    assert hits(archive_index, "(Qatar OR Doha) AND talks") == seed(2, 32) | {
        ("gulf-1", 1),
        ("gulf-1", 3),
        ("gulf-1", 4),
    }
    # AND binds tighter than OR: Doha OR (Hamas AND Egypt)
    assert hits(archive_index, "Doha OR Hamas Egypt") == {("gulf-1", 2), ("gulf-1", 4)} | seed(
        2, 4, 9, 15, 17
    )


def test_prefix(archive_index):
    assert hits(archive_index, "netan*") == seed_where("Netanyahu")
    assert len(seed_where("Netanyahu")) == 5


def test_prefix_finds_inflections_through_the_stem(archive_index):
    assert hits(archive_index, "negotiat*") == hits(archive_index, "negotiations")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("title:Blinken", lambda: whole(SEED_ID, SEED_PARAGRAPHS)),
        ('title:"empty-handed"', lambda: whole(SEED_ID, SEED_PARAGRAPHS)),
        ('source:"Gulf Times"', lambda: whole("gulf-1", 5) | whole("old-1", 3)),
        ("author:Smith", lambda: whole("markets-1", 3)),
        ("section:business", lambda: whole("markets-1", 3)),
        ("tag:oil", lambda: whole("markets-1", 3)),
        ('tag:"middle east"', lambda: whole("gulf-1", 5) | whole("old-1", 3)),
        ("role:caption", lambda: seed(3)),
        ("role:standfirst", lambda: seed(2) | {("gulf-1", 2)}),
    ],
)
def test_field_scopes(archive_index, query, expected):
    assert hits(archive_index, query) == expected()


def test_field_scope_combines_with_words(archive_index):
    assert hits(archive_index, 'source:"Gulf Times" Rafah') == {("old-1", 2)}
    assert hits(archive_index, "title:(Oil OR Qatar) talks") == {
        ("gulf-1", 1),
        ("gulf-1", 3),
        ("gulf-1", 4),
    }


@pytest.mark.parametrize(
    ("query", "articles"),
    [
        ("date:2024-02-09", {"seed"}),
        ("date:2024-02", {"seed", "gulf-1"}),
        ("date:2024", {"seed", "gulf-1", "markets-1"}),
        ("date:[2024-02-01 TO 2024-02-09]", {"seed", "gulf-1"}),
        ("date:[2024-02-06 TO *]", {"seed", "markets-1"}),
        ("date:>=2024-02-06", {"seed", "markets-1"}),
        ("date:>2024-02-09", {"markets-1"}),
        ("date:<2024-03-01", {"seed", "gulf-1", "old-1"}),
        ("date:<=2023-11", {"old-1"}),
    ],
)
def test_dates_and_ranges(archive_index, query, articles):
    found = {aid for aid, _ in hits(archive_index, query)}
    assert found == {SEED_ID if a == "seed" else a for a in articles}


def test_since_and_until_filter_inclusively(archive_index):
    query = "talks"
    all_articles = {aid for aid, _ in hits(archive_index, query)}
    assert all_articles == {SEED_ID, "gulf-1"}
    assert {a for a, _ in hits(archive_index, query, since="2024-02-06")} == {SEED_ID}
    assert {a for a, _ in hits(archive_index, query, until=date(2024, 2, 5))} == {"gulf-1"}
    assert hits(archive_index, query, since="2024-02-09", until="2024-02-09") == hits(
        archive_index, query + " date:2024-02-09"
    )


def test_stemming_finds_inflections(archive_index):
    found = hits(archive_index, "negotiation")
    assert found == seed_where("negotiations") | {("markets-1", 3)}
    assert len(found) == 3


@pytest.mark.parametrize("query", ["Netanyahu’s", "Netanyahu's", "NETANYAHU"])
def test_case_and_apostrophes_fold(archive_index, query):
    assert hits(archive_index, query) == seed_where("Netanyahu")


@pytest.mark.parametrize(
    "query", ["empty-handed", "Israel-Gaza", "U.S.", "9:30", "Hamas's", "Hamas’", "a & b !", "—"]
)
def test_ordinary_punctuation_never_fails(archive_index, query):
    archive_index.search(query)


def test_hyphenated_word_is_a_phrase(archive_index):
    assert hits(archive_index, "empty-handed") == seed(1)


@pytest.mark.parametrize(
    ("query", "position"),
    [('"Rafah border', 0), ("(Hamas OR Qatar", 0), ("Hamas)", 5), ("date:2024-13-01", 5)],
)
def test_structural_mistakes_name_the_position(archive_index, query, position):
    with pytest.raises(QuerySyntaxError) as err:
        archive_index.search(query)
    assert err.value.position == position


def test_unknown_field_is_an_error(archive_index):
    with pytest.raises(QuerySyntaxError, match="unknown field"):
        archive_index.search("colour:red")


def test_results_rank_bm25_and_page(archive_index):
    first = archive_index.search("Rafah", limit=2)
    second = archive_index.search("Rafah", limit=2, offset=2)
    everything = archive_index.search("Rafah", limit=100)
    assert first.total == second.total == everything.total == 6
    assert [h.paragraph for h in first] + [h.paragraph for h in second] == [
        h.paragraph for h in everything
    ][:4]
    scores = [h.score for h in everything]
    assert scores == sorted(scores, reverse=True)


def test_sort_by_date(archive_index):
    newest = archive_index.search("talks OR crossing OR oil", sort="newest", limit=100)
    oldest = archive_index.search("talks OR crossing OR oil", sort="oldest", limit=100)
    newest_dates = [h.date for h in newest]
    assert newest_dates == sorted(newest_dates, reverse=True)
    assert [h.date for h in oldest] == sorted(newest_dates)
    assert newest.hits[0].article_id == "markets-1"
    assert oldest.hits[0].article_id == "old-1"


def test_hit_carries_metadata_and_highlights(archive_index):
    (hit,) = archive_index.search('"Rafah border crossing" source:"Gulf Times"').hits
    assert (hit.article_id, hit.paragraph, hit.role) == ("old-1", 2, "body")
    assert hit.title == "Border crossing reopens"
    assert hit.source == "Gulf Times" and hit.author == "Sara Khan"
    assert hit.tags == ("Middle East", "aid")
    assert hit.date is not None and hit.date.isoformat() == "2023-11-24T10:00:00"
    start = hit.text.index("Rafah")
    assert [(s.start, s.end) for s in hit.highlights] == [(start, start + 21)]
    assert hit.snippet.text == hit.text


def test_not_word_is_not_highlighted(archive_index):
    results = archive_index.search("Gaza NOT Rafah", limit=100)
    assert results.total > 0
    for hit in results:
        assert {hit.text[s.start : s.end].lower() for s in hit.highlights} == {"gaza"}


def test_by_article_groups_hits(archive_index):
    groups = archive_index.search('Rafah OR "border crossing"', limit=100).by_article()
    assert {g.article_id for g in groups} == {SEED_ID, "old-1"}
    seed_group = next(g for g in groups if g.article_id == SEED_ID)
    assert sorted(h.paragraph for h in seed_group.hits) == [7, 9, 11, 13, 25]


def test_context_adds_neighbouring_paragraphs(archive_index):
    (hit,) = archive_index.search('"Rafah border crossing" Egypt', context=1).hits
    assert [p.number for p in hit.context] == [12, 14]


def test_query_with_no_searchable_words_finds_nothing(archive_index):
    assert archive_index.search("…").total == 0


def test_empty_query_with_dates_lists_the_paragraphs_in_range(archive_index):
    found = {aid for aid, _ in hits(archive_index, "", since="2024-02-06")}
    assert found == {SEED_ID, "markets-1"}
    with pytest.raises(QuerySyntaxError, match="empty query"):
        archive_index.search("  ")
