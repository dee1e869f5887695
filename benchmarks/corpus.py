"""The benchmark's input: a deterministic slice of Reuters, as articles and paragraphs.

Every system indexes the same paragraphs: those ``newsearch.paragraphs.split_article``
makes of each article (the title as paragraph 1, then the body paragraphs). The slice
is chosen by article id with a hash, so 10% ⊂ 30% ⊂ 100% and each spans the whole
date range.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.reuters import iter_articles
from newsearch.model import Article, Paragraph
from newsearch.paragraphs import split_article

ENV_CORPUS = "NEWSEARCH_REUTERS"
_BUCKETS = 10_000


def default_corpus() -> Path:
    """The collection beside the repository (``../shared/corpora/reuters21578``)."""
    if os.environ.get(ENV_CORPUS):
        return Path(os.environ[ENV_CORPUS])
    return Path(__file__).resolve().parents[1].parent / "shared/corpora/reuters21578"


def paragraph_source() -> str:
    """Which splitter made the paragraphs (recorded in the results)."""
    return "newsearch.paragraphs.split_article"


def in_fraction(article_id: str, fraction: float) -> bool:
    """Whether an article belongs to the deterministic ``fraction`` slice."""
    return zlib.crc32(article_id.encode()) % _BUCKETS < round(fraction * _BUCKETS)


def select_articles(
    corpus: Path, fraction: float = 1.0, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """Converter dicts of the slice, in NEWID order; ``limit`` caps the count.

    Articles with neither title nor text (one in the collection) are left out.
    """
    count = 0
    for article in iter_articles(corpus):
        if limit is not None and count >= limit:
            return
        if not article["paragraphs"] or not in_fraction(article["id"], fraction):
            continue
        yield article
        count += 1


def to_article(data: dict[str, Any]) -> Article:
    """Build a newsearch ``Article`` from a converter dict.

    A title-only article's paragraphs are just its title, which ``split_article``
    indexes once, as paragraph 1.
    """
    return Article(
        title=data["title"],
        body=tuple(data["paragraphs"]),
        id=data["id"],
        date=datetime.fromisoformat(data["date"]) if data.get("date") else None,
        source=data.get("source"),
        tags=tuple(data.get("tags", ())),
    )


def paragraphs_of(article: Article) -> list[Paragraph]:
    """The paragraphs newsearch makes of an article."""
    return list(split_article(article, article.id))


@dataclass(frozen=True)
class Slice:
    """The files one benchmark size works from, and their counts."""

    fraction: float
    articles_path: Path
    paragraphs_path: Path
    articles: int
    paragraphs: int


def paragraph_record(paragraph: Paragraph) -> dict[str, Any]:
    """One paragraph as the plain record every peer system indexes."""
    return {
        "id": f"{paragraph.article_id}#{paragraph.number}",
        "article_id": paragraph.article_id,
        "number": paragraph.number,
        "role": paragraph.role,
        "text": paragraph.text,
        "title": paragraph.title,
        "date": paragraph.date.isoformat() if paragraph.date else None,
        "tags": list(paragraph.tags),
    }


def write_slice(corpus: Path, workdir: Path, fraction: float, limit: int | None = None) -> Slice:
    """Write the slice's articles and paragraphs as JSON Lines under ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    tag = f"{fraction:g}" + (f"-{limit}" if limit else "")
    articles_path = workdir / f"articles-{tag}.jsonl"
    paragraphs_path = workdir / f"paragraphs-{tag}.jsonl"
    n_articles = n_paragraphs = 0
    with articles_path.open("w") as articles_out, paragraphs_path.open("w") as paras_out:
        for data in select_articles(corpus, fraction, limit):
            articles_out.write(json.dumps(data) + "\n")
            n_articles += 1
            for paragraph in paragraphs_of(to_article(data)):
                paras_out.write(json.dumps(paragraph_record(paragraph)) + "\n")
                n_paragraphs += 1
    return Slice(fraction, articles_path, paragraphs_path, n_articles, n_paragraphs)


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Stream the records of a JSON Lines file."""
    with Path(path).open() as handle:
        for line in handle:
            yield json.loads(line)


def read_articles(path: Path) -> Iterable[Article]:
    """Stream ``Article``s from a slice's articles file."""
    return (to_article(data) for data in read_jsonl(path))
