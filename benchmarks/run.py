"""Run every system on the same Reuters paragraphs and queries; write the results.

Usage::

    python benchmarks/run.py --corpus ../shared/corpora/reuters21578 [--fraction 0.3]
        [--queries 300] [--out benchmarks/] [--systems newsearch,whoosh-2proc,...]
        [--scaling | --no-scaling] [--limit-articles N]
        [--passes 5] [--slow-passes 3] [--slow-pass-s 10] [--build-rounds 5]

Writes ``RESULTS.md`` and ``results.json`` into ``--out``. The default is the full
corpus with scaling (10%, 30%, 100%; on by default when ``--fraction`` is 1.0): 15 to
25 minutes on a shared 2-core machine; ``--fraction 0.3`` (no scaling) takes minutes.

Every system is indexed first; then all indexes are open at once, each in its own
process, and the query latency is timed in ``--passes`` passes interleaved across the
systems (``benchmarks.latency``): a system whose first pass takes over
``--slow-pass-s`` seconds (raw whoosh, ~40 s on the full corpus) runs only
``--slow-passes``, which keeps the extra passes to about four minutes.

The two systems of each indexing target (newsearch-tantivy and tantivy, newsearch and
whoosh-2proc) are built in ``--build-rounds`` rounds, alternating which goes first
(``benchmarks.builds``): their own builds above are round 1, and each later round
builds both again into throwaway folders; their indexing figures are the medians. The
whoosh pair takes about 2.5 minutes a round on the full corpus, the tantivy pair about
15 s, so 5 rounds bring the full run to about half an hour.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import builds, report, speed_targets
from benchmarks.corpus import Slice, default_corpus, paragraph_source, read_jsonl, write_slice
from benchmarks.latency import (
    PassPlan,
    Series,
    aggregate,
    interleave,
    method_note,
    peers_adjacent,
    slow_series,
)
from benchmarks.measure import QuerySession, measure_build, percentile
from benchmarks.queries import KINDS, BenchQuery, make_queries, topic_queries
from benchmarks.relevance import evaluate
from benchmarks.systems import SYSTEMS, get_system

SCALING_FRACTIONS = (0.1, 0.3, 1.0)


def _at_least_one(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--fraction", type=float, default=1.0, help="share of articles")
    parser.add_argument("--limit-articles", type=int, default=None, help="cap the articles")
    parser.add_argument("--queries", type=int, default=300, help="timed queries")
    parser.add_argument("--seed", type=int, default=1987)
    parser.add_argument(
        "--warmup", type=int, default=20, help="untimed queries before every timed pass"
    )
    parser.add_argument(
        "--passes", type=_at_least_one, default=5, help="timed passes per system, interleaved"
    )
    parser.add_argument(
        "--slow-passes",
        type=_at_least_one,
        default=3,
        help="passes of a system whose first is slow",
    )
    parser.add_argument(
        "--slow-pass-s", type=float, default=10.0, help="a first pass this long is slow"
    )
    parser.add_argument(
        "--build-rounds",
        type=_at_least_one,
        default=5,
        help="builds of each indexing target's two systems, alternating (1: one build)",
    )
    parser.add_argument("--min-topic-articles", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated")
    parser.add_argument("--scaling", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument(
        "--scaling-systems", default=None, help="systems for scaling (default: all)"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="for slices and indexes")
    parser.add_argument("--keep-indexes", action="store_true")
    return parser.parse_args(argv)


def hit_summary(hits: Sequence[int], snippets: Sequence[int]) -> dict[str, float]:
    """Mean hits per query, share of queries with a hit, share of hits with a snippet."""
    total = sum(hits)
    return {
        "mean": total / len(hits),
        "with_hits": sum(1 for h in hits if h) / len(hits),
        "snippet_share": sum(snippets) / total if total else 0.0,
    }


def build_system(name: str, data: Slice, workdir: Path) -> tuple[dict[str, Any], Path]:
    """Index a slice with one system in a fresh process; its build figures and folder."""
    index_dir = workdir / f"index-{name}-{data.fraction:g}"
    shutil.rmtree(index_dir, ignore_errors=True)
    return measure_build(name, data, index_dir), index_dir


def system_answer(
    name: str,
    session: QuerySession,
    done: dict[Series, list[dict[str, Any]]],
    queries: Sequence[BenchQuery],
) -> dict[str, Any]:
    """One system's query figures from its interleaved passes."""
    plain, as_json = done[Series(name)], done.get(Series(name, as_json=True))
    first = plain[0]
    result = {
        "query_phase_s": sum(one["seconds"] for one in plain + (as_json or [])),
        "open_ms": session.open_ms,
        "latency": aggregate(plain, queries),
        "latencies_ms": first["latencies_ms"],  # the first pass's, one per query
        "hits": hit_summary(first["hits"], first["snippets"]),
        "hits_per_query": first["hits"],
    }
    if as_json:
        # The same queries answered as JSON (the CLI's --json, the HTTP API), which
        # reads total_articles: what the article count costs on top of the hits.
        result["latency_json"] = aggregate(as_json, queries)
    return result


def query_systems(
    built: dict[str, Path],
    queries: Sequence[BenchQuery],
    topics: dict[str, BenchQuery],
    args: argparse.Namespace,
) -> dict[str, dict[str, Any]]:
    """Open every built index in its own process, run the interleaved timed passes, then
    fetch the topic rankings; a system that fails gets ``{"error": text}``."""
    sessions: dict[str, QuerySession] = {}
    answers: dict[str, dict[str, Any]] = {}
    try:
        for name in peers_adjacent(list(built), speed_targets.QUERY_PEERS):
            try:
                index_dir = built[name]
                sessions[name] = QuerySession(name, index_dir, queries, args.warmup)
            except RuntimeError as error:
                answers[name] = {"error": str(error)}
        series = [Series(name) for name in sessions]
        series += [
            Series(name, as_json=True) for name in sessions if name in speed_targets.JSON_SYSTEMS
        ]
        plan = PassPlan(args.passes, args.slow_passes, args.slow_pass_s)
        print(f"querying: {len(series)} series, {plan.passes} interleaved passes", flush=True)
        done, failed = interleave(sessions, series, plan)
        for name, session in sessions.items():
            if name in failed:
                answers[name] = {"error": failed[name]}
                continue
            try:
                rankings = session.rankings(topics)
            except RuntimeError as error:
                answers[name] = {"error": str(error)}
                continue
            answers[name] = system_answer(name, session, done, queries)
            answers[name]["rankings"] = rankings
    finally:
        for session in sessions.values():
            session.close()
    return answers


def scaling_point(data: Slice, build: dict[str, Any], latencies: Sequence[float]) -> dict[str, Any]:
    """One size of the scaling table."""
    return {
        "fraction": data.fraction,
        "articles": data.articles,
        "paragraphs": build["paragraphs"],
        "seconds": build["seconds"],
        "paragraphs_per_s": build["paragraphs_per_s"],
        "size_bytes": build["size_bytes"],
        "peak_rss_bytes": build["peak_rss_bytes"],
        "p95": percentile(latencies, 95),
        "p50": percentile(latencies, 50),
    }


@dataclass
class Scaling:
    """The scaling sizes, their shared query set, and the points measured so far."""

    slices: list[Slice]
    queries: list[BenchQuery]
    names: list[str]
    points: dict[str, dict[float, dict[str, Any]]] = field(default_factory=dict)

    def add(self, name: str, data: Slice, build: dict[str, Any], answer: dict[str, Any]) -> None:
        point = scaling_point(data, build, answer["latencies_ms"])
        self.points.setdefault(name, {})[data.fraction] = point

    def table(self) -> dict[str, list[dict[str, Any]]]:
        return {name: [p[f] for f in sorted(p)] for name, p in self.points.items()}


def draw_queries(data: Slice, args: argparse.Namespace) -> list[BenchQuery]:
    """The seeded query set drawn from a slice's paragraphs."""
    return make_queries(list(read_jsonl(data.paragraphs_path)), args.queries, args.seed)


def plan_scaling(
    args: argparse.Namespace, workdir: Path, names: Sequence[str], headline: Slice
) -> Scaling:
    """Write the 10/30/100% slices and one query set drawn from the smallest."""
    slices = [
        headline
        if f == headline.fraction and args.limit_articles is None
        else write_slice(args.corpus, workdir, f)
        for f in SCALING_FRACTIONS
    ]
    queries = draw_queries(slices[0], args)
    chosen = _selected(args.scaling_systems) if args.scaling_systems else list(names)
    return Scaling(slices, queries, chosen)


def run_scaling(scaling: Scaling, workdir: Path, args: argparse.Namespace) -> None:
    """Index every size not measured yet, per system, in fresh processes."""
    for name in scaling.names:
        done = scaling.points.get(name, {})
        for data in scaling.slices:
            if data.fraction in done:
                continue
            index_dir = workdir / f"scaling-{name}-{data.fraction:g}"
            shutil.rmtree(index_dir, ignore_errors=True)
            build = measure_build(name, data, index_dir)
            with QuerySession(name, index_dir, scaling.queries, args.warmup) as session:
                answer = session.run_pass()
            scaling.add(name, data, build, answer)
            shutil.rmtree(index_dir, ignore_errors=True)
            print(f"  scaling {name} {data.fraction:.0%}: {build['seconds']:.1f} s", flush=True)


def _selected(names: str) -> list[str]:
    chosen = [n.strip() for n in names.split(",") if n.strip()]
    for name in chosen:
        get_system(name)
    return chosen


METHOD_NOTES = (
    "Indexing and querying run in fresh `spawn` processes; open ms is the first open in a "
    "new process (the OS page cache is warm: dropping it needs root).",
    "Peak RSS is sampled every 20 ms over the indexing process and its children (plus the "
    "kernel's high-water mark); whoosh-2proc's forked workers share pages, so their sum "
    "over-counts. Inputs are streamed from a JSON Lines file, not held in memory.",
    "Index time covers adding and committing only (engine imports happen before the "
    "clock); sqlite-fts5 includes its 'optimize' merge, tantivy waits for merging threads.",
    "Latency is one search call returning the top 10 with snippets; the date kind is a "
    "term plus a 14-day range (whoosh: DateRange filter; sqlite: column comparison; "
    "tantivy: range query; newsearch: date:[a TO b]).",
    "Relevance: per topic, query = the topic's words (dashes as spaces, AND), top 1000 "
    "paragraphs, articles ranked by their best paragraph; AP over all relevant articles.",
)


def _header(args: argparse.Namespace, data: Slice, queries: list[BenchQuery]) -> dict[str, Any]:
    return {
        "machine": report.machine(),
        "corpus": {
            "path": str(args.corpus),
            "fraction": args.fraction,
            "limit_articles": args.limit_articles,
            "articles": data.articles,
            "paragraphs": data.paragraphs,
            "paragraph_source": paragraph_source(),
        },
        "queries": {
            "count": len(queries),
            "seed": args.seed,
            "warmup": args.warmup,
            "passes": args.passes,
            "slow_passes": args.slow_passes,
            "slow_pass_s": args.slow_pass_s,
            "kinds": list(KINDS),
            "examples": [q.label() for q in queries[:8]],
        },
    }


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; returns the results written to ``--out``."""
    args = parse_args(argv)
    started = time.perf_counter()
    if not args.corpus.is_dir():
        raise SystemExit(f"corpus folder not found: {args.corpus}")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="newsearch-bench-"))
    names = _selected(args.systems)
    notes: list[str] = []
    data = write_slice(args.corpus, workdir, args.fraction, args.limit_articles)
    topics, judgments = topic_queries(read_jsonl(data.articles_path), args.min_topic_articles)
    scaling_on = args.scaling if args.scaling is not None else args.fraction == 1.0
    scaling = plan_scaling(args, workdir, names, data) if scaling_on else None
    # With scaling, one query set (from the smallest slice) serves every size.
    queries = scaling.queries if scaling else draw_queries(data, args)
    reuse = args.limit_articles is None and args.fraction in SCALING_FRACTIONS
    systems: dict[str, Any] = {}
    built: dict[str, Path] = {}
    first_builds: dict[str, dict[str, Any]] = {}  # before rounds: the scaling point's
    for name in names:
        reason = get_system(name).unavailable()
        if reason:
            systems[name] = {"skipped": reason}
            continue
        print(f"{name}: indexing {data.paragraphs:,} paragraphs", flush=True)
        try:
            build, built[name] = build_system(name, data, workdir)
        except RuntimeError as error:
            systems[name] = {"error": str(error)}
            continue
        systems[name] = {"build": build}
        first_builds[name] = build
    pairs = speed_targets.INDEXING_PEERS
    notes += builds.index_in_rounds(systems, pairs, data, workdir, args.build_rounds)
    # Every index stays on disk until all systems have run their passes.
    for name, answer in query_systems(built, queries, topics, args).items():
        if "error" in answer:
            systems[name] = answer
            continue
        systems[name].update(answer)
        if scaling and reuse and name in scaling.names:
            scaling.add(name, data, first_builds[name], answer)
        systems[name]["relevance"] = evaluate(systems[name].pop("rankings"), judgments)
    if not args.keep_indexes:
        for index_dir in built.values():
            shutil.rmtree(index_dir, ignore_errors=True)
    for name, result in systems.items():
        if "skipped" in result:
            notes.append(f"{name} skipped: {result['skipped']}")
        elif "error" in result:
            notes.append(f"{name} failed: {result['error'].strip().splitlines()[-1]}")
    results = _header(args, data, queries)
    results["indexing"] = builds.header(args.build_rounds, pairs)
    results["relevance"] = {"topics": len(topics), "min_articles": args.min_topic_articles}
    results["systems"] = systems
    if scaling:
        scaling.names = [n for n in scaling.names if "build" in systems.get(n, {})]
        run_scaling(scaling, workdir, args)
        results["scaling"] = scaling.table()
        results["scaling_note"] = (
            f"Each size indexed in a fresh process; p50/p95 of one timed pass over the "
            f"same {len(scaling.queries)} queries (seed {args.seed}), drawn from the "
            f"{SCALING_FRACTIONS[0]:.0%} slice so that they exist at every size (the "
            f"headline run's first pass at its size); the headline table uses the same set."
        )
    plan = PassPlan(args.passes, args.slow_passes, args.slow_pass_s)
    latency_note = method_note(plan, args.warmup, len(queries), slow_series(systems, plan))
    results["notes"] = [*notes, *METHOD_NOTES, latency_note, builds.method_note(results)]
    results["targets"] = report.targets(results)
    results["speed_targets"] = speed_targets.speed_targets(results)
    results["wall_seconds"] = time.perf_counter() - started
    report.write(results, args.out)
    if args.out.resolve() == Path(__file__).resolve().parent:  # the repository's own results
        speed_targets.write_readme(results, Path(__file__).resolve().parents[1] / "README.md")
    if args.workdir is None and not args.keep_indexes:
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    results = run(argv)
    print(report.markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
