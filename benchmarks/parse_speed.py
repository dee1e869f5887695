"""Query parsing speed on very long queries: newsearch's parser against whoosh's own
``QueryParser`` on the same strings, in one run (ratios, not absolute times, count).

The queries are 10,000 words joined by spaces, by ``OR``, and as 10,000 negations: the
sizes a pasted document or a generated query reaches. Run::

    .venv/bin/python -m benchmarks.parse_speed

It writes ``benchmarks/parse_speed.md``. (Timing used to be asserted in the test suite;
on a shared machine that made the suite fail when it was busy.)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from whoosh.fields import TEXT, Schema
from whoosh.qparser import QueryParser

from newsearch.query import parse

WORDS = [f"word{i}" for i in range(10_000)]
QUERIES = {
    "10,000 words": " ".join(WORDS),
    "10,000 OR-ed words": " OR ".join(WORDS),
    "10,000 negations": " ".join(f"-{w}" for w in WORDS),
}
REPEATS = 5
RESULTS = Path(__file__).with_name("parse_speed.md")


def best_of(run: Callable[[], object]) -> float:
    """Median seconds of ``REPEATS`` runs."""
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    whoosh_parser = QueryParser("text", Schema(text=TEXT()))
    rows = ["| query | newsearch (ms) | whoosh QueryParser (ms) | ratio |", "|---|---|---|---|"]
    for name, query in QUERIES.items():
        ours = best_of(lambda q=query: parse(q))
        theirs = best_of(lambda q=query: whoosh_parser.parse(q))
        rows.append(f"| {name} | {ours * 1000:.0f} | {theirs * 1000:.0f} | {ours / theirs:.2f} |")
    text = "# Query parsing speed\n\nMedian of 5 runs, one process; ratio = newsearch / whoosh.\n\n"
    RESULTS.write_text(text + "\n".join(rows) + "\n", encoding="utf-8")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
