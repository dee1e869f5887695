"""How the whoosh engine's writer is set up: its codec and its pool of postings.

whoosh's ``SegmentWriter`` collects every posting of a commit in a pool, sorts it in
runs written to temporary files when the pool outgrows ``WRITER_POOL_MB``, then merges
the runs into the segment. Two of its defaults cost newsearch time for nothing:
per-block field-length statistics (``codec``) and one pickle call per posting in the
runs (``ChunkedPool``).
"""

from __future__ import annotations

import bisect
import itertools
import pickle
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import PostingPool

# whoosh's writer keeps postings in memory up to about this estimate, then sorts them into
# temporary files. Its default, 128, lets the writer's memory grow with the batch; 32
# measured the same speed with 112 MB less peak memory on 30% of Reuters (244 against 356).
WRITER_POOL_MB = 32
# Postings per pickle in a run file: whoosh pickles each posting alone.
RUN_CHUNK = 2048


def codec() -> W3Codec:
    """whoosh's codec without per-block field-length statistics.

    whoosh reads every posting's field length back at commit to keep each block's
    shortest and longest length, which only its block-quality skipping uses; our
    collectors never skip (``usequality=False``: every match is counted), so the read
    is wasted. Scores still use each document's own length. An attribute of the
    instance, pickled with the segment as a plain ``W3Codec``: no class of ours in the
    index.
    """
    made = W3Codec()
    made.length_stats = False
    return made


class ChunkedPool(PostingPool):  # type: ignore[misc]
    """whoosh's pool of postings, writing and reading its sorted runs ``RUN_CHUNK``
    postings per pickle instead of one: the same postings in the same order, with one
    pickle call per chunk. Memory grows by one chunk per run being merged."""

    def _write_run(self, f: Any, items: Iterable[Any]) -> None:
        items = iter(items)
        while chunk := list(itertools.islice(items, RUN_CHUNK)):
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path: str) -> Iterator[Any]:
        for chunk in self._read_chunks(path):
            yield from chunk

    def _read_chunks(self, path: str) -> Iterator[list[Any]]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    yield pickle.load(f)
                except EOFError:
                    return
        finally:
            f.close()
            self._remove_run(path)

    def _merge_runs(self, paths: list[str]) -> Iterator[Any]:
        """The runs' postings in order, merged a chunk at a time: each round takes, from
        every run's current chunk, the postings up to the smallest of the chunks' last
        postings (nothing still unread can be smaller) and sorts them together, in C,
        instead of passing every posting through a heap in Python."""
        heads = _refilled([[], self._read_chunks(path)] for path in paths)
        while heads:
            bound = min(chunk[-1] for chunk, _ in heads)
            taken: list[Any] = []
            for head in heads:
                chunk = head[0]
                cut = bisect.bisect_right(chunk, bound)
                taken.extend(chunk[:cut])
                head[0] = chunk[cut:]
            taken.sort()
            yield from taken
            heads = _refilled(heads)


def _refilled(heads: Iterable[list[Any]]) -> list[list[Any]]:
    """``[chunk, run]`` pairs with an emptied chunk replaced by its run's next one; the
    runs that have ended dropped."""
    refilled = []
    for chunk, run in heads:
        if not chunk:
            chunk = next(run, None)
        if chunk:
            refilled.append([chunk, run])
    return refilled


def with_chunked_pool(writer: Any) -> Any:
    """``writer`` (a new ``SegmentWriter``, nothing added yet) with a ``ChunkedPool``;
    whoosh's writer takes no pool class of its own choosing."""
    writer.pool = ChunkedPool(writer._tempstorage, writer.newsegment, limitmb=WRITER_POOL_MB)
    return writer
