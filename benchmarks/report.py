"""Writing the results: ``results.json`` (everything) and ``RESULTS.md`` (tables).

Figures are copied from the measurements as they are; the MET / MISSED verdicts are
computed here from the targets of the "Benchmarks" issue. Query latencies are medians
over interleaved passes (``benchmarks.latency``), shown with the passes' range; the
indexing figures of the systems built in rounds (``benchmarks.builds``) are medians over
their rounds, paragraphs/s shown with the rounds' range. A ``results.json`` written
before passes or rounds were kept (no ``latency.passes``, no ``build.rounds``) still
renders, as one pass and one build per system, without ranges.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sqlite3
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import builds, speed_targets
from benchmarks.latency import spread

NEWSEARCH = "newsearch"
BASELINE = "whoosh-2proc"
OTHER_WHOOSH = "whoosh-1proc"
FLAT_RSS_FACTOR = 1.25
PACKAGES = ("newsearch", "whoosh-reloaded", "tantivy", "psutil", "nltk")
MB = 1024 * 1024


def source_digest() -> str:
    """A short digest of newsearch's source files: which code was measured (no commits)."""
    import newsearch

    root = Path(newsearch.__file__).parent
    digest = hashlib.sha1()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def machine() -> dict[str, Any]:
    """nproc, RAM, CPU model, OS, Python and package versions."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    versions["sqlite"] = sqlite3.sqlite_version
    versions["newsearch source sha1"] = source_digest()
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(ram / 1024**3, 1),
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": versions,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def headline_row(name: str, result: dict[str, Any]) -> list[str]:
    """One row of the headline table."""
    if "error" in result or "skipped" in result:
        reason = result.get("skipped") or "failed (see results.json)"
        return [name, *["–"] * 10, reason]
    build, latency, rel = result["build"], result["latency"], result.get("relevance", {})
    return [
        name,
        build_cell(build, "paragraphs_per_s"),
        _fmt(build["seconds"], 2),
        _fmt(build["size_bytes"] / MB, 1),
        _fmt(build["peak_rss_bytes"] / MB, 0),
        _fmt(result["open_ms"], 1),
        latency_cell(latency, "p50"),
        latency_cell(latency, "p95"),
        _fmt(latency["p99"], 2),
        _fmt(rel.get("map"), 3),
        _fmt(rel.get("p10"), 3),
        "",
    ]


def latency_cell(latency: dict[str, Any], figure: str) -> str:
    """A latency figure (the median over passes) and, beside it, the passes' range."""
    text = _fmt(latency[figure], 2)
    lowest_highest = spread(latency, figure)
    if lowest_highest:
        text += f" ({lowest_highest[0]:.2f}–{lowest_highest[1]:.2f})"
    return text


def build_cell(build: dict[str, Any], figure: str) -> str:
    """A build figure (the median over rounds, if built in rounds) and the rounds' range."""
    text = _fmt(build[figure], 0)
    lowest_highest = spread(build, figure, key="rounds")
    if lowest_highest:
        text += f" ({lowest_highest[0]:,.0f}–{lowest_highest[1]:,.0f})"
    return text


def passes_text(queries: dict[str, Any]) -> str:
    """How the latencies were timed, for the header of RESULTS.md."""
    passes, slow = queries.get("passes"), queries.get("slow_passes")
    if not passes:  # results.json from before passes were interleaved
        return "timed in one pass per system"
    text = f"timed in {passes} interleaved passes"
    if slow and slow < passes:
        text += f" ({slow} for a system whose first pass took over {queries['slow_pass_s']:g} s)"
    return text + "; latencies are medians over passes (lowest–highest pass)"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


_value = speed_targets.value


def rss_growth(results: dict[str, Any], system: str) -> float | None:
    """Peak RSS at the largest scaling size over the smallest, or None."""
    points = results.get("scaling", {}).get(system) or []
    if len(points) < 2:
        return None
    return points[-1]["peak_rss_bytes"] / points[0]["peak_rss_bytes"]


TARGETS = (
    # measure, path in a system's results, target text, comparison, limit
    ("indexing throughput", ("build", "paragraphs_per_s"), "≥ 1.0× whoosh-2proc", ">=", 1.0),
    ("query p50", ("latency", "p50"), "≤ 1.2× whoosh", "<=", 1.2),
    ("query p95", ("latency", "p95"), "≤ 1.2× whoosh", "<=", 1.2),
    ("index size MB", ("build", "size_mb"), "≤ 1.2× whoosh", "<=", 1.2),
    ("MAP", ("relevance", "map"), "≥ 1.0× whoosh", ">=", 1.0),
)


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with newsearch's figure, the baseline's, the ratio and the verdict."""
    rows = []
    for measure, path, text, comparison, limit in TARGETS:
        mine = _value(results, NEWSEARCH, path)
        base = _value(results, BASELINE, path)
        other = _value(results, OTHER_WHOOSH, path)
        ratio = mine / base if mine is not None and base else None
        verdict = "not measured"
        if ratio is not None:
            met = ratio >= limit if comparison == ">=" else ratio <= limit
            verdict = "MET" if met else "MISSED"
        rows.append(
            {
                "measure": measure,
                "target": text,
                "newsearch": mine,
                BASELINE: base,
                "ratio": ratio,
                "ratio_vs_" + OTHER_WHOOSH: mine / other if mine is not None and other else None,
                "verdict": verdict,
            }
        )
    growth = rss_growth(results, NEWSEARCH)
    flat = None if growth is None else growth <= FLAT_RSS_FACTOR
    rows.append(
        {
            "measure": "peak RSS vs corpus size",
            "target": f"flat: largest/smallest size ≤ {FLAT_RSS_FACTOR}×",
            "newsearch": growth,
            BASELINE: rss_growth(results, BASELINE),
            "ratio": growth,
            "ratio_vs_" + OTHER_WHOOSH: None,
            "verdict": "not measured" if flat is None else ("MET" if flat else "MISSED"),
        }
    )
    return rows


NEWSEARCH_TANTIVY = "newsearch-tantivy"
ENGINE_TARGETS = (
    # measure, path, target text, system compared with, comparison, limit
    ("indexing throughput", ("build", "paragraphs_per_s"), "≥ 10× newsearch", NEWSEARCH, ">=", 10),
    ("query p95", ("latency", "p95"), "≤ 0.1× newsearch", NEWSEARCH, "<=", 0.1),
    (
        "indexing throughput",
        ("build", "paragraphs_per_s"),
        "stretch: > sqlite-fts5",
        "sqlite-fts5",
        ">",
        1,
    ),
    ("query p95", ("latency", "p95"), "stretch: < sqlite-fts5", "sqlite-fts5", "<", 1),
)


def engine_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The tantivy engine's targets: newsearch-tantivy against newsearch (whoosh)."""
    rows = []
    for measure, path, text, other, comparison, limit in ENGINE_TARGETS:
        mine = _value(results, NEWSEARCH_TANTIVY, path)
        base = _value(results, other, path)
        ratio = mine / base if mine is not None and base else None
        verdict = "not measured"
        if ratio is not None:
            met = {">=": ratio >= limit, "<=": ratio <= limit, ">": ratio > limit}.get(
                comparison, ratio < limit
            )
            verdict = "MET" if met else "MISSED"
        rows.append(
            {
                "measure": measure,
                "target": text,
                "mine": mine,
                "other": base,
                "ratio": ratio,
                "verdict": verdict,
            }
        )
    return rows


def _engine_target_lines(results: dict[str, Any]) -> list[str]:
    rows = [
        [
            t["measure"],
            t["target"],
            _fmt(t["mine"], 2),
            _fmt(t["other"], 2),
            _fmt(t["ratio"], 2),
            t["verdict"],
        ]
        for t in engine_targets(results)
    ]
    return table(["measure", "target", NEWSEARCH_TANTIVY, "compared with", "ratio", ""], rows)


def _scaling_lines(results: dict[str, Any]) -> list[str]:
    scaling = results.get("scaling") or {}
    if not scaling:
        return ["Scaling was not run (use `--scaling`, on by default at `--fraction 1.0`)."]
    rows = []
    for system, points in scaling.items():
        base = points[0]
        for point in points:
            rows.append(
                [
                    system,
                    f"{point['fraction']:.0%}",
                    _fmt(point["paragraphs"]),
                    _fmt(point["seconds"], 2),
                    _fmt(point["seconds"] / base["seconds"], 2),
                    _fmt(point["paragraphs_per_s"], 0),
                    _fmt(point["p95"], 2),
                    _fmt(point["p95"] / base["p95"], 2),
                    _fmt(point["peak_rss_bytes"] / MB, 0),
                ]
            )
    header = ["system", "corpus", "paragraphs", "index s", "× smallest", "paragraphs/s"]
    header += ["p95 ms", "× smallest", "peak RSS MB"]
    note = results.get("scaling_note")
    return table(header, rows) + (["", note] if note else [])


def _kind_lines(results: dict[str, Any]) -> list[str]:
    rows = []
    for name, result in results["systems"].items():
        if "latency" not in result:
            continue
        by_kind = result["latency"]["by_kind"]
        cells = [f"{v['p50']:.2f} / {v['p95']:.2f}" for v in by_kind.values()]
        hits = result["hits"]
        rows.append([name, *cells, f"{hits['mean']:.2f}", f"{hits['with_hits']:.0%}"])
    kinds = next(
        iter(r["latency"]["by_kind"] for r in results["systems"].values() if "latency" in r), {}
    )
    header = ["system", *[f"{k} p50 / p95 ms" for k in kinds], "hits/query", "queries with hits"]
    return table(header, rows)


def markdown(results: dict[str, Any]) -> str:
    """RESULTS.md text."""
    info, corpus = results["machine"], results["corpus"]
    header = ["system", "paragraphs/s (range)", "index time s", "index size MB", "peak RSS MB"]
    header += ["open ms", "p50 ms (range)", "p95 ms (range)", "p99 ms", "MAP", "P@10", "note"]
    rows = [headline_row(name, r) for name, r in results["systems"].items()]
    target_rows = [
        [
            t["measure"],
            t["target"],
            _fmt(t["newsearch"], 2),
            _fmt(t[BASELINE], 2),
            _fmt(t["ratio"], 2),
            _fmt(t["ratio_vs_" + OTHER_WHOOSH], 2),
            t["verdict"],
        ]
        for t in results["targets"]
    ]
    packages = ", ".join(f"{k} {v}" for k, v in info["packages"].items() if v)
    lines = [
        "# Benchmark results",
        "",
        "Generated by `benchmarks/run.py`; every figure is as measured in one run "
        "(do not edit by hand). Corpus: Reuters-21578, Distribution 1.0 (research use "
        "only; read from its own folder at run time).",
        "",
        f"- date: {info['date']}; total wall time {results['wall_seconds']:.0f} s",
        f"- machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gb']} GB RAM, "
        f"{info['os']}; shared and noisy, so compare systems by their ratios",
        f"- Python {info['python']}; {packages}",
        f"- corpus: fraction {corpus['fraction']:g} = {corpus['articles']:,} articles, "
        f"{corpus['paragraphs']:,} paragraphs ({corpus['paragraph_source']})",
        f"- queries: {results['queries']['count']} (seed {results['queries']['seed']}; "
        f"kinds {', '.join(results['queries']['kinds'])}), top 10 with snippets, after "
        f"{results['queries']['warmup']} warm-up queries, {passes_text(results['queries'])}; "
        f"relevance: "
        f"{results['relevance']['topics']} topics with ≥ "
        f"{results['relevance']['min_articles']} articles, top 1000 paragraphs",
        f"- indexing: {builds.rounds_text(results)}",
        "",
        "## Headline",
        "",
        *table(header, rows),
        "",
        "## Targets (newsearch against whoosh-2proc)",
        "",
        *table(
            ["measure", "target", "newsearch", BASELINE, "ratio", "ratio vs whoosh-1proc", ""],
            target_rows,
        ),
        "",
        "## Targets of the tantivy engine (newsearch-tantivy)",
        "",
        *_engine_target_lines(results),
        "",
        *speed_targets.markdown_lines(results),
        "",
        "## Latency by query kind, and hit counts",
        "",
        *_kind_lines(results),
        "",
        "## Scaling",
        "",
        *_scaling_lines(results),
        "",
        "## Why targets were missed (profiled)",
        "",
        (Path(__file__).parent / "causes.md").read_text(encoding="utf-8").strip(),
        "",
        # Each issue's own results, with their own heading (benchmarks/sections/*.md).
        *[
            section.read_text(encoding="utf-8").strip() + "\n"
            for section in sorted((Path(__file__).parent / "sections").glob("*.md"))
        ],
        "## Notes",
        "",
        *[f"- {note}" for note in results.get("notes", [])],
        "",
    ]
    return "\n".join(lines)


def _own_sections(old: str, new: str) -> str:
    """The sections of an earlier RESULTS.md that the generator does not write: other
    benchmarks' own sections, kept as they are."""
    generated = {line for line in new.splitlines() if line.startswith("## ")}
    kept: list[str] = []
    keep = False
    for line in old.splitlines():
        if line.startswith("## "):
            keep = line not in generated
        if keep:
            kept.append(line)
    return "\n".join(kept).strip()


def write(results: dict[str, Any], out: Path) -> tuple[Path, Path]:
    """Write ``results.json`` and ``RESULTS.md`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / "results.json", out / "RESULTS.md"
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    text = markdown(results)
    if md_path.exists():
        kept = _own_sections(md_path.read_text(encoding="utf-8"), text)
        text = text + "\n" + kept + "\n" if kept else text
    md_path.write_text(text)
    return json_path, md_path
