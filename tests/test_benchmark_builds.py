"""Indexing throughput over builds in rounds, each target's two systems alternating:
the order of the builds, the medians, and the targets and tables that read them
(benchmarks/builds.py).

The builds here are stand-ins answering fixed seconds, so every figure is exact; real
builds in rounds run in test_benchmark_harness.py's quick run.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import builds, report, speed_targets  # noqa: E402
from benchmarks.corpus import Slice  # noqa: E402

PARAGRAPHS = 1200
# Seconds of the stand-in builds after the run's own (binary fractions: exact figures).
ENGINE_SECONDS = [0.25, 0.125, 0.0625, 0.1875]
RAW_SECONDS = [0.125, 0.015625, 0.0625, 0.046875]


class StandInBuilds:
    """Builds answering each system's next seconds from its list (peak RSS: 100 MB + n)."""

    def __init__(self, seconds: dict[str, list[float]]) -> None:
        self.seconds: dict[str, Iterator[float]] = {n: iter(s) for n, s in seconds.items()}
        self.calls: list[str] = []
        self.folders: list[Path] = []

    def __call__(self, name: str, data: Slice, index_dir: Path) -> dict[str, Any]:
        assert not index_dir.exists()
        index_dir.mkdir(parents=True)
        (index_dir / "segment").write_text("postings")
        self.calls.append(name)
        self.folders.append(index_dir)
        seconds = next(self.seconds[name], None)
        if seconds is None:
            raise RuntimeError("Traceback ...\nOSError: no space left on device")
        return one_build(seconds, peak_mb=100 + len(self.calls))


def one_build(seconds: float, peak_mb: int = 100, size_mb: float = 20.0) -> dict[str, Any]:
    return {
        "seconds": seconds,
        "paragraphs": PARAGRAPHS,
        "baseline_rss_bytes": 30 * 2**20,
        "peak_rss_bytes": peak_mb * 2**20,
        "size_bytes": int(size_mb * 2**20),
        "size_mb": size_mb,
        "paragraphs_per_s": PARAGRAPHS / seconds,
    }


def headline_systems() -> dict[str, Any]:
    """The run's own builds (round 1), in the order the run made them."""
    return {
        "newsearch": {"build": one_build(0.5, size_mb=220)},
        "newsearch-tantivy": {"build": one_build(0.125, size_mb=58)},
        "whoosh-2proc": {"build": one_build(1.0, size_mb=111)},
        "sqlite-fts5": {"build": one_build(0.03125, size_mb=44)},
        "tantivy": {"build": one_build(0.03125, size_mb=28)},
    }


@pytest.fixture
def slice_(tmp_path: Path) -> Slice:
    return Slice(1.0, tmp_path / "a.jsonl", tmp_path / "p.jsonl", 300, PARAGRAPHS)


def test_the_indexing_pairs_come_from_the_targets() -> None:
    assert speed_targets.INDEXING_PEERS == (
        ("newsearch-tantivy", "tantivy"),
        ("newsearch", "whoosh-2proc"),
    )


def test_each_pair_builds_in_rounds_taking_turns_to_go_first(slice_: Slice, tmp_path: Path) -> None:
    systems = headline_systems()
    fake = StandInBuilds(
        {
            "newsearch-tantivy": ENGINE_SECONDS,
            "tantivy": RAW_SECONDS,
            "newsearch": [0.375, 0.75],
            "whoosh-2proc": [1.25, 0.75],
        }
    )
    lines: list[str] = []
    notes = builds.index_in_rounds(
        systems, speed_targets.INDEXING_PEERS, slice_, tmp_path / "work", 5,
        measure=fake, log=lines.append,
    )  # fmt: skip
    # Round 1 is the run's own build, newsearch-tantivy before tantivy and newsearch
    # before whoosh-2proc; then each round reverses the one before it.
    assert fake.calls == [
        "tantivy", "newsearch-tantivy",
        "newsearch-tantivy", "tantivy",
        "tantivy", "newsearch-tantivy",
        "newsearch-tantivy", "tantivy",
        "whoosh-2proc", "newsearch",
        "newsearch", "whoosh-2proc",
        "whoosh-2proc",  # the stand-ins have no fourth round: it fails
    ]  # fmt: skip
    assert notes == [
        "whoosh-2proc: indexing round 4 failed (OSError: no space left on device); "
        "newsearch and whoosh-2proc have 3 rounds"
    ]
    assert all(not folder.exists() for folder in fake.folders)  # thrown away
    assert len(set(fake.folders)) == len(fake.folders)

    engine = systems["newsearch-tantivy"]["build"]
    assert [(r["round"], r["position"]) for r in engine["rounds"]] == [
        (0, 0), (1, 1), (2, 0), (3, 1), (4, 0),
    ]  # fmt: skip
    assert [r["seconds"] for r in engine["rounds"]] == [0.125, *ENGINE_SECONDS]
    assert engine["rounds"][1] == {
        "round": 1,
        "position": 1,
        "seconds": 0.25,
        "paragraphs_per_s": 4800,
        "peak_rss_bytes": 102 * 2**20,  # the second build the stand-ins made
    }
    # The figures of the rounds are medians; the rest is the run's own build's.
    assert engine["median_over_rounds"] == ["seconds", "paragraphs_per_s", "peak_rss_bytes"]
    assert engine["seconds"] == 0.125
    assert engine["paragraphs_per_s"] == 9600  # of 9600, 4800, 9600, 19200, 6400
    assert engine["peak_rss_bytes"] == 103 * 2**20  # of 100, 102, 103, 106, 107
    assert engine["size_mb"] == 58 and engine["paragraphs"] == PARAGRAPHS
    raw = systems["tantivy"]["build"]
    assert [r["paragraphs_per_s"] for r in raw["rounds"]] == [38400, 9600, 76800, 19200, 25600]
    assert raw["paragraphs_per_s"] == 25600 and raw["seconds"] == 0.046875

    # A pair cut short keeps the rounds both of its systems finished.
    whoosh = systems["whoosh-2proc"]["build"]
    assert [(r["round"], r["position"]) for r in whoosh["rounds"]] == [(0, 1), (1, 0), (2, 1)]
    assert whoosh["paragraphs_per_s"] == 1200  # of 1200, 960, 1600
    assert systems["newsearch"]["build"]["paragraphs_per_s"] == 2400  # of 2400, 3200, 1600
    # A system outside the indexing targets keeps its one build.
    assert systems["sqlite-fts5"]["build"] == one_build(0.03125, size_mb=44)
    results = {"systems": systems, "indexing": builds.header(5, speed_targets.INDEXING_PEERS)}
    assert builds.rounds_text(results).startswith(
        "newsearch-tantivy and tantivy built in 5 rounds, newsearch and whoosh-2proc in 3, "
    )
    assert lines[0] == "indexing rounds: newsearch-tantivy and tantivy, 4 more rounds"
    assert lines[1] == "  round 2/5: tantivy 0.1 s, newsearch-tantivy 0.2 s; ratio 0.50"


def rounds_results(slice_: Slice, tmp_path: Path, rounds: int) -> dict[str, Any]:
    systems = headline_systems()
    fake = StandInBuilds(
        {
            "newsearch-tantivy": ENGINE_SECONDS,
            "tantivy": RAW_SECONDS,
            "newsearch": [0.375, 0.75, 0.5, 0.625],
            "whoosh-2proc": [1.25, 0.75, 1.0, 1.5],
        }
    )
    builds.index_in_rounds(
        systems,
        speed_targets.INDEXING_PEERS,
        slice_,
        tmp_path / "work",
        rounds,
        measure=fake,
        log=lambda _: None,
    )
    return {"systems": systems, "indexing": builds.header(rounds, speed_targets.INDEXING_PEERS)}


def test_the_indexing_targets_take_the_medians_and_show_each_rounds_ratio(
    slice_: Slice, tmp_path: Path
) -> None:
    results = rounds_results(slice_, tmp_path, 5)
    engine, stretch, whoosh = speed_targets.speed_targets(results)[:3]
    # newsearch-tantivy 9600, 4800, 9600, 19200, 6400 paragraphs/s against tantivy's
    # 38400, 9600, 76800, 19200, 25600: round ratios 0.25, 0.5, 0.125, 1.0, 0.25. The
    # ratio is the medians' (as for latency), not the median round ratio (0.25).
    assert (engine["mine"], engine["peer"]) == (9600, 25600)
    assert engine["ratio"] == 0.375 and engine["verdict"] == "MISSED"  # ≥ 0.45
    assert engine["pass_ratios"] == (0.125, 1.0)
    assert stretch["pass_ratios"] == (0.125, 1.0) and stretch["verdict"] == "MISSED"
    # newsearch 2400, 3200, 1600, 2400, 1920 against 1200, 960, 1600, 1200, 800.
    assert whoosh["mine"] == 2400 and whoosh["peer"] == 1200
    assert whoosh["ratio"] == 2.0 and whoosh["verdict"] == "MET"
    assert whoosh["pass_ratios"] == (1.0, pytest.approx(10 / 3))
    lines = speed_targets.markdown_lines(results)
    assert (
        "| indexing | newsearch-tantivy | ≥ 0.45× raw tantivy "
        "| 9,600.00 | 25,600.00 | 0.38 | 0.12–1.00 | MISSED |"
    ) in lines
    assert (
        "| indexing | newsearch | ≥ 1.2× raw whoosh, 2 processes "
        "| 2,400.00 | 1,200.00 | 2.00 | 1.00–3.33 | MET |"
    ) in lines


def with_queries(results: dict[str, Any]) -> dict[str, Any]:
    for result in results["systems"].values():
        result["latency"] = {"p50": 1.0, "p95": 2.0, "p99": 3.0, "mean": 1.0, "by_kind": {}}
        result["open_ms"] = 5.0
    return results


def test_the_headline_tables_show_the_median_build(slice_: Slice, tmp_path: Path) -> None:
    results = with_queries(rounds_results(slice_, tmp_path, 5))
    table = speed_targets.headline_table(results)
    assert "| newsearch (tantivy) | 9,600 | 58 | 1.00 | 2.00 | – |" in table
    assert "| raw tantivy | 25,600 | 28 | 1.00 | 2.00 | – |" in table
    assert "| SQLite FTS5 | 38,400 | 44 | 1.00 | 2.00 | – |" in table
    engine = report.headline_row("newsearch-tantivy", results["systems"]["newsearch-tantivy"])
    assert engine[1:5] == ["9,600 (4,800–19,200)", "0.12", "58.0", "103"]
    sqlite = report.headline_row("sqlite-fts5", results["systems"]["sqlite-fts5"])
    assert sqlite[1:5] == ["38,400", "0.03", "44.0", "100"]
    assert builds.rounds_text(results) == (
        "newsearch-tantivy and tantivy, newsearch and whoosh-2proc built in 5 rounds, "
        "each pair alternately first; their paragraphs/s are medians (lowest–highest "
        "round); the others built once"
    )
    note = builds.method_note(results)
    assert "5 rounds" in note and "`build.rounds`" in note and "`median_over_rounds`" in note


def test_one_build_round_leaves_the_builds_as_they_were(slice_: Slice, tmp_path: Path) -> None:
    fake = StandInBuilds({})
    systems = headline_systems()
    notes = builds.index_in_rounds(
        systems, speed_targets.INDEXING_PEERS, slice_, tmp_path, 1, measure=fake
    )
    assert notes == [] and fake.calls == []
    assert systems == headline_systems()
    results = with_queries({"systems": systems, "indexing": builds.header(1, ())})
    engine = speed_targets.speed_targets(results)[0]
    assert engine["ratio"] == 0.25 and engine["pass_ratios"] is None
    row = report.headline_row("newsearch-tantivy", results["systems"]["newsearch-tantivy"])
    assert row[1] == "9,600"
    assert builds.rounds_text(results) == "one build per system"


def test_a_pair_with_a_missing_system_builds_no_rounds(slice_: Slice, tmp_path: Path) -> None:
    fake = StandInBuilds({"newsearch-tantivy": [0.25], "tantivy": [0.0625]})
    systems = headline_systems()
    systems["whoosh-2proc"] = {"skipped": "whoosh is not installed"}
    builds.index_in_rounds(
        systems, speed_targets.INDEXING_PEERS, slice_, tmp_path, 2, measure=fake,
        log=lambda _: None,
    )  # fmt: skip
    assert fake.calls == ["tantivy", "newsearch-tantivy"]
    assert "rounds" not in systems["newsearch"]["build"]
    assert len(systems["tantivy"]["build"]["rounds"]) == 2


def test_results_from_before_the_rounds_still_render(tmp_path: Path) -> None:
    saved = ROOT / "benchmarks" / "results.json"
    results = json.loads(saved.read_text(encoding="utf-8"))
    for result in results["systems"].values():
        result.get("build", {}).pop("rounds", None)  # as written before rounds
        result.get("build", {}).pop("median_over_rounds", None)
    results.pop("indexing", None)
    engine = speed_targets.speed_targets(results)[0]
    assert engine["pass_ratios"] is None and engine["ratio"] is not None
    assert builds.rounds_text(results) == "one build per system"
    report.write(results, tmp_path)
    text = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert "indexing: one build per system" in text
    readme = tmp_path / "README.md"
    shutil.copy(ROOT / "README.md", readme)
    assert speed_targets.write_readme(results, readme)
    assert "| raw tantivy |" in readme.read_text(encoding="utf-8")
