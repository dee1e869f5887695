"""``total`` counts every match, whatever the page size (whoosh's top-N optimisations
once dropped documents from the count)."""

from __future__ import annotations

import pytest

from .synthetic import synthetic_articles, write_jsonl


@pytest.fixture(scope="module", params=["whoosh", "tantivy"])
def synthetic_index(request, tmp_path_factory):
    from newsearch import Index
    from newsearch.engines import engine_class
    from newsearch.errors import EngineUnavailableError

    try:
        engine_class(request.param)
    except EngineUnavailableError:
        pytest.skip(f"{request.param} is not installed")
    base = tmp_path_factory.mktemp(f"totals-{request.param}")
    write_jsonl(base / "a.jsonl", synthetic_articles(600, seed=5))
    index = Index.open(base / "index", create=True, engine=request.param)
    index.add_paths([base / "a.jsonl"])
    yield index
    index.close()


@pytest.mark.parametrize(
    "query",
    [
        "oil",
        "oil prices",
        "storm OR flood",
        '"border crossing"',
        "tax -budget",
        "date:2024-03",
        "oil date:[2024-02-01 TO 2024-05-20]",
        "flood date:[2024-03-03 TO 2024-03-20]",
        "trade OR deal date:>=2024-06",
    ],
)
@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_total_is_the_same_for_every_page_size(synthetic_index, query, sort):
    everything = synthetic_index.search(query, limit=100_000, sort=sort, highlight=False)
    assert everything.total == len(everything.hits) > 10
    for limit in (1, 10, 50):
        page = synthetic_index.search(query, limit=limit, sort=sort, highlight=False)
        assert page.total == everything.total
        assert [h.paragraph for h in page] == [h.paragraph for h in everything][:limit]


@pytest.mark.parametrize("query", ["oil", "storm OR flood", "tax -budget", "date:2024-03"])
def test_total_articles_counts_distinct_articles_over_all_pages(synthetic_index, query):
    everything = synthetic_index.search(query, limit=100_000, highlight=False)
    articles = {h.article_id for h in everything}
    assert len(articles) < everything.total  # some articles match in several paragraphs
    for limit in (1, 10):
        page = synthetic_index.search(query, limit=limit, offset=3, highlight=False)
        assert page.total_articles == len(articles)
        assert page.to_dict()["total_articles"] == len(articles)


@pytest.mark.parametrize("query", ["oil", "storm OR flood", "tax -budget"])
def test_total_articles_counted_by_aggregation_is_the_same(synthetic_index, query, monkeypatch):
    # tantivy counts the articles of many matches with a terms aggregation: force it.
    from newsearch.engines import tantivy as tantivy_engine

    before = synthetic_index.search(query, limit=1, highlight=False).total_articles
    articles = {h.article_id for h in synthetic_index.search(query, limit=100_000)}
    monkeypatch.setattr(tantivy_engine, "_AGGREGATE_FROM", 0)
    after = synthetic_index.search(query, limit=1, highlight=False)
    assert before == after.total_articles == len(articles)


@pytest.mark.parametrize("unit", ["articles", "stories"])
def test_coverage_counts_by_aggregation_are_the_same(synthetic_index, unit, monkeypatch):
    # The same distinct counts serve timelines and facets: forced through the aggregation.
    from newsearch.engines import tantivy as tantivy_engine

    def counts():
        timeline = synthetic_index.timeline("oil", interval="month", unit=unit).to_dict()
        roles = synthetic_index.facets("oil OR storm", by="role", unit=unit).to_dict()
        return timeline, roles

    before = counts()
    monkeypatch.setattr(tantivy_engine, "_AGGREGATE_FROM", 0)
    assert counts() == before


def test_total_articles_counts_the_index_the_page_was_searched_in(new_index, tmp_path):
    write_jsonl(tmp_path / "first.jsonl", synthetic_articles(40, seed=3))
    new_index.add_paths([tmp_path / "first.jsonl"])
    page = new_index.search("oil", limit=1, highlight=False)
    articles = {h.article_id for h in new_index.search("oil", limit=100_000)}
    assert page.total > 1
    # Twenty more articles, each with "oil", are committed before the count is read.
    more = synthetic_articles(60, seed=11)[40:]
    for article in more:
        article["paragraphs"].append("Oil again.")
    write_jsonl(tmp_path / "more.jsonl", more)
    new_index.add_paths([tmp_path / "more.jsonl"])
    assert page.total_articles == len(articles)
    assert new_index.search("oil", limit=1).total_articles == len(articles) + 20


def test_tantivy_counts_articles_only_when_asked(tmp_path, monkeypatch):
    """A page with more matches than hits counts its articles when ``total_articles``
    is first read, and once."""
    from newsearch import Index
    from newsearch.engines import tantivy as tantivy_engine

    write_jsonl(tmp_path / "a.jsonl", synthetic_articles(100, seed=5))
    index = Index.open(tmp_path / "index", create=True, engine="tantivy")
    index.add_paths([tmp_path / "a.jsonl"])
    articles = {h.article_id for h in index.search("oil", limit=100_000)}
    counted = []
    distinct = tantivy_engine.TantivyEngine._distinct

    def spy(self, *args, **kwargs):
        counted.append(kwargs.get("total"))
        return distinct(self, *args, **kwargs)

    monkeypatch.setattr(tantivy_engine.TantivyEngine, "_distinct", spy)
    page = index.search("oil", limit=2, highlight=False)
    assert counted == []
    assert page.total_articles == len(articles) == page.to_dict()["total_articles"]
    assert counted == [page.total]
    # A page that holds every match counts from its own hits at once.
    whole = index.search("oil", limit=page.total, highlight=False)
    assert len(counted) == 2 and whole.total_articles == len(articles)
    index.close()
