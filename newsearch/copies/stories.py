"""The story rule and the copy plan of a batch: which articles are copies, which story
each belongs to, and what an indexing commit must rewrite. See the package docstring
(``newsearch.copies``) for the rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

from ..engines.base import ArticleCopies, CopyPlan, CopyRecord, Engine
from ..model import Paragraph
from ..query import ast
from . import fingerprint
from .fingerprint import (
    NUM_PERM,
    Batch,
    distinct,
    keys_of,
    similarity,
    within,
)

THRESHOLD = 0.5
# Copies run within this many hours of each other (when both are dated): the same
# template on another day (the daily Fed operations, crop reports) is another story.
MAX_HOURS = 24.0
# An article that joins a story through half of its members, not through its first
# article, must still share this much with the first one (estimated Jaccard).
STORY_FLOOR = 0.3


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


# Known band keys kept in memory at most (8 bytes each: a build of 250,000 articles);
# past that, every key is looked up in the index again.
MAX_KNOWN_KEYS = 4_000_000


class KnownKeys:
    """The band keys committed in an index as far as one writer knows them: while the
    index's ``commit_token`` is ``token``, every committed key is in ``keys`` (keys of
    deleted articles may linger), so a key outside it needs no lookup in the index.

    It starts known on an empty index (a build) and follows this writer's commits; on an
    index holding articles already, or after a commit by another process, it stays
    unknown (loading every key would cost more than looking a batch's keys up).
    """

    def __init__(self) -> None:
        self.token: object = None
        self.keys = np.zeros(0, dtype=np.uint64)  # sorted, distinct
        self.unknown = False  # for good: found an index with articles it did not know

    def check(self, engine: Engine) -> np.ndarray | None:
        """The keys, if they are still all the index holds (called holding the lock)."""
        if self.unknown:
            return None
        if self.token is not None and engine.commit_token() == self.token:
            return self.keys
        if not engine.count(ast.MatchAll()):
            return np.zeros(0, dtype=np.uint64)
        self.unknown = True
        return None

    def add(self, engine: Engine, known: np.ndarray | None, written: np.ndarray) -> None:
        """After ``engine``'s commit of a plan made knowing ``known``, which wrote the
        band keys ``written``."""
        keys = distinct(np.concatenate([known, written.ravel()])) if known is not None else None
        if keys is None or len(keys) > MAX_KNOWN_KEYS or engine.last_commit is None:
            self.token, self.keys = None, np.zeros(0, dtype=np.uint64)
        else:
            self.token, self.keys = engine.last_commit, keys

    def renamed(self, token: object, now: object) -> None:
        """The index this writer knew as ``token`` is known as ``now`` (an engine that
        kept one writer for an ingest gives its commits their real token at the end)."""
        if self.token is not None and self.token == token:
            self.token = now


class Planner:
    """The copy plan of one batch (or deletion), made against the commit it changes.

    Fingerprints are computed when the planner is made, before the write lock is taken
    (or lent by the analysis worker); calling it (the engine does, holding the lock)
    walks the touched groups of copies and applies the story rule to them. With
    ``known`` keys, ``committed()`` tells them what the commit wrote.
    """

    def __init__(
        self,
        engine: Engine,
        batch: Mapping[str, Sequence[Paragraph]],
        deleted: Iterable[str] = (),
        known: KnownKeys | None = None,
    ) -> None:
        self.engine = engine
        self.known = known
        self._filter: np.ndarray | None = None  # the known keys the plan relied on
        self.changed = set(batch) | set(deleted)
        ids = list(batch)
        # Fingerprinted by the analysis worker while the batch before was written, or here.
        lent = fingerprint.lent(batch)
        if lent is None or lent.size != len(ids):
            lent = Batch.of([batch[aid] for aid in ids])
        self.batch = lent
        self.fingerprints = dict(zip(ids, self.batch.fingerprints(), strict=True))
        self.members = {
            aid: Member(aid, batch[aid][0].date, fp.signature)
            for aid, fp in self.fingerprints.items()
            if fp is not None
        }

    def __call__(self) -> CopyPlan:
        self._filter = self.known.check(self.engine) if self.known is not None else None
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
        asked = np.zeros(0, dtype=np.uint64)  # sorted: the keys looked up so far
        while frontier:
            wanted = distinct(np.concatenate([graph.keys[i] for i in frontier]))
            if self._filter is not None:  # most keys are in no committed article
                wanted = wanted[within(wanted, self._filter)]
            # A key asked before found its articles then (a copy reached shares the
            # keys that found it: a build of copies asked each key twice).
            wanted = wanted[~within(wanted, asked)]
            asked = distinct(np.concatenate([asked, wanted]))
            near = _near([graph.nodes[i] for i in frontier])
            for record in self._committed_candidates(wanted.tolist(), near):
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
        # An article with no copy is a story of its own: the rule needs only the others.
        linked = {aid: members[aid] for aid, found in copies.items() if found}
        stories = {aid: aid for aid in members}
        stories.update(assign_stories(linked, copies))
        return self._plan(stories, committed)

    def committed(self) -> None:
        """Tell the known keys what the commit of this plan wrote (call after it)."""
        if self.known is not None:
            self.known.add(self.engine, self._filter, self.batch.keys)

    def _committed_candidates(
        self, keys: Sequence[int], near: Callable[[datetime], bool] | None
    ) -> list[CopyRecord]:
        """Committed articles holding any of ``keys``, except those the batch changes
        (with ``near``: only those that may be dated close enough to be copies)."""
        found = self.engine.copy_candidates(keys, near) if keys else []
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
                bands = tuple(keys_of(record.signature).tolist())
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
        keys = np.stack(self.keys)
        touched = np.zeros(len(self.nodes), dtype=bool)
        touched[list(frontier)] = True
        # Only the nodes sharing a band key with the frontier (a later round's frontier
        # is a few articles reached among the whole batch).
        near = touched.copy()
        for column in keys.T:
            near |= within(column, np.sort(column[touched]))
        rows = np.flatnonzero(near)
        first, second = (rows[found] for found in _sharing(keys[rows]))
        keep = touched[first] | touched[second]
        first, second = first[keep], second[keep]
        if not len(first):
            return []
        used = np.unique(np.concatenate([first, second]))
        signatures = np.zeros((len(self.nodes), NUM_PERM), dtype=np.uint32)
        signatures[used] = [np.frombuffer(self.nodes[n].signature, np.uint32) for n in used]
        equal = np.count_nonzero(signatures[first] == signatures[second], axis=1)
        passed = equal / signatures.shape[1] >= rule.threshold
        if rule.max_hours is not None:
            hours = np.full(len(self.nodes), np.nan)
            hours[used] = _hours([self.nodes[n] for n in used])
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
            pending = [distinct(np.concatenate(pending))]
    found = distinct(np.concatenate(pending))
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


# How far an article's date as stored (on its publication's clock) may be from the same
# moment in UTC: time zone offsets are less than a day.
_CLOCK_HOURS = 24.0


def _near(members: Sequence[Member], rule: Rule = RULE) -> Callable[[datetime], bool] | None:
    """Whether a committed article dated ``when`` (on its own clock) may be within
    ``rule.max_hours`` of one of ``members``, and so be a copy of one; None when any
    date may be (a member undated, or the rule without a time limit).

    Most band-key candidates are the same template on another day (a build of Reuters
    read 1,212 candidates' records, 208 with this test, and 19 of them were copies): the
    engine leaves the others out before reading their records (``Engine.copy_candidates``)."""
    if rule.max_hours is None or not members:
        return None
    hours = np.sort(_hours(members))
    if np.isnan(hours[-1]):  # NaN sorts last: an undated member
        return None
    reach = rule.max_hours + _CLOCK_HOURS
    epoch = datetime(1970, 1, 1)

    def near(when: datetime) -> bool:
        at = (_utc(when) - epoch).total_seconds() / 3600
        i = int(np.searchsorted(hours, at))
        return any(abs(hours[j] - at) <= reach for j in (i - 1, i) if 0 <= j < len(hours))

    return near


def _member(record: CopyRecord) -> Member:
    return Member(record.article_id, record.date, record.signature)
