"""Ranking levers: articles ranked by their paragraphs' evidence, and query expansion
(RM3) that finds more without changing what is highlighted, on every engine."""

from __future__ import annotations

from dataclasses import dataclass

from newsearch import Article, Index
from newsearch.ranking import article_score, rank_articles

from .conftest import run_cli

OIL = [
    Article(
        "Crude output",
        (
            "Crude oil output rose as the cartel met in Vienna.",
            "The cartel said crude quotas would hold through winter.",
            "Refiners in Vienna bought more crude for winter.",
        ),
        id="output",
    ),
    Article("Wheat", ("Wheat exports rose; one shipment held crude oil drums.",), id="wheat"),
    Article("Cartel quotas", ("The cartel met in Vienna and kept its quotas.",), id="quotas"),
]


@dataclass(frozen=True)
class Scored:
    article_id: str
    score: float


def test_article_score_is_best_plus_a_decaying_share_of_the_next():
    assert article_score([1.0, 4.0, 2.0], decay=0.5) == 4.0 + 1.0 + 0.25
    assert article_score([4.0, 2.0, 1.0, 8.0], decay=0.5) == 8.0 + 2.0 + 0.5
    assert article_score([3.0, 2.0], decay=0.0) == 3.0


def test_articles_that_return_to_the_subject_rank_first():
    hits = [Scored("once", 3.0), Scored("often", 2.5), Scored("often", 2.0), Scored("x", 0.1)]
    assert rank_articles(hits, decay=0.5) == ["often", "once", "x"]
    assert rank_articles(hits, decay=0.0) == ["once", "often", "x"]


def test_unscored_hits_keep_their_order():
    hits = [Scored("b", 0.0), Scored("a", 0.0), Scored("b", 0.0)]
    assert rank_articles(hits) == ["b", "a"]


def test_results_group_articles_by_their_evidence(new_index: Index):
    new_index.add_articles(OIL)
    results = new_index.search("crude", limit=10)
    assert {hit.article_id for hit in results} == {"output", "wheat"}
    assert next(group.article_id for group in results.by_article()) == "output"


def test_expansion_finds_related_paragraphs_and_highlights_only_the_query(new_index: Index):
    new_index.add_articles(OIL)
    plain = new_index.search("crude", limit=10)
    expanded = new_index.search("crude", limit=10, expand=True)
    assert plain.total == 5
    assert expanded.total > plain.total
    found = {(hit.article_id, hit.paragraph) for hit in expanded}
    assert ("quotas", 2) in found  # cartel, Vienna, quotas: words of the crude paragraphs
    for hit in expanded:
        marked = {hit.text[s.start : s.end].lower() for s in hit.highlights}
        assert marked <= {"crude"}, marked
    assert next(h for h in expanded if h.article_id == "quotas").highlights == ()


def test_cli_expand(runner, new_index: Index):
    new_index.add_articles(OIL)
    result = run_cli(runner, "query", "--index", str(new_index.path), "crude", "--expand", "--flat")
    assert result.exit_code == 0
    assert "Cartel quotas" in result.output
