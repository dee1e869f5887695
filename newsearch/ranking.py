"""How an article's paragraphs add up to the article's rank.

A search ranks paragraphs. Grouped by article (``SearchResults.by_article``), an
article scores its best paragraph's score plus a decaying share of its next best ones
(``score₁ + d·score₂ + d²·score₃``, ``d`` = ``ARTICLE_DECAY``, at most
``ARTICLE_PARAGRAPHS`` paragraphs): an article that keeps returning to the subject
outranks one that mentions it once. With ``decay=0`` the best paragraph alone decides.
Measured on the Reuters topics in ``benchmarks/relevance.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

ARTICLE_DECAY = 0.75
ARTICLE_PARAGRAPHS = 3


class Scored(Protocol):
    """A ranked paragraph: its article and its score."""

    article_id: str
    score: float


def article_score(scores: Sequence[float], decay: float = ARTICLE_DECAY) -> float:
    """The article's score from its paragraphs' scores (any order)."""
    if len(scores) == 1:  # most articles on a page have one hit
        return scores[0]
    best = sorted(scores, reverse=True)[:ARTICLE_PARAGRAPHS]
    return sum(score * decay**rank for rank, score in enumerate(best))


def rank_articles(hits: Iterable[Scored], decay: float = ARTICLE_DECAY) -> list[str]:
    """Article ids by their article score; ties keep the order of their first hit."""
    scores: dict[str, list[float]] = {}
    for hit in hits:
        scores.setdefault(hit.article_id, []).append(hit.score)
    return rank_scores(scores, decay)


def rank_scores(scores: dict[str, list[float]], decay: float = ARTICLE_DECAY) -> list[str]:
    """Article ids by the article score of their paragraphs' ``scores`` (the ids in the
    order of their first hit); ties keep that order."""
    combined = {aid: article_score(values, decay) for aid, values in scores.items()}
    # A stable sort keeps equal keys in their order, reversed or not.
    return sorted(scores, key=combined.__getitem__, reverse=True)
