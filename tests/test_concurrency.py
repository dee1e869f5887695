"""Readers answer from whole commits while another process writes; writers queue."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections import defaultdict

import pytest

from newsearch import Index, IndexLockedError
from newsearch.cli import EXIT_ERROR, EXIT_FOUND

from .conftest import SEEDS, run_cli
from .synthetic import start, synthetic_articles, write_jsonl

pytestmark = pytest.mark.slow

# Holds the index's write lock (inside replace_articles) until it is killed.
HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from newsearch import Index

    class Held(list):
        def __iter__(self):
            print("locked", flush=True)
            time.sleep(120)
            return iter([])

    Index.open(sys.argv[1]).engine.replace_articles(Held(), lock_timeout=5)
    """
)


def hold_write_lock(index_dir) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(index_dir)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


@pytest.fixture
def seeded(tmp_path, engine):
    where = tmp_path / "index"
    with Index.open(where, create=True, engine=engine) as index:
        index.add_paths([SEEDS])
    return where


def test_second_writer_waits_then_fails_clearly(seeded, runner, tmp_path):
    holder = hold_write_lock(seeded)
    try:
        started = time.monotonic()
        result = run_cli(
            runner, "index", "--index", str(seeded), "--lock-timeout", "0.5", str(SEEDS)
        )
        waited = time.monotonic() - started
        assert result.exit_code == EXIT_ERROR
        assert result.stderr.startswith(
            "newsearch: error: index is being written by another process"
        )
        assert waited >= 0.5
        with Index.open(seeded, lock_timeout=0) as index, pytest.raises(IndexLockedError):
            index.delete("anything")
        # Readers are not blocked by the writer.
        with Index.open(seeded) as index:
            assert index.search("Rafah").total == 5
    finally:
        holder.kill()
        holder.wait()
    # The dead writer's lock is released with its process: no stale lock to clear.
    result = run_cli(runner, "index", "--index", str(seeded), "--lock-timeout", "0", str(SEEDS))
    assert result.exit_code == EXIT_FOUND, result.stderr
    assert "1 replaced" in result.stdout


def test_readers_see_whole_commits_while_a_writer_indexes(tmp_path, engine):
    path = tmp_path / "articles.jsonl"
    expected = write_jsonl(path, synthetic_articles(1200, seed=3))
    index_dir = tmp_path / "index"
    with Index.open(index_dir, create=True, engine=engine):
        pass
    writer = start(
        "index", "--index", str(index_dir), "--batch-size", "250", "--commit-every", "0", str(path)
    )
    snapshots = set()

    def snapshot(index: Index) -> None:
        # One search is one snapshot: every article in it must be whole.
        results = index.search("", since="2000", limit=10**6, highlight=False)
        by_article: dict[str, list[int]] = defaultdict(list)
        for hit in results:
            by_article[hit.article_id].append(hit.paragraph)
        for aid, numbers in by_article.items():
            assert sorted(numbers) == list(range(1, expected[aid] + 1)), aid
        snapshots.add(len(by_article))

    with Index.open(index_dir) as index:
        while writer.poll() is None:
            snapshot(index)
        snapshot(index)  # and the last commit, whole
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    assert max(snapshots) == len(expected)
    assert len(snapshots) >= 2, "no search ran while the writer was indexing"
