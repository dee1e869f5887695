"""A SIGKILLed indexing run, rerun, gives the same stories as an uninterrupted run."""

from __future__ import annotations

import contextlib
import random
import subprocess

import pytest

from newsearch import Index

from .conftest import ENGINES
from .synthetic import newsearch_command, start, synthetic_articles, wait_for_commits, write_jsonl

pytestmark = pytest.mark.slow


def syndicated(count: int) -> list[dict]:
    """Synthetic articles, and for every fifth one two copies, one dated earlier, spread
    through the file so that later batches re-assign earlier batches' stories."""
    rng = random.Random(12)
    articles = synthetic_articles(count)
    copies = []
    for n, source in enumerate(articles[::5]):
        for k, shift in enumerate(("T00:00:00", "T23:00:00")):
            body = list(source["paragraphs"])
            if k:
                body = [*body[:-1], "A paragraph of our own, inserted by the outlet."]
            copies.append(
                {
                    "id": f"copy-{n}-{k}",
                    "title": f"Copy {k} of {source['title']}",
                    "paragraphs": body,
                    "date": source["date"] + shift,
                    "source": f"Outlet {k}",
                }
            )
    mixed = articles + copies
    rng.shuffle(mixed)
    return mixed


def stories(index_dir) -> dict[str, str]:
    with Index.open(index_dir) as index:
        ids = [hit.article_id for hit in index.search("role:title", limit=10_000)]
        return {aid: r.story for aid, r in index.engine.copy_records(ids).items()}


@pytest.mark.parametrize("engine", ENGINES)
def test_stories_after_sigkill_and_rerun_are_those_of_an_uninterrupted_run(tmp_path, engine):
    path = tmp_path / "articles.jsonl"
    write_jsonl(path, syndicated(150))
    args = ("index", "--engine", engine, "--batch-size", "100", "--commit-every", "0", str(path))
    whole = subprocess.run(
        newsearch_command("index", "--index", str(tmp_path / "whole"), *args[1:]),
        capture_output=True,
        text=True,
    )
    assert whole.returncode == 0, whole.stderr
    killed_dir = tmp_path / "killed"
    proc = start("index", "--index", str(killed_dir), *args[1:])
    wait_for_commits(killed_dir, at_least=1)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=0.3)
    proc.kill()
    proc.communicate(timeout=30)
    rerun = subprocess.run(
        newsearch_command("index", "--index", str(killed_dir), *args[1:]),
        capture_output=True,
        text=True,
    )
    assert rerun.returncode == 0, rerun.stderr
    expected = stories(tmp_path / "whole")
    assert len(expected) == 150 + 2 * 30
    assert sum(1 for aid, story in expected.items() if aid != story) >= 45
    assert stories(killed_dir) == expected
