"""The server's open index and the bounded, time-limited threads its calls run in."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from ..errors import IndexCorruptError, IndexNotFoundError
from ..index import META_FILE, Index
from .limits import Limits

T = TypeVar("T")
SLOT_POLL_SECONDS = 0.002
Opener = Callable[[Path], Index]


class SearchTimeout(Exception):
    """A call ran past ``Limits.time_limit``."""


class Busy(Exception):
    """Every search slot is taken (some perhaps by runaway searches still finishing)."""


class IndexHolder:
    """One ``Index`` shared by every request, re-opened when the index is rebuilt.

    ``Index`` already answers each search from the newest commit, so commits by another
    process show up at the next request. A rebuild (``newsearch index --rebuild``)
    replaces the index's metadata file; the holder notices by its inode and change time
    and opens the new index. While no index can be opened, ``current()`` raises the
    library's error, which the API answers with 503.
    """

    def __init__(self, path: Path, opener: Opener = Index.open) -> None:
        self.path = path
        self._opener = opener
        self._lock = threading.Lock()
        self._index: Index | None = None
        self._key: tuple[int, int] | None = None

    def _meta_key(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path / META_FILE)
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns

    def current(self) -> Index:
        """The open index, opening (or re-opening) it when the files on disk changed."""
        key = self._meta_key()
        index = self._index
        if index is not None and key == self._key:
            return index
        with self._lock:
            if self._index is not None and key == self._key:
                return self._index
            # The old Index is not closed here: other threads may still be searching
            # with it; it is released when the last of them drops it.
            self._index, self._key = None, None
            if key is None:
                raise IndexNotFoundError(
                    f"no index at {self.path}; create one with "
                    f"'newsearch index --index {self.path} FILES…'"
                )
            self._index, self._key = self._opener(self.path), key
            return self._index

    def forget(self, index: Index) -> None:
        """Drop ``index`` after it failed with damage, so the next request opens anew."""
        with self._lock:
            if self._index is index:
                self._index, self._key = None, None

    def close(self) -> None:
        """Close the open index (at shut-down)."""
        with self._lock:
            if self._index is not None:
                self._index.close()
            self._index, self._key = None, None


class Runner:
    """Runs blocking index calls on at most ``max_searches`` threads, each time-limited."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._slots = threading.BoundedSemaphore(limits.max_searches)
        self._pool = ThreadPoolExecutor(limits.max_searches, thread_name_prefix="newsearch")

    async def run(self, call: Callable[[], T]) -> T:
        """``call()`` on a worker thread within the time limit, waiting for a free slot
        first; ``Busy`` when none frees up in time, ``SearchTimeout`` when the call runs
        past the limit (its slot is freed only when the call really ends)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.time_limit
        # Polling keeps the event loop free and works on any loop; it only happens when
        # every slot is taken.
        while not self._slots.acquire(blocking=False):
            if loop.time() >= deadline:
                raise Busy
            await asyncio.sleep(SLOT_POLL_SECONDS)

        def job() -> T:
            try:
                return call()
            finally:
                self._slots.release()

        try:
            future = self._pool.submit(job)
        except BaseException:
            self._slots.release()
            raise
        # A job cancelled before it started never runs its `finally`: free its slot here.
        future.add_done_callback(lambda f: self._slots.release() if f.cancelled() else None)
        try:
            remaining = max(0.0, deadline - loop.time())
            return await asyncio.wait_for(asyncio.wrap_future(future), remaining)
        except asyncio.TimeoutError as exc:
            raise SearchTimeout from exc

    def close(self) -> None:
        """Stop accepting calls; running ones finish on their own."""
        self._pool.shutdown(wait=False, cancel_futures=True)


DAMAGE = (IndexNotFoundError, IndexCorruptError)
