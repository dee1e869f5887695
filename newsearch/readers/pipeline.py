"""Between the format readers and the index: pages extracted (in worker processes when
asked), the language filter, counted skips summarised, and live reading progress.

Format readers yield three kinds of item: a ``Parsed`` (read already), a ``Page`` (a web
page still to be extracted: the slow step) and a ``Passed`` (a WARC record that is not a
page, only counted). ``settle`` turns them into ``Parsed`` items in input order:

* pages are extracted in this process, or with ``workers > 1`` in that many worker
  processes, a bounded number of pages ahead, results in input order (the same articles
  in the same order as one process). Workers ignore Ctrl-C (the parent stops them) and
  die with their parent, even when it is SIGKILLed (Linux ``PR_SET_PDEATHSIG``);
* with ``language``, an article whose language is another or unknown is skipped
  ("language fr, not en"); the primary subtag is compared, so ``en`` takes ``en-GB``;
* skips of pages from a WARC file that hold no article, or another language, and its
  records passed over are counted per reason and come last, one skip per file and reason
  with its ``count``; other skips (an extractor failure names the page's url) come one
  by one, in order.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from multiprocessing import get_all_start_methods, get_context

from newsearch.model import Article
from newsearch.readers.base import Parsed, skip

CHUNK_PAGES = 8  # pages per task sent to a worker: fewer round trips
CHUNKS_AHEAD = 4  # tasks in flight per worker: keeps workers busy, memory bounded


@dataclass(frozen=True)
class Page:
    """A web page still to be extracted. ``tally`` names the WARC file whose
    "no article" skips are counted instead of listed."""

    data: bytes | str
    where: str
    url: str | None = None
    date: datetime | None = None
    source: str | None = None
    tally: str | None = None


@dataclass(frozen=True)
class Passed:
    """A WARC record that is not a page: counted under its file with its reason."""

    where: str
    reason: str


@dataclass
class ReadProgress:
    """Live counts of a read, for a progress line: WARC records and bytes read, articles
    read, skips per reason. ``on_update`` is called at most every ``interval`` seconds."""

    on_update: Callable[[ReadProgress], None] | None = None
    interval: float = 0.5
    records: int = 0
    bytes_read: int = 0
    articles: int = 0
    skips: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)
    _shown: float = 0.0
    _bytes_done: int = 0  # bytes of the WARC files already finished

    def record(self, offset: int) -> None:
        """One more WARC record read, the file now read up to byte ``offset``."""
        self.records += 1
        self.bytes_read = self._bytes_done + offset
        self._tick()

    def file_done(self) -> None:
        self._bytes_done = self.bytes_read

    def read_up_to(self, offset: int) -> None:
        """The current (non-WARC) file is now read up to byte ``offset``."""
        self.bytes_read = self._bytes_done + offset

    def count(self, item: Parsed, times: int = 1) -> None:
        if item.article is not None:
            self.articles += 1
        else:
            self.skips[item.skip_reason or ""] += times
        self._tick()

    def _tick(self) -> None:
        now = time.monotonic()
        if self.on_update is not None and now - self._shown >= self.interval:
            self._shown = now
            self.on_update(self)

    @property
    def bytes_per_second(self) -> float:
        return self.bytes_read / max(time.monotonic() - self.started, 1e-9)


def language_skip(article: Article, wanted: str) -> str | None:
    """The skip reason when ``article`` is not in language ``wanted``, else None."""
    have = (article.language or "").lower().replace("_", "-")
    want = wanted.lower().replace("_", "-")
    if have == want or have.split("-")[0] == want:
        return None
    return f"language {have or 'unknown'}, not {wanted}"


def _extract(page: Page, language: str | None) -> Parsed | Passed:
    from newsearch.readers.html import EXTRACTION_FAILED, parse_html

    parsed = parse_html(page.data, page.where, url=page.url, date=page.date, source=page.source)
    reason = parsed.skip_reason
    if parsed.article is not None and language:
        reason = language_skip(parsed.article, language)
        if reason is not None and page.tally is None:
            return skip(page.where, reason, parsed.warnings)
    if reason is None:
        return parsed
    if page.tally is not None and not reason.startswith(EXTRACTION_FAILED):
        return Passed(page.tally, reason)
    return parsed


def _extract_chunk(pages: list[Page], language: str | None) -> list[Parsed | Passed]:
    return [_extract(page, language) for page in pages]


def _worker_init(parent: int) -> None:
    """Run in each worker: ignore Ctrl-C, and die with the parent process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


Item = Parsed | Page | Passed
Done = Parsed | Passed


def _extracted(items: Iterable[Item], workers: int, language: str | None) -> Iterator[Done]:
    """Items with every page extracted, in input order."""
    if workers <= 1:
        for item in items:
            yield _extract(item, language) if isinstance(item, Page) else item
        return
    # fork where there is one: a worker starts at once, and does not re-run the caller's
    # script as spawn and forkserver do (a script without a __main__ guard would break).
    # The child only runs extraction, never the parent's engine or its threads.
    method = "fork" if "fork" in get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(
        workers, mp_context=get_context(method), initializer=_worker_init, initargs=(os.getpid(),)
    )
    pending: deque[Future[list[Done]] | list[Done]] = deque()
    chunk: list[Page] = []

    def send() -> None:
        if chunk:
            pending.append(pool.submit(_extract_chunk, list(chunk), language))
            chunk.clear()

    try:
        for item in items:
            if isinstance(item, Page):
                chunk.append(item)
                if len(chunk) == CHUNK_PAGES:
                    send()
            else:
                send()  # what came before this item goes first
                pending.append([item])
            while len(pending) > workers * CHUNKS_AHEAD or (
                pending and not isinstance(pending[0], Future)
            ):
                head = pending.popleft()
                yield from head.result() if isinstance(head, Future) else head
        send()
        while pending:
            head = pending.popleft()
            yield from head.result() if isinstance(head, Future) else head
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def settle(
    items: Iterable[Item],
    *,
    workers: int = 1,
    language: str | None = None,
    progress: ReadProgress | None = None,
) -> Iterator[Parsed]:
    """``Parsed`` items from reader items: pages extracted, the language filter applied,
    counted skips summarised at the end (see the module docstring)."""
    counts: Counter[tuple[str, str]] = Counter()
    for item in _extracted(items, workers, language):
        if isinstance(item, Passed):
            counts[(item.where, item.reason)] += 1
            if progress is not None:
                progress.count(skip(item.where, item.reason))
            continue
        if item.article is not None and language:
            reason = language_skip(item.article, language)
            if reason is not None:
                item = skip(item.where, reason, item.warnings)
        if progress is not None:
            progress.count(item)
        yield item
    for (where, reason), count in counts.items():
        yield replace(skip(where, reason), count=count)
