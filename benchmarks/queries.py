"""The benchmark's query set: seeded, taken from real paragraph text, engine-neutral.

Four kinds, in equal shares: one term; two terms (AND); a 2–3 word phrase found in a
paragraph; a term with a 14-day date range within 1987 that holds that paragraph. Each
system renders a ``BenchQuery`` in its own syntax, so all run the same queries.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

KINDS = ("term", "and", "phrase", "date")
RANGE_DAYS = 14
YEAR_START = date(1987, 1, 1)
YEAR_END = date(1987, 12, 31)
# whoosh's StemmingAnalyzer drops these; queries avoid them so every engine sees the
# same words (others keep stop words).
_STOP_TEXT = """a an and are as at be by can for from have if in is it may not of on or tbd
that the this to us we when will with yet you your was were has had its but he she they
their which would said also been than there"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_CLEAN_RE = re.compile(r"([\"'(]*)([A-Za-z]{3,})([,.;:!?\"')]*)")


@dataclass(frozen=True)
class BenchQuery:
    """One query: its kind, its words, and for ``date`` queries an inclusive day range."""

    kind: str
    words: tuple[str, ...]
    start: date | None = None
    end: date | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["words"] = list(self.words)
        data["start"] = self.start.isoformat() if self.start else None
        data["end"] = self.end.isoformat() if self.end else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BenchQuery:
        return cls(
            kind=data["kind"],
            words=tuple(data["words"]),
            start=date.fromisoformat(data["start"]) if data.get("start") else None,
            end=date.fromisoformat(data["end"]) if data.get("end") else None,
        )

    def label(self) -> str:
        """A readable, engine-neutral rendering (newsearch's syntax)."""
        text = f'"{" ".join(self.words)}"' if self.kind == "phrase" else " ".join(self.words)
        if self.start and self.end:
            text += f" date:[{self.start.isoformat()} TO {self.end.isoformat()}]"
        return text


def clean_runs(text: str) -> list[list[str]]:
    """Runs of consecutive plain words (letters only, 3+), lower-cased.

    Words are split by single spaces; punctuation before a word starts a new run and
    punctuation after one ends the run, so a phrase never spans it.
    """
    runs: list[list[str]] = [[]]
    for token in text.split(" "):
        match = _CLEAN_RE.fullmatch(token)
        if match is None or match.group(1):
            runs.append([])
        if match is None:
            continue
        runs[-1].append(match.group(2).lower())
        if match.group(3):
            runs.append([])
    return [run for run in runs if run]


def content_words(text: str) -> list[str]:
    """The plain words of a text that are not stop words, lower-cased, de-duplicated."""
    words = (word for run in clean_runs(text) for word in run)
    return list(dict.fromkeys(word for word in words if word not in STOP_WORDS))


def _term(rng: random.Random, paragraph: dict[str, Any]) -> BenchQuery | None:
    words = content_words(paragraph["text"])
    return BenchQuery("term", (rng.choice(words),)) if words else None


def _and(rng: random.Random, paragraph: dict[str, Any]) -> BenchQuery | None:
    words = content_words(paragraph["text"])
    return BenchQuery("and", tuple(rng.sample(words, 2))) if len(words) >= 2 else None


def _phrase(rng: random.Random, paragraph: dict[str, Any]) -> BenchQuery | None:
    candidates = []
    for run in clean_runs(paragraph["text"]):
        for size in (2, 3):
            for i in range(len(run) - size + 1):
                words = run[i : i + size]
                if not STOP_WORDS.intersection(words):
                    candidates.append(tuple(words))
    return BenchQuery("phrase", rng.choice(candidates)) if candidates else None


def _dated(rng: random.Random, paragraph: dict[str, Any]) -> BenchQuery | None:
    words = content_words(paragraph["text"])
    if not words or not paragraph.get("date"):
        return None
    day = datetime.fromisoformat(paragraph["date"]).date()
    start = max(YEAR_START, day - timedelta(days=rng.randrange(RANGE_DAYS)))
    start = min(start, YEAR_END - timedelta(days=RANGE_DAYS - 1))
    end = start + timedelta(days=RANGE_DAYS - 1)
    return BenchQuery("date", (rng.choice(words),), start, end)


_MAKERS = {"term": _term, "and": _and, "phrase": _phrase, "date": _dated}


def make_queries(
    paragraphs: Sequence[dict[str, Any]], count: int, seed: int = 1987
) -> list[BenchQuery]:
    """``count`` queries (kinds in turn) drawn with ``random.Random(seed)``."""
    rng = random.Random(seed)
    queries: list[BenchQuery] = []
    attempts = 0
    while len(queries) < count and attempts < count * 100:
        attempts += 1
        kind = KINDS[len(queries) % len(KINDS)]
        query = _MAKERS[kind](rng, rng.choice(paragraphs))
        if query is not None:
            queries.append(query)
    return queries


def topic_queries(
    articles: Iterable[dict[str, Any]], min_articles: int = 20
) -> tuple[dict[str, BenchQuery], dict[str, set[str]]]:
    """A query per Reuters topic with at least ``min_articles`` articles, and judgments.

    The query is the topic's words (dashes become spaces, implicit AND); the relevant
    articles are those carrying the topic.
    """
    relevant: dict[str, set[str]] = {}
    for article in articles:
        for topic in article.get("topics", ()):
            relevant.setdefault(topic, set()).add(article["id"])
    chosen = sorted(topic for topic, ids in relevant.items() if len(ids) >= min_articles)
    queries = {topic: BenchQuery("and", tuple(topic.replace("-", " ").split())) for topic in chosen}
    return queries, {topic: relevant[topic] for topic in chosen}
