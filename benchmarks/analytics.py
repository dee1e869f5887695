"""Coverage analytics against SQLite FTS5 doing the same GROUP BY work, on Reuters.

Usage: ``python -m benchmarks.analytics [--fraction 1.0] [--repeat 5]``. Writes
``benchmarks/analytics.md`` and ``analytics.json``.

Every system holds the same paragraphs (``newsearch.paragraphs.split_article``). For
each query it answers, in the same process, after one untimed warm-up:

- timeline: matching articles per month, and all articles per month (the ratio's
  denominator). FTS5: ``count(DISTINCT article_id) … WHERE docs MATCH ? GROUP BY month``
  plus ``count(*) FROM articles GROUP BY month``.
- facets: matching articles and paragraphs per source, and per tag (topics and places;
  FTS5 joins a ``tags`` table).
- terms (newsearch only): significant terms of the top 1,000 matching paragraphs.

Times are the median of ``--repeat`` runs, in ms; the ratios are newsearch / FTS5 in
this one run. Targets (issue 11): timeline and facets of a query matching at least
10,000 paragraphs within 2× FTS5 on the tantivy engine, within 10× on whoosh; terms on
a 1,000-hit sample under 0.5 s on either.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.corpus import Slice, default_corpus, read_articles, read_jsonl, write_slice
from benchmarks.report import machine, table

# Query words as both systems read them; "mln" and "said" match >= 10,000 paragraphs.
QUERIES = ("mln", "said", "oil", "coffee")
ENGINES = ("whoosh", "tantivy")
TARGETS = {"tantivy": 2.0, "whoosh": 10.0}
TERMS_TARGET_S = 0.5
BIG = 10_000


def build_fts5(data: Slice, path: Path) -> None:
    """Paragraphs in FTS5 (porter), plus plain article and tag tables for grouping."""
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE VIRTUAL TABLE docs USING fts5(text, article_id UNINDEXED, month UNINDEXED,
            source UNINDEXED, tokenize='porter unicode61');
        CREATE TABLE articles (article_id TEXT PRIMARY KEY, month TEXT, source TEXT);
        CREATE TABLE tags (article_id TEXT, tag TEXT);
        CREATE INDEX tags_article ON tags (article_id);
        """
    )
    with db:
        for record in read_jsonl(data.articles_path):
            month = record["date"][:7] if record.get("date") else None
            db.execute(
                "INSERT INTO articles VALUES (?, ?, ?)", (record["id"], month, record.get("source"))
            )
            db.executemany(
                "INSERT INTO tags VALUES (?, ?)", [(record["id"], t) for t in record["tags"]]
            )
        db.executemany(
            "INSERT INTO docs SELECT ?, ?, month, source FROM articles WHERE article_id = ?",
            (
                (p["text"], p["article_id"], p["article_id"])
                for p in read_jsonl(data.paragraphs_path)
            ),
        )
    with db:
        db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    db.close()


class Fts5:
    """The same coverage questions as SQL."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)

    def timeline(self, word: str) -> tuple[int, dict[str, int], dict[str, int]]:
        matching = dict(
            self.db.execute(
                "SELECT month, count(DISTINCT article_id) FROM docs WHERE docs MATCH ? "
                "AND month IS NOT NULL GROUP BY month",
                [f'"{word}"'],
            )
        )
        total = dict(
            self.db.execute(
                "SELECT month, count(*) FROM articles WHERE month IS NOT NULL GROUP BY month"
            )
        )
        return sum(matching.values()), matching, total

    def facets(self, word: str, by: str) -> list[tuple[str, int, int]]:
        if by == "source":
            sql = (
                "SELECT source, count(DISTINCT article_id), count(*) FROM docs "
                "WHERE docs MATCH ? GROUP BY source ORDER BY 2 DESC LIMIT 20"
            )
        else:
            sql = (
                "SELECT t.tag, count(DISTINCT d.article_id), count(*) FROM docs d "
                "JOIN tags t ON t.article_id = d.article_id WHERE docs MATCH ? "
                "GROUP BY t.tag ORDER BY 2 DESC LIMIT 20"
            )
        return list(self.db.execute(sql, [f'"{word}"']))

    def paragraphs(self, word: str) -> int:
        sql = "SELECT count(*) FROM docs WHERE docs MATCH ?"
        return int(self.db.execute(sql, [f'"{word}"']).fetchone()[0])

    def close(self) -> None:
        self.db.close()


def median_ms(func: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``repeat`` runs after one untimed warm-up, in ms."""
    func()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def measure(data: Slice, workdir: Path, repeat: int) -> dict[str, Any]:
    from newsearch import Index

    results: dict[str, Any] = {"build_s": {}, "queries": {}}
    started = time.perf_counter()
    build_fts5(data, workdir / "fts5.sqlite")
    results["build_s"]["sqlite-fts5"] = round(time.perf_counter() - started, 1)
    fts = Fts5(workdir / "fts5.sqlite")
    indexes = {}
    for engine in ENGINES:
        started = time.perf_counter()
        index = Index.open(workdir / engine, create=True, engine=engine)
        index.add_articles(read_articles(data.articles_path))
        results["build_s"][engine] = round(time.perf_counter() - started, 1)
        indexes[engine] = index
    for word in QUERIES:
        row: dict[str, Any] = {"fts5_paragraphs": fts.paragraphs(word)}
        row["sqlite-fts5"] = {
            "timeline_ms": median_ms(lambda w=word: fts.timeline(w), repeat),
            "facets_source_ms": median_ms(lambda w=word: fts.facets(w, "source"), repeat),
            "facets_tag_ms": median_ms(lambda w=word: fts.facets(w, "tag"), repeat),
            "matching_articles": fts.timeline(word)[0],
        }
        for engine, index in indexes.items():
            timeline = index.timeline(word, interval="month")
            terms = index.terms(word, sample=1000)
            row[engine] = {
                "paragraphs": index.search(word, limit=0).total,
                "matching_articles": timeline.series[0].matching,
                "timeline_ms": median_ms(
                    lambda i=index, w=word: i.timeline(w, interval="month"), repeat
                ),
                "facets_source_ms": median_ms(
                    lambda i=index, w=word: i.facets(w, "source"), repeat
                ),
                "facets_tag_ms": median_ms(lambda i=index, w=word: i.facets(w, "tag"), repeat),
                "terms_ms": median_ms(lambda i=index, w=word: i.terms(w, sample=1000), repeat),
                "terms_sample": terms.sample,
                "top_terms": [t.form for t in terms.terms[:5]],
            }
        results["queries"][word] = row
    for index in indexes.values():
        index.close()
    fts.close()
    return results


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target checked on each query matching at least ``BIG`` paragraphs."""
    rows = []
    for word, row in results["queries"].items():
        for engine in ENGINES:
            if row[engine]["paragraphs"] < BIG:
                continue
            for measure_name in ("timeline_ms", "facets_source_ms", "facets_tag_ms"):
                ratio = row[engine][measure_name] / max(row["sqlite-fts5"][measure_name], 0.01)
                rows.append(
                    {
                        "query": word,
                        "engine": engine,
                        "measure": measure_name,
                        "ratio": round(ratio, 2),
                        "target": TARGETS[engine],
                        "met": ratio <= TARGETS[engine],
                    }
                )
            seconds = row[engine]["terms_ms"] / 1000
            rows.append(
                {
                    "query": word,
                    "engine": engine,
                    "measure": "terms_s",
                    "ratio": round(seconds, 3),
                    "target": TERMS_TARGET_S,
                    "met": seconds <= TERMS_TARGET_S,
                }
            )
    return rows


def markdown(results: dict[str, Any]) -> str:
    header = results["header"]
    lines = [
        "# Coverage analytics against SQLite FTS5",
        "",
        "Generated by `benchmarks/analytics.py` (do not edit by hand); one run, medians of "
        f"{header['repeat']} repeats after a warm-up, ms. Corpus: Reuters-21578, fraction "
        f"{header['fraction']:g} = {header['articles']:,} articles, "
        f"{header['paragraphs']:,} paragraphs.",
        "",
        f"- date: {header['machine']['date']}; {header['machine']['nproc']} CPUs "
        f"({header['machine']['cpu']}), shared and noisy: compare by ratios",
        "- build s: " + ", ".join(f"{name} {secs}" for name, secs in results["build_s"].items()),
        "",
        "| query | system | paragraphs | articles | timeline | facets source | facets tag "
        "| terms (1,000) | timeline × FTS5 | facets source × | facets tag × |",
    ]
    lines.append("|" + "---|" * 11)
    for word, row in results["queries"].items():
        fts = row["sqlite-fts5"]
        lines.append(
            f"| {word} | sqlite-fts5 | {row['fts5_paragraphs']:,} | {fts['matching_articles']:,} "
            f"| {fts['timeline_ms']} | {fts['facets_source_ms']} | {fts['facets_tag_ms']} "
            "| – | 1 | 1 | 1 |"
        )
        for engine in ENGINES:
            ours = row[engine]
            ratios = [
                f"{ours[m] / max(fts[m], 0.01):.2f}"
                for m in ("timeline_ms", "facets_source_ms", "facets_tag_ms")
            ]
            lines.append(
                f"| {word} | newsearch-{engine} | {ours['paragraphs']:,} "
                f"| {ours['matching_articles']:,} | {ours['timeline_ms']} "
                f"| {ours['facets_source_ms']} | {ours['facets_tag_ms']} | {ours['terms_ms']} "
                f"| {' | '.join(ratios)} |"
            )
    lines += ["", f"## Targets (queries matching ≥ {BIG:,} paragraphs)", ""]
    rows = [
        [
            t["query"],
            t["engine"],
            t["measure"],
            f"{t['ratio']}",
            ("≤ " if t["measure"] != "terms_s" else "< ") + f"{t['target']}",
            "MET" if t["met"] else "MISSED",
        ]
        for t in results["targets"]
    ]
    lines += table(["query", "engine", "measure", "ratio / s", "target", ""], rows)
    lines += [
        "",
        "Top significant terms (tantivy engine; whoosh gives the same): "
        + "; ".join(
            f"{word}: {', '.join(row['tantivy']['top_terms'])}"
            for word, row in results["queries"].items()
        ),
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsearch-analytics-") as tmp:
        workdir = Path(tmp)
        data = write_slice(args.corpus, workdir, args.fraction)
        results = measure(data, workdir, args.repeat)
    results["header"] = {
        "fraction": args.fraction,
        "repeat": args.repeat,
        "articles": data.articles,
        "paragraphs": data.paragraphs,
        "machine": machine(),
    }
    results["targets"] = targets(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "analytics.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "analytics.md").write_text(markdown(results))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
