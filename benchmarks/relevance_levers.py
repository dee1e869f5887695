"""Ranking levers measured one at a time on the Reuters topics, tuned on half of them.

Usage::

    python benchmarks/relevance_levers.py [--engines whoosh,tantivy] [--out benchmarks/]
        [--workdir DIR] [--fraction 1.0]

Each engine indexes the slice once; every lever is then a query-time setting. Topics
(>= 20 articles) are split in two by alternating sorted names: settings are chosen on
the ``tune`` half and reported on both halves and all topics. The metric is the same as
``benchmarks/run.py``: the topic's words ANDed, top 1000 paragraphs, articles ranked by
their first paragraph (or by the article aggregation under test), AP over every
relevant article. p95 is the search call's latency over the topics, in ms.

Writes ``relevance.md`` and ``relevance.json`` into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import default_corpus, read_articles, read_jsonl, write_slice
from benchmarks.measure import percentile
from benchmarks.queries import topic_queries
from benchmarks.relevance import average_precision, precision_at
from benchmarks.systems import newsearch_query
from newsearch import Index, expansion, ranking

DEPTH = 1000


def topic_halves(topics: Sequence[str]) -> dict[str, list[str]]:
    ordered = sorted(topics)
    return {"tune": ordered[0::2], "test": ordered[1::2], "all": ordered}


def evaluate(
    ranked: dict[str, list[str]], judgments: dict[str, set[str]], topics: list[str]
) -> dict[str, float]:
    aps = [average_precision(ranked[t], judgments[t]) for t in topics]
    p10 = [precision_at(ranked[t], judgments[t], 10) for t in topics]
    return {"map": sum(aps) / len(aps), "p10": sum(p10) / len(p10)}


def run_setting(
    index: Index, queries: dict[str, str], settings: dict[str, Any]
) -> tuple[dict[str, list[str]], float]:
    """Article rankings per topic under ``settings`` and the search p95 in ms."""
    if hasattr(index.engine, "set_bm25"):
        index.engine.set_bm25(settings.get("k1", 1.2), settings.get("b", 0.75))
    index.prefer_exact = settings.get("prefer_exact", True)
    expansion.ORIGINAL_WEIGHT = settings.get("expand") or 0.5
    decay = settings.get("decay", ranking.ARTICLE_DECAY)
    ranked: dict[str, list[str]] = {}
    latencies = []
    for topic, query in queries.items():
        started = time.perf_counter()
        expand = bool(settings.get("expand"))
        results = index.search(query, limit=DEPTH, highlight=False, expand=expand)
        latencies.append(1000 * (time.perf_counter() - started))
        ranked[topic] = ranking.rank_articles(results.hits, decay=decay)
    return ranked, percentile(latencies, 95)


def settings_list(engine: str) -> list[tuple[str, dict[str, Any]]]:
    """The levers, one at a time against the baseline (as main had it)."""
    base: dict[str, Any] = {"prefer_exact": False, "decay": 0.0}
    rows: list[tuple[str, dict[str, Any]]] = [("baseline: best paragraph, stems only", base)]
    rows.append(("exact form ranked first (prefer_exact)", {**base, "prefer_exact": True}))
    for decay in (0.25, 0.5, 0.75):
        rows.append((f"article = best + decaying sum, d={decay}", {**base, "decay": decay}))
    if engine == "whoosh":
        for k1, b in ((0.9, 0.4), (1.2, 0.4), (1.2, 0.9), (1.6, 0.75), (2.0, 0.75), (0.9, 0.75)):
            rows.append((f"BM25 k1={k1} b={b}", {**base, "k1": k1, "b": b}))
    for weight in (0.3, 0.5, 0.7):
        rows.append((f"RM3 expand, original weight {weight}", {**base, "expand": weight}))
    return rows


def best_on_tune(rows: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    """The settings of the row starting with ``prefix`` with the best MAP on ``tune``."""
    candidates = [row for row in rows if row["lever"].startswith(prefix)]
    # Ties go to the setting nearest the defaults (k1 1.2, b 0.75).
    return dict(
        max(
            candidates,
            key=lambda row: (
                round(row["tune"]["map"], 6),
                -abs(row["settings"].get("k1", 1.2) - 1.2),
                -abs(row["settings"].get("b", 0.75) - 0.75),
            ),
        )["settings"]
    )


def chosen_list(rows: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Each lever at its best setting on the tune half, together; then with RM3."""
    chosen: dict[str, Any] = {"prefer_exact": True}
    chosen["decay"] = best_on_tune(rows, "article =")["decay"]
    if any(row["lever"].startswith("BM25") for row in rows):
        bm25 = best_on_tune(rows, "BM25")
        chosen.update(k1=bm25["k1"], b=bm25["b"])
    label = ", ".join(f"{k}={v}" for k, v in chosen.items())
    combined = [(f"chosen on tune: {label}", chosen)]
    for weight in (0.5, 0.7):
        combined.append(
            (f"chosen + RM3 expand, original weight {weight}", {**chosen, "expand": weight})
        )
    return combined


def markdown(results: dict[str, Any]) -> str:
    """``relevance.md``: one row per lever and engine."""
    topics = results["topics"]
    lines = [
        "# Ranking levers on the Reuters topics",
        "",
        "Generated by `benchmarks/relevance_levers.py` on one pair of indexes (corpus "
        f"fraction {results['fraction']:g}): `--rows levers` then `--rows chosen`, which "
        "reads the first pass to pick each lever's best setting on the tune half. "
        "Topics with at least 20 articles: "
        f"{topics['all']}, split by alternating sorted names into a tune half "
        f"({topics['tune']}) and a test half ({topics['test']}); settings are chosen on the "
        "tune half only. Query: the topic's words ANDed, top 1000 paragraphs; articles "
        "ranked by the lever's article order; AP over every relevant article. p95: the "
        "search call (1000 paragraphs, no highlighting) over the topics, ms, on a shared "
        "2-core machine shared by seven engineers: the same query plan varied up to 3× "
        "between rows, so p95 shows only large effects. tantivy's BM25 k1/b are fixed "
        "(1.2, 0.75).",
        "",
        "| engine | lever | MAP tune | MAP test | MAP all | P@10 tune | P@10 test | P@10 all "
        "| p95 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for engine, rows in results["engines"].items():
        for row in rows:
            maps = " | ".join(f"{row[h]['map']:.3f}" for h in ("tune", "test", "all"))
            p10s = " | ".join(f"{row[h]['p10']:.3f}" for h in ("tune", "test", "all"))
            lines.append(f"| {engine} | {row['lever']} | {maps} | {p10s} | {row['p95_ms']:.0f} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--engines", default="whoosh,tantivy")
    parser.add_argument("--workdir", type=Path, required=True, help="slices and indexes (kept)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument(
        "--rows",
        choices=("levers", "chosen"),
        default="levers",
        help="levers one at a time, or (after them) the settings chosen on the tune half",
    )
    args = parser.parse_args(argv)
    data = write_slice(args.corpus, args.workdir, args.fraction)
    queries_, judgments = topic_queries(read_jsonl(data.articles_path), 20)
    queries = {t: newsearch_query(q) for t, q in queries_.items()}
    halves = topic_halves(list(queries))
    out = args.out / "relevance.json"
    results: dict[str, Any] = {
        "fraction": args.fraction,
        "topics": {k: len(v) for k, v in halves.items()},
        "engines": {},
    }
    if args.rows == "chosen":
        results = json.loads(out.read_text(encoding="utf-8"))
    for engine in args.engines.split(","):
        path = args.workdir / f"levers-{engine}-{args.fraction:g}"
        if not (path / "newsearch.json").exists():
            with Index.open(path, rebuild=True, engine=engine) as index:
                index.add_articles(read_articles(data.articles_path))
        rows = results["engines"].get(engine, []) if args.rows == "chosen" else []
        plan = chosen_list(rows) if args.rows == "chosen" else settings_list(engine)
        with Index.open(path) as index:
            for label, settings in plan:
                ranked, p95 = run_setting(index, queries, settings)
                row = {"lever": label, "settings": settings, "p95_ms": p95}
                row.update(
                    {half: evaluate(ranked, judgments, topics) for half, topics in halves.items()}
                )
                rows.append(row)
                print(
                    engine,
                    label,
                    {h: (round(row[h]["map"], 3), round(row[h]["p10"], 3)) for h in halves},
                    f"{p95:.1f}ms",
                    flush=True,
                )
        results["engines"][engine] = rows
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (args.out / "relevance.md").write_text(markdown(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
