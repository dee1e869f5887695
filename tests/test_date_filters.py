"""Date filters and match counts against brute force, on indexes of several commits
(whoosh segments) with replaced and deleted articles: each engine matches date ranges
its own way (whoosh reads the day terms' postings at once), and counting without scores
must count what a search finds."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest

from newsearch import Article

WORDS = ("grain", "oil", "bank", "rate", "crop", "ship")
FIRST_DAY = date(1987, 2, 20)


def _articles(rng: random.Random, count: int, prefix: str) -> list[Article]:
    """``count`` articles over 70 days, a few words each; a fifth are undated."""
    made = []
    for n in range(count):
        day = FIRST_DAY + timedelta(days=rng.randrange(70))
        body = tuple(" ".join(rng.sample(WORDS, 2)) for _ in range(rng.randrange(1, 4)))
        dated = datetime(day.year, day.month, day.day, rng.randrange(24)) if n % 5 else None
        made.append(Article(title=f"story {n}", body=body, id=f"{prefix}{n}", date=dated))
    return made


def _expected(articles: dict[str, Article], first: date | None, last: date | None, word: str):
    """(article id, paragraph number) of every paragraph holding ``word`` whose article is
    dated within the whole days ``first``..``last`` (open ends when None)."""
    found = set()
    for article in articles.values():
        if article.date is None:
            continue
        day = article.date.date()
        if (first is not None and day < first) or (last is not None and day > last):
            continue
        for number, text in enumerate(article.body, start=2):
            if word in text.split():
                found.add((article.id, number))
    return found


@pytest.fixture
def churned(new_index):
    """An index of three commits: added, then a third replaced (new dates), then a tenth
    deleted; and the articles it should hold by id."""
    rng = random.Random(7)
    live = {a.id: a for a in _articles(rng, 60, "a")}
    new_index.add_articles(list(live.values()))
    replaced = [
        Article(title=a.title, body=a.body, id=a.id, date=datetime(1987, 3, 1 + n % 20))
        for n, a in enumerate(list(live.values())[::3])
    ]
    more = _articles(rng, 20, "b")
    new_index.add_articles(replaced + more)
    live.update({a.id: a for a in replaced + more})
    gone = sorted(live)[::10]
    new_index.delete(*gone)
    for article_id in gone:
        del live[article_id]
    return new_index, live


RANGES = [
    (date(1987, 3, 1), date(1987, 3, 14)),
    (date(1987, 2, 20), date(1987, 2, 20)),
    (None, date(1987, 3, 5)),
    (date(1987, 4, 10), None),
    (date(1987, 1, 1), date(1987, 12, 31)),
    (date(1988, 1, 1), date(1988, 2, 1)),
]


@pytest.mark.parametrize(("first", "last"), RANGES)
@pytest.mark.parametrize("word", ["grain", "ship"])
def test_date_ranges_find_what_brute_force_finds(churned, first, last, word):
    index, live = churned
    start = first.isoformat() if first else "*"
    end = last.isoformat() if last else "*"
    query = f"{word} date:[{start} TO {end}]"
    result = index.search(query, limit=1000)
    found = {(h.article_id, h.paragraph) for h in result.hits}
    expected = _expected(live, first, last, word)
    assert found == expected
    assert result.total == len(expected)
    assert result.total_articles == len({article_id for article_id, _ in expected})
    for sort in ("newest", "oldest"):
        ordered = index.search(query, limit=1000, sort=sort)
        assert {(h.article_id, h.paragraph) for h in ordered.hits} == expected
        dates = [h.date for h in ordered.hits]
        assert dates == sorted(dates, reverse=sort == "newest")
    collapsed = index.search(query, limit=1000, collapse=True)
    assert collapsed.total == len(expected)


def test_a_range_over_every_date_finds_every_dated_paragraph(churned):
    index, live = churned
    result = index.search("date:[* TO *]", limit=1000)
    dated = [a for a in live.values() if a.date is not None]
    assert result.total == sum(1 + len(a.body) for a in dated)
    assert result.total_articles == len(dated)


QUERIES = ["grain", "grain oil", "grain OR ship", "-grain", "grain -oil", '"oil bank"', "crop*"]


@pytest.mark.parametrize("query", QUERIES)
def test_counts_equal_search_totals(churned, query):
    index, _ = churned
    for text in (query, f"{query} date:[1987-03-01 TO 1987-03-20]"):
        node = index._node(text, None)
        assert index.engine.count(node) == index.search(text, limit=1).total > 0


@pytest.mark.parametrize(("first", "last"), [RANGES[0], RANGES[2], RANGES[4]])
def test_article_counts_on_any_page_equal_brute_force(churned, first, last):
    """tantivy counts a page's articles from its hits when they are all the matches,
    else by a second search when the count is read: the same count."""
    index, live = churned
    query = f"grain date:[{first or '*'} TO {last or '*'}]"
    expected = _expected(live, first, last, "grain")
    assert len(expected) > 3
    for limit, offset in ((3, 0), (1000, 0), (3, 2)):
        result = index.search(query, limit=limit, offset=offset)
        assert result.total == len(expected)
        assert result.total_articles == len({article_id for article_id, _ in expected})


def test_date_filters_on_an_empty_index_and_on_undated_articles(new_index):
    assert new_index.search("date:[1987-01-01 TO 1987-12-31]").total == 0
    new_index.add_articles([Article(title="Undated", body=("Grain prices rose.",), id="u1")])
    assert new_index.search("grain date:>=1987-01-01").total == 0
    assert new_index.search("grain").total == 1
    new_index.add_articles(
        [Article(title="Dated", body=("Grain again.",), id="d1", date=datetime(1987, 3, 2))]
    )
    found = new_index.search("grain date:<=1987-03-02")
    assert [h.article_id for h in found] == ["d1"]
