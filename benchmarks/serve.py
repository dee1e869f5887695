"""The HTTP server under load, beside the same searches through the library in-process.

Usage::

    python benchmarks/serve.py [--corpus ../shared/corpora/reuters21578] [--fraction 1.0]
        [--queries 200] [--requests 600] [--clients 1,4,16] [--engines whoosh,tantivy]
        [--out benchmarks/]

For each engine: index the Reuters slice, then run the same top-10 searches with
snippets (a) through ``Index.search`` in this process and (b) as ``GET /api/search``
against ``newsearch serve`` in its own process, with 1, 4 and 16 concurrent clients
(threads, one keep-alive connection each, localhost only). Writes ``serve.md`` and
``serve.json`` into ``--out``. The full corpus takes about 5 minutes here.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import default_corpus, read_articles, read_jsonl, write_slice
from benchmarks.measure import percentile
from benchmarks.queries import make_queries
from benchmarks.report import machine
from newsearch import Index

LIMIT = 10
WARMUP = 20
P95_TARGET_MS = 10.0  # tantivy engine, 4 clients
OVERHEAD_TARGET_MS = 2.0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--fraction", type=float, default=1.0, help="share of articles")
    parser.add_argument("--queries", type=int, default=200, help="distinct queries")
    parser.add_argument("--requests", type=int, default=600, help="timed requests per run")
    parser.add_argument("--clients", default="1,4,16", help="comma-separated client counts")
    parser.add_argument("--engines", default="whoosh,tantivy", help="comma-separated")
    parser.add_argument("--seed", type=int, default=1987)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    return parser.parse_args(argv)


def run_clients(
    clients: int,
    queries: Sequence[str],
    requests: int,
    make_call: Callable[[], Callable[[str], Any]],
) -> dict[str, Any]:
    """``requests`` calls spread over ``clients`` threads; latencies and throughput."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    start_together = threading.Barrier(clients + 1)

    def client(number: int) -> None:
        call = make_call()
        mine = [queries[i % len(queries)] for i in range(number, requests, clients)]
        start_together.wait()
        for query in mine:
            started = time.perf_counter()
            call(query)
            latencies[number].append(time.perf_counter() - started)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    start_together.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    every = [x * 1000 for per_client in latencies for x in per_client]
    return {
        "clients": clients,
        "requests": len(every),
        "per_second": round(len(every) / wall, 1),
        "p50_ms": round(percentile(every, 50), 3),
        "p95_ms": round(percentile(every, 95), 3),
        "mean_ms": round(statistics.fmean(every), 3),
        "latencies_ms": every if clients == 1 else None,
    }


def library_caller(index: Index) -> Callable[[], Callable[[str], Any]]:
    return lambda: lambda query: index.search(query, limit=LIMIT)


def http_caller(url: str) -> Callable[[], Callable[[str], Any]]:
    parts = urlsplit(url)

    def make() -> Callable[[str], Any]:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)

        def call(query: str) -> Any:
            connection.request("GET", "/api/search?" + urlencode({"q": query, "limit": LIMIT}))
            answer = connection.getresponse()
            body = answer.read()
            if answer.status != 200:
                raise RuntimeError(f"{answer.status} for {query!r}: {body[:200]!r}")
            return body

        return call

    return make


def start_server(index_dir: Path) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "newsearch", "serve", "--index", str(index_dir)]
    proc = subprocess.Popen(
        [*command, "--port", "0", "--time-limit", "120"], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if " at http://" not in line:
        proc.kill()
        raise RuntimeError(f"the server did not start: {line!r}")
    return proc, line.split(" at ", 1)[1].split()[0]


def measure_engine(
    engine: str, articles: Path, workdir: Path, queries: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    index_dir = workdir / f"index-{engine}"
    started = time.perf_counter()
    with Index.open(index_dir, create=True, engine=engine, rebuild=True) as index:
        index.add_articles(read_articles(articles))
    built = time.perf_counter() - started
    counts = [int(c) for c in args.clients.split(",")]
    result: dict[str, Any] = {"engine": engine, "index_seconds": round(built, 1), "runs": []}
    with Index.open(index_dir) as index:
        for query in queries[:WARMUP]:
            index.search(query, limit=LIMIT)
        library = [run_clients(c, queries, args.requests, library_caller(index)) for c in counts]
    proc, url = start_server(index_dir)
    try:
        warm = http_caller(url)()
        for query in queries[:WARMUP]:
            warm(query)
        served = [run_clients(c, queries, args.requests, http_caller(url)) for c in counts]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    for lib, web in zip(library, served, strict=True):
        # The same queries in the same order with one client: the per-request difference.
        extra = None
        if lib["latencies_ms"] and web["latencies_ms"]:
            pairs = zip(web["latencies_ms"], lib["latencies_ms"], strict=True)
            extra = round(statistics.median(w - x for w, x in pairs), 3)
        lib.pop("latencies_ms")
        web.pop("latencies_ms")
        result["runs"].append(
            {
                "clients": lib["clients"],
                "library": lib,
                "http": web,
                "p50_ratio": round(web["p50_ms"] / lib["p50_ms"], 2),
                "overhead_ms": extra,
            }
        )
    return result


def render(report: dict[str, Any]) -> str:
    """The Markdown page."""
    lines = [
        "# `newsearch serve` under load",
        "",
        "Generated by `benchmarks/serve.py`; every figure is as measured in one run. "
        "Top-10 searches with snippets, the same queries through `Index.search` in-process "
        "(library) and as `GET /api/search` against `newsearch serve` (HTTP), clients are "
        "threads with one keep-alive connection each, on the same machine.",
        "",
        f"- date: {report['date']}; machine: {report['machine']['nproc']} CPUs, "
        f"{report['machine']['os']}, Python {report['machine']['python']}; shared and "
        "noisy, so read the ratios" + _load_text(report),
        f"- corpus: Reuters-21578, fraction {report['fraction']:g} = "
        f"{report['articles']:,} articles, {report['paragraphs']:,} paragraphs",
        f"- {report['queries']} distinct queries (term, and, phrase, date; seed "
        f"{report['seed']}), {report['requests']} timed requests per run after "
        f"{WARMUP} warm-up ones",
        "",
        "| engine | clients | library req/s | library p50 ms | library p95 ms | HTTP req/s "
        "| HTTP p50 ms | HTTP p95 ms | HTTP/library p50 | overhead ms/request |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for engine in report["engines"]:
        for run in engine["runs"]:
            lib, web = run["library"], run["http"]
            overhead = "" if run["overhead_ms"] is None else f"{run['overhead_ms']:.2f}"
            lines.append(
                f"| {engine['engine']} | {run['clients']} | {lib['per_second']:,.0f} "
                f"| {lib['p50_ms']:.2f} | {lib['p95_ms']:.2f} | {web['per_second']:,.0f} "
                f"| {web['p50_ms']:.2f} | {web['p95_ms']:.2f} | {run['p50_ratio']:.2f} "
                f"| {overhead} |"
            )
    lines += ["", "## Targets", "", "| measure | target | measured | |", "|---|---|---|---|"]
    for target in report["targets"]:
        verdict = "MET" if target["met"] else "MISSED"
        lines.append(
            f"| {target['measure']} | {target['target']} | {target['value']:.2f} | {verdict} |"
        )
    lines += [
        "",
        "The overhead is the median, over the same queries in the same order, of (HTTP "
        "latency − library latency) with one client: request parsing, the thread hop, "
        "JSON encoding and the loopback round trip. With several clients the latency "
        "includes waiting: two cores serve the server, the clients and the search threads "
        "(the client threads share one Python process).",
        "",
    ]
    return "\n".join(lines)


def _load_text(report: dict[str, Any]) -> str:
    load = report.get("load_average_1min")
    if not load:
        return ""
    return f"; 1-minute load average {load['start']:g} at the start, {load['end']:g} at the end"


def targets(engines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for engine in engines:
        if engine["engine"] != "tantivy":
            continue
        for run in engine["runs"]:
            if run["clients"] == 4:
                p95 = run["http"]["p95_ms"]
                found.append(
                    {
                        "measure": "tantivy, 4 clients, HTTP p95 ms",
                        "target": f"< {P95_TARGET_MS:g} ms",
                        "value": p95,
                        "met": p95 < P95_TARGET_MS,
                    }
                )
            if run["clients"] == 1 and run["overhead_ms"] is not None:
                found.append(
                    {
                        "measure": "tantivy, HTTP overhead ms per request",
                        "target": f"< {OVERHEAD_TARGET_MS:g} ms",
                        "value": run["overhead_ms"],
                        "met": run["overhead_ms"] < OVERHEAD_TARGET_MS,
                    }
                )
    return found


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and write its two files."""
    args = parse_args(argv)
    load_at_start = round(os.getloadavg()[0], 2)
    with tempfile.TemporaryDirectory(prefix="newsearch-serve-") as tmp:
        workdir = Path(tmp)
        data = write_slice(args.corpus, workdir, args.fraction)
        paragraphs = list(read_jsonl(data.paragraphs_path))
        queries = [q.label() for q in make_queries(paragraphs, args.queries, seed=args.seed)]
        engines = []
        for engine in args.engines.split(","):
            print(f"serve benchmark: {engine}…", file=sys.stderr)
            engines.append(measure_engine(engine, data.articles_path, workdir, queries, args))
    report = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        # Other processes on a shared machine move latencies: say how busy it was.
        "load_average_1min": {"start": load_at_start, "end": round(os.getloadavg()[0], 2)},
        "machine": machine(),
        "fraction": args.fraction,
        "articles": data.articles,
        "paragraphs": data.paragraphs,
        "queries": len(queries),
        "requests": args.requests,
        "seed": args.seed,
        "engines": engines,
        "targets": targets(engines),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "serve.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "serve.md").write_text(render(report))
    print(render(report))


if __name__ == "__main__":
    main()
