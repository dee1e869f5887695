"""How the whoosh engine's writer is set up: its codec and its pool of postings.

whoosh's ``SegmentWriter`` collects every posting of a commit in a pool, sorts it in
runs written to temporary files when the pool outgrows ``WRITER_POOL_MB``, then merges
the runs into the segment. Two of its defaults cost newsearch time for nothing:
per-block field-length statistics (``codec``) and one pickle call per posting in the
runs (``ChunkedPool``).
"""

from __future__ import annotations

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
    postings per pickle instead of one: the same postings in the same order, with a
    thousandth of the calls. Memory grows by one chunk per run being merged."""

    def _write_run(self, f: Any, items: Iterable[Any]) -> None:
        items = iter(items)
        while chunk := list(itertools.islice(items, RUN_CHUNK)):
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path: str) -> Iterator[Any]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


def with_chunked_pool(writer: Any) -> Any:
    """``writer`` (a new ``SegmentWriter``, nothing added yet) with a ``ChunkedPool``;
    whoosh's writer takes no pool class of its own choosing."""
    writer.pool = ChunkedPool(writer._tempstorage, writer.newsegment, limitmb=WRITER_POOL_MB)
    return writer
