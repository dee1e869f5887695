"""Killed and interrupted indexing runs leave whole articles and can be re-run."""

from __future__ import annotations

import contextlib
import random
import signal
import subprocess

import pytest

from newsearch import Index

from .conftest import ENGINES
from .synthetic import (
    assert_whole_articles,
    interrupt,
    newsearch_command,
    start,
    synthetic_articles,
    wait_for_commits,
    write_jsonl,
)

pytestmark = pytest.mark.slow

ARTICLES = 1500


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("crash") / "articles.jsonl"
    return path, write_jsonl(path, synthetic_articles(ARTICLES))


@pytest.mark.parametrize("engine", ENGINES)
def test_sigkill_at_random_moments_loses_no_article(tmp_path, corpus, engine):
    path, expected = corpus
    index_dir = tmp_path / "index"
    args = ("index", "--index", str(index_dir), "--engine", engine, "--batch-size", "300")
    rng = random.Random(11)
    for _attempt in range(3):
        proc = start(*args, str(path))
        # Let it commit something, then kill it somewhere inside a later batch.
        wait_for_commits(index_dir, at_least=1)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=rng.uniform(0.05, 0.8))
        proc.kill()
        proc.communicate(timeout=30)
        with Index.open(index_dir) as index:
            assert_whole_articles(index, expected)
    finished = subprocess.run(
        [*newsearch_command(*args), str(path)], capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr
    with Index.open(index_dir) as index:
        assert assert_whole_articles(index, expected) == set(expected)


@pytest.mark.parametrize("engine", ENGINES)
def test_ctrl_c_keeps_what_was_committed_and_says_so(tmp_path, corpus, engine):
    path, expected = corpus
    index_dir = tmp_path / "index"
    proc = start(
        "index", "--index", str(index_dir), "--engine", engine, "--batch-size", "300", str(path)
    )
    wait_for_commits(index_dir, at_least=1)
    code, out, err = interrupt(proc, signal.SIGINT)
    if code == 0:
        pytest.skip("indexing finished before the interrupt arrived")
    assert code == 130, err
    assert out.startswith("interrupted: kept what was committed before Ctrl-C: indexed ")
    assert "Traceback" not in err
    with Index.open(index_dir) as index:
        kept = assert_whole_articles(index, expected)
    assert 0 < len(kept) < ARTICLES
