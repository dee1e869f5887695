"""Measurements taken in fresh child processes: indexing, opening, query latency.

Each indexing run and each query session happens in a new ``spawn`` process, so a
system's peak memory is its own and its index is opened cold by a process that never
saw it (the OS page cache is warm: dropping it needs root on a shared machine). A query
session keeps its index open and times passes when asked (``QuerySession``), so that
the passes of several systems can be interleaved (``benchmarks.latency``).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.corpus import Slice
from benchmarks.queries import BenchQuery
from benchmarks.systems import build, get_system

try:
    import psutil
except ImportError:  # peak RSS then comes from VmHWM alone
    psutil = None

SAMPLE_SECONDS = 0.02
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def tree_rss() -> int:
    """Resident bytes of this process plus its descendants (newsearch's analysis worker,
    whoosh's ``procs=2`` workers).

    Read from ``/proc`` where it lists each thread's children: psutil finds children by
    reading every process on the machine, 2.5 ms of CPU a sample (measured with 78
    processes), which every 20 ms took an eighth of a core from the build it measured.
    """
    try:
        total, pids = 0, [os.getpid()]
        while pids:
            pid = pids.pop()
            with contextlib.suppress(OSError):  # a worker may exit meanwhile
                with open(f"/proc/{pid}/statm", "rb") as statm:
                    total += int(statm.read().split()[1]) * _PAGE
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children", "rb") as children:
                        pids.extend(map(int, children.read().split()))
        if total:
            return total
    except (OSError, ValueError):
        pass
    return _psutil_tree_rss()


def _psutil_tree_rss() -> int:
    if psutil is None:
        return high_water_mark()
    process = psutil.Process()
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.Error):  # a worker may exit meanwhile
            total += child.memory_info().rss
    return total


def high_water_mark() -> int:
    """This process's peak resident bytes (``VmHWM``), which catches spikes between samples.

    Unlike ``getrusage``'s ``ru_maxrss``, it starts afresh at ``exec``: a spawned child
    does not inherit its parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class PeakRss:
    """Samples ``tree_rss`` on a thread while the block runs; ``peak`` is the maximum."""

    def __init__(self, interval: float = SAMPLE_SECONDS) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss(), high_water_mark())


def _child_main(connection: Any, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        connection.send({"ok": func(*args)})
    except BaseException:  # report every failure to the parent instead of hanging
        connection.send({"error": traceback.format_exc()})
    finally:
        connection.close()


def run_in_child(func: Callable[..., Any], *args: Any) -> Any:
    """Run ``func(*args)`` in a fresh spawned process; re-raise its failure as text."""
    context = multiprocessing.get_context("spawn")
    parent_end, child_end = context.Pipe(duplex=False)
    process = context.Process(target=_child_main, args=(child_end, func, args))
    process.start()
    child_end.close()
    try:
        message = parent_end.recv()
    except EOFError:
        message = {"error": "the child process died without an answer"}
    process.join()
    if "error" in message:
        raise RuntimeError(message["error"])
    return message["ok"]


def directory_size(path: Path) -> int:
    """Bytes of all files under ``path``."""
    return sum(file.stat().st_size for file in Path(path).rglob("*") if file.is_file())


def build_worker(system_name: str, data: dict[str, Any], index_dir: str) -> dict[str, Any]:
    """(child) Index a slice; time, paragraphs, baseline and peak RSS."""
    system = get_system(system_name)
    system.unavailable()  # imports the engine before the clock starts
    gc.collect()
    baseline = tree_rss()
    with PeakRss() as peak:
        start = time.perf_counter()
        paragraphs = build(system, Slice(**data), Path(index_dir))
        seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "paragraphs": paragraphs,
        "baseline_rss_bytes": baseline,
        "peak_rss_bytes": peak.peak,
    }


def measure_build(system_name: str, data: Slice, index_dir: Path) -> dict[str, Any]:
    """Index ``data`` in a fresh process; adds size on disk and paragraphs per second."""
    result = run_in_child(build_worker, system_name, asdict(data), str(index_dir))
    result["size_bytes"] = directory_size(index_dir)
    result["size_mb"] = result["size_bytes"] / (1024 * 1024)
    result["paragraphs_per_s"] = result["paragraphs"] / result["seconds"]
    return result


def _timed_queries(
    searcher: Any, queries: Sequence[BenchQuery], limit: int
) -> tuple[list[float], list[int], list[int]]:
    latencies, hits, snippets = [], [], []
    for query in queries:
        start = time.perf_counter()
        found = searcher.search(query, limit, True)
        latencies.append((time.perf_counter() - start) * 1000)
        hits.append(len(found))
        snippets.append(sum(1 for _aid, text in found if text))
    return latencies, hits, snippets


def session_main(
    connection: Any, system_name: str, index_dir: str, queries: list[dict[str, Any]], warmup: int
) -> None:
    """(child) Open the index cold, then answer the parent's commands until ``close``:
    ``("pass", as_json)`` warms up and times every query once; ``("rankings", topics)``
    fetches each topic's top 1000."""
    try:
        system = get_system(system_name)
        system.unavailable()
        bench = [BenchQuery.from_dict(q) for q in queries]
        start = time.perf_counter()
        searcher = system.open(Path(index_dir))
        connection.send({"ok": {"open_ms": (time.perf_counter() - start) * 1000}})
    except BaseException:
        connection.send({"error": traceback.format_exc()})
        connection.close()
        return
    try:
        while True:
            try:
                command, argument = connection.recv()
            except EOFError:  # the parent is gone
                break
            if command == "close":
                break
            try:
                if command == "pass":
                    connection.send({"ok": _one_pass(searcher, bench, warmup, argument)})
                else:
                    connection.send({"ok": _rankings(searcher, argument)})
            except Exception:
                connection.send({"error": traceback.format_exc()})
    finally:
        searcher.close()
        connection.close()


def _answer_as(searcher: Any, as_json: bool) -> None:
    if as_json or hasattr(searcher, "as_json"):  # only newsearch answers as JSON
        searcher.as_json = as_json


def _rankings(searcher: Any, topics: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    _answer_as(searcher, False)
    return {
        topic: [aid for aid, _ in searcher.search(BenchQuery.from_dict(q), 1000, False)]
        for topic, q in topics.items()
    }


def _one_pass(
    searcher: Any, queries: Sequence[BenchQuery], warmup: int, as_json: bool
) -> dict[str, Any]:
    # The warm-up runs before every pass: the process may have idled for a minute
    # while the other systems ran theirs.
    _answer_as(searcher, as_json)
    for query in queries[:warmup]:
        searcher.search(query, 10, True)
    start = time.perf_counter()
    latencies, hits, snippets = _timed_queries(searcher, queries, 10)
    return {
        "seconds": time.perf_counter() - start,
        "latencies_ms": latencies,
        "hits": hits,
        "snippets": snippets,
    }


class QuerySession:
    """One system's index, open in a fresh ``spawn`` process until ``close``: the
    parent asks for timed passes over the same queries whenever it chooses, so the
    passes of several systems can be interleaved."""

    def __init__(
        self, system_name: str, index_dir: Path, queries: Sequence[BenchQuery], warmup: int
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child_end = context.Pipe()
        arguments = (child_end, system_name, str(index_dir), [q.to_dict() for q in queries])
        self._process = context.Process(target=session_main, args=(*arguments, warmup))
        self._process.start()
        child_end.close()
        self.open_ms: float = self._answer()["open_ms"]

    def __enter__(self) -> QuerySession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _answer(self) -> Any:
        try:
            message = self._connection.recv()
        except EOFError:
            message = {"error": "the query process died without an answer"}
        if "error" in message:
            self.close()
            raise RuntimeError(message["error"])
        return message["ok"]

    def run_pass(self, as_json: bool = False) -> dict[str, Any]:
        """Warm up, then time every query once: latencies (ms), seconds, hits, snippets."""
        self._connection.send(("pass", as_json))
        return dict(self._answer())

    def rankings(self, topics: dict[str, BenchQuery]) -> dict[str, list[str]]:
        """Each topic query's top 1000 article ids, in rank order."""
        self._connection.send(("rankings", {t: q.to_dict() for t, q in topics.items()}))
        return dict(self._answer())

    def close(self) -> None:
        """End the child process (it closes its index first)."""
        if self._process.is_alive():
            with contextlib.suppress(OSError):
                self._connection.send(("close", None))
            self._process.join(timeout=60)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._connection.close()


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100), linear between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
