"""Syndicated copies: word shingles, MinHash signatures, LSH band keys and the story rule.

An article's fingerprint is the MinHash signature (``NUM_PERM`` permutations, datasketch)
of the word ``SHINGLE_WORDS``-shingles of its analysed body: the index terms of every
paragraph but the title, in order (headlines are rewritten by outlets; bodies are not).
The signature is cut into ``BANDS`` bands; each band's hash is a band key. The keys are
indexed terms of the article's paragraph 1 and the signature is stored there too, so the
copy information is committed with the article and needs no second store. Two articles
are **copies** when they share a band key (LSH candidates) and their signatures estimate a
Jaccard similarity of at least ``THRESHOLD``. An article with fewer than ``MIN_SHINGLES``
shingles has no fingerprint and is never a copy (tiny notices such as dividend lines
repeat word for word across companies).

The story rule (``assign_stories``), a function of the articles alone, so the same
articles give the same stories whatever order they arrived in, after a crash and rerun,
and after a rebuild:

* Articles are taken in order of date (undated last), ties by id.
* An article joins the story of an earlier copy only if it is itself a copy of that
  story's first article (its representative). Of several such stories it joins the one
  whose representative it is most similar to (ties: the earlier representative).
  Otherwise it starts a story of its own.
* So a story's id is its earliest-dated member's id, every member is a copy of that
  first article, and a chain of pairwise-similar articles never strings unrelated
  stories together. A late article that bridges two stories joins one of them; the
  two stories are not merged.

Incrementally (``Planner``), a batch changes only the stories of the connected groups of
copies it touches: the batch's articles, and the former copies of articles it replaces
or deletes, are followed through their copies (a breadth-first walk over band-key
lookups), the rule is applied to those groups, and every committed article whose story
changed is rewritten in the same commit as the batch.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

import numpy as np

from . import analysis
from .engines.base import ArticleCopies, CopyPlan, CopyRecord, Engine
from .model import Paragraph

NUM_PERM = 128
BANDS = 32  # of NUM_PERM // BANDS rows: candidates from a Jaccard of about 0.4
SHINGLE_WORDS = 3
THRESHOLD = 0.5
MIN_SHINGLES = 10
SEED = 1


@dataclass(frozen=True)
class Fingerprint:
    """An article's MinHash signature (uint32 values as bytes) and its LSH band keys."""

    signature: bytes
    bands: tuple[str, ...]


def body_terms(paragraphs: Iterable[Paragraph]) -> list[str]:
    """The analysed terms of every paragraph but the title, in reading order."""
    terms: list[str] = []
    for p in paragraphs:
        if p.role != "title":
            terms.extend(analysis.terms(p.text))
    return terms


@lru_cache(maxsize=200_000)
def _term_hash(term: str) -> int:
    return zlib.crc32(term.encode("utf-8"))


def shingle_hashes(terms: Sequence[str], size: int = SHINGLE_WORDS) -> list[int]:
    """32-bit hashes of the distinct word ``size``-shingles of ``terms`` (order counts)."""
    count = len(terms) - size + 1
    if count < 1:
        return []
    words = np.fromiter((_term_hash(t) for t in terms), dtype=np.uint64, count=len(terms))
    hashes = np.zeros(count, dtype=np.uint64)
    for offset in range(size):
        hashes = (hashes * np.uint64(1_000_003) + words[offset : offset + count]) & np.uint64(
            0xFFFFFFFF
        )
    return np.unique(hashes).tolist()  # type: ignore[no-any-return]


def _identity(value: int) -> int:
    # Shingles arrive already hashed to 32 bits; datasketch mixes them before permuting.
    return value


@lru_cache(maxsize=4)
def _template(num_perm: int) -> Any:
    from datasketch import MinHash  # imported on first use: it pulls in numpy and scipy

    return MinHash(num_perm=num_perm, seed=SEED, hashfunc=_identity)


def signature(hashes: Sequence[int], num_perm: int = NUM_PERM) -> bytes:
    """The MinHash signature of a set of shingle hashes, as bytes."""
    minhash = _template(num_perm).copy()
    minhash.update_batch(hashes)
    return bytes(np.asarray(minhash.hashvalues, dtype=np.uint32).tobytes())


def band_keys(sig: bytes, bands: int = BANDS) -> tuple[str, ...]:
    """The LSH band keys of a signature: band number and a hash of the band's values."""
    rows = len(sig) // bands
    cuts = (sig[band * rows : (band + 1) * rows] for band in range(bands))
    return tuple(
        f"{band:02x}" + hashlib.blake2b(cut, digest_size=8).hexdigest()
        for band, cut in enumerate(cuts)
    )


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal values."""
    if not a or len(a) != len(b):
        return 0.0
    left, right = np.frombuffer(a, dtype=np.uint32), np.frombuffer(b, dtype=np.uint32)
    return float(np.count_nonzero(left == right)) / len(left)


def fingerprint(paragraphs: Iterable[Paragraph]) -> Fingerprint | None:
    """The article's fingerprint, or None when its body is too short to compare."""
    hashes = shingle_hashes(body_terms(paragraphs))
    if len(hashes) < MIN_SHINGLES:
        return None
    sig = signature(hashes)
    return Fingerprint(sig, band_keys(sig))


@dataclass(frozen=True)
class Member:
    """One article as the story rule sees it."""

    article_id: str
    date: datetime | None
    signature: bytes


def order_key(when: datetime | None, article_id: str) -> tuple[bool, datetime, str]:
    """Story order: by date, undated last, ties by id; aware dates compared in UTC."""
    if when is not None and when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return (when is None, when or datetime.min, article_id)


def _order(member: Member) -> tuple[bool, datetime, str]:
    return order_key(member.date, member.article_id)


def assign_stories(
    members: Mapping[str, Member],
    copies: Mapping[str, Iterable[str]],
    threshold: float = THRESHOLD,
) -> dict[str, str]:
    """The story id of every member under the story rule (module docstring).

    ``copies`` maps an article id to the ids of its copies (symmetric, within
    ``members``).
    """
    ordered = sorted(members.values(), key=_order)
    rank = {m.article_id: i for i, m in enumerate(ordered)}
    story: dict[str, str] = {}
    for member in ordered:
        best: tuple[float, int] | None = None
        chosen = member.article_id
        for other in copies.get(member.article_id, ()):
            if rank[other] > rank[member.article_id]:
                continue
            first = story[other]
            score = similarity(member.signature, members[first].signature)
            if score >= threshold and (best is None or (score, -rank[first]) > best):
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
        threshold: float = THRESHOLD,
    ) -> None:
        self.engine = engine
        self.threshold = threshold
        self.changed = set(batch) | set(deleted)
        self.fingerprints = {aid: fingerprint(ps) for aid, ps in batch.items()}
        self.members = {
            aid: Member(aid, batch[aid][0].date if batch[aid] else None, fp.signature)
            for aid, fp in self.fingerprints.items()
            if fp is not None
        }

    def __call__(self) -> CopyPlan:
        members = dict(self.members)
        by_band: dict[str, list[str]] = {}
        for aid, fp in self.fingerprints.items():
            for key in fp.bands if fp is not None else ():
                by_band.setdefault(key, []).append(aid)
        committed: dict[str, CopyRecord] = {}
        copies: dict[str, set[str]] = {aid: set() for aid in members}
        # Articles replaced or deleted leave their former copies to be re-assigned.
        former = [r for r in self.engine.copy_records(self.changed).values() if r.signature]
        ghosts = {f"\0{r.article_id}": Member(r.article_id, r.date, r.signature) for r in former}
        frontier = [*members, *ghosts]
        nodes = {**members, **ghosts}
        while frontier:
            keys = {aid: band_keys(nodes[aid].signature) for aid in frontier}
            found = self._committed_candidates({k for ks in keys.values() for k in ks})
            holders = dict(by_band)
            for record in found.values():
                committed.setdefault(record.article_id, record)
                for key in band_keys(record.signature):
                    holders.setdefault(key, []).append(record.article_id)
            reached = []
            for aid in frontier:
                for other in {o for key in keys[aid] for o in holders.get(key, ())}:
                    if other == aid or other == nodes[aid].article_id:
                        continue
                    member = members.get(other) or _member(committed[other])
                    score = similarity(nodes[aid].signature, member.signature)
                    if score < self.threshold:
                        continue
                    if other not in members:
                        members[other] = nodes[other] = member
                        copies[other] = set()
                        reached.append(other)
                    if aid not in ghosts:
                        copies[aid].add(other)
                        copies[other].add(aid)
            frontier = reached
        stories = assign_stories(members, copies, self.threshold)
        return self._plan(stories, committed)

    def _committed_candidates(self, keys: set[str]) -> dict[str, CopyRecord]:
        """Committed articles holding any of ``keys``, except those the batch changes."""
        found = self.engine.copy_candidates(sorted(keys)) if keys else []
        return {r.article_id: r for r in found if r.article_id not in self.changed}

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
                made[aid] = ArticleCopies(story, record.signature, band_keys(record.signature))
                rewrites.append((aid, self.engine.article(aid)))
        return CopyPlan(made, rewrites)


def _member(record: CopyRecord) -> Member:
    return Member(record.article_id, record.date, record.signature)
