"""A generated archive for the coverage tests, and brute-force counts over its records.

Paragraph text uses a small vocabulary of words that each analyze to their own term, so
whether a paragraph matches a one-word query can be read off the raw text.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from newsearch import analysis

VOCABULARY = (
    "ceasefire border crossing aid minister market oil election vote court storm flood "
    "rescue police budget tax trade strike union hospital school river bridge train"
).split()
SOURCES = ("Gulf Times", "Market Wire", "Harbour Post", None)
TAGS = ("energy", "politics", "weather", "health")
FIRST_DAY = date(2024, 1, 1)


def records(count: int = 60, seed: int = 11) -> list[dict[str, Any]]:
    """``count`` articles over about 100 days; every seventh one undated."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        body = [
            " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(4, 9))) + "."
            for _ in range(rng.randint(1, 4))
        ]
        record: dict[str, Any] = {
            "id": f"cov-{n}",
            "title": f"Report {n} " + " ".join(rng.choice(VOCABULARY) for _ in range(3)),
            "paragraphs": body,
            "tags": rng.sample(TAGS, rng.randint(0, 2)),
            "author": rng.choice(["Ana Ruiz", "Ben Okoro", None]),
            "language": rng.choice(["en", "fr"]),
        }
        if n % 7 != 3:
            # Times near both ends of the day: the day is the article's own date.
            moment = datetime.combine(FIRST_DAY, datetime.min.time()) + timedelta(
                days=rng.randint(0, 100), minutes=rng.choice([5, 720, 1435])
            )
            record["date"] = moment.isoformat()
        if source := SOURCES[n % len(SOURCES)]:
            record["source"] = source
        out.append(record)
    return out


def write(folder: Path, articles: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "coverage.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in articles), encoding="utf-8")
    return path


def paragraphs(record: dict[str, Any]) -> list[tuple[str, str]]:
    """(role, text) of each paragraph the record becomes."""
    return [("title", record["title"]), *(("body", p) for p in record["paragraphs"])]


def has_word(text: str, word: str) -> bool:
    return word in re.findall(r"[a-z]+", text.lower())


def day_of(record: dict[str, Any]) -> date | None:
    return datetime.fromisoformat(record["date"]).date() if "date" in record else None


def brute_counts(
    articles: list[dict[str, Any]], word: str | None, key: Any
) -> tuple[Counter[Any], Counter[Any]]:
    """(articles, paragraphs) matching ``word`` (None: all) counted by ``key(record)``,
    which returns the record's group values."""
    by_article: Counter[Any] = Counter()
    by_paragraph: Counter[Any] = Counter()
    for record in articles:
        hits = [t for _, t in paragraphs(record) if word is None or has_word(t, word)]
        if not hits:
            continue
        for value in key(record):
            by_article[value] += 1
            by_paragraph[value] += len(hits)
    return by_article, by_paragraph


def check_vocabulary() -> None:
    """Each vocabulary word is its own term, and no two share one."""
    terms = [analysis.terms(w) for w in VOCABULARY]
    assert all(len(t) == 1 for t in terms)
    assert len({t[0] for t in terms}) == len(VOCABULARY)
