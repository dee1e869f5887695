"""Web crawls: extraction + indexing throughput on a generated WARC, and where the time goes.

Usage::

    python benchmarks/web.py [--pages 2000] [--corpus ../shared/corpora/reuters21578]
        [--engines whoosh,tantivy] [--profile-pages 400] [--out benchmarks/]

Renders ``--pages`` Reuters articles as news-site pages (cookie banner, navigation,
byline, photo caption, related-stories box, comments, footer, JSON-LD on every other
page) into one ``.warc.gz`` with images and HTTP errors between them, as a crawl holds
them. Then, in one run: reads the WARC alone (warcio), extracts alone (trafilatura,
one process), and indexes it with ``Index.add_paths`` per engine with 1 and 2 extraction
workers, checking every page gave exactly its article's paragraphs; profiles a
one-process run by stage. Writes ``web.json`` and ``web.md`` into ``--out``.
"""

from __future__ import annotations

import argparse
import cProfile
import html
import io
import json
import os
import pstats
import resource
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from benchmarks import report
from benchmarks.corpus import default_corpus, select_articles
from newsearch import Article, Index
from newsearch.readers.html import parse_html
from newsearch.readers.pipeline import Page
from newsearch.readers.warc import read_warc

NAV = ["World", "Business", "Markets", "Politics", "Tech", "Sport", "Opinion", "Video"]


def render(article: dict[str, Any], n: int) -> str:
    """One Reuters article as a news page with the usual furniture around it."""
    esc = html.escape
    url = f"https://news.example/{article['id']}"
    title, paragraphs = esc(article["title"]), article["paragraphs"]
    date = article.get("date") or "1987-03-01T00:00:00"
    body = "\n".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    if len(paragraphs) > 2:  # a photo between the second and third paragraph
        split = body.index("</p>", body.index("</p>") + 4) + 4
        figure = (
            '<figure><img src="/p.jpg" alt=""><figcaption>Traders on the floor of the '
            "exchange. Reuters</figcaption></figure>"
        )
        body = body[:split] + figure + body[split:]
    ld = (
        '<script type="application/ld+json">'
        + json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": article["title"],
                "datePublished": date,
                "author": {"@type": "Person", "name": "Staff reporter"},
                "publisher": {"@type": "Organization", "name": "Reuters"},
            }
        )
        + "</script>"
        if n % 2 == 0
        else ""
    )
    nav = "".join(f'<li><a href="/{s.lower()}">{s}</a></li>' for s in NAV)
    related = "".join(
        f'<li><a href="/r/{n}-{k}">Related story number {k} on markets</a></li>' for k in range(5)
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Newswire</title><link rel="canonical" href="{url}">
<meta property="og:site_name" content="Newswire"><meta property="og:title" content="{title}">
<meta property="article:published_time" content="{date}">{ld}
<script>window.dataLayer=[];function track(e){{dataLayer.push(e)}}</script>
<style>body{{font-family:serif}} .nav li{{display:inline}}</style></head><body>
<div class="cookie-banner"><p>We use cookies to give you the best experience.</p>
<button>Accept</button></div>
<header><a href="/">Newswire</a><nav><ul class="nav">{nav}</ul></nav></header>
<main><article><h1>{title}</h1><div class="byline">By Staff reporter · {date[:10]}</div>
{body}
<aside class="related"><h3>Related stories</h3><ul>{related}</ul></aside></article>
<section class="comments"><h3>Comments</h3><div class="comment"><p>First!</p></div>
<div class="comment"><p>Interesting analysis of the figures, thanks.</p></div></section></main>
<footer><ul><li><a href="/about">About</a></li><li><a href="/privacy">Privacy</a></li>
<li><a href="/terms">Terms</a></li></ul><p>© Newswire. All rights reserved.</p></footer>
</body></html>"""


def build_warc(corpus: Path, path: Path, pages: int) -> list[dict[str, Any]]:
    """Write the WARC; return the articles it holds pages of, in order."""
    articles = list(select_articles(corpus, limit=pages))
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)

        def write(url: str, status: str, kind: str, payload: bytes) -> None:
            http = StatusAndHeaders(status, [("Content-Type", kind)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(payload), http_headers=http
                )
            )

        for n, article in enumerate(articles):
            page = render(article, n).encode()
            write(f"https://news.example/{article['id']}?src=rss", "200 OK", "text/html", page)
            if n % 10 == 0:
                write(f"https://news.example/i/{n}.jpg", "200 OK", "image/jpeg", b"\xff\xd8" * 500)
            if n % 25 == 0:
                write(f"https://news.example/gone/{n}", "404 Not Found", "text/html", b"gone")
    return articles


def pages_of(path: Path) -> Iterator[Page]:
    for item in read_warc(path):
        if isinstance(item, Page):
            yield item


class Timer:
    """Wall and CPU seconds of this process (CPU time is what a loaded machine spares)."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def time_scan(path: Path) -> dict[str, Any]:
    with Timer() as timer:
        count = sum(1 for _ in read_warc(path))
    return {
        "seconds": timer.wall,
        "cpu": timer.cpu,
        "items": count,
        "items_per_s": count / timer.cpu,
    }


def time_extract(path: Path, articles: list[dict[str, Any]]) -> dict[str, Any]:
    """Extraction alone, one process; and how many pages gave exactly their paragraphs."""
    pages = list(pages_of(path))
    for page in pages[:20]:  # warm up: lazy imports and caches, as an indexing run has
        parse_html(page.data, page.where, url=page.url, date=page.date)
    with Timer() as timer:
        parsed = [parse_html(p.data, p.where, url=p.url, date=p.date) for p in pages]
    exact = sum(
        1
        for item, article in zip(parsed, articles, strict=True)
        if item.article is not None
        and [p for p in (item.article.standfirst, *item.article.body) if p]
        == expected_paragraphs(article)
    )
    return {
        "seconds": timer.wall,
        "cpu": timer.cpu,
        "pages": len(pages),
        "pages_per_s": len(pages) / timer.cpu,
        "exact_paragraphs": exact,
        "articles": [item.article for item in parsed if item.article is not None],
    }


def time_index_alone(articles: list[Article], engine: str, workdir: Path) -> dict[str, Any]:
    """Indexing already extracted articles: paragraphs, analysis and the engine."""
    target = workdir / f"alone-{engine}"
    with Index.open(target, create=True, engine=engine, rebuild=True) as ix, Timer() as timer:
        ix.add_articles(articles)
    return {
        "engine": engine,
        "seconds": timer.wall,
        "cpu": timer.cpu,
        "pages_per_s": len(articles) / timer.cpu,
    }


def expected_paragraphs(article: dict[str, Any]) -> list[str]:
    body = list(article["paragraphs"])
    if len(body) > 2:
        body.insert(2, "Traders on the floor of the exchange. Reuters")
    return [" ".join(p.split()) for p in body]


def time_index(path: Path, engine: str, workers: int, workdir: Path) -> dict[str, Any]:
    """One whole run: ``newsearch index`` on the WARC into a new index."""
    target = workdir / f"index-{engine}-{workers}"
    load = os.getloadavg()[0]
    before = _children_cpu()
    with Index.open(target, create=True, engine=engine, rebuild=True) as index, Timer() as timer:
        done = index.add_paths([path], workers=workers)
    workers_cpu = _children_cpu() - before  # the pool has joined its workers by now
    articles = done.added + done.replaced
    return {
        "engine": engine,
        "workers": workers,
        "seconds": timer.wall,
        "parent_cpu": timer.cpu,
        "workers_cpu": workers_cpu,
        # What the CPU seconds allow on an idle machine with a core per process.
        "idle_estimate_s": max(timer.cpu, (timer.cpu + workers_cpu) / (os.cpu_count() or 1)),
        "load_before": load,
        "articles": articles,
        "paragraphs": done.paragraphs,
        "skipped": {s.reason: s.count for s in done.skipped},
        "pages_per_s": articles / timer.wall,
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def whole_runs(
    path: Path, engines: list[str], workers: list[int], repeats: int, workdir: Path
) -> list[dict[str, Any]]:
    """Every engine × workers run, ``repeats`` rounds taken in turn (so load changes hit
    every configuration alike); each configuration's median run by wall time."""
    runs: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for _ in range(repeats):
        for engine in engines:
            for count in workers:
                runs.setdefault((engine, count), []).append(
                    time_index(path, engine, count, workdir)
                )
    medians = []
    for found in runs.values():
        found.sort(key=lambda r: r["seconds"])
        median = dict(found[len(found) // 2])
        median["all_seconds"] = [round(r["seconds"], 2) for r in found]
        medians.append(median)
    return medians


# Parts of extraction, by the function that does each (cumulative time under cProfile).
STAGES = {
    "parse HTML (trafilatura load_html, lxml)": ("utils.py", "load_html"),
    "our page facts, captions, link lists": ("html.py", "_page_facts"),
    "trafilatura bare_extraction": ("core.py", "bare_extraction"),
    "  of which metadata (extract_metadata)": ("metadata.py", "extract_metadata"),
    "  of which main text (extract_content)": ("main_extractor.py", "extract_content"),
    "  of which fallback comparison (readability, jusText)": ("external.py", "compare_extraction"),
    "our paragraphs from trafilatura's XML": ("html.py", "_paragraphs"),
}


def profile(path: Path, limit: int) -> dict[str, Any]:
    """Where extraction's time goes: cProfile over ``limit`` pages."""
    pages = list(pages_of(path))[:limit]
    profiler = cProfile.Profile()
    for page in pages:
        profiler.runcall(parse_html, page.data, page.where, url=page.url, date=page.date)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(v[3] for (f, _, fn), v in stats.items() if fn == "parse_html")
    stages = {}
    for name, (filename, function) in STAGES.items():
        seconds = sum(
            v[3] for (f, _, fn), v in stats.items() if f.endswith(filename) and fn == function
        )
        stages[name] = {"seconds": seconds, "share": seconds / total if total else 0.0}
    return {"pages": len(pages), "profiled_seconds": total, "stages": stages}


def markdown(results: dict[str, Any]) -> str:
    """The results as the Markdown page ``web.md``."""
    m = results["machine"]
    scan, extract = results["scan"], results["extract"]
    one = {r["engine"]: r["pages_per_s"] for r in results["index"] if r["workers"] == 1}
    rows = [
        [
            r["engine"],
            str(r["workers"]),
            f"{r['articles']:,}",
            f"{r['paragraphs']:,}",
            f"{r['seconds']:.1f} ({', '.join(f'{x:.1f}' for x in r['all_seconds'])})",
            f"{r['pages_per_s']:.1f}",
            f"{r['pages_per_s'] / one[r['engine']]:.2f}" if r["engine"] in one else "–",
            f"{r['load_before']:.1f}",
            f"{r['parent_cpu']:.1f} + {r['workers_cpu']:.1f}",
            f"{r['idle_estimate_s']:.1f}",
        ]
        for r in results["index"]
    ]
    split_rows = []
    for alone in results["index_alone"]:
        run = next(
            r for r in results["index"] if r["engine"] == alone["engine"] and r["workers"] == 1
        )
        parts = {
            "read the WARC": scan["cpu"],
            "extract": extract["cpu"],
            "index": alone["cpu"],
        }
        total = sum(parts.values())
        shares = [f"{v:.1f} s ({100 * v / total:.0f}%)" for v in parts.values()]
        split_rows.append(
            [alone["engine"], *shares, f"{total:.1f} s", f"{run['parent_cpu']:.1f} s"]
        )
    prof = results["profile"]
    stage_rows = [
        [name, f"{s['seconds']:.2f}", f"{100 * s['share']:.0f}%"]
        for name, s in prof["stages"].items()
    ]
    skipped = ", ".join(f"{n:,} {why}" for why, n in results["index"][0]["skipped"].items())
    lines = [
        "# Web crawl benchmark",
        "",
        "Generated by `benchmarks/web.py`; every figure is from one run (do not edit by hand).",
        "",
        f"- date: {m['date']}; machine: {m['nproc']} CPUs ({m['cpu']}), shared with other "
        "jobs and noisy: compare rows by their ratios",
        f"- trafilatura {results['versions']['trafilatura']}, warcio "
        f"{results['versions']['warcio']}, lxml {results['versions']['lxml']}, newsearch "
        f"source sha1 {m['packages']['newsearch source sha1']}",
        f"- input: {results['pages']:,} Reuters-21578 articles rendered as news pages "
        "(cookie banner, navigation, byline, photo caption, related stories, comments, "
        "footer; JSON-LD on every other page) in one .warc.gz of "
        f"{results['warc_bytes'] / 1e6:.1f} MB, with images and HTTP 404s between them "
        f"({scan['items']:,} records)",
        "",
        "## Extraction + indexing (`Index.add_paths` on the WARC)",
        "",
        f"Wall time, median of {len(results['index'][0]['all_seconds'])} runs taken in "
        "turn; load average (1 min) before the median run: on 2 cores, a second worker can "
        "only help when the machine has a core to spare. The CPU seconds of the indexing "
        "process and of its workers give what the run needs on an idle machine with a core "
        "per process: the larger of the indexer's CPU time and the total CPU time spread "
        "over the cores.",
        "",
        *report.table(
            [
                "engine",
                "workers",
                "articles",
                "paragraphs",
                "median s (all runs)",
                "pages/s",
                "× 1 worker",
                "load avg",
                "CPU s: indexer + workers",
                "idle 2-core estimate s",
            ],
            rows,
        ),
        "",
        f"- every run skipped {skipped}",
        f"- extraction quality: {extract['exact_paragraphs']:,} of {extract['pages']:,} pages "
        "gave exactly their article's paragraphs (photo caption included, furniture gone)",
        "",
        "## Where the time goes",
        "",
        "CPU seconds of each step run alone in one process (CPU time, unlike wall time, "
        "does not grow with the other jobs on the machine): reading the WARC "
        f"({scan['items_per_s']:,.0f} records per CPU second), extraction "
        f"({extract['pages_per_s']:.1f} pages per CPU second), indexing the extracted "
        "articles (paragraphs, analysis, engine); last column: the CPU seconds of a whole "
        "one-process run.",
        "",
        *report.table(
            ["engine", "read the WARC", "extract", "index", "sum", "whole run (1 worker)"],
            split_rows,
        ),
        "",
        f"Inside extraction (cProfile over {prof['pages']:,} pages, "
        f"{prof['profiled_seconds']:.1f} s profiled; cumulative time of the function that "
        "does each part):",
        "",
        *report.table(["part", "seconds", "share"], stage_rows),
        "",
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--profile-pages", type=int, default=400)
    parser.add_argument("--engines", default="whoosh,tantivy")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of whole runs")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from importlib import metadata

    with tempfile.TemporaryDirectory(prefix="newsearch-web-") as tmp:
        workdir = Path(tmp)
        warc = workdir / "crawl.warc.gz"
        articles = build_warc(args.corpus, warc, args.pages)
        results: dict[str, Any] = {
            "machine": report.machine(),
            "versions": {p: metadata.version(p) for p in ("trafilatura", "warcio", "lxml")},
            "pages": len(articles),
            "warc_bytes": warc.stat().st_size,
            "profile_pages": args.profile_pages,
        }
        results["scan"] = time_scan(warc)
        results["extract"] = time_extract(warc, articles)
        results["index"] = whole_runs(
            warc,
            args.engines.split(","),
            [int(w) for w in args.workers.split(",")],
            args.repeats,
            workdir,
        )
        articles_read = results["extract"].pop("articles")
        results["index_alone"] = [
            time_index_alone(articles_read, engine, workdir) for engine in args.engines.split(",")
        ]
        results["profile"] = profile(warc, args.profile_pages)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "web.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (args.out / "web.md").write_text(markdown(results))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
