"""Analysis in a worker process, so that indexing uses a second core.

The indexer hands a batch's texts to the worker (``AnalysisWorker.send``), writes the
previous batch into the engine meanwhile, then takes the worker's analyses back
(``receive``) and lends them to ``analysis.indexed`` (``analysis.remember``) while
the engine writes that batch. The worker runs the same ``analysis.indexed``, so the
index is the same as one process builds.

An engine can ask for more than analyses (``Engine.worker_job``): the whoosh engine has
the worker prepare a batch's postings (``engines.whoosh_postings``), and the indexer
lends them to the engine while it writes that batch (``Engine.prepared``).

With copy detection on, the worker also fingerprints each article's body
(``newsearch.copies``: the indexer says which texts make each body) and the indexer lends
those fingerprints to the copy planner of that batch (``fingerprint.remember``).

The worker never outlives the indexer: the kernel kills it when its parent dies
(``PR_SET_PDEATHSIG`` on Linux), and it exits when its input pipe closes. When the
worker fails, the indexer analyses in its own process (``receive`` returns None).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import IO, TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from .analysis import Indexed
    from .copies.fingerprint import Batch as Fingerprints

B = TypeVar("B")
# The worker's answer to a batch: analyses, fingerprints, the job's answer.
Answer = tuple[list["Indexed"], "Fingerprints | None", Any]
_PR_SET_PDEATHSIG = 1
STOP_SECONDS = 5.0
# Texts whose analyses the worker pickles together (see ``serve``).
ANSWER_PART = 2_000
# Not ``-m newsearch.parallel``: the package imports this module before running it.
# Once its input closes the worker leaves at once (every answer is flushed): tearing
# down its word caches would keep the indexer waiting in ``close``.
_WORKER_MAIN = (
    "import os, sys; from newsearch.parallel import serve; serve(int(sys.argv[1])); os._exit(0)"
)


def _write_frame(stream: IO[bytes], value: object) -> None:
    # Pickled straight into the pipe, a frame of 64 KB at a time: a batch pickled whole
    # first was one more copy of it (10 MB for 20,000 paragraphs) at each end. The
    # worker's analyses are pickled apart, a part at a time (``_pickled_parts``).
    pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
    stream.flush()


def _read_frame(stream: IO[bytes]) -> object:
    """The next value ``_write_frame`` wrote (``EOFError`` once the stream has ended)."""
    return pickle.load(stream)


class AnalysisWorker:
    """One analysis process; at most one batch is out at a time."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-c", _WORKER_MAIN, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._out = False

    @property
    def pid(self) -> int | None:
        """The worker's process id (None once it has stopped)."""
        return self._process.pid if self._process is not None else None

    def send(
        self,
        texts: Sequence[str],
        bodies: Sequence[Sequence[int]] | None = None,
        job: tuple[str, Any] | None = None,
    ) -> None:
        """Start analysing ``texts`` (and fingerprinting ``bodies``: each article's body
        as the numbers of its texts); ``receive`` takes the result. With ``job`` (a
        function of this package as ``"module:name"`` and its argument) the worker runs
        that instead of analysing the texts."""
        if self._process is None or self._out:
            return
        try:
            _write_frame(self._process.stdin, (list(texts), bodies, job))  # type: ignore[arg-type]
            self._out = True
        except OSError:
            self.close()

    def receive(self) -> Answer | None:
        """``analysis.indexed`` of each text sent (none with a job), the bodies'
        fingerprints (None if none were asked for) and the job's answer (None without
        one), or None when the worker failed."""
        if self._process is None or not self._out:
            return None
        self._out = False
        from .analysis import Indexed

        stream = self._process.stdout
        try:
            parts, prints, done = _read_frame(stream)  # type: ignore[misc]
            found = []
            for _ in range(parts):  # each a list of plain tuples (``_pickled_parts``)
                found.extend(map(Indexed._make, _read_frame(stream)))  # type: ignore[call-overload]
        except (OSError, EOFError, pickle.UnpicklingError, TypeError, ValueError):
            self.close()
            return None
        return found, prints, done

    def close(self) -> None:
        """Stop the worker: its input closes, so it exits; killed if it does not."""
        process, self._process = self._process, None
        if process is None:
            return
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                stream.close()  # type: ignore[union-attr]
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Pipeline(Generic[B]):
    """Writes batches in order, each analysed by a worker while the one before is written.

    ``submit(batch, more=True)`` when more batches follow: the worker starts with the
    first such batch, so a one-batch input never starts a process (it is analysed here).
    Otherwise the worker analyses every batch, the first one while this process reads
    the second: a first batch analysed here left this process's memory higher for the
    rest of the run (its word caches and analyses freed, but not handed back: whoosh on
    Reuters, the indexer's peak 172 MB against 132). ``texts(batch)`` are the texts the
    engine will analyse; ``write(batch)`` writes one batch.

    So the worker starts for inputs of more than one batch (``index.BATCH_PARAGRAPHS``,
    20,000 paragraphs). Starting it sooner, with a first batch of 5,000 or 2,500, was
    measured on 5,000 to 30,000 paragraphs of Reuters (2026-12-01, both engines, three
    to six interleaved builds each, on two cores shared with other builds): it moves
    about half of the indexer's CPU to the worker (the 10% slice, 13,680 paragraphs:
    tantivy 2.4-2.9 s alone, 1.3-2.2 with the worker; whoosh 7.9-12.6 and 4.6-7.1) but
    the indexer then waits for the worker's answers (tantivy 0.6 s, whoosh up to 5.9:
    its worker imports whoosh and prepares the postings, as much work as the writing),
    the build takes 10-20% more CPU in all, and wall times were no faster (medians, 10%:
    tantivy 2.7-3.3 s alone against 3.3-3.4; whoosh 11.6-16.4 against 10.9-17.1; 5,161
    paragraphs, first batch 2,500: tantivy 2.6 against 2.6, whoosh 3.9 against 6.0).
    It also adds a process's memory (10%: tantivy 101 → 139 MB, whoosh 135 → 175).
    """

    def __init__(
        self,
        write: Callable[[B], None],
        texts: Callable[[B], list[str]],
        enabled: bool = True,
        bodies: Callable[[B], list[list[int]]] | None = None,
        job: Callable[[B], tuple[str, Any] | None] | None = None,
        lend: Callable[[Any], AbstractContextManager[None]] | None = None,
    ) -> None:
        self._write = write
        self._texts = texts
        self._bodies = bodies
        self._job = job
        self._lend = lend
        self._enabled = enabled
        self._worker: AnalysisWorker | None = None
        self._pending: tuple[B, list[str]] | None = None  # the batch out to the worker
        self._collecting_less = True  # until ``close``: see _collect_less
        self._collect = True  # after each batch written, while that frees enough
        _collect_less(True)

    def submit(self, batch: B, *, more: bool) -> None:
        """Write ``batch`` (now, or after the worker has analysed it)."""
        if self._worker is None:
            if self._enabled and more:
                try:
                    self._worker = AnalysisWorker()
                except OSError:  # no interpreter to start (a frozen app): analyse here
                    self._enabled = False
            if self._worker is None:
                self._written(batch)
                return
        texts = self._texts(batch)
        found = self._worker.receive() if self._pending is not None else None
        self._worker.send(
            texts,
            self._bodies(batch) if self._bodies is not None else None,
            self._job(batch) if self._job is not None else None,
        )
        if self._pending is not None:
            self._write_with(self._pending, found)
        self._pending = (batch, texts)

    def finish(self) -> None:
        """Write the batch still out, then stop the worker."""
        if self._pending is not None and self._worker is not None:
            pending, self._pending = self._pending, None
            self._write_with(pending, self._worker.receive())
        self.close()

    def close(self) -> None:
        """Stop the worker; a batch still out is not written."""
        self._pending = None
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        if self._collecting_less:
            self._collecting_less = False
            _collect_less(False)

    def _written(self, batch: B) -> None:
        self._write(batch)
        if self._collect:
            # An engine's writer whose objects refer to each other (whoosh's: a commit's
            # term table and postings, 20-50 MB) is freed by the collector only, which
            # the raised threshold (_collect_less) put off for batches: on whoosh, the
            # indexer's peak 187 MB against 124. A batch that left next to nothing in
            # cycles (tantivy's) ends these collections: each walks every object (50-90
            # ms on a batch of 20,000 paragraphs).
            self._collect = gc.collect() >= CYCLES_WORTH_COLLECTING
        # What the engine freed (its writer's buffers, a merge's) goes back to the OS
        # before the next batch: a writer's threads each take a malloc arena of their
        # own, so without it free memory piled up from batch to batch (on tantivy, the
        # full corpus: a peak of 186 MB against 177, median of three).
        _release_heap()

    def _write_with(self, pending: tuple[B, list[str]], found: Answer | None) -> None:
        from . import analysis

        batch, texts = pending
        prints = done = None
        if found is not None:
            if len(found[0]) == len(texts):
                analysis.remember(texts, found[0])
            prints, done = found[1], found[2]
        if prints is not None:
            from .copies import fingerprint

            fingerprint.remember(batch, prints)
        lent = self._lend(done) if done is not None and self._lend is not None else None
        try:
            if lent is None:
                self._written(batch)
            else:
                with lent:
                    self._written(batch)
        finally:
            analysis.forget()
            if prints is not None:
                fingerprint.forget()

    def __enter__(self) -> Pipeline[B]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _die_with(parent: int) -> None:
    """Ask the kernel to kill this process when its parent dies (Linux only)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(0)


# While a pipeline runs, the cyclic garbage collector's youngest generation is collected
# after this many new objects instead of Python's 700: indexing makes a few tracked
# objects a paragraph (read records, articles, paragraphs, analyses) and no cycles, and
# those collections, each older one walking every batch's paragraphs, took about 6% of
# the indexer's time on the whole of Reuters (3 µs a paragraph; 0.6 with this).
_FEWER_COLLECTIONS = 50_000
# Objects in cycles a batch's writing must have left for the next batch to collect too.
CYCLES_WORTH_COLLECTING = 1_000
_collecting = threading.Lock()
_pipelines = 0  # pipelines running in this process (each thread may run one)
_saved_threshold: tuple[int, ...] = ()


def _collect_less(start: bool) -> None:
    """Raise the collector's first threshold when the first pipeline starts; put back
    what it was when the last one stops."""
    global _pipelines, _saved_threshold
    with _collecting:
        if start:
            _pipelines += 1
            if _pipelines == 1:
                _saved_threshold = gc.get_threshold()
                first = _saved_threshold[0]
                if first:  # 0: the collector is off; it stays so
                    gc.set_threshold(max(_FEWER_COLLECTIONS, first), *_saved_threshold[1:])
        else:
            _pipelines -= 1
            if _pipelines == 0:
                gc.set_threshold(*_saved_threshold)


def _release_heap() -> None:
    """Return the C heap's free pages to the OS (glibc's ``malloc_trim``; elsewhere a
    no-op). Without it a batch's freed objects stay resident while the worker waits."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def _run(job: tuple[str, Any]) -> Any:
    """(worker) Call a job's function, named ``"module:name"`` in this package."""
    module, name = job[0].split(":")
    if module.split(".")[0] != __name__.split(".")[0]:
        raise ValueError(f"not a function of this package: {job[0]}")
    return getattr(importlib.import_module(module), name)(job[1])


def serve(parent: int) -> None:
    """(worker) Answer batches of texts with their analyses until the input closes."""
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the indexer's to handle
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            texts, bodies, job = _read_frame(source)  # type: ignore[misc]
        except EOFError:
            return
        prints = None
        if bodies is not None:
            from .copies import fingerprint

            # First, so that the joined bodies are freed before the analyses are made.
            prints = fingerprint.Batch.of_bodies(
                [" ".join(texts[n] for n in body) for body in bodies]
            )
        done = _run(job) if job is not None else None
        # The analyses as plain tuples, pickled a part at a time as they are made: the
        # answer waits in this process until the indexer has written the batch before
        # (its memory peak), and pickled it holds about a third of the memory (20,000
        # Reuters paragraphs: 5 MB against 13), the texts freed too.
        parts = [] if job is not None else _pickled_parts(texts)
        del texts, bodies, job
        try:
            _write_frame(sink, (len(parts), prints, done))
            for part in parts:
                sink.write(part)
            sink.flush()
        except BrokenPipeError:
            # The indexer stopped reading (Ctrl-C, an error): leave without a traceback
            # and without the interpreter's flush of the dead pipe at exit.
            os._exit(0)
        # The batch is answered: free it before waiting for the next one, and give the
        # freed heap back.
        del parts, prints, done
        _release_heap()


def _pickled_parts(texts: list[str]) -> list[bytes]:
    """(worker) ``analysis.indexed`` of each text as plain tuples, pickled
    ``ANSWER_PART`` texts at a time."""
    from . import analysis

    return [
        pickle.dumps(
            [tuple(analysis.indexed(t)) for t in texts[start : start + ANSWER_PART]],
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        for start in range(0, len(texts), ANSWER_PART)
    ]
