"""Run every system on the same Reuters paragraphs and queries; write the results.

Usage::

    python benchmarks/run.py --corpus ../shared/corpora/reuters21578 [--fraction 0.3]
        [--queries 300] [--out benchmarks/] [--systems newsearch,whoosh-2proc,...]
        [--scaling | --no-scaling] [--limit-articles N]

Writes ``RESULTS.md`` and ``results.json`` into ``--out``. The default is the full
corpus with scaling (10%, 30%, 100%; on by default when ``--fraction`` is 1.0): 11 to
20 minutes on a shared 2-core machine; ``--fraction 0.3`` (no scaling) takes minutes.
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

from benchmarks import report, speed_targets
from benchmarks.corpus import Slice, default_corpus, paragraph_source, read_jsonl, write_slice
from benchmarks.measure import measure_build, measure_queries, percentile
from benchmarks.queries import KINDS, BenchQuery, make_queries, topic_queries
from benchmarks.relevance import evaluate
from benchmarks.systems import SYSTEMS, NewsearchSystem, get_system

SCALING_FRACTIONS = (0.1, 0.3, 1.0)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--fraction", type=float, default=1.0, help="share of articles")
    parser.add_argument("--limit-articles", type=int, default=None, help="cap the articles")
    parser.add_argument("--queries", type=int, default=300, help="timed queries")
    parser.add_argument("--seed", type=int, default=1987)
    parser.add_argument("--warmup", type=int, default=20, help="untimed queries first")
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


def latency_summary(latencies: Sequence[float], queries: Sequence[BenchQuery]) -> dict[str, Any]:
    """p50/p95/p99/mean overall and p50/p95 per query kind, in milliseconds."""
    summary: dict[str, Any] = {
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "mean": sum(latencies) / len(latencies),
        "by_kind": {},
    }
    for kind in KINDS:
        values = [ms for ms, q in zip(latencies, queries, strict=True) if q.kind == kind]
        if values:
            summary["by_kind"][kind] = {
                "p50": percentile(values, 50),
                "p95": percentile(values, 95),
            }
    return summary


def hit_summary(hits: Sequence[int], snippets: Sequence[int]) -> dict[str, float]:
    """Mean hits per query, share of queries with a hit, share of hits with a snippet."""
    total = sum(hits)
    return {
        "mean": total / len(hits),
        "with_hits": sum(1 for h in hits if h) / len(hits),
        "snippet_share": sum(snippets) / total if total else 0.0,
    }


def run_system(
    name: str,
    data: Slice,
    workdir: Path,
    queries: Sequence[BenchQuery],
    topics: dict[str, BenchQuery],
    args: argparse.Namespace,
) -> tuple[dict[str, Any], Path]:
    """Build and query one system; returns its results and its index folder."""
    index_dir = workdir / f"index-{name}-{data.fraction:g}"
    shutil.rmtree(index_dir, ignore_errors=True)
    build = measure_build(name, data, index_dir)
    started = time.perf_counter()
    answer = measure_queries(name, index_dir, queries, topics, args.warmup)
    result = {
        "query_phase_s": time.perf_counter() - started,
        "build": build,
        "open_ms": answer["open_ms"],
        "latency": latency_summary(answer["latencies_ms"], queries),
        "latencies_ms": answer["latencies_ms"],
        "hits": hit_summary(answer["hits"], answer["snippets"]),
        "hits_per_query": answer["hits"],
        "rankings": answer["rankings"],
    }
    if isinstance(get_system(name), NewsearchSystem):
        # The same queries answered as JSON (the CLI's --json, the HTTP API), which
        # reads total_articles: what the article count costs on top of the hits.
        as_json = measure_queries(name, index_dir, queries, {}, args.warmup, as_json=True)
        result["latency_json"] = latency_summary(as_json["latencies_ms"], queries)
    return result, index_dir


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
            answer = measure_queries(name, index_dir, scaling.queries, {}, args.warmup)
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
    for name in names:
        reason = get_system(name).unavailable()
        if reason:
            systems[name] = {"skipped": reason}
            notes.append(f"{name} skipped: {reason}")
            continue
        print(f"{name}: indexing {data.paragraphs:,} paragraphs", flush=True)
        try:
            result, index_dir = run_system(name, data, workdir, queries, topics, args)
            if scaling and reuse and name in scaling.names:
                scaling.add(name, data, result["build"], result)
        except RuntimeError as error:
            systems[name] = {"error": str(error)}
            notes.append(f"{name} failed: {str(error).strip().splitlines()[-1]}")
            continue
        result["relevance"] = evaluate(result.pop("rankings"), judgments)
        systems[name] = result
        if not args.keep_indexes:
            shutil.rmtree(index_dir, ignore_errors=True)
    results = _header(args, data, queries)
    results["relevance"] = {"topics": len(topics), "min_articles": args.min_topic_articles}
    results["systems"] = systems
    if scaling:
        scaling.names = [n for n in scaling.names if "build" in systems.get(n, {})]
        run_scaling(scaling, workdir, args)
        results["scaling"] = scaling.table()
        results["scaling_note"] = (
            f"Each size indexed in a fresh process; p50/p95 over the same "
            f"{len(scaling.queries)} queries (seed {args.seed}), drawn from the "
            f"{SCALING_FRACTIONS[0]:.0%} slice so that they exist at every size; the "
            f"headline table uses the same set."
        )
    results["notes"] = notes + list(METHOD_NOTES)
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
