"""Parallel clients against ``newsearch serve`` while another process re-indexes every
article: every answer is whole JSON, every article one version entirely, and once the
writer is done the next request sees its last commit."""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest

from newsearch import Index

from .server_helpers import served
from .synthetic import start, synthetic_articles, write_jsonl

pytestmark = pytest.mark.slow

CLIENTS = 8
ARTICLES = 120
# Per client, a bound only: clients go on until the writer has finished (or the deadline
# passes), so requests always overlap its commits however slowly it starts.
MAX_REQUESTS = 5_000
DEADLINE_SECONDS = 90.0


def versions(articles: list[dict]) -> dict[str, tuple[str, ...]]:
    return {a["id"]: (a["title"], *a["paragraphs"]) for a in articles}


class Client:
    """One keep-alive connection, as a client program would hold it."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def get(self, path: str, **params: Any) -> tuple[int, Any]:
        self.connection.request("GET", path + (f"?{urlencode(params)}" if params else ""))
        answer = self.connection.getresponse()
        body = answer.read()
        assert len(body) == int(answer.headers["content-length"])
        return answer.status, json.loads(body)


def check_article(data: dict[str, Any], old: dict, new: dict) -> str:
    """Which version the article is ("old"/"new"); fails on a mix of the two."""
    texts = tuple(p["text"] for p in data["paragraphs"])
    numbers = [p["paragraph"] for p in data["paragraphs"]]
    assert numbers == list(range(1, len(texts) + 1))
    aid = data["article_id"]
    assert texts in (old[aid], new[aid]), f"torn article {aid}"
    return "old" if texts == old[aid] else "new"


def test_parallel_clients_get_whole_answers_while_another_process_indexes(tmp_path, engine):
    first, second = synthetic_articles(ARTICLES, seed=3), synthetic_articles(ARTICLES, seed=4)
    old, new = versions(first), versions(second)
    assert all(old[aid] != new[aid] for aid in old)
    write_jsonl(tmp_path / "old.jsonl", first)
    write_jsonl(tmp_path / "new.jsonl", second)
    index_dir = tmp_path / "index"
    with Index.open(index_dir, create=True, engine=engine) as index:
        index.add_paths([tmp_path / "old.jsonl"])
    ids = sorted(old)
    seen: dict[str, set[str]] = {"old": set(), "new": set()}
    failures: list[str] = []
    counts = [0] * CLIENTS

    # A loaded 2-core machine can hold a search past the default 5 s limit: this test is
    # about whole answers, not speed.
    with served(index_dir, "--time-limit", "120") as (url, _):
        writer = start(
            "index",
            "--index",
            str(index_dir),
            "--batch-size",
            "100",
            "--commit-every",
            "0",
            str(tmp_path / "new.jsonl"),
        )
        deadline = time.monotonic() + DEADLINE_SECONDS

        def client(number: int) -> None:
            rng, session = random.Random(number), Client(url)
            try:
                while counts[number] < MAX_REQUESTS and time.monotonic() < deadline:
                    if counts[number] >= 20 and writer.poll() is not None:
                        break
                    counts[number] += 1
                    if counts[number] % 2:
                        status, data = session.get(f"/api/articles/{quote(rng.choice(ids))}")
                        assert status == 200, data
                        seen[check_article(data, old, new)].add(data["article_id"])
                    else:
                        status, data = session.get(
                            "/api/search",
                            q="story",
                            limit=20,
                            offset=rng.randrange(0, ARTICLES - 20),
                        )
                        assert status == 200, data
                        assert data["total"] == ARTICLES and len(data["hits"]) == 20
                        for hit in data["hits"]:
                            assert hit["title"] in (
                                old[hit["article_id"]][0],
                                new[hit["article_id"]][0],
                            )
            except Exception as exc:  # reported below, with the client's number
                failures.append(f"client {number}: {type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert writer.wait(timeout=60) == 0, writer.stderr.read() if writer.stderr else ""
        assert failures == []
        # The writer has finished: the very next answers come from its last commit.
        session = Client(url)
        for aid in ids[:60]:
            status, data = session.get(f"/api/articles/{quote(aid)}")
            assert status == 200 and check_article(data, old, new) == "new"
        status, stats = session.get("/api/stats")
        assert stats["articles"] == ARTICLES
        assert stats["paragraphs"] == sum(len(v) for v in new.values())
    assert sum(counts) >= CLIENTS * 20
    assert seen["old"] and seen["new"], "no request ran while the writer was indexing"
