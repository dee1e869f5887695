"""One ``Index`` object shared by threads: concurrent searches give exactly the answers
of the same searches run one by one, and searches running while another thread
replaces articles only ever see whole articles."""

from __future__ import annotations

import random
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from newsearch import Article, Index, QuerySyntaxError

QUERIES = [
    "Rafah",
    "Egypt",
    "Israel",
    "Gaza",
    "talks",
    "oil",
    "Hamas AND Egypt",
    "Hamas OR Qatar",
    "Rafah -Israel",
    "Gaza NOT war",
    "-Israel",
    '"Rafah border crossing"',
    '"Rafah crossing"~3',
    "“Gaza side”",
    "negotiat*",
    "Isr*",
    "Pal* AND Egypt*",
    "title:Blinken",
    "title:(talks OR prices)",
    'source:"Gulf Times"',
    "author:Smith",
    "section:World",
    "tag:oil",
    "language:en",
    "role:caption",
    "role:title",
    "date:2024-02",
    "date:[2024-02-01 TO 2024-02-10]",
    "date:>=2024-03",
    "date:<2024",
    "Rafah date:2023",
    "Hamas AND (Egypt OR Qatar) -Israel",
    "empty-handed",
    "U.S.",
    "9:30",
    "28,000",
    "Netanyahu’s",
    "aid OR hostage OR supply",
    "(Gaza OR Rafah) AND (border OR crossing)",
    "the",
    "zzabsent",
    "zzabsent OR Rafah",
    "NOT NOT Egypt",
    "((Egypt))",
    "(Egypt",
    "date:2024-13",
    "Egypt AND",
    "unknown:field",
    '"unclosed',
    "…",
]
SORTS = ["relevance", "newest", "oldest"]


def answer(index: Index, query: str, sort: Any) -> tuple[Any, ...]:
    """Everything a search returns that must not depend on other threads."""
    try:
        results = index.search(query, limit=20, sort=sort, context=1)
    except QuerySyntaxError as exc:
        return ("error", str(exc))
    return (
        results.total,
        tuple(
            (h.article_id, h.paragraph, h.score, h.highlights, h.snippet, len(h.context))
            for h in results
        ),
    )


def test_eight_threads_get_the_answers_of_one(archive_index):
    cases = [(q, SORTS[i % 3]) for i, q in enumerate(QUERIES)]
    serial = {case: answer(archive_index, *case) for case in cases}
    assert sum(1 for a in serial.values() if a[0] == "error") == 5
    assert sum(1 for a in serial.values() if a[0] != "error" and a[0] > 0) >= 35
    start = threading.Barrier(8, timeout=30)

    def worker(seed: int) -> dict[tuple[str, str], tuple[Any, ...]]:
        order = random.Random(seed).sample(cases, len(cases))
        start.wait()
        return {case: answer(archive_index, *case) for case in order}

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = [pool.submit(worker, seed) for seed in range(8)]
        for outcome in outcomes:
            assert outcome.result(timeout=120) == serial


# -- searching while another thread writes -------------------------------------------

STORIES = 6
VERSIONS = 8
VERSION_RE = re.compile(r"version (\d+)")


def body_count(version: int) -> int:
    return 1 + version * 5 % 7


def story(number: int, version: int) -> Article:
    """Every version of a story has a different number of paragraphs, all naming it."""
    return Article(
        title=f"Live story {number} version {version}",
        body=tuple(
            f"Rafah update {i + 1} of story {number} in version {version}."
            for i in range(body_count(version))
        ),
        id=f"live-{number}",
    )


def assert_whole(index: Index, article_id: str) -> None:
    """The article's paragraphs are numbered 1..n and all come from one version."""
    paragraphs = index.article(article_id)
    assert [p.number for p in paragraphs] == list(range(1, len(paragraphs) + 1))
    versions = {int(VERSION_RE.findall(p.title)[0]) for p in paragraphs}
    assert len(versions) == 1, versions
    assert len(paragraphs) == 1 + body_count(versions.pop())


def test_searches_during_writes_see_whole_articles(new_index):
    new_index.add_articles(story(n, 0) for n in range(STORIES))
    writing = threading.Event()
    writing.set()
    start = threading.Barrier(5, timeout=30)
    searched_while_writing = [0] * 4

    def write() -> None:
        start.wait()
        try:
            for version in range(1, VERSIONS):
                for number in range(STORIES):
                    new_index.add(story(number, version))
        finally:
            writing.clear()

    def read(reader: int) -> None:
        query = ["Rafah", "story", '"Rafah update 1"', "live*"][reader]
        start.wait()
        while True:
            during = writing.is_set()
            hits = new_index.search(query, limit=100)
            assert hits.total > 0
            for hit in hits:
                assert hit.article_id.startswith("live-")
                assert_whole(new_index, hit.article_id)
            searched_while_writing[reader] += during
            if not during:
                break

    with ThreadPoolExecutor(max_workers=5) as pool:
        jobs = [pool.submit(read, reader) for reader in range(4)] + [pool.submit(write)]
        for job in jobs:
            job.result(timeout=300)

    assert all(count > 0 for count in searched_while_writing), searched_while_writing
    final = new_index.search("Rafah", limit=1000)
    assert final.total == STORIES * body_count(VERSIONS - 1)
    for number in range(STORIES):
        assert_whole(new_index, f"live-{number}")
