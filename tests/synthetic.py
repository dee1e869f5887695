"""Deterministic synthetic articles for crash and concurrency tests (no corpus needed)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from newsearch import Index, NewsearchError

WORDS = (
    "ceasefire talks border crossing aid trucks minister said officials market oil prices "
    "election vote court ruling storm flood rescue police report budget tax trade deal "
    "strike union wages hospital doctors school teachers river bridge train station"
).split()


def synthetic_articles(count: int, seed: int = 7) -> list[dict]:
    """``count`` articles with 3 to 6 body paragraphs each, reproducible from ``seed``."""
    rng = random.Random(seed)
    articles = []
    for n in range(count):
        body = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 30))).capitalize() + "."
            for _ in range(rng.randint(3, 6))
        ]
        articles.append(
            {
                "id": f"syn-{n}",
                "title": f"Story {n}: " + " ".join(rng.choice(WORDS) for _ in range(5)),
                "paragraphs": body,
                "date": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
                "source": "Synthetic Wire",
            }
        )
    return articles


def write_jsonl(path: Path, articles: list[dict]) -> dict[str, int]:
    """Write ``articles`` as JSON Lines; return each id's paragraph count (title included)."""
    with open(path, "w", encoding="utf-8") as out:
        for record in articles:
            out.write(json.dumps(record) + "\n")
    return {a["id"]: 1 + len(a["paragraphs"]) for a in articles}


def newsearch_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "newsearch", *args]


def start(*args: str) -> subprocess.Popen:
    """Start the newsearch command in a subprocess, output captured."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        newsearch_command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_for_commits(index_dir: Path, at_least: int, timeout: float = 60.0) -> None:
    """Block until the index at ``index_dir`` holds ``at_least`` paragraphs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (index_dir / "newsearch.json").exists():
            try:
                with Index.open(index_dir) as index:
                    if index.stats().paragraphs >= at_least:
                        return
            except NewsearchError:
                pass  # the index may be mid-creation: look again
        time.sleep(0.05)
    raise AssertionError(f"index never reached {at_least} paragraphs")


def interrupt(proc: subprocess.Popen, sig: signal.Signals) -> tuple[int, str, str]:
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def assert_whole_articles(index: Index, expected: dict[str, int]) -> set[str]:
    """Every article in the index has all of its paragraphs, once; return the ids."""
    stats = index.stats()
    titles = index.search("role:title", limit=stats.paragraphs + 1)
    ids = {hit.article_id for hit in titles}
    assert len(ids) == titles.total == stats.articles
    for aid in ids:
        numbers = [p.number for p in index.article(aid)]
        assert numbers == list(range(1, expected[aid] + 1)), aid
    assert stats.paragraphs == sum(expected[aid] for aid in ids)
    return ids
