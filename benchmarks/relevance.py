"""Relevance with Reuters TOPICS as judgments: articles ranked by their best paragraph.

A topic's query returns up to 1000 paragraphs; each article takes the rank of its first
(best) paragraph. Average precision divides by every relevant article in the indexed
set, so articles the system never returned count as misses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def rank_articles(paragraph_article_ids: Iterable[str]) -> list[str]:
    """Article ids in the order of their first paragraph hit."""
    return list(dict.fromkeys(paragraph_article_ids))


def average_precision(ranked: Sequence[str], relevant: set[str]) -> float:
    """Average precision of a ranked list of article ids (0.0 with no relevant ones)."""
    if not relevant:
        return 0.0
    found = 0
    total = 0.0
    for rank, article_id in enumerate(ranked, start=1):
        if article_id in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def precision_at(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """The share of the first ``k`` ranked articles that are relevant (out of ``k``)."""
    return sum(1 for article_id in ranked[:k] if article_id in relevant) / k


def evaluate(
    rankings: Mapping[str, Sequence[str]], judgments: Mapping[str, set[str]]
) -> dict[str, object]:
    """MAP, mean P@10 and per-topic figures for paragraph rankings per topic."""
    per_topic: dict[str, dict[str, float]] = {}
    for topic, relevant in judgments.items():
        ranked = rank_articles(rankings.get(topic, ()))
        per_topic[topic] = {
            "ap": average_precision(ranked, relevant),
            "p10": precision_at(ranked, relevant, 10),
            "relevant": float(len(relevant)),
        }
    count = len(per_topic) or 1
    return {
        "map": sum(t["ap"] for t in per_topic.values()) / count,
        "p10": sum(t["p10"] for t in per_topic.values()) / count,
        "topics": len(per_topic),
        "per_topic": per_topic,
    }
