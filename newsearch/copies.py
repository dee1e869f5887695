"""Syndicated copies: word shingles, MinHash signatures, LSH band keys and the story rule.

An article's fingerprint is the MinHash signature of the word shingles of its body: every
paragraph but the title (outlets rewrite headlines, not bodies), case-folded, with
punctuation and quote styles ignored (``words``). Shingles are ``SHINGLE_WORDS`` words in a
row. The signature has ``NUM_PERM`` values; it is exactly what ``datasketch.MinHash``
computes with its default ``affine32`` scheme (its permutations are used, and the tests
compare the two), done in numpy directly because indexing speed matters (datasketch
hashes each shingle with a Python call and copies an object per article). It is cut
into ``BANDS`` bands; a hash of each band is a band key. The keys are indexed terms of
the article's paragraph 1 and the signature is stored there too, so the copy
information commits with the article and needs no second store.

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
* An article joins the story of an earlier copy only if it is itself a copy of that
  story's first article (its representative). Of several such stories it joins the one
  whose representative it is most similar to (ties: the earlier representative).
  Otherwise it starts a story of its own.
* So a story's id is its earliest-dated member's id, every member is a copy of that
  first article, and a chain of pairwise-similar articles never strings unrelated
  stories together. A late article that bridges two stories joins one of them; the two
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

_PUNCTUATION = str.maketrans(
    dict.fromkeys(
        string.punctuation + "\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u00b4", " "
    )
)
_SHINGLE_STEP = np.uint64(1_000_003)
_LOW_32 = np.uint64(0xFFFF_FFFF)
_BAND_STEP = np.uint64(0x100_0000_01B3)


@dataclass(frozen=True)
class Fingerprint:
    """An article's MinHash signature (uint32 values as bytes) and its LSH band keys."""

    signature: bytes
    bands: tuple[str, ...]


def words(paragraphs: Iterable[Paragraph]) -> list[str]:
    """The body's words: every paragraph but the title, case-folded, punctuation and
    quote styles dropped (so curly and straight quotes, dashes and commas compare equal)."""
    body = " ".join(p.text for p in paragraphs if p.role != "title")
    return body.casefold().translate(_PUNCTUATION).split()


class _WordHashes(dict[str, int]):
    """crc32 of each word, remembered (a C-level lookup per word after the first)."""

    def __missing__(self, word: str) -> int:
        value = self[word] = zlib.crc32(word.encode("utf-8"))
        return value


_word_hashes = _WordHashes()


def shingle_hashes(body: Sequence[str], size: int = SHINGLE_WORDS) -> np.ndarray:
    """32-bit hashes of the distinct ``size``-word shingles of ``body`` (order counts)."""
    count = len(body) - size + 1
    if count < 1:
        return np.zeros(0, dtype=np.uint32)
    if len(_word_hashes) > 2_000_000:  # an endless vocabulary must not grow memory
        _word_hashes.clear()
    ids = np.fromiter(map(_word_hashes.__getitem__, body), dtype=np.uint64, count=len(body))
    hashes = ids[:count].copy()
    for offset in range(1, size):
        hashes = hashes * _SHINGLE_STEP + ids[offset : offset + count]
    return np.unique((hashes & _LOW_32).astype(np.uint32))


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash  # imported on first use: it pulls in scipy

    a, b = MinHash(num_perm=num_perm, seed=SEED).permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


def _fmix32(values: np.ndarray) -> np.ndarray:
    # MurmurHash3's finalizer, as datasketch applies it before permuting (uint32 wraps).
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EB_CA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2_AE35)
    return values ^ (values >> np.uint32(16))


def signatures(shingles: Sequence[np.ndarray], num_perm: int = NUM_PERM) -> np.ndarray:
    """MinHash signatures (one row each) of non-empty sets of shingle hashes."""
    a, b = _permutations(num_perm)
    out = np.empty((len(shingles), num_perm), dtype=np.uint32)
    for i, found in enumerate(shingles):
        # One article at a time: its (shingles x permutations) block stays in cache,
        # measured faster than stacking a batch's blocks.
        out[i] = (_fmix32(found).reshape(-1, 1) * a + b).min(axis=0)
    return out


def band_keys(rows: np.ndarray, bands: int = BANDS) -> list[tuple[str, ...]]:
    """The LSH band keys of each signature row: band number and a hash of its values."""
    count, width = rows.shape
    per_band = width // bands
    values = rows[:, : bands * per_band].reshape(count, bands, per_band).astype(np.uint64)
    hashed = values[:, :, 0].copy()
    for column in range(1, per_band):
        hashed = hashed * _BAND_STEP + values[:, :, column]
    keys = []
    for row in hashed:
        hexed = row.tobytes().hex()
        keys.append(
            tuple(f"{band:02x}{hexed[16 * band : 16 * band + 16]}" for band in range(bands))
        )
    return keys


def fingerprints(
    articles: Sequence[Sequence[Paragraph]],
    size: int = SHINGLE_WORDS,
    num_perm: int = NUM_PERM,
    bands: int = BANDS,
) -> list[Fingerprint | None]:
    """Each article's fingerprint, or None when its body is too short to compare."""
    shingles = [shingle_hashes(words(paragraphs), size) for paragraphs in articles]
    usable = [i for i, s in enumerate(shingles) if len(s) >= MIN_SHINGLES]
    found: list[Fingerprint | None] = [None] * len(articles)
    if usable:
        rows = signatures([shingles[i] for i in usable], num_perm)
        for i, row, keys in zip(usable, rows, band_keys(rows, bands), strict=True):
            found[i] = Fingerprint(row.tobytes(), keys)
    return found


def keys_of(signature: bytes, bands: int = BANDS) -> tuple[str, ...]:
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
    story: dict[str, str] = {}
    for member in ordered:
        best: tuple[float, int] | None = None
        chosen = member.article_id
        for other in copies.get(member.article_id, ()):
            if rank[other] > rank[member.article_id]:
                continue
            first = story[other]
            score = rule.score(member, members[first])
            if score > 0 and (best is None or (score, -rank[first]) > best):
                best, chosen = (score, -rank[first]), first
        story[member.article_id] = chosen
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
        self.fingerprints = dict(zip(batch, fingerprints(list(batch.values())), strict=True))
        self.members = {
            aid: Member(aid, batch[aid][0].date, fp.signature)
            for aid, fp in self.fingerprints.items()
            if fp is not None
        }

    def __call__(self) -> CopyPlan:
        members = dict(self.members)
        holders: dict[str, list[str]] = {}
        for aid, fp in self.fingerprints.items():
            for key in fp.bands if fp is not None else ():
                holders.setdefault(key, []).append(aid)
        committed: dict[str, CopyRecord] = {}
        copies: dict[str, set[str]] = {aid: set() for aid in members}
        # Articles replaced or deleted leave their former copies to be re-assigned:
        # their old versions ("ghosts") seed the walk but are no one's copy.
        former = self.engine.copy_records(self.changed).values()
        ghosts = {f"\0{r.article_id}": _member(r) for r in former if r.signature}
        nodes = {**members, **ghosts}
        keys = {aid: fp.bands for aid, fp in self.fingerprints.items() if fp is not None}
        keys.update({ghost: keys_of(m.signature) for ghost, m in ghosts.items()})
        frontier = list(nodes)
        while frontier:
            wanted = {k for aid in frontier for k in keys[aid]}
            for record in self._committed_candidates(wanted):
                if record.article_id not in committed:
                    committed[record.article_id] = record
                    keys[record.article_id] = keys_of(record.signature)
                    for key in keys[record.article_id]:
                        holders.setdefault(key, []).append(record.article_id)
            reached = []
            for aid in frontier:
                node = nodes[aid]
                for other in {o for key in keys[aid] for o in holders.get(key, ())}:
                    if other == node.article_id:
                        continue
                    candidate = members.get(other) or _member(committed[other])
                    if not RULE.score(node, candidate):
                        continue
                    if other not in members:
                        members[other] = nodes[other] = candidate
                        copies[other] = set()
                        reached.append(other)
                    if aid not in ghosts:
                        copies[aid].add(other)
                        copies[other].add(aid)
            frontier = reached
        return self._plan(assign_stories(members, copies), committed)

    def _committed_candidates(self, keys: set[str]) -> list[CopyRecord]:
        """Committed articles holding any of ``keys``, except those the batch changes."""
        found = self.engine.copy_candidates(sorted(keys)) if keys else []
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
                made[aid] = ArticleCopies(story, record.signature, keys_of(record.signature))
                rewrites.append((aid, self.engine.article(aid)))
        return CopyPlan(made, rewrites)


def _member(record: CopyRecord) -> Member:
    return Member(record.article_id, record.date, record.signature)
