"""Syndicated copies: word shingles, MinHash signatures, LSH band keys and the story rule.

An article's fingerprint is the MinHash signature of the word shingles of its body: every
paragraph but the title (outlets rewrite headlines, not bodies), case-folded, with
punctuation and quote styles ignored (``words``). Shingles are ``SHINGLE_WORDS`` words in a
row. The signature has ``NUM_PERM`` values; it is exactly what ``datasketch.MinHash``
computes with its default ``affine32`` scheme (the same permutations, drawn the same way;
the tests compare the two), done in numpy directly because indexing speed matters
(datasketch hashes each shingle with a Python call, copies an object per article, and
its import pulls in scipy), so datasketch is needed by the tests only. It is cut
into ``BANDS`` bands; each band's number and a 56-bit hash of its values make a band
key (16 hex digits). The keys are indexed terms of the article's paragraph 1 and the
signature is stored there too, so the copy information commits with the article and
needs no second store. A batch is fingerprinted at once, in numpy.

Two articles are **copies** (``Rule``) when they share a band key (LSH candidates), their
signatures estimate a Jaccard similarity of at least ``THRESHOLD``, and, when both are
dated, they are at most ``MAX_HOURS`` apart: the same template on another day (the daily
Fed operations, weekly crop reports) is another story. A body of fewer than
``MIN_SHINGLES`` shingles has no fingerprint and is never a copy: tiny notices (dividend
lines, "prime rate raised") repeat word for word across companies. These settings were
chosen by measurement (``benchmarks/copies.md``).

The story rule (``assign_stories``) is a function of the articles alone, so the same
articles give the same stories whatever order they arrived in, after a crash and a rerun,
and after a rebuild:

* Articles are taken in order of date (undated last; time zones compared in UTC), ties
  by id.
* An article joins the story of an earlier copy if it is itself a copy of that story's
  first article, or if it is a copy of at least half of the story's members so far and
  still shares ``STORY_FLOOR`` (0.3) of its text with the first article, within
  ``MAX_HOURS`` of it. (The second way keeps a copy with its source when the source
  has an earlier twin, a re-send or correction the copy is less close to.) Of several
  such stories it joins the one whose first article it is most similar to, then the one
  with the largest share of its members among its copies, then the earlier one.
  Otherwise it starts a story of its own.
* So a story's id is its earliest-dated member's id, and every member shares at least
  0.3 of its text with that first article and ran within a day of it: a chain of
  pairwise-similar articles never strings unrelated stories together, nor stretches a
  story past a day. A late article that bridges two stories joins one of them; the two
  stories are not merged.

Incrementally (``Planner``), a batch changes only the stories of the connected groups of
copies it touches: the batch's articles, and the former copies of the articles it
replaces or deletes, are followed through their copies (a breadth-first walk over
band-key lookups), the rule is applied to those groups, and every committed article whose
story changed is rewritten in the same commit as the batch.
"""

from __future__ import annotations

import string
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

import numpy as np

from .engines.base import ArticleCopies, CopyPlan, CopyRecord, Engine
from .model import Paragraph

NUM_PERM = 128
ROWS = 4  # values per band: pairs from a Jaccard of about 0.4 become candidates
BANDS = NUM_PERM // ROWS
SHINGLE_WORDS = 3
THRESHOLD = 0.5
MIN_SHINGLES = 30
SEED = 1
# Copies run within this many hours of each other (when both are dated): the same
# template on another day (the daily Fed operations, crop reports) is another story.
MAX_HOURS = 24.0
# An article that joins a story through half of its members, not through its first
# article, must still share this much with the first one (estimated Jaccard).
STORY_FLOOR = 0.3

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
    bands: tuple[str, ...]


def _body(paragraphs: Iterable[Paragraph]) -> str:
    return " ".join(p.text for p in paragraphs if p.role != "title")


def _fold(text: str) -> list[str]:
    return text.casefold().translate(_PUNCTUATION).split()


def words(paragraphs: Iterable[Paragraph]) -> list[str]:
    """The body's words: every paragraph but the title, case-folded, punctuation and
    quote styles dropped (so curly and straight quotes, dashes and commas compare equal)."""
    return _fold(_body(paragraphs))


class _WordHashes(dict[str, int]):
    """crc32 of each word, remembered (a C-level lookup per word after the first)."""

    def __missing__(self, word: str) -> int:
        value = self[word] = zlib.crc32(word.encode("utf-8"))
        return value


# Between two articles' words in a batch: a token no text keeps (texts lose their NULs),
# with an id above every crc32.
_SEPARATOR = "\0"
_SEPARATOR_ID = 1 << 32
_word_hashes = _WordHashes({_SEPARATOR: _SEPARATOR_ID})


def _word_ids(tokens: Sequence[str]) -> np.ndarray:
    if len(_word_hashes) > 2_000_000:  # an endless vocabulary must not grow memory
        _word_hashes.clear()
        _word_hashes[_SEPARATOR] = _SEPARATOR_ID
    return np.fromiter(map(_word_hashes.__getitem__, tokens), dtype=np.uint64, count=len(tokens))


def _batch_ids(articles: Sequence[Sequence[Paragraph]]) -> np.ndarray:
    """The word ids of every article's body, articles separated by ``_SEPARATOR_ID``:
    the whole batch is folded and split at once (per article, that measured slower)."""
    bodies = (_body(paragraphs).replace(_SEPARATOR, " ") for paragraphs in articles)
    return _word_ids(_fold(f" {_SEPARATOR} ".join(bodies)))


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
    found = _distinct((owner << np.uint64(32)) | (hashes[~spans] & _LOW_32))
    return (found >> np.uint64(32)).astype(np.int64), (found & _LOW_32).astype(np.uint32)


def _distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values (np.unique hashes integers: measured 60 times slower)."""
    values = np.sort(values)
    first = np.ones(len(values), dtype=bool)
    first[1:] = values[1:] != values[:-1]
    return values[first]


def shingle_hashes(body: Sequence[str], size: int = SHINGLE_WORDS) -> np.ndarray:
    """32-bit hashes of the distinct ``size``-word shingles of ``body`` (order counts)."""
    return _shingles(_word_ids(body), size)[1]


@lru_cache(maxsize=4)
def _permutations(num_perm: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations ``a * h + b`` (mod 2**32) of ``datasketch.MinHash(num_perm,
    seed)``'s default scheme, drawn from the same random stream in the same order (odd
    ``a``, any ``b``), so the signatures match datasketch's without importing it (it pulls
    in scipy, which would also slow every later import of nltk)."""
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
    first = 0
    while first < len(starts):
        # Whole groups only, about _CHUNK shingles at a time (at least one group).
        last = max(first + 1, int(np.searchsorted(bounds, bounds[first] + _CHUNK, "right")) - 1)
        last = min(last, len(starts))
        low, high = bounds[first], bounds[last]
        # Permutations by rows, shingles by columns: a reduction along the last axis
        # measured three times faster than along the first.
        block = np.multiply.outer(a, mixed[low:high])
        block += b[:, None]
        out[first:last] = np.minimum.reduceat(block, starts[first:last] - low, axis=1).T
        first = last
    return out


def signatures(shingles: Sequence[np.ndarray], num_perm: int = NUM_PERM) -> np.ndarray:
    """MinHash signatures (one row each) of non-empty sets of shingle hashes."""
    sizes = np.fromiter(map(len, shingles), dtype=np.int64, count=len(shingles))
    starts = np.cumsum(sizes) - sizes
    return _minhash(np.concatenate(shingles).astype(np.uint32), starts, num_perm)


def band_keys(rows: np.ndarray, bands: int = BANDS) -> np.ndarray:
    """The LSH band keys of each signature row (``bands`` of them): a 56-bit hash of the
    band's values with the band's number in the top byte."""
    count, width = rows.shape
    per_band = width // bands
    values = rows[:, : bands * per_band].reshape(count, bands, per_band).astype(np.uint64)
    hashed = values[:, :, 0].copy()
    for column in range(1, per_band):
        hashed *= _BAND_STEP
        hashed += values[:, :, column]
    hashed &= _LOW_56
    hashed |= np.arange(bands, dtype=np.uint64) << np.uint64(56)
    return hashed


def key_text(keys: np.ndarray) -> str:
    """Band keys as the index holds them: 16 hex digits each, separated by spaces."""
    return keys.astype(">u8").tobytes().hex(" ", 8)


def fingerprints(
    articles: Sequence[Sequence[Paragraph]],
    size: int = SHINGLE_WORDS,
    num_perm: int = NUM_PERM,
    bands: int = BANDS,
) -> list[Fingerprint | None]:
    """Each article's fingerprint, or None when its body is too short to compare."""
    return _Batch.of(articles, size, num_perm, bands).fingerprints()


@dataclass(frozen=True)
class _Batch:
    """The fingerprints of a batch as arrays: row ``i`` is article ``usable[i]``."""

    size: int
    usable: np.ndarray
    rows: np.ndarray
    keys: np.ndarray

    @classmethod
    def of(
        cls, articles: Sequence[Sequence[Paragraph]], size: int, num_perm: int, bands: int
    ) -> _Batch:
        owner, hashes = _shingles(_batch_ids(articles), size)
        counts = np.bincount(owner, minlength=len(articles))
        usable = np.flatnonzero(counts >= MIN_SHINGLES)
        keep = (counts >= MIN_SHINGLES)[owner]
        kept = counts[usable]
        rows = _minhash(hashes[keep], np.cumsum(kept) - kept, num_perm)
        return cls(len(articles), usable, rows, band_keys(rows, bands))

    def fingerprints(self) -> list[Fingerprint | None]:
        found: list[Fingerprint | None] = [None] * self.size
        texts = key_text(self.keys).split()
        width = self.keys.shape[1]
        for n, (i, row) in enumerate(zip(self.usable.tolist(), self.rows, strict=True)):
            found[i] = Fingerprint(row.tobytes(), tuple(texts[n * width : (n + 1) * width]))
        return found


def keys_of(signature: bytes, bands: int = BANDS) -> np.ndarray:
    """The band keys of one stored signature."""
    return band_keys(np.frombuffer(signature, dtype=np.uint32).reshape(1, -1), bands)[0]


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal MinHash values."""
    if not a or len(a) != len(b):
        return 0.0
    left, right = np.frombuffer(a, dtype=np.uint32), np.frombuffer(b, dtype=np.uint32)
    return float(np.count_nonzero(left == right)) / len(left)


@dataclass(frozen=True)
class Member:
    """One article as the story rule sees it."""

    article_id: str
    date: datetime | None
    signature: bytes


@dataclass(frozen=True)
class Rule:
    """When two articles are copies: similar text, published close in time."""

    threshold: float = THRESHOLD
    max_hours: float | None = MAX_HOURS

    def score(self, a: Member, b: Member) -> float:
        """Their estimated Jaccard similarity if they are copies, else 0."""
        if self.max_hours is not None and a.date is not None and b.date is not None:
            apart = abs((_utc(a.date) - _utc(b.date)).total_seconds()) / 3600
            if apart > self.max_hours:
                return 0.0
        found = similarity(a.signature, b.signature)
        return found if found >= self.threshold else 0.0


RULE = Rule()


def _utc(when: datetime) -> datetime:
    return when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when


def order_key(when: datetime | None, article_id: str) -> tuple[bool, datetime, str]:
    """Story order: by date, undated last, ties by id; aware dates compared in UTC."""
    return (when is None, _utc(when) if when is not None else datetime.min, article_id)


def assign_stories(
    members: Mapping[str, Member], copies: Mapping[str, Iterable[str]], rule: Rule = RULE
) -> dict[str, str]:
    """The story id of every member under the story rule (module docstring).

    ``copies`` maps an article id to the ids of its copies (symmetric, within
    ``members``).
    """
    ordered = sorted(members.values(), key=lambda m: order_key(m.date, m.article_id))
    rank = {m.article_id: i for i, m in enumerate(ordered)}
    near = Rule(STORY_FLOOR, rule.max_hours)
    story: dict[str, str] = {}
    size: Counter[str] = Counter()  # each story's members so far
    for member in ordered:
        here = rank[member.article_id]
        shared = Counter(
            story[other] for other in copies.get(member.article_id, ()) if rank[other] < here
        )
        best: tuple[float, float, int] | None = None
        chosen = member.article_id
        for first, count in shared.items():
            score = rule.score(member, members[first])
            if not score and not (2 * count >= size[first] and near.score(member, members[first])):
                continue
            key = (score, count / size[first], -rank[first])
            if best is None or key > best:
                best, chosen = key, first
        story[member.article_id] = chosen
        size[chosen] += 1
    return story


class Planner:
    """The copy plan of one batch (or deletion), made against the commit it changes.

    Fingerprints are computed when the planner is made, before the write lock is taken;
    calling it (the engine does, holding the lock) walks the touched groups of copies
    and applies the story rule to them.
    """

    def __init__(
        self,
        engine: Engine,
        batch: Mapping[str, Sequence[Paragraph]],
        deleted: Iterable[str] = (),
    ) -> None:
        self.engine = engine
        self.changed = set(batch) | set(deleted)
        ids = list(batch)
        self.batch = _Batch.of([batch[aid] for aid in ids], SHINGLE_WORDS, NUM_PERM, BANDS)
        self.fingerprints = dict(zip(ids, self.batch.fingerprints(), strict=True))
        self.members = {
            aid: Member(aid, batch[aid][0].date, fp.signature)
            for aid, fp in self.fingerprints.items()
            if fp is not None
        }

    def __call__(self) -> CopyPlan:
        graph = _Graph()
        for member, keys in zip(self.members.values(), self.batch.keys, strict=True):
            graph.add(member, keys)
        # Articles replaced or deleted leave their former copies to be re-assigned:
        # their old versions ("ghosts") seed the walk but are no one's copy.
        for record in self.engine.copy_records(self.changed).values():
            if record.signature:
                graph.add(_member(record), keys_of(record.signature), ghost=True)
        members = dict(self.members)
        copies: dict[str, set[str]] = {aid: set() for aid in members}
        committed: dict[str, CopyRecord] = {}
        frontier = list(range(len(graph)))
        while frontier:
            wanted = key_text(np.concatenate([graph.keys[i] for i in frontier])).split()
            for record in self._committed_candidates(wanted):
                if record.article_id not in committed:
                    committed[record.article_id] = record
                    graph.add(_member(record), keys_of(record.signature))
            pairs = graph.copy_pairs(frontier)
            reached = sorted({n for pair in pairs for n in pair} - graph.ghosts)
            reached = [n for n in reached if graph.nodes[n].article_id not in members]
            for node in reached:
                members[graph.nodes[node].article_id] = graph.nodes[node]
                copies[graph.nodes[node].article_id] = set()
            ids = [m.article_id for m in graph.nodes]
            for a, b in pairs:
                if a not in graph.ghosts and b not in graph.ghosts:
                    copies[ids[a]].add(ids[b])
                    copies[ids[b]].add(ids[a])
            frontier = reached
        return self._plan(assign_stories(members, copies), committed)

    def _committed_candidates(self, keys: Sequence[str]) -> list[CopyRecord]:
        """Committed articles holding any of ``keys``, except those the batch changes."""
        found = self.engine.copy_candidates(keys) if keys else []
        return [r for r in found if r.article_id not in self.changed and r.signature]

    def _plan(self, stories: Mapping[str, str], committed: Mapping[str, CopyRecord]) -> CopyPlan:
        made: dict[str, ArticleCopies] = {}
        for aid, fp in self.fingerprints.items():
            if fp is None:
                made[aid] = ArticleCopies(story=aid)
            else:
                made[aid] = ArticleCopies(stories[aid], fp.signature, fp.bands)
        rewrites = []
        for aid, record in sorted(committed.items()):
            story = stories.get(aid, record.story)
            if story != record.story:
                bands = tuple(key_text(keys_of(record.signature)).split())
                made[aid] = ArticleCopies(story, record.signature, bands)
                rewrites.append((aid, self.engine.article(aid)))
        return CopyPlan(made, rewrites)


class _Graph:
    """The articles a plan looks at (nodes) with their band keys, and which pairs of them
    are copies: pairs sharing a band key are found and scored with numpy, so a story of
    many copies costs array work, not a Python step per pair."""

    def __init__(self) -> None:
        self.nodes: list[Member] = []
        self.keys: list[np.ndarray] = []
        self.ghosts: set[int] = set()

    def __len__(self) -> int:
        return len(self.nodes)

    def add(self, member: Member, keys: np.ndarray, *, ghost: bool = False) -> None:
        if ghost:
            self.ghosts.add(len(self.nodes))
        self.nodes.append(member)
        self.keys.append(keys)

    def copy_pairs(self, frontier: Sequence[int], rule: Rule = RULE) -> list[tuple[int, int]]:
        """The pairs of nodes, one of them in ``frontier``, that are copies under
        ``rule`` (a ghost and the new version of its own article excepted)."""
        first, second = _sharing(np.stack(self.keys))
        touched = np.zeros(len(self.nodes), dtype=bool)
        touched[list(frontier)] = True
        keep = touched[first] | touched[second]
        first, second = first[keep], second[keep]
        if not len(first):
            return []
        signatures = np.stack([np.frombuffer(m.signature, dtype=np.uint32) for m in self.nodes])
        equal = np.count_nonzero(signatures[first] == signatures[second], axis=1)
        passed = equal / signatures.shape[1] >= rule.threshold
        if rule.max_hours is not None:
            hours = _hours(self.nodes)
            passed &= ~(np.abs(hours[first] - hours[second]) > rule.max_hours)  # NaN passes
        ids = [m.article_id for m in self.nodes]
        return [
            (a, b)
            for a, b in zip(first[passed].tolist(), second[passed].tolist(), strict=True)
            if ids[a] != ids[b] and not (a in self.ghosts and b in self.ghosts)
        ]


def _sharing(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct pairs of rows (``first < second``) of ``keys`` sharing a value in a
    column (a band: one band at a time bounds the memory a big group of copies takes)."""
    count = len(keys)
    pending: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    for column in keys.T:
        order = np.argsort(column, kind="stable")
        values = column[order]
        starts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
        sizes = np.diff(np.append(starts, len(values)))
        starts, sizes = starts[sizes > 1], sizes[sizes > 1]
        if not len(starts):
            continue
        # Each row holding a shared value, paired with the later rows of its group.
        inside = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        position = np.repeat(starts, sizes) + inside
        later = np.repeat(sizes, sizes) - 1 - inside
        left = np.repeat(position, later)
        right = left + 1 + np.arange(later.sum()) - np.repeat(np.cumsum(later) - later, later)
        a, b = order[left], order[right]
        pending.append(np.minimum(a, b) * count + np.maximum(a, b))
        if sum(map(len, pending)) > 4_000_000:  # the same pairs again, band after band
            pending = [_distinct(np.concatenate(pending))]
    found = _distinct(np.concatenate(pending))
    return found // count, found % count


def _hours(members: Sequence[Member]) -> np.ndarray:
    """Each member's date in hours since 1970 (UTC), NaN when undated."""
    epoch = datetime(1970, 1, 1)
    return np.array(
        [
            (_utc(m.date) - epoch).total_seconds() / 3600 if m.date is not None else np.nan
            for m in members
        ]
    )


def _member(record: CopyRecord) -> Member:
    return Member(record.article_id, record.date, record.signature)
