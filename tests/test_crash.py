"""Killed and interrupted indexing runs leave whole articles and can be re-run."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys

import pytest

from newsearch import Index

from .conftest import ENGINES, article
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


def _indexing(index_dir, engine: str) -> tuple[str, ...]:
    """The index command with small batches, each committed (many commits to land in)."""
    args = ("--index", str(index_dir), "--engine", engine, "--batch-size", "300")
    return ("index", *args, "--commit-every", "0")


@pytest.mark.parametrize("engine", ENGINES)
def test_sigkill_at_random_moments_loses_no_article(tmp_path, corpus, engine):
    path, expected = corpus
    index_dir = tmp_path / "index"
    args = _indexing(index_dir, engine)
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


def _sigint_as_on_a_terminal() -> None:
    # A command started in the background by a shell without job control (``cmd &`` in
    # a script: how a CI job or a landing script may run the tests) inherits SIGINT
    # ignored, and Python then keeps it ignored; at a terminal Ctrl-C is delivered.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("engine", ENGINES)
def test_ctrl_c_keeps_what_was_committed_and_says_so(tmp_path, corpus, engine):
    path, expected = corpus
    index_dir = tmp_path / "index"
    # Half the articles come on stdin, which stays open: the run cannot finish before
    # the interrupt arrives, however fast the engine indexes.
    proc = subprocess.Popen(
        newsearch_command(*_indexing(index_dir, engine), "-"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=_sigint_as_on_a_terminal,
    )
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    proc.stdin.writelines(lines[: len(lines) // 2])
    proc.stdin.flush()
    wait_for_commits(index_dir, at_least=1)
    code, out, err = interrupt(proc, signal.SIGINT)
    assert code == 130, err
    assert out.startswith("interrupted: kept what was committed before Ctrl-C: indexed ")
    assert "Traceback" not in err
    with Index.open(index_dir) as index:
        kept = assert_whole_articles(index, expected)
    assert 0 < len(kept) <= len(lines) // 2


def test_a_tantivy_commit_killed_after_its_deletes_file_does_not_block_the_next(tmp_path):
    """A writer killed during its commit can leave a deletes file no commit refers to,
    named after the commit's opstamp: the next writer doing the same work must not fail
    on it (found by the random SIGKILL test above)."""
    import shutil

    from newsearch import Article

    def version(text: str) -> Article:
        return Article("Talks", (text,), id="x")

    index_dir, replay = tmp_path / "index", tmp_path / "replay"
    with Index.open(index_dir, create=True, engine="tantivy") as index:
        others = [Article("Other", (f"other {n}",), id=f"y{n}") for n in range(20)]
        index.add_articles([version("first version"), *others])
    # The killed writer's state: the same replacement, committed in a copy, leaves its
    # deletes file (registered as tantivy's own) beside the index's last commit.
    shutil.copytree(index_dir, replay)
    with Index.open(replay) as index:
        index.add(version("second version"))
    leftovers = [
        p for p in (replay / "data").glob("*.del") if not (index_dir / "data" / p.name).exists()
    ]
    assert leftovers
    for path in [*leftovers, replay / "data" / ".managed.json"]:
        shutil.copy(path, index_dir / "data" / path.name)
    with Index.open(index_dir) as index:
        assert index.add(version("second version")).replaced == 1
        assert [p.text for p in index.article("x")] == ["Talks", "second version"]
        assert index.stats().articles == 21


@pytest.mark.parametrize("engine", ENGINES)
def test_ctrl_c_that_lands_in_a_finalizer_still_stops_the_run(tmp_path, engine, capsys):
    # Python raises Ctrl-C's KeyboardInterrupt wherever the main thread is; inside a
    # ``__del__`` (whoosh's lock has one, run as a commit ends) it used to be printed as
    # "Exception ignored" and dropped, and the run went on to the end.
    class Finalized:
        def __del__(self):
            raise KeyboardInterrupt

    def articles():
        for n in range(6):
            if n == 3:
                Finalized()  # dropped at once: its finalizer runs here
            yield article(f"a{n}", f"Harbour {n}.", "Quay.")

    hook = sys.unraisablehook
    with Index.open(tmp_path / "index", create=True, engine=engine) as index:
        report = index.add_articles(articles())
        assert report.interrupted
        assert report.added == 0
        assert index.stats().articles == 0  # the batch being read was not written
        assert "Exception ignored" not in capsys.readouterr().err
        assert sys.unraisablehook is hook  # put back once the run ends
        assert index.add_articles([article("b", "Pier.")]).interrupted is False
