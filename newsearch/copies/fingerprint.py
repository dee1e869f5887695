"""Fingerprints of articles for copy detection: word shingles of the body, MinHash
signatures (datasketch's, computed in numpy) and LSH band keys, a batch at a time.

See the package docstring (``newsearch.copies``) for what is compared and why.
"""

from __future__ import annotations

import re
import string
import sys
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..model import Paragraph

NUM_PERM = 128
# LSH: 16 bands of 3 values (48 of the 128) make pairs from a Jaccard of about 0.4 likely
# candidates (0.88 at 0.5, 0.98 at 0.6), as 32 bands of 4 did, with half the keys to
# index and look up; the estimate that decides uses all 128 values.
ROWS = 3
BANDS = 16
SHINGLE_WORDS = 3
MIN_SHINGLES = 30
SEED = 1

_PUNCTUATION = str.maketrans(
    dict.fromkeys(
        string.punctuation + "\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u00b4", " "
    )
)
_SHINGLE_STEP = np.uint64(1_000_003)
_LOW_32 = np.uint64(0xFFFF_FFFF)
_BAND_STEP = np.uint64(0x100_0000_01B3)
_LOW_56 = np.uint64((1 << 56) - 1)


@dataclass(frozen=True)
class Fingerprint:
    """An article's MinHash signature (uint32 values as bytes) and its LSH band keys."""

    signature: bytes
    bands: tuple[int, ...]


def in_body(p: Paragraph) -> bool:
    """Whether copy detection compares ``p``: every paragraph but the title."""
    return p.role != "title"


def _body(paragraphs: Iterable[Paragraph]) -> str:
    return " ".join(p.text for p in paragraphs if in_body(p))


def _fold(text: str) -> list[str]:
    return text.casefold().translate(_PUNCTUATION).split()


def words(paragraphs: Iterable[Paragraph]) -> list[str]:
    """The body's words: every paragraph but the title, case-folded, punctuation and
    quote styles dropped (so curly and straight quotes, dashes and commas compare equal)."""
    return _fold(_body(paragraphs))


def _crc_table() -> np.ndarray:
    """zlib's CRC-32 table (reflected polynomial 0xEDB88320): entry ``i`` is the register
    after feeding byte ``i`` into a register of zeros."""
    values = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        values = np.where(values & 1, (values >> 1) ^ 0xEDB8_8320, values >> 1)
    return values.astype(np.uint32)


_CRC_TABLE = _crc_table()
_LOW_BYTE = 0 if sys.byteorder == "little" else 3
# The whitespace ``str.split`` splits at: in UTF-8 a byte below 128 is always that ASCII
# character (the bytes of longer characters are all 128 or more), so these bytes end
# words, and the other whitespace characters are made spaces first (``_OTHER_SPACE``; a
# regular expression's ``\s`` is ``str.isspace``).
_ASCII_SPACE = np.array([chr(byte).isspace() for byte in range(256)], dtype=np.int8)
_ASCII_SPACE[128:] = 0
_OTHER_SPACE = re.compile(r"[^\S\t\n\x0b\x0c\r\x1c-\x1f ]")
# Between two articles' words in a batch: a token no text keeps (texts lose their NULs),
# with an id above every crc32.
_SEPARATOR = "\0"
_SEPARATOR_ID = 1 << 32


def _word_ids(tokens: Sequence[str]) -> np.ndarray:
    """Each word's id: the crc32 of its UTF-8 bytes."""
    crc = zlib.crc32
    return np.fromiter((crc(t.encode("utf-8")) for t in tokens), dtype=np.uint64, count=len(tokens))


def _batch_ids(bodies: Iterable[str]) -> np.ndarray:
    """The word ids of every body (``_word_ids`` of ``words``), bodies separated by
    ``_SEPARATOR_ID``. The bodies are folded at once and never split into Python
    strings: numpy finds the words in the UTF-8 bytes and computes every word's crc32
    a byte position at a time (Reuters' bodies: 0.27-0.31 s against 0.54-0.56 for a
    remembered crc32 looked up per word, 2 µs a paragraph of the worker's time)."""
    cleaned = (body.replace(_SEPARATOR, " ") for body in bodies)
    folded = f" {_SEPARATOR} ".join(cleaned).casefold().translate(_PUNCTUATION)
    if not folded.isascii():
        folded = _OTHER_SPACE.sub(" ", folded)
    data = np.frombuffer(folded.encode("utf-8"), dtype=np.uint8)
    # A word starts where a space is followed by a non-space and ends at the next space.
    spaces = np.ones(len(data) + 2, dtype=np.int8)
    spaces[1:-1] = _ASCII_SPACE[data]
    edges = np.diff(spaces)
    starts = np.flatnonzero(edges == -1)
    lengths = np.flatnonzero(edges == 1) - starts
    # Words by length, shortest first, so that the words still running at byte ``k``
    # are a tail of the order (a stable sort of 16-bit keys is numpy's radix sort).
    short = len(lengths) and lengths.max() < 1 << 16
    order = np.argsort(lengths.astype(np.uint16) if short else lengths, kind="stable")
    at = starts[order]
    done_by = np.bincount(lengths).cumsum()  # done_by[k]: the words of k bytes or fewer
    crc = np.full(len(at), 0xFFFF_FFFF, dtype=np.uint32)
    # The registers' low bytes, as a view (the first byte of four on a little-endian CPU).
    low_byte = crc.view(np.uint8)[_LOW_BYTE :: crc.itemsize]
    for k in range(len(done_by) - 1):
        running = int(done_by[k])
        index = low_byte[running:] ^ data[at[running:]]
        tail = crc[running:]
        tail >>= 8
        tail ^= _CRC_TABLE[index]
        at[running:] += 1
    ids = np.empty(len(at), dtype=np.uint64)
    ids[order] = ~crc
    ids[data[starts] == 0] = _SEPARATOR_ID  # the separator word, "\0"
    return ids


def _shingles(ids: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``size``-word shingles of the bodies in ``ids`` (separated by
    ``_SEPARATOR_ID``), as two arrays sorted by body then hash: the body's number and the
    shingle's 32-bit hash. Numpy works on the whole batch; no shingle spans two bodies."""
    count = len(ids) - size + 1
    if count < 1:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint32)
    hashes = ids[:count].copy()
    separator = ids == _SEPARATOR_ID
    spans = separator[:count].copy()
    for offset in range(1, size):
        hashes *= _SHINGLE_STEP
        hashes += ids[offset : offset + count]
        spans |= separator[offset : offset + count]
    owner = np.cumsum(separator[:count])[~spans].astype(np.uint64)
    found = distinct((owner << np.uint64(32)) | (hashes[~spans] & _LOW_32))
    return (found >> np.uint64(32)).astype(np.int64), (found & _LOW_32).astype(np.uint32)


# Bodies fingerprinted at once, from their words to their signatures. A whole batch at
# once held every word of it as a Python string (about 30 MB for 20,000 paragraphs of
# Reuters), then its shingles and their permuted copies as arrays (another 20-30 MB),
# the analysis worker's memory peak; a few hundred articles at once cost the same time.
BODIES_AT_ONCE = 256


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values (np.unique hashes integers: measured 60 times slower)."""
    values = np.sort(values)
    first = np.ones(len(values), dtype=bool)
    first[1:] = values[1:] != values[:-1]
    return values[first]


def within(values: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    """Which ``values`` are in ``sorted_values`` (np.isin measured 50 times slower)."""
    if not len(sorted_values):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_values, values), len(sorted_values) - 1)
    return sorted_values[at] == values


def shingle_hashes(body: Sequence[str], size: int = SHINGLE_WORDS) -> np.ndarray:
    """32-bit hashes of the distinct ``size``-word shingles of ``body`` (order counts)."""
    return _shingles(_word_ids(body), size)[1]


@lru_cache(maxsize=4)
def _permutations(num_perm: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations ``a * h + b`` (mod 2**32) of ``datasketch.MinHash(num_perm,
    seed)``'s default scheme, drawn from the same random stream in the same order (odd
    ``a``, any ``b``), so the signatures match datasketch's without importing it (it pulls
    in scipy, which would also slow every later import of nltk)."""
    if (num_perm, seed) == (NUM_PERM, SEED):  # drawn once, kept: see .permutations
        from .permutations import A_HEX, B_HEX

        kept = (np.frombuffer(bytes.fromhex(x), dtype="<u4") for x in (A_HEX, B_HEX))
        a, b = (values.astype(np.uint32) for values in kept)  # writable, native order
        return a, b
    draw = np.random.RandomState(seed)
    a = draw.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = draw.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(values: np.ndarray) -> np.ndarray:
    # MurmurHash3's finalizer, as datasketch applies it before permuting (uint32 wraps).
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EB_CA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2_AE35)
    return values ^ (values >> np.uint32(16))


_CHUNK = 8192  # shingles permuted at once: the block (x num_perm uint32) stays in cache


def _minhash(hashes: np.ndarray, starts: np.ndarray, num_perm: int) -> np.ndarray:
    """MinHash signatures of consecutive non-empty groups of ``hashes`` beginning at
    ``starts``: the minimum of each permutation over each group."""
    a, b = _permutations(num_perm)
    mixed = _fmix32(hashes)
    out = np.empty((len(starts), num_perm), dtype=np.uint32)
    bounds = np.append(starts, len(hashes))
    # One block's memory for every block: a new 4 MB array each time was often mapped
    # afresh, its pages faulted in again (Reuters' blocks: 0.37-0.46 s against 0.20-0.24).
    space = np.empty(num_perm * _CHUNK, dtype=np.uint32)
    first = 0
    while first < len(starts):
        # Whole groups only, about _CHUNK shingles at a time (at least one group).
        last = max(first + 1, int(np.searchsorted(bounds, bounds[first] + _CHUNK, "right")) - 1)
        last = min(last, len(starts))
        low, high = bounds[first], bounds[last]
        # Permutations by rows, shingles by columns: a reduction along the last axis
        # measured three times faster than along the first.
        shape = (num_perm, high - low)
        block = space[: shape[0] * shape[1]].reshape(shape) if high - low <= _CHUNK else None
        block = np.multiply.outer(a, mixed[low:high], out=block)
        block += b[:, None]
        out[first:last] = np.minimum.reduceat(block, starts[first:last] - low, axis=1).T
        first = last
    return out


def signatures(shingles: Sequence[np.ndarray], num_perm: int = NUM_PERM) -> np.ndarray:
    """MinHash signatures (one row each) of non-empty sets of shingle hashes."""
    sizes = np.fromiter(map(len, shingles), dtype=np.int64, count=len(shingles))
    starts = np.cumsum(sizes) - sizes
    return _minhash(np.concatenate(shingles).astype(np.uint32), starts, num_perm)


def band_keys(rows: np.ndarray, bands: int = BANDS, per_band: int = ROWS) -> np.ndarray:
    """The LSH band keys of each signature row (``bands`` of ``per_band`` values, from the
    first): a 56-bit hash of the band's values with the band's number in the top byte."""
    count = len(rows)
    values = rows[:, : bands * per_band].reshape(count, bands, per_band).astype(np.uint64)
    hashed = values[:, :, 0].copy()
    for column in range(1, per_band):
        hashed *= _BAND_STEP
        hashed += values[:, :, column]
    hashed &= _LOW_56
    hashed |= np.arange(bands, dtype=np.uint64) << np.uint64(56)
    return hashed


def fingerprints(
    articles: Sequence[Sequence[Paragraph]],
    size: int = SHINGLE_WORDS,
    num_perm: int = NUM_PERM,
    bands: int = BANDS,
    rows: int = ROWS,
) -> list[Fingerprint | None]:
    """Each article's fingerprint, or None when its body is too short to compare."""
    return Batch.of(articles, size, num_perm, bands, rows).fingerprints()


@dataclass(frozen=True)
class Batch:
    """The fingerprints of a batch as arrays: row ``i`` is article ``usable[i]``."""

    size: int
    usable: np.ndarray
    rows: np.ndarray
    keys: np.ndarray

    @classmethod
    def of(
        cls,
        articles: Sequence[Sequence[Paragraph]],
        size: int = SHINGLE_WORDS,
        num_perm: int = NUM_PERM,
        bands: int = BANDS,
        per_band: int = ROWS,
    ) -> Batch:
        """The fingerprints of the articles' bodies."""
        return cls.of_bodies([_body(a) for a in articles], size, num_perm, bands, per_band)

    @classmethod
    def of_bodies(
        cls,
        bodies: Sequence[str],
        size: int = SHINGLE_WORDS,
        num_perm: int = NUM_PERM,
        bands: int = BANDS,
        per_band: int = ROWS,
    ) -> Batch:
        """The fingerprints of articles given by their bodies (``words``'s input)."""
        usable, rows = [], []
        # Each body's fingerprint depends on that body alone: a few at a time give the
        # batch's arrays with a peak that does not grow with the batch.
        for first in range(0, len(bodies), BODIES_AT_ONCE) or [0]:
            part = bodies[first : first + BODIES_AT_ONCE]
            owner, hashes = _shingles(_batch_ids(part), size)
            counts = np.bincount(owner, minlength=len(part))
            kept_at = np.flatnonzero(counts >= MIN_SHINGLES)
            kept = counts[kept_at]
            keep = (counts >= MIN_SHINGLES)[owner]
            usable.append(kept_at + first)
            rows.append(_minhash(hashes[keep], np.cumsum(kept) - kept, num_perm))
        found = np.concatenate(rows)
        return cls(len(bodies), np.concatenate(usable), found, band_keys(found, bands, per_band))

    def fingerprints(self) -> list[Fingerprint | None]:
        found: list[Fingerprint | None] = [None] * self.size
        texts = self.keys.ravel().tolist()
        width = self.keys.shape[1]
        for n, (i, row) in enumerate(zip(self.usable.tolist(), self.rows, strict=True)):
            found[i] = Fingerprint(row.tobytes(), tuple(texts[n * width : (n + 1) * width]))
        return found


# A batch's fingerprints computed in the analysis worker (newsearch.parallel), with the
# batch of articles they belong to, until ``forget``.
_lent: tuple[object, Batch] | None = None


def remember(articles: object, batch: Batch) -> None:
    """Lend ``batch``, the fingerprints of ``articles`` computed in another process,
    to ``lent(articles)`` until ``forget``."""
    global _lent
    _lent = (articles, batch)


def lent(articles: object) -> Batch | None:
    """The fingerprints ``remember`` lent for this very object of articles, if any."""
    return _lent[1] if _lent is not None and _lent[0] is articles else None


def forget() -> None:
    """Drop what ``remember`` lent."""
    global _lent
    _lent = None


def keys_of(signature: bytes) -> np.ndarray:
    """The band keys of one stored signature."""
    return band_keys(np.frombuffer(signature, dtype=np.uint32).reshape(1, -1))[0]


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal MinHash values."""
    if not a or len(a) != len(b):
        return 0.0
    left, right = np.frombuffer(a, dtype=np.uint32), np.frombuffer(b, dtype=np.uint32)
    return float(np.count_nonzero(left == right)) / len(left)
