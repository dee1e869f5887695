"""Analysis in a worker process: the same index as one process, and no worker outlives a
killed indexer."""

from __future__ import annotations

import gc
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsearch import Article, Index, parallel

from .conftest import ENGINES

WORDS = (
    "ceasefire talks resumed in Doha as mediators from Qatar and Egypt pressed for a "
    "hostage deal; officials said negotiations over the Rafah crossing were stalled "
    "while aid convoys waited at Kerem Shalom and prices rose in Cairo’s markets"
).split()


def _articles(count: int) -> list[Article]:
    """Articles of varied text: each paragraph a different slice of the words."""
    articles = []
    for n in range(count):
        paragraphs = tuple(
            " ".join(WORDS[(n + k) % 7 : (n + k) % 7 + 12 + k % 9]) + f" item{n}x{k}"
            for k in range(4)
        )
        articles.append(Article(f"Report {n} on talks", paragraphs, id=f"a{n}", source="Wire"))
    return articles


def _snapshot(index: Index) -> tuple[object, ...]:
    vocabulary = {f: index.engine.vocabulary(f) for f in ("text", "title")}
    docs = [
        (p.article_id, p.number, p.text) for n in range(0, 60, 7) for p in index.article(f"a{n}")
    ]
    return vocabulary, docs


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_worker_builds_the_same_index_as_one_process(
    engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answered = []
    receive = parallel.AnalysisWorker.receive

    def spy(self: parallel.AnalysisWorker) -> list[str | None] | None:
        result = receive(self)
        answered.append(result is not None)
        return result

    monkeypatch.setattr(parallel.AnalysisWorker, "receive", spy)
    snapshots, answers = [], []
    for worker in (True, False):
        with Index.open(tmp_path / str(worker), create=True, engine=engine) as index:
            index.batch_paragraphs = 50
            index.analysis_process = worker
            report = index.add_articles(_articles(60))
            assert (report.added, report.paragraphs) == (60, 300)
            snapshots.append(_snapshot(index))
            found = index.search('"mediators from qatar" OR item7x2', limit=1000)
            # Sorted: tantivy orders equal scores by segment, and merges run in threads.
            answers.append(sorted((h.article_id, h.paragraph, round(h.score, 5)) for h in found))
    assert answered and all(answered)  # every batch came back from the worker
    assert len(answers[0]) > 5
    assert snapshots[0] == snapshots[1]
    assert answers[0] == answers[1]


def test_one_batch_starts_no_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = []
    monkeypatch.setattr(parallel, "AnalysisWorker", lambda: started.append(1))
    with Index.open(tmp_path, create=True) as index:
        assert index.add_articles(_articles(5)).paragraphs == 25
    assert started == []


def test_a_worker_that_cannot_start_leaves_the_analysis_to_the_indexer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cannot_start() -> None:
        raise FileNotFoundError("no python here")

    monkeypatch.setattr(parallel, "AnalysisWorker", cannot_start)
    with Index.open(tmp_path, create=True) as index:
        index.batch_paragraphs = 20
        report = index.add_articles(_articles(12))
        assert (report.added, report.paragraphs) == (12, 60)
        assert len(index.search("item7x2").hits) == 1


def _serving(monkeypatch: pytest.MonkeyPatch, frames: io.BytesIO) -> io.BytesIO:
    """Where ``parallel.serve``, run in this process, answers the batches in ``frames``
    (read from their start)."""
    frames.seek(0)
    answers = io.BytesIO()
    monkeypatch.setattr(sys, "stdin", type("In", (), {"buffer": frames})())
    monkeypatch.setattr(sys, "stdout", type("Out", (), {"buffer": answers})())
    monkeypatch.setattr(parallel, "_die_with", lambda parent: None)
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    return answers


def test_the_worker_frees_a_batch_before_waiting_for_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The next batch comes while the indexer writes, its memory peak: the worker holds
    none of the batch it answered by then, and hands the freed heap back."""
    texts = [f"{' '.join(WORDS[n % 9 : n % 9 + 8])} line{n}" for n in range(777)]
    frames = io.BytesIO()
    for _ in range(2):
        parallel._write_frame(frames, (texts, None, None))
    answers = _serving(monkeypatch, frames)
    held: list[int] = []

    def release() -> None:  # a batch of 777 texts is 777-long lists: texts, analyses
        held.append(sum(1 for o in gc.get_objects() if isinstance(o, list) and len(o) == 777))

    monkeypatch.setattr(parallel, "_release_heap", release)
    del texts
    parallel.serve(os.getpid())
    assert held == [0, 0]  # after each of the two batches
    answers.seek(0)
    first, prints, done = _receiving(answers).receive()  # type: ignore[misc]
    assert len(first) == 777 and prints is None and done is None
    assert first[0][1] == "ceasefire talks resumed in doha as mediators from line0"


def _receiving(answers: io.BytesIO) -> parallel.AnalysisWorker:
    """A worker whose answers ``receive`` reads from ``answers``."""
    worker = parallel.AnalysisWorker.__new__(parallel.AnalysisWorker)
    worker._process = type("Process", (), {"stdout": answers})()  # type: ignore[assignment]
    worker._out = True
    return worker


def test_the_worker_answers_a_batch_in_pickled_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The analyses wait pickled, a part at a time (a third of their memory), and the
    indexer gets each text's analysis in order."""
    from newsearch import analysis

    monkeypatch.setattr(parallel, "ANSWER_PART", 100)
    texts = [f"{' '.join(WORDS[n % 9 : n % 9 + 8])} line{n}" for n in range(777)]
    frames = io.BytesIO()
    parallel._write_frame(frames, (texts, None, None))
    answers = _serving(monkeypatch, frames)
    parallel.serve(os.getpid())
    answers.seek(0)
    assert parallel._read_frame(answers) == (8, None, None)
    parts = [parallel._read_frame(answers) for _ in range(8)]
    assert [len(part) for part in parts] == [100] * 7 + [77]  # type: ignore[arg-type]
    answers.seek(0)
    found, prints, done = _receiving(answers).receive()  # type: ignore[misc]
    assert prints is None and done is None
    assert found == [analysis.indexed(t) for t in texts]
    assert all(type(f) is analysis.Indexed for f in found)
    assert answers.read() == b""  # every part read


def test_what_a_batch_left_in_cycles_is_collected_once_it_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An engine's writer left in cycles is freed after its batch, not batches later (the
    pipeline raises the collector's threshold); once a batch leaves next to nothing in
    cycles, the full collections stop."""
    import weakref

    class Writer:  # refers to itself, as whoosh's writer objects do to each other
        def __init__(self) -> None:
            self.me = self
            self.parts = [[self] for _ in range(parallel.CYCLES_WORTH_COLLECTING)]

    left: list[weakref.ref[Writer]] = []
    alive: list[bool] = []

    def write(batch: list[str]) -> None:
        if left:
            alive.append(left[-1]() is not None)
        if batch[0] != "tidy":
            left.append(weakref.ref(Writer()))

    collect = gc.collect
    collected: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda: collected.append(n := collect()) or n)
    pipeline = parallel.Pipeline(write, lambda batch: batch, enabled=False)
    try:
        for text in ("first", "second", "tidy", "after"):
            pipeline.submit([text], more=True)
        pipeline.finish()
    finally:
        pipeline.close()
    assert alive == [False, False, False]  # each writer gone before the next batch
    assert len(collected) == 3 and collected[0] > parallel.CYCLES_WORTH_COLLECTING
    assert collected[2] < parallel.CYCLES_WORTH_COLLECTING  # "tidy": then no more
    assert left[-1]() is not None  # after "tidy": no collection


def test_every_batch_is_analysed_by_the_worker_while_the_one_before_is_written() -> None:
    from newsearch import analysis

    written: list[tuple[list[str], bool]] = []

    def write(batch: list[str]) -> None:  # and whether the worker's analyses were lent
        written.append((batch, bool(analysis._KNOWN)))

    pipeline = parallel.Pipeline(write, lambda batch: batch)
    try:
        pipeline.submit(["first text"], more=True)
        assert written == []  # out to the worker while the second batch is read
        pipeline.submit(["second text"], more=True)
        assert written == [(["first text"], True)]
        pipeline.submit(["third text"], more=False)
        pipeline.finish()
    finally:
        pipeline.close()
    assert written == [(["first text"], True), (["second text"], True), (["third text"], True)]


@pytest.mark.parametrize("worker", [True, False])
def test_the_indexer_hands_the_heap_back_after_each_batch_it_writes(
    monkeypatch: pytest.MonkeyPatch, worker: bool
) -> None:
    """An engine's writer frees its buffers when a batch is written: the free heap goes
    back to the OS then, before the next batch, with or without a worker."""
    written: list[list[str]] = []
    released: list[int] = []  # how many batches were written at each release
    monkeypatch.setattr(parallel, "_release_heap", lambda: released.append(len(written)))
    pipeline = parallel.Pipeline(lambda batch: written.append(batch), lambda b: b, worker)
    try:
        for n in range(3):
            pipeline.submit([f"text {n}"], more=n < 2)
        pipeline.finish()
    finally:
        pipeline.close()
    assert written == [["text 0"], ["text 1"], ["text 2"]]
    assert released == [1, 2, 3]


def test_the_indexer_fills_no_word_cache_when_the_worker_analyses() -> None:
    """The worker analyses every batch of an input of several, the first one too: the
    indexer's word caches stay empty (their memory, once used, stayed with the process).
    The analyses are those one process makes."""
    from newsearch import analysis

    one_process = [analysis.indexed(t) for t in ("Ceasefire talks", "Gaza aid", "talks")]
    analysis.drop_words()
    cached: list[int] = []
    found: list[analysis.Indexed] = []

    def write(batch: list[str]) -> None:  # as an engine does: analyse, then index
        found.extend(map(analysis.indexed, batch))
        cached.append(len(analysis._TERMS))

    pipeline = parallel.Pipeline(write, lambda batch: batch)
    try:
        pipeline.submit(["Ceasefire talks"], more=True)
        pipeline.submit(["Gaza aid"], more=True)
        pipeline.submit(["talks"], more=False)
        pipeline.finish()
    finally:
        pipeline.close()
    assert cached == [0, 0, 0]  # the worker's analyses were lent, none made here
    assert found == one_process


def test_a_batch_sends_each_title_to_the_worker_once() -> None:
    from newsearch.index import _batch_texts
    from newsearch.paragraphs import split_article

    articles = [Article("Gaza talks", ("Talks resumed.",), id="a1"), *_articles(1)]
    batch = {a.id: split_article(a, a.id) for a in articles}
    texts = [p.text for paragraphs in batch.values() for p in paragraphs]
    assert texts[0] == "Gaza talks" and _batch_texts(batch) == texts
    batch["a1"] = batch["a1"][1:]  # an article whose paragraph 1 is not its title
    assert _batch_texts(batch) == [*texts[1:], "Gaza talks"]


def test_pipelines_collect_garbage_less_often_while_they_run() -> None:
    """The collector's first threshold is raised while pipelines run (two at once here)
    and put back when the last stops; a collector turned off stays off."""
    seen: list[int] = []
    before = gc.get_threshold()
    first = parallel.Pipeline(lambda b: seen.append(gc.get_threshold()[0]), lambda b: b, False)
    second = parallel.Pipeline(lambda b: seen.append(gc.get_threshold()[0]), lambda b: b, False)
    try:
        first.submit(["one"], more=False)
        second.submit(["two"], more=False)
        first.close()
        second.submit(["three"], more=False)
        second.close()
        assert seen == [parallel._FEWER_COLLECTIONS] * 3
        assert gc.get_threshold() == before
        gc.set_threshold(0)
        third = parallel.Pipeline(lambda b: seen.append(gc.get_threshold()[0]), lambda b: b)
        third.submit(["four"], more=False)
        third.close()
        assert seen[-1] == 0 and gc.get_threshold()[0] == 0
    finally:
        first.close()
        second.close()
        gc.set_threshold(*before)


def test_a_failed_worker_leaves_the_analysis_to_the_indexer(tmp_path: Path) -> None:
    pipeline = parallel.Pipeline(lambda batch: written.append(batch), lambda batch: batch)
    written: list[list[str]] = []
    pipeline.submit(["first text"], more=True)
    worker = pipeline._worker
    assert worker is not None and worker.pid is not None
    os.kill(worker.pid, signal.SIGKILL)
    pipeline.submit(["second text"], more=False)
    pipeline.finish()
    assert written == [["first text"], ["second text"]]


INDEXER = """
import sys, time
from newsearch import Article, Index, parallel

start = parallel.AnalysisWorker.__init__
def announce(self):
    start(self)
    print(self.pid, flush=True)
parallel.AnalysisWorker.__init__ = announce

def articles():
    n = 0
    while True:  # never ends: the test kills this process
        n += 1
        yield Article(f"Title {n}", (f"Paragraph {n} about ceasefire talks.",) * 3, id=f"a{n}")

with Index.open(sys.argv[1], create=True, engine=sys.argv[2]) as index:
    index.batch_paragraphs = 300
    index.add_articles(articles())
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie has exited; only its entry waits


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("engine", ENGINES)
def test_sigkilled_indexer_leaves_no_worker(engine: str, tmp_path: Path) -> None:
    indexer = subprocess.Popen(
        [sys.executable, "-c", INDEXER, str(tmp_path / "index"), engine],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        worker = int(indexer.stdout.readline())  # type: ignore[union-attr]
        assert _alive(worker)
    finally:
        indexer.kill()
        indexer.wait()
    deadline = time.monotonic() + 20
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker)
