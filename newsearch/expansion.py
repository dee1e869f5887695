"""Pseudo-relevance feedback (RM3): the query widened with words of its best paragraphs.

``Index.search(..., expand=True)`` runs the query, reads its top ``FEEDBACK_PARAGRAPHS``
paragraphs, and weighs each of their index terms by how much of each paragraph it
makes up, times that paragraph's share of the top scores (relevance model 1). The
``EXPANSION_TERMS`` heaviest terms that are neither among the index's
``COMMON_TERMS`` most frequent (stop words and the like) nor already in the query
are ORed with the query: the query keeps weight ``ORIGINAL_WEIGHT``, the new terms
share the rest (RM3). Only retrieval and ranking change: highlights still mark the
user's own words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from . import analysis
from .engines.base import Engine
from .lexicon import Lexicon
from .query import ast
from .query.parser import make_or

FEEDBACK_PARAGRAPHS = 10
EXPANSION_TERMS = 10
# Chosen on the tune half of the Reuters topics (benchmarks/relevance.md).
ORIGINAL_WEIGHT = 0.7
COMMON_TERMS = 200


def query_terms(node: ast.Node) -> set[str]:
    """The paragraph-text terms a query already searches for."""
    found: set[str] = set()
    for leaf in ast.positive_leaves(node):
        if isinstance(leaf, ast.Term) and leaf.field == "text":
            found.add(leaf.term)
        elif isinstance(leaf, ast.Phrase) and leaf.field == "text":
            found.update(leaf.terms)
    return found


def expanded(engine: Engine, node: ast.Node, lexicon: Lexicon) -> ast.Node:
    """``node`` widened with the heaviest terms of its best paragraphs (RM3)."""
    top = engine.search(node, limit=FEEDBACK_PARAGRAPHS, offset=0, sort="relevance")
    if not top.hits:
        return node
    texts = [hit.paragraph.text for hit in top.hits]
    scores = [hit.score for hit in top.hits]
    return expand(node, feedback_terms(texts, scores, lexicon, query_terms(node)))


def feedback_terms(
    texts: Sequence[str], scores: Sequence[float], lexicon: Lexicon, known: set[str]
) -> list[tuple[str, float]]:
    """The heaviest terms of the feedback paragraphs, with weights summing to 1."""
    total = sum(scores) or 1.0
    weights: Counter[str] = Counter()
    for text, score in zip(texts, scores, strict=True):
        terms = analysis.terms(text)
        if not terms:
            continue
        counts = Counter(terms)
        for term, count in counts.items():
            weights[term] += (count / len(terms)) * (score / total)
    # A small index has no 200 stop words: leave out at most a twentieth of its terms.
    common = lexicon.commonest(min(COMMON_TERMS, len(lexicon.counts) // 20))
    kept = [
        (term, weight)
        for term, weight in weights.most_common()
        if term not in known and term not in common and len(term) > 2 and term.isalpha()
    ][:EXPANSION_TERMS]
    norm = sum(w for _, w in kept) or 1.0
    return [(term, w / norm) for term, w in kept]


def expand(
    node: ast.Node, terms: Sequence[tuple[str, float]], weight: float | None = None
) -> ast.Node:
    """RM3 interpolation: ``node`` at ``weight`` (default ``ORIGINAL_WEIGHT``), the
    feedback terms sharing the rest."""
    weight = ORIGINAL_WEIGHT if weight is None else weight
    if not terms:
        return node
    size = max(len(query_terms(node)), 1)
    extra = [
        ast.Boost(ast.Term("text", term, text=term), (1 - weight) * w * size) for term, w in terms
    ]
    return make_or([ast.Boost(node, weight), *extra]) or node
