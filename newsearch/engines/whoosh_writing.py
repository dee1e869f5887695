"""How the whoosh engine's writer is set up: its codec and its pool of postings.

whoosh's ``SegmentWriter`` collects every posting of a commit in a pool, sorts it in
runs written to temporary files when the pool outgrows ``WRITER_POOL_MB``, then merges
the runs into the segment. Two of its defaults cost newsearch time for nothing:
per-block field-length statistics (``codec``) and one pickle call per posting in the
runs (``ChunkedPool``). Its commit then passes every posting through a chain of Python
calls into per-term blocks; ``BulkPostings`` writes each term's blocks at once instead,
and writes the terms whose blocks were encoded before the commit (``PreparedTerms``, by
``whoosh_postings``) among them.
"""

from __future__ import annotations

import bisect
import io
import itertools
import operator
import pickle
import struct
import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from . import whoosh_imports  # noqa: F401  (first: see its docstring)

# isort: split
from whoosh.codec.base import OutOfOrderError
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3TermInfo
from whoosh.filedb import filetables
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import PostingPool

# whoosh's writer keeps postings in memory up to about this estimate, then sorts them into
# temporary files. Its default, 128, lets the writer's memory grow with the batch; 32
# measured the same speed with 112 MB less peak memory on 30% of Reuters (244 against 356).
WRITER_POOL_MB = 32
# Postings per pickle in a run file: whoosh pickles each posting alone.
RUN_CHUNK = 2048
# Blocks of postings shorter than this many bytes are stored uncompressed (whoosh's
# reader reads each block's compression level from the block): zlib takes about as long
# to start as to compress a block of 2 KB, and gains 2 or 3 bytes on the short blocks of
# rare words, most of a commit's blocks. On 10% of Reuters 47,000 of 78,000 blocks were
# under 80 bytes: 0.3 of 0.9 s of compressing saved, 0.8% more bytes of postings.
STORED_BELOW = 80


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
    """``writer`` (a new ``SegmentWriter``, nothing added yet) with a ``ChunkedPool``, and
    its postings written by ``BulkPostings`` when its codec is one that class knows;
    whoosh's writer takes no pool class of its own choosing."""
    writer.pool = ChunkedPool(writer._tempstorage, writer.newsegment, limitmb=WRITER_POOL_MB)
    fieldwriter = writer.fieldwriter
    if type(fieldwriter) is W3FieldWriter and BulkPostings.handles(writer.codec):
        bulk = BulkPostings(fieldwriter)
        fieldwriter.add_postings = bulk.add_postings
        writer.newsearch_postings = bulk  # where prepared terms go (whoosh_postings)
    return writer


# A block's shortest and longest field lengths, as whoosh writes them without length
# statistics (no lengths read: none known).
_NO_LENGTHS = (length_to_byte(None), length_to_byte(0))


@dataclass(frozen=True)
class PreparedTerms:
    """One field's terms of a segment, their postings already encoded (``encode_term``)
    for documents numbered from 0, in term order: each term's bytes; their term records
    without the postings' place (``TERM_HEAD``), one after another; their postings, one
    after another, and where each term's end."""

    terms: list[bytes]
    heads: bytes
    postings: bytes
    ends: array  # of "q"

    def postings_of(self, at: int) -> bytes:
        """Term ``at``'s encoded postings."""
        return self.postings[self.ends[at - 1] if at else 0 : self.ends[at]]

    @classmethod
    def build(
        cls, terms: list[bytes], heads: Iterable[bytes], postings: Iterable[bytes]
    ) -> PreparedTerms:
        """From each term's record and postings."""
        encoded = list(postings)
        return cls(
            terms,
            b"".join(heads),
            b"".join(encoded),
            array("q", itertools.accumulate(map(len, encoded))),
        )


class BulkPostings:
    """Writes a segment's postings, term by term, as whoosh's ``W3FieldWriter`` and
    ``W3PostingsWriter`` would, but each term's postings are split into blocks and
    encoded in a few calls per block instead of a chain of Python calls per posting
    (2.1 million postings took 25 s of a 61 s profiled indexing run on 30% of Reuters).
    With ``STORED_BELOW = 0`` the ``.pst`` and ``.trm`` files are whoosh's own byte for
    byte; with short blocks stored uncompressed they read back the same.

    Only for what whoosh writes without the field-length statistics (``codec()``) and
    without inlined postings (its default ``inlinelimit=1`` never inlines); any other
    codec keeps whoosh's own writer.
    """

    def __init__(self, fieldwriter: Any) -> None:
        self._fields = fieldwriter
        codec = fieldwriter._codec
        self._limit = codec._blocklimit
        self._compression = codec._compression
        self._field_key = b""
        self._fixed_size: int | None = None
        # where the postings and the term table are written, and how far
        self._table: Any = None
        self._hash: Any = None
        self._write_table: Any = None
        self._tabled = 0
        self._write_postings: Any = None
        self._posted = 0
        # Fields whose terms are already encoded (``PreparedTerms``), by name.
        self.prepared: dict[str, PreparedTerms] = {}

    @staticmethod
    def handles(codec: Any) -> bool:
        """Whether postings written with ``codec`` are the ones this class writes."""
        return (
            type(codec) is W3Codec
            and not codec.length_stats
            and codec._inlinelimit <= 1
            and codec._blocklimit > 0
        )

    def add_postings(self, schema: Any, lengths: Any, items: Iterable[tuple[Any, ...]]) -> None:
        """whoosh's ``FieldWriter.add_postings``: ``items`` are sorted
        ``(fieldname, term bytes, docnum, weight, value bytes)`` postings; the terms of
        ``prepared`` fields are written among them."""
        if lengths is not None:  # length statistics asked for after all: whoosh's way
            W3FieldWriter.add_postings(self._fields, schema, lengths, items)
            return
        fields = self._fields
        table = self._table = fields._tindex
        self._hash = table.hashfn
        self._write_table = table.dbfile.file.write
        self._tabled = table.dbfile.tell()
        self._write_postings = fields._postfile.file.write
        self._posted = fields._postfile.tell()
        last = None
        for fieldname, pooled, ready in self._fields_in_order(items):
            fields.start_field(fieldname, schema[fieldname])
            self._field_key = pack_ushort(fields._fieldid)
            self._fixed_size = fields._format.fixed_value_size()
            written = self._write_field(pooled, ready)
            fields.finish_field()
            if written is not None:
                last = self._field_key + written
        if last is not None:
            table.lastkey = last

    def _fields_in_order(
        self, items: Iterable[tuple[Any, ...]]
    ) -> Iterator[tuple[str, Iterable[tuple[Any, ...]], PreparedTerms | None]]:
        """Each field with postings, in order: its pooled postings and its prepared terms."""
        ready = sorted((name, terms) for name, terms in self.prepared.items() if terms.terms)
        at = 0
        for fieldname, pooled in itertools.groupby(items, operator.itemgetter(0)):
            while at < len(ready) and ready[at][0] < fieldname:
                yield ready[at][0], (), ready[at][1]
                at += 1
            if at < len(ready) and ready[at][0] == fieldname:
                yield fieldname, pooled, ready[at][1]
                at += 1
            else:
                yield fieldname, pooled, None
        for fieldname, terms in ready[at:]:
            yield fieldname, (), terms

    def _write_field(
        self, pooled: Iterable[tuple[Any, ...]], ready: PreparedTerms | None
    ) -> bytes | None:
        """Write one field's terms, pooled and prepared; the last term written."""
        done = 0  # prepared terms written
        last = None
        for text, group in itertools.groupby(pooled, operator.itemgetter(1)):
            if last is not None and text <= last:
                raise OutOfOrderError(f"Term {last!r} .. {text!r}")
            postings = list(group)
            if postings[0][2] == -1:  # whoosh's spelling marks, never written
                postings = [posting for posting in postings if posting[2] != -1]
                if not postings:
                    continue
            _, _, docnums, weights, values = zip(*postings, strict=True)
            if ready is not None:
                upto = bisect.bisect_left(ready.terms, text, done)
                self._write_ready(ready, done, upto)
                done = upto
                if upto < len(ready.terms) and ready.terms[upto] == text:
                    # Prepared documents come first (numbers 0, 1, ...): theirs, then these.
                    ids, amounts, encoded = decode_term(ready.postings_of(upto), self._fixed_size)
                    docnums, weights, values = (
                        (*ids, *docnums),
                        (*amounts, *weights),
                        (*encoded, *values),
                    )
                    done += 1
            self._write_term(text, docnums, weights, values)
            last = text
        if ready is not None and done < len(ready.terms):
            self._write_ready(ready, done, len(ready.terms))
            last = ready.terms[-1]
        return last

    def _write_ready(self, ready: PreparedTerms, start: int, end: int) -> None:
        """Write prepared terms ``start`` to ``end``: their postings at once, then their
        records."""
        if start >= end:
            return
        ends, size = ready.ends, TERM_HEAD.size
        low = ends[start - 1] if start else 0
        base = self._posted - low  # where the prepared postings' offset 0 lands
        self._write_postings(memoryview(ready.postings)[low : ends[end - 1]])
        self._posted = base + ends[end - 1]
        key, heads, place = self._field_key, ready.heads, _PLACE.pack
        for at in range(start, end):
            begin = ends[at - 1] if at else 0
            record = heads[at * size : (at + 1) * size] + place(base + begin, ends[at] - begin)
            self._add_term(key + ready.terms[at], record)

    def _write_term(
        self, text: bytes, docnums: Sequence[int], weights: Sequence[float], values: Sequence[Any]
    ) -> None:
        postings, head = encode_term(
            docnums, weights, values, self._limit, self._compression, self._fixed_size
        )
        start = self._posted
        self._write_postings(postings)
        self._posted += len(postings)
        self._add_term(self._field_key + text, head + _PLACE.pack(start, len(postings)))

    def _add_term(self, key: bytes, terminfo: bytes) -> None:
        """whoosh's ``OrderedHashWriter.add`` for the term table, keys known in order: the
        entry's position in the ordered index and its hash bucket, then the entry."""
        table = self._table
        at = self._tabled
        table.index.append(at)
        entry = _TABLE_LENGTHS.pack(len(key), len(terminfo)) + key + terminfo
        self._write_table(entry)
        self._tabled = at + len(entry)
        hashed = self._hash(key)
        table.buckets[hashed & 255].append((hashed, at))


# whoosh's W3TermInfo as bytes for postings in the postings file, without field lengths:
# flags, total weight, doc frequency, min and max length bytes, max weight, first and
# last docnum (``TERM_HEAD``); then the postings' offset and length (``_PLACE``).
TERM_HEAD = struct.Struct(W3TermInfo._struct.format)
_PLACE = struct.Struct("!qi")
_TABLE_LENGTHS = filetables._lengths
_BLOCK_SIZE = struct.Struct("!i")
assert W3TermInfo._struct.format == "!BfIBBfII" and _NO_LENGTHS == (0, 0)


def encode_term(
    docnums: Sequence[int],
    weights: Sequence[float],
    values: Sequence[Any],
    limit: int,
    compression: int,
    fixed_size: int | None,
) -> tuple[bytes, bytes]:
    """One term's postings (ascending ``docnums``) encoded as whoosh's ``W3PostingsWriter``
    writes them in blocks of ``limit``, and its term record without the postings' place
    (``TERM_HEAD``)."""
    written = [WHOOSH3_HEADER_MAGIC]
    total = 0.0
    top = 0
    count = len(docnums)
    for low in range(0, count, limit):
        high = low + limit
        ids, block, block_values = docnums[low:high], weights[low:high], values[low:high]
        stored = array("f", block)
        total += sum(stored)
        # whoosh keeps the first weight above 0 that no later one exceeds
        block_top = max(block)
        if not block_top > 0:
            block_top = 0
        top = max(top, block_top)
        data = pickle.dumps(
            (
                tuple(map(operator.sub, ids, itertools.chain((0,), ids))),
                _mini_weights(stored),
                _mini_values(list(filter(None, block_values)), fixed_size),
            ),
            2,
        )
        level = compression if len(data) >= STORED_BELOW else 0
        if level:
            data = zlib.compress(data, level)
        info = pickle.dumps((len(ids), ids[-1], block_top, level, *_NO_LENGTHS), 2)
        size = len(info) + len(data)
        written += (pack_int(-size if high >= count else size), info, data)
    head = TERM_HEAD.pack(False, total, count, 0, 0, top, docnums[0], docnums[-1])
    return b"".join(written), head


def decode_term(
    postings: bytes, fixed_size: int | None
) -> tuple[list[int], list[float], list[Any]]:
    """``encode_term``'s postings back as docnums, weights (as stored: 32-bit) and values."""
    docnums: list[int] = []
    weights: list[float] = []
    values: list[Any] = []
    at = len(WHOOSH3_HEADER_MAGIC)
    last = False
    while not last:
        (size,) = _BLOCK_SIZE.unpack_from(postings, at)
        last, size, at = size < 0, abs(size), at + _BLOCK_SIZE.size
        stream = io.BytesIO(postings[at : at + size])
        count, _, _, level, _, _ = pickle.load(stream)
        data = stream.read()
        deltas, block_weights, block_values = pickle.loads(zlib.decompress(data) if level else data)
        docnums.extend(itertools.accumulate(deltas))  # a block's first id is whole
        if block_weights is None or isinstance(block_weights, float):
            weights.extend([1.0 if block_weights is None else block_weights] * count)
        else:
            weights.extend(block_weights)
        values.extend(_values_back(block_values, count, fixed_size))
        at += size
    return docnums, weights, values


def _values_back(values: Any, count: int, fixed_size: int | None) -> list[Any]:
    """A block's values as ``_mini_values`` stored them, one per posting."""
    if fixed_size is None or fixed_size < 0:
        if len(values) != count:  # empty values are not stored: which ones is lost
            raise ValueError("a block of postings with empty values cannot be read back")
        return list(values)
    if fixed_size == 0:
        return [b""] * count
    return [values[i : i + fixed_size] for i in range(0, count * fixed_size, fixed_size)]


def _mini_weights(weights: array) -> Any:
    """A block's weights as whoosh stores them: None when all are 1, one number when all
    are the same, else all of them."""
    if weights.count(1.0) == len(weights):
        return None
    if weights.count(weights[0]) == len(weights):
        return weights[0]
    return tuple(weights)


def _mini_values(values: list[bytes], fixed_size: int | None) -> Any:
    """A block's non-empty values as whoosh stores them for a format whose values have
    ``fixed_size`` bytes (None or negative: any size)."""
    if fixed_size is None or fixed_size < 0:
        return tuple(values)
    if fixed_size == 0:
        return None
    return b"".join(values)
