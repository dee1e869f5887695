"""Copy detection measured on a syndication test set built from Reuters-21578.

Usage::

    python benchmarks/copies.py [--corpus DIR] [--fraction F] [--sources N]
        [--sweep] [--cost] [--large] [--out benchmarks/copies]

The set: every Reuters article of the slice (thousands of distinct stories, with
same-topic hard negatives such as the daily OPEC and weekly Fed stories, and the corpus's
own repeats), plus 1–3 copies of ``--sources`` of them made the way outlets make them:
a rewritten headline, a dateline and credit or byline of their own, the last 1–3
paragraphs dropped, a paragraph from elsewhere inserted, punctuation and quote style
changed, a date up to two hours earlier or twenty hours later. Truth: a made copy is
one story with its source; the corpus's own duplicates (``corpus_duplicates``: at most
``copies.MAX_HOURS`` apart, exact word 3-shingle Jaccard of at least
``DUPLICATE_JACCARD``) are joined transitively, and a copy belongs to its source's whole
group.

Quality is measured on the stories newsearch assigns while indexing (tantivy engine):
pairwise precision and recall (recall also for copies keeping at least 60% of the text),
cluster purity, and false merges among distinct articles sharing a Reuters topic.
``--sweep`` compares shingle sizes, permutations, band rows and thresholds in memory
with the same story rule. ``--cost`` indexes the whole slice (without the copies) with
detection on and off on both engines in one run (wall and CPU time), and times the same
queries with and without ``collapse``. ``--large`` adds the copies of one story one at a
time, to see whether a story's cost grows with its size.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from benchmarks.corpus import default_corpus, paragraph_record, select_articles, to_article
from benchmarks.queries import make_queries
from newsearch import Article, Index, copies
from newsearch.paragraphs import split_article

SEED = 12
DUPLICATE_JACCARD = 0.5
LARGE_STORY = 200
KEPT_TARGET = 0.6
OUTLETS = ("Gulf News", "Al Arabiya", "The National", "Arab News", "Khaleej Times", "AP", "AFP")
BYLINES = ("By a staff reporter", "By Sara Khan, Associated Press", "From our correspondent")
CREDITS = ("Reporting by Ali Hassan; editing by Mark Potter", "(Additional reporting by AFP)")
_WORD_RE = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Item:
    """One article of the test set and what is known about it."""

    article: Article
    truth: str  # the id of its true story's source article
    kept: float  # share of the source's body words the copy kept (1.0: an original)
    topics: tuple[str, ...] = ()


# -- the syndication set -------------------------------------------------------------------


def _curly(text: str) -> str:
    text = re.sub(r'"(\S)', "\u201c\\1", text).replace('"', "\u201d").replace("'", "\u2019")
    return text.replace(" - ", " \u2014 ").replace(",", "")


def _headline(title: str, first: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return " ".join(first.split()[:9]).rstrip(",.") + "…"
    return title.title().replace(" Says", ":").replace(" To ", " to ") + " - report"


def make_copy(source: Article, n: int, rng: random.Random, filler: Sequence[str]) -> Item:
    """One outlet's copy of ``source`` (see the module docstring)."""
    body = list(source.body)
    total = sum(len(p.split()) for p in body)
    if len(body) > 1 and rng.random() < 0.75:
        body = body[: -rng.randint(1, min(3, len(body) - 1))]
    kept = sum(len(p.split()) for p in body) / total
    outlet = rng.choice(OUTLETS)
    first = body[0]
    body[0] = rng.choice(("DUBAI (AP) - ", f"{outlet.upper()} - ", "")) + first
    if rng.random() < 0.5:
        body.insert(0, rng.choice(BYLINES))
    if rng.random() < 0.5:
        body.append(rng.choice(CREDITS))
    if rng.random() < 0.6:
        body.insert(rng.randint(1, len(body)), rng.choice(filler))
    if rng.random() < 0.6:
        body = [_curly(p) for p in body]
    date = source.date + timedelta(hours=rng.uniform(-2, 20)) if source.date else None
    article = Article(
        title=_headline(source.title, first, rng),
        body=tuple(body),
        id=f"copy-{n}-{source.id}",
        date=date,
        source=outlet,
    )
    return Item(article, source.id, kept)


def _shingles(article: Article) -> set[tuple[str, ...]]:
    text = " ".join(article.body).casefold()
    found = _WORD_RE.findall(text)
    return set(zip(found, found[1:], found[2:], strict=False))


def _within(a: Article, b: Article, hours: float = copies.MAX_HOURS) -> bool:
    """Ran at most ``hours`` apart (undated articles are within any window)."""
    if a.date is None or b.date is None:
        return True
    return abs((a.date - b.date).total_seconds()) <= hours * 3600


def corpus_duplicates(originals: Sequence[Item]) -> list[tuple[str, str]]:
    """Pairs of originals that are the corpus's own duplicates (Reuters' re-sends,
    corrections and rewrites): at most ``copies.MAX_HOURS`` apart, with an exact word
    3-shingle Jaccard of at least ``DUPLICATE_JACCARD``.

    Candidates come from a loose LSH (64 bands of 2 rows of a 128-value MinHash), which
    misses a pair of Jaccard 0.5 with a probability of about 1e-8; the decision is exact.
    """
    articles = [i.article for i in originals]
    split = [split_article(a, a.id) for a in articles]
    found = copies.fingerprints(split, bands=64, rows=2)
    buckets: dict[int, list[int]] = {}
    for n, fp in enumerate(found):
        for key in fp.bands if fp is not None else ():
            buckets.setdefault(key, []).append(n)
    shingles: dict[int, set[tuple[str, ...]]] = {}
    pairs = set()
    for group in buckets.values():
        for x, y in itertools.combinations(group, 2):
            a, b = articles[x], articles[y]
            key = (min(a.id, b.id), max(a.id, b.id))
            if key in pairs or not _within(a, b):
                continue
            sa = shingles.setdefault(x, _shingles(a))
            sb = shingles.setdefault(y, _shingles(b))
            if len(sa & sb) >= DUPLICATE_JACCARD * len(sa | sb):
                pairs.add(key)
    return sorted(pairs)


def build_set(corpus: Path, fraction: float, sources: int) -> tuple[list[Item], int]:
    """The originals of the slice and the copies made of ``sources`` of them, with their
    truth: a made copy is one story with its source and with everything the source is
    one story with, the corpus's own duplicates joined transitively. Also the number of
    corpus duplicate pairs."""
    rng = random.Random(SEED)
    raw = list(select_articles(corpus, fraction))
    originals = [Item(to_article(d), d["id"], 1.0, tuple(d.get("topics", ()))) for d in raw]
    parent = {item.article.id: item.article.id for item in originals}

    def root(aid: str) -> str:
        while parent[aid] != aid:
            aid = parent[aid]
        return aid

    duplicates = corpus_duplicates(originals)
    for a, b in duplicates:
        parent[max(root(a), root(b))] = min(root(a), root(b))
    originals = [replace(item, truth=root(item.article.id)) for item in originals]
    eligible = [
        i
        for i in originals
        if len(i.article.body) >= 3 and sum(len(p.split()) for p in i.article.body) >= 80
    ]
    filler = [p for i in rng.sample(originals, 400) for p in i.article.body if len(p) > 80]
    items = list(originals)
    for n, source in enumerate(rng.sample(eligible, min(sources, len(eligible)))):
        for k in range(rng.randint(1, 3)):
            copy = make_copy(source.article, n * 3 + k, rng, filler)
            items.append(replace(copy, truth=source.truth))
    return items, len(duplicates)


# -- scoring -------------------------------------------------------------------------------


def _pairs(groups: Iterable[Sequence[str]]) -> set[tuple[str, str]]:
    return {(a, b) for g in groups for a, b in itertools.combinations(sorted(g), 2)}


def _days_apart(a: Item, b: Item) -> bool:
    """Further apart than the rule's window (``copies.MAX_HOURS``): another day's story."""
    return not _within(a.article, b.article)


def hard_negatives(items: Sequence[Item]) -> int:
    """Pairs of originals on the same topic, more than ``copies.MAX_HOURS`` apart, whose
    headlines share two words or more (the daily OPEC, Fed and crop stories): distinct
    stories by any reading."""
    by_topic: dict[str, list[Item]] = {}
    for item in items:
        if item.kept == 1.0 and not item.article.id.startswith("copy-"):
            for topic in item.topics:
                by_topic.setdefault(topic, []).append(item)
    pairs = set()
    for group in by_topic.values():
        if len(group) > 800:  # earnings and acquisitions: templated, and too many pairs
            continue
        words = {i.article.id: set(_WORD_RE.findall(i.article.title.casefold())) for i in group}
        for a, b in itertools.combinations(group, 2):
            if _days_apart(a, b) and len(words[a.article.id] & words[b.article.id]) >= 2:
                pairs.add((min(a.article.id, b.article.id), max(a.article.id, b.article.id)))
    return len(pairs)


def score(items: Sequence[Item], stories: dict[str, str]) -> dict[str, Any]:
    """Pairwise precision/recall, purity and same-topic false merges of ``stories``."""
    by_id = {i.article.id: i for i in items}
    truth_groups: dict[str, list[str]] = {}
    found_groups: dict[str, list[str]] = {}
    for item in items:
        truth_groups.setdefault(item.truth, []).append(item.article.id)
        found_groups.setdefault(stories.get(item.article.id, item.article.id), []).append(
            item.article.id
        )
    true_pairs, found_pairs = _pairs(truth_groups.values()), _pairs(found_groups.values())
    right = true_pairs & found_pairs
    made = {p for p in found_pairs if p[0].startswith("copy-") or p[1].startswith("copy-")}
    target = {p for p in true_pairs if min(by_id[p[0]].kept, by_id[p[1]].kept) >= KEPT_TARGET}
    wrong = found_pairs - true_pairs
    same_topic = [
        p
        for p in wrong
        if set(by_id[p[0]].topics) & set(by_id[p[1]].topics)
        and by_id[p[0]].kept == by_id[p[1]].kept == 1.0
    ]
    other_days = [p for p in same_topic if _days_apart(by_id[p[0]], by_id[p[1]])]
    purity = sum(
        Counter(by_id[a].truth for a in group).most_common(1)[0][1]
        for group in found_groups.values()
    ) / len(items)
    opec = [p for p in wrong if all("OPEC" in by_id[a].article.title for a in p)]
    return {
        "articles": len(items),
        "copies": sum(1 for i in items if i.kept < 1.0 or i.article.id.startswith("copy-")),
        "true_pairs": len(true_pairs),
        "found_pairs": len(found_pairs),
        "precision": len(right) / len(found_pairs) if found_pairs else 1.0,
        "precision_made": len(right & made) / len(made) if made else 1.0,
        "recall": len(right) / len(true_pairs) if true_pairs else 1.0,
        "recall_kept_60": len(right & target) / len(target) if target else 1.0,
        "target_pairs": len(target),
        "purity": purity,
        "stories_with_copies": sum(1 for g in found_groups.values() if len(g) > 1),
        "false_pairs": len(wrong),
        "false_same_topic": len(same_topic),
        "false_same_topic_other_days": len(other_days),
        "false_opec": len(opec),
        "false_examples": [
            [by_id[a].article.title, by_id[b].article.title] for a, b in sorted(wrong)[:12]
        ],
    }


# -- stories in memory, for the parameter sweep ---------------------------------------------


@dataclass(frozen=True)
class Config:
    """Settings compared by the sweep."""

    shingle: int = copies.SHINGLE_WORDS
    perms: int = copies.NUM_PERM
    rows: int = copies.ROWS
    rule: copies.Rule = copies.RULE
    bands: int | None = copies.BANDS  # None: as many as the permutations make

    @property
    def band_count(self) -> int:
        return self.bands or self.perms // self.rows

    def label(self) -> str:
        r = self.rule
        return (
            f"{self.shingle}-word shingles, {self.perms} perms, {self.band_count} bands of "
            f"{self.rows}, threshold {r.threshold}, within {r.max_hours or '∞'} hours"
        )


def stories_in_memory(items: Sequence[Item], config: Config) -> dict[str, str]:
    """The story rule applied to the whole set with ``config`` (no index)."""
    articles = [split_article(i.article, i.article.id) for i in items]
    found = copies.fingerprints(
        articles, config.shingle, config.perms, config.band_count, config.rows
    )
    members, holders = {}, {}
    for item, fp in zip(items, found, strict=True):
        if fp is not None:
            aid = item.article.id
            members[aid] = copies.Member(aid, item.article.date, fp.signature)
            for key in fp.bands:
                holders.setdefault(key, []).append(aid)
    linked: dict[str, set[str]] = {aid: set() for aid in members}
    for group in holders.values():
        for a, b in itertools.combinations(group, 2):
            if b not in linked[a] and config.rule.score(members[a], members[b]):
                linked[a].add(b)
                linked[b].add(a)
    return copies.assign_stories(members, linked, config.rule)


SWEEP = [
    *(Config(rule=copies.Rule(t, None)) for t in (0.45, 0.5, 0.6, 0.7, 0.8)),
    *(Config(rule=copies.Rule(t, hours)) for hours in (24.0, 48.0) for t in (0.45, 0.5, 0.6)),
    *(Config(k, 128, copies.ROWS, copies.Rule(t, 24.0)) for k in (2, 4, 5) for t in (0.45, 0.5)),
    *(Config(3, p, r, copies.Rule(0.5, 24.0), None) for p, r in ((64, 3), (128, 3), (256, 4))),
    *(Config(3, 128, r, copies.Rule(0.5, 24.0), b) for b, r in ((32, 4), (12, 3), (20, 3))),
]


def sweep(items: Sequence[Item]) -> list[dict[str, Any]]:
    """Quality of each ``SWEEP`` setting, with the story rule applied in memory."""
    rows = []
    for config in SWEEP:
        result = score(items, stories_in_memory(items, config))
        result.pop("false_examples")
        rows.append({"config": config.label(), **result})
        print(rows[-1]["config"], f"precision {result['precision']:.3f}", file=sys.stderr)
    return rows


# -- through the index ---------------------------------------------------------------------


def stories_in_index(index: Index, ids: Sequence[str]) -> dict[str, str]:
    """The story of each article, as the index keeps it."""
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        records = index.engine.copy_records(ids[start : start + 500])
        found.update({aid: r.story for aid, r in records.items()})
    return found


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the analysis worker)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def index_items(
    path: Path, engine: str, articles: Iterable[Article], detect: bool
) -> tuple[float, float]:
    """Index ``articles`` into a new index; return the wall and CPU seconds it took."""
    with Index.open(path, create=True, engine=engine, rebuild=True) as index:
        index.detect_copies = detect
        wall, cpu = time.perf_counter(), _cpu()
        index.add_articles(articles)
    return time.perf_counter() - wall, _cpu() - cpu


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cost(corpus: Path, fraction: float, workdir: Path, queries: int) -> dict[str, Any]:
    """Indexing throughput with detection on and off (wall and CPU time), and collapse's
    query cost, on both engines."""
    articles = [to_article(d) for d in select_articles(corpus, fraction)]
    paragraphs = sum(len(split_article(a, a.id)) for a in articles)
    result: dict[str, Any] = {"articles": len(articles), "paragraphs": paragraphs}
    for engine in ("tantivy", "whoosh"):
        # Off, on, on, off: the best of each. The machine is shared with another
        # engineer's work, so single times are noisy; CPU time is steadier than wall.
        wall: dict[bool, float] = {}
        cpu: dict[bool, float] = {}
        for detect in (False, True, True, False):
            path = workdir / f"{engine}-{'on' if detect else 'off'}"
            seconds, used = index_items(path, engine, articles, detect)
            wall[detect] = min(wall.get(detect, seconds), seconds)
            cpu[detect] = min(cpu.get(detect, used), used)
            print(
                engine, "on" if detect else "off", f"{seconds:.2f}s {used:.2f} cpu", file=sys.stderr
            )
        with Index.open(workdir / f"{engine}-on") as index:
            stats = index.stats()
            asked = [q.label() for q in make_queries(_paragraph_texts(articles), queries)]
            for q in asked[:20]:  # warm-up
                index.search(q, collapse=True)
            plain, collapsed = [], []
            for q in asked:
                for flag, into in ((False, plain), (True, collapsed)):
                    started = time.perf_counter()
                    index.search(q, collapse=flag)
                    into.append((time.perf_counter() - started) * 1000)
        result[engine] = {
            "seconds_off": wall[False],
            "seconds_on": wall[True],
            "cpu_off": cpu[False],
            "cpu_on": cpu[True],
            "paragraphs_per_s_off": paragraphs / wall[False],
            "paragraphs_per_s_on": paragraphs / wall[True],
            "throughput_ratio": wall[False] / wall[True],
            "cpu_ratio": cpu[False] / cpu[True],
            "stories_with_copies": stats.stories_with_copies,
            "largest_story": stats.largest_story,
            "p50_ms": percentile(plain, 0.5),
            "p95_ms": percentile(plain, 0.95),
            "collapse_p50_ms": percentile(collapsed, 0.5),
            "collapse_p95_ms": percentile(collapsed, 0.95),
            "collapse_p95_ratio": percentile(collapsed, 0.95) / percentile(plain, 0.95),
        }
        print(engine, result[engine], file=sys.stderr)
    return result


def _paragraph_texts(articles: Sequence[Article]) -> list[dict[str, Any]]:
    """The paragraphs as the query maker reads them."""
    return [paragraph_record(p) for a in articles for p in split_article(a, a.id)]


def large_story(
    corpus: Path, workdir: Path, count: int = LARGE_STORY, engine: str = "tantivy"
) -> dict[str, Any]:
    """Milliseconds per article when ``count`` copies of one story arrive one at a time
    (a commit each), against ``count`` distinct articles arriving the same way."""
    rng = random.Random(SEED)
    raw = [to_article(d) for d in select_articles(corpus, 0.2)]
    long = [a for a in raw if len(a.body) >= 6 and a.date is not None]
    source, filler = long[0], [p for a in raw[:300] for p in a.body if len(p) > 80]
    made = [make_copy(source, n, rng, filler).article for n in range(count - 1)]
    runs = {"story": [source, *made], "distinct": long[1 : count + 1]}
    result: dict[str, Any] = {"engine": engine, "articles": count}
    for name, articles in runs.items():
        with Index.open(workdir / f"large-{name}", create=True, engine=engine) as index:
            times = []
            for article in articles:
                started = time.perf_counter()
                index.add(article)
                times.append((time.perf_counter() - started) * 1000)
            largest = index.stats().largest_story
        tenth = max(1, count // 10)
        result[name] = {
            "first_ms": sum(times[:tenth]) / tenth,
            "last_ms": sum(times[-tenth:]) / tenth,
            "total_s": sum(times) / 1000,
            "largest_story": largest[1] if largest else 1,
        }
        print("large story", name, result[name], file=sys.stderr)
    return result


# -- the report ----------------------------------------------------------------------------


def _met(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def _markdown(data: dict[str, Any]) -> str:
    q = data["quality"]
    lines = [
        "# Copy detection: syndication test set from Reuters-21578",
        "",
        "Generated by `benchmarks/copies.py` (do not edit by hand); every figure is from one run.",
        "",
        f"- date: {data['date']}; corpus fraction {data['fraction']}; seed {SEED}",
        f"- settings: {data['settings']}",
        f"- set: {q['articles']:,} articles, of which {q['copies']:,} made copies of "
        f"{data['sources']} sources, and {data['duplicate_pairs']:,} pairs of the corpus's "
        "own duplicates",
        "- truth: a made copy is one story with its source. The corpus's own duplicates "
        "(Reuters' re-sends, corrections, rewrites) are pairs of Reuters articles at most "
        f"{copies.MAX_HOURS:g} hours apart whose exact word 3-shingle Jaccard (body, "
        f"case-folded) is at least {DUPLICATE_JACCARD}; candidates from a loose LSH (64 "
        "bands of 2 rows), the decision exact. Stories of the truth join these pairs "
        "transitively, and a made copy belongs to its source's whole group.",
        "- hard negatives: pairs of Reuters originals sharing a topic, more than "
        f"{copies.MAX_HOURS:g} hours apart (the rule's window), whose headlines share at "
        "least two words (topics of at most 800 articles).",
        "",
        "## Quality (stories assigned while indexing, tantivy engine)",
        "",
        "| measure | target | value | |",
        "|---|---|---|---|",
        f"| pairwise precision | ≥ 0.97 | {q['precision']:.3f} | {_met(q['precision'] >= 0.97)} |",
        f"| pairwise recall, copies keeping ≥ 60% | ≥ 0.90 | {q['recall_kept_60']:.3f} | "
        f"{_met(q['recall_kept_60'] >= 0.90)} |",
        f"| false merges among same-topic stories more than {copies.MAX_HOURS:g} hours apart "
        f"({data['hard_negative_pairs']:,} hard-negative pairs) | 0 | "
        f"{q['false_same_topic_other_days']} | {_met(q['false_same_topic_other_days'] == 0)} |",
        f"| of which OPEC stories | 0 | {q['false_opec']} | {_met(q['false_opec'] == 0)} |",
        f"| false merges among same-topic originals within {copies.MAX_HOURS:g} hours | – | "
        f"{q['false_same_topic'] - q['false_same_topic_other_days']} | |",
        f"| precision of the pairs with a made copy | – | {q['precision_made']:.3f} | |",
        f"| pairwise recall, all copies | – | {q['recall']:.3f} | |",
        f"| cluster purity | – | {q['purity']:.4f} | |",
        f"| true pairs / found pairs / false pairs | – | {q['true_pairs']:,} / "
        f"{q['found_pairs']:,} / {q['false_pairs']:,} | |",
        f"| same stories as the in-memory rule | – | {data['index_matches_memory']} | |",
        "",
        "False pairs (headlines), first few:",
        "",
        *[f"- {a} / {b}" for a, b in q["false_examples"]],
        "",
    ]
    if data.get("sweep"):
        lines += [
            f"## Parameter sweep (in memory, the same story rule, on a set built from "
            f"{data['sweep_fraction']:g} of the corpus)",
            "",
            "| settings | precision | recall | recall ≥ 60% kept | false merges, same topic, "
            "further apart / within the window |",
            "|---|---|---|---|---|",
            *[
                f"| {r['config']} | {r['precision']:.3f} | {r['recall']:.3f} | "
                f"{r['recall_kept_60']:.3f} | {r['false_same_topic_other_days']} / "
                f"{r['false_same_topic'] - r['false_same_topic_other_days']} |"
                for r in data["sweep"]
            ],
            "",
        ]
    if data.get("cost"):
        c = data["cost"]
        lines += [
            f"## Cost ({c['articles']:,} articles, {c['paragraphs']:,} paragraphs, one run)",
            "",
            "Indexing the slice without the made copies, detection off and on, off-on-on-off, "
            "the best of two each; default settings (analysis in a second process). The "
            "machine's 2 cores were shared with another engineer's work during the run, so "
            "wall times are noisy; CPU time (this process and the analysis worker) is the "
            "steadier measure.",
            "",
            "| engine | seconds off | on | ratio off/on (target ≥ 0.85) | CPU s off | on "
            "| CPU ratio | p95 ms | collapse p95 ms | ratio (target ≤ 1.2) | stories with copies |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for engine in ("tantivy", "whoosh"):
            e = c[engine]
            lines.append(
                f"| {engine} | {e['seconds_off']:.2f} | {e['seconds_on']:.2f} "
                f"| {e['throughput_ratio']:.2f} {_met(e['throughput_ratio'] >= 0.85)} "
                f"| {e['cpu_off']:.2f} | {e['cpu_on']:.2f} | {e['cpu_ratio']:.2f} "
                f"| {e['p95_ms']:.2f} | {e['collapse_p95_ms']:.2f} "
                f"| {e['collapse_p95_ratio']:.2f} {_met(e['collapse_p95_ratio'] <= 1.2)} "
                f"| {e['stories_with_copies']:,} |"
            )
        lines.append("")
    if data.get("large_story"):
        big = data["large_story"]
        lines += [
            f"## A large story ({big['articles']} articles arriving one at a time, "
            f"{big['engine']}, a commit each)",
            "",
            "| articles | first tenth, ms each | last tenth, ms each | total s | largest story |",
            "|---|---|---|---|---|",
            *[
                f"| {name} | {big[name]['first_ms']:.1f} | {big[name]['last_ms']:.1f} "
                f"| {big[name]['total_s']:.1f} | {big[name]['largest_story']} |"
                for name in ("story", "distinct")
            ],
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--sources", type=int, default=600)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--sweep", action="store_true", help="compare settings in memory")
    parser.add_argument("--sweep-fraction", type=float, default=0.3)
    parser.add_argument("--cost", action="store_true", help="indexing and query cost")
    parser.add_argument("--large", action="store_true", help="a story of many copies")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("copies"))
    args = parser.parse_args(argv)
    items, duplicates = build_set(args.corpus, args.fraction, args.sources)
    data: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "fraction": args.fraction,
        "sources": args.sources,
        "settings": (
            f"shingles of {copies.SHINGLE_WORDS} words, {copies.NUM_PERM} permutations, "
            f"{copies.BANDS} bands of {copies.ROWS}, threshold {copies.THRESHOLD}, "
            f"at most {copies.MAX_HOURS:g} hours apart, at least {copies.MIN_SHINGLES} "
            f"shingles, story floor {copies.STORY_FLOOR}"
        ),
        "duplicate_pairs": duplicates,
        "hard_negative_pairs": hard_negatives(items),
    }
    if args.sweep:
        data["sweep_fraction"] = args.sweep_fraction
        sweep_items, _ = build_set(args.corpus, args.sweep_fraction, args.sources // 2)
        data["sweep"] = sweep(sweep_items)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "quality"
        ordered = sorted(items, key=lambda i: i.article.id)  # copies arrive mixed in
        index_items(path, "tantivy", (i.article for i in ordered), detect=True)
        ids = [i.article.id for i in items]
        with Index.open(path) as index:
            found = stories_in_index(index, ids)
        memory = stories_in_memory(items, Config())
        data["index_matches_memory"] = all(
            found.get(aid, aid) == memory.get(aid, aid) for aid in ids
        )
        data["quality"] = score(items, found)
        if args.cost:
            data["cost"] = cost(args.corpus, args.fraction, Path(tmp), args.queries)
        if args.large:
            data["large_story"] = large_story(args.corpus, Path(tmp))
    args.out.with_suffix(".json").write_text(json.dumps(data, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(_markdown(data))
    print(_markdown(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
