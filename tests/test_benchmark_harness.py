"""The benchmark harness: a quick run on a few hundred Reuters articles, and its parts.

Timings are never asserted (STYLE.md): only that every figure is a well-formed number.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import run  # noqa: E402
from benchmarks.measure import percentile  # noqa: E402
from benchmarks.queries import BenchQuery, clean_runs, make_queries, topic_queries  # noqa: E402
from benchmarks.relevance import average_precision, evaluate, precision_at  # noqa: E402
from benchmarks.systems import SYSTEMS  # noqa: E402

CORPUS = Path(os.environ.get("NEWSEARCH_REUTERS") or ROOT.parent / "shared/corpora/reuters21578")
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "reut2-000.sgm.gz").exists(),
    reason=f"Reuters-21578 not found at {CORPUS} (set NEWSEARCH_REUTERS to its folder)",
)
QUERIES = 40
PASSES = 3


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("bench")
    argv = ["--corpus", str(CORPUS), "--fraction", "1.0", "--limit-articles", "300"]
    argv += ["--queries", str(QUERIES), "--warmup", "5", "--min-topic-articles", "3"]
    argv += ["--passes", str(PASSES), "--build-rounds", "1"]
    argv += ["--no-scaling", "--out", str(out), "--workdir", str(out / "work")]
    return run.run(argv), out


def available() -> list[str]:
    return [name for name, system in SYSTEMS.items() if system.unavailable() is None]


@needs_corpus
def test_every_available_system_answered_its_queries(quick_run: tuple[dict, Path]) -> None:
    results, _ = quick_run
    assert "newsearch" in available()
    for name in available():
        system = results["systems"][name]
        assert "error" not in system, system.get("error")
        assert len(system["hits_per_query"]) == QUERIES
        # Every query was drawn from indexed text, so (near) all find something.
        assert system["hits"]["with_hits"] >= 0.9, name
        assert system["hits"]["snippet_share"] >= 0.9, name


@needs_corpus
def test_figures_are_well_formed(quick_run: tuple[dict, Path]) -> None:
    results, _ = quick_run
    assert results["corpus"]["articles"] == 300
    for name in available():
        system = results["systems"][name]
        build, latency = system["build"], system["latency"]
        assert build["seconds"] > 0 and build["paragraphs_per_s"] > 0
        assert build["paragraphs"] == results["corpus"]["paragraphs"], name
        assert build["size_bytes"] > 0 and build["peak_rss_bytes"] > 0
        assert system["open_ms"] > 0
        assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"]
        # Every system ran a pass in each round (none is slow on 300 articles).
        assert [p["round"] for p in latency["passes"]] == list(range(PASSES)), name
        assert len(system["latencies_ms"]) == QUERIES
        if name in ("newsearch", "newsearch-tantivy"):  # also timed answering as JSON
            as_json = system["latency_json"]
            assert 0 < as_json["p50"] <= as_json["p95"] <= as_json["p99"]
            assert len(as_json["passes"]) == PASSES
        assert 0 <= system["relevance"]["map"] <= 1
        assert 0 <= system["relevance"]["p10"] <= 1
        assert system["relevance"]["topics"] == results["relevance"]["topics"] > 0


@needs_corpus
def test_results_files_have_a_row_per_system(quick_run: tuple[dict, Path]) -> None:
    results, out = quick_run
    saved = json.loads((out / "results.json").read_text())
    assert set(saved["systems"]) == set(SYSTEMS)
    markdown = (out / "RESULTS.md").read_text()
    for name in SYSTEMS:
        assert f"| {name} |" in markdown
    assert "MET" in markdown or "MISSED" in markdown
    assert "| newsearch-tantivy |" in markdown.split("answered as JSON")[1]
    assert f"timed in {PASSES} interleaved passes" in markdown
    assert {t["measure"] for t in results["targets"]} >= {"indexing throughput", "MAP"}


@needs_corpus
def test_one_build_round_is_one_build_per_system(quick_run: tuple[dict, Path]) -> None:
    results, out = quick_run
    assert results["indexing"]["build_rounds"] == 1
    for name in available():
        assert "rounds" not in results["systems"][name]["build"], name
    for row in results["speed_targets"]:
        if row["measure"] == "indexing":
            assert row["pass_ratios"] is None and row["ratio"] > 0
    assert "- indexing: one build per system" in (out / "RESULTS.md").read_text()


@pytest.fixture(scope="module")
def rounds_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("rounds")
    argv = ["--corpus", str(CORPUS), "--fraction", "1.0", "--limit-articles", "60"]
    argv += ["--queries", "10", "--warmup", "2", "--min-topic-articles", "3", "--passes", "1"]
    argv += ["--systems", "newsearch-tantivy,tantivy", "--build-rounds", "3", "--no-scaling"]
    argv += ["--out", str(out), "--workdir", str(out / "work")]
    return run.run(argv), out


@needs_corpus
def test_indexing_targets_are_built_in_alternating_rounds(rounds_run: tuple[dict, Path]) -> None:
    results, out = rounds_run
    assert results["indexing"] == {
        "build_rounds": 3,
        "pairs": [["newsearch-tantivy", "tantivy"], ["newsearch", "whoosh-2proc"]],
    }
    mine = results["systems"]["newsearch-tantivy"]["build"]
    theirs = results["systems"]["tantivy"]["build"]
    # Round 1 is the run's own builds (newsearch-tantivy first), then each round reverses.
    assert [(r["round"], r["position"]) for r in mine["rounds"]] == [(0, 0), (1, 1), (2, 0)]
    assert [(r["round"], r["position"]) for r in theirs["rounds"]] == [(0, 1), (1, 0), (2, 1)]
    for build in (mine, theirs):
        assert build["median_over_rounds"] == ["seconds", "paragraphs_per_s", "peak_rss_bytes"]
        for figure in build["median_over_rounds"]:
            assert build[figure] == sorted(r[figure] for r in build["rounds"])[1], figure
        assert build["paragraphs"] == results["corpus"]["paragraphs"]
    ratios = [
        a["paragraphs_per_s"] / b["paragraphs_per_s"]
        for a, b in zip(mine["rounds"], theirs["rounds"], strict=True)
    ]
    row = results["speed_targets"][0]
    assert (row["measure"], row["system"]) == ("indexing", "newsearch-tantivy")
    assert row["ratio"] == pytest.approx(mine["paragraphs_per_s"] / theirs["paragraphs_per_s"])
    assert row["pass_ratios"] == (min(ratios), max(ratios))
    assert row["verdict"] == ("MET" if row["ratio"] >= 0.45 else "MISSED")
    markdown = (out / "RESULTS.md").read_text()
    assert f"| {min(ratios):.2f}–{max(ratios):.2f} | {row['verdict']} |" in markdown
    assert "- indexing: newsearch-tantivy and tantivy built in 3 rounds" in markdown
    speeds = sorted(r["paragraphs_per_s"] for r in mine["rounds"])
    assert f" ({speeds[0]:,.0f}–{speeds[-1]:,.0f}) |" in markdown.split("## Headline")[1]
    assert not list((out / "work").glob("round-*"))  # the later rounds' folders are gone


def test_build_rounds_default_to_five_and_one_is_a_single_build() -> None:
    assert run.parse_args([]).build_rounds == 5
    assert run.parse_args(["--build-rounds", "1"]).build_rounds == 1
    with pytest.raises(SystemExit):
        run.parse_args(["--build-rounds", "0"])


def test_average_precision_counts_unretrieved_relevant_articles() -> None:
    ranked = ["a", "x", "b", "y"]
    # Hits at ranks 1 and 3; a third relevant article is never retrieved.
    assert average_precision(ranked, {"a", "b", "c"}) == pytest.approx((1 + 2 / 3) / 3)
    assert precision_at(ranked, {"a", "b", "c"}, 10) == pytest.approx(0.2)


def test_articles_rank_by_their_first_paragraph() -> None:
    rankings = {"gold": ["x", "a", "x", "b"]}
    figures = evaluate(rankings, {"gold": {"a", "b"}})
    assert figures["map"] == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert figures["topics"] == 1


def test_percentile_interpolates() -> None:
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([1, 2, 3], 100) == 3
    assert math.isnan(percentile([], 50))


def test_queries_are_seeded_and_of_every_kind() -> None:
    paragraphs = [
        {"text": "Gold prices rose sharply in London trading today.", "date": "1987-03-05"},
        {"text": "Coffee exporters met in Brazil over quota talks.", "date": "1987-06-20"},
    ]
    first = make_queries(paragraphs, 8, seed=3)
    assert first == make_queries(paragraphs, 8, seed=3)
    assert [q.kind for q in first] == ["term", "and", "phrase", "date"] * 2
    for query in first:
        assert not {"the", "in"} & set(query.words)
        if query.kind == "date":
            assert query.start and query.end and (query.end - query.start).days == 13


def test_phrases_come_from_runs_of_plain_words() -> None:
    assert clean_runs("Oil prices rose, U.S. traders said") == [
        ["oil", "prices", "rose"],
        ["traders", "said"],
    ]


def test_topic_queries_need_enough_articles() -> None:
    articles = [
        {"id": f"r{n}", "topics": ["money-supply"] + (["gold"] if n < 2 else [])} for n in range(3)
    ]
    queries, judgments = topic_queries(articles, min_articles=3)
    assert queries == {"money-supply": BenchQuery("and", ("money", "supply"))}
    assert judgments == {"money-supply": {"r0", "r1", "r2"}}


_TREE = """
import json, subprocess, sys
import psutil
from benchmarks import measure

def scanned():
    raise AssertionError("psutil was used")

# Each process answers once its interpreter has started, so that no page is still being
# touched between the two readings (under load a starting child touched more than a MB).
sleeper = "import time; print('started', flush=True); time.sleep(60)"
child = (
    "import subprocess, sys, time\\n"
    f"grandchild = subprocess.Popen([sys.executable, '-c', {sleeper!r}], stdout=-1)\\n"
    "assert grandchild.stdout.readline() == b'started\\\\n'\\n"
    "print('started', flush=True)\\n"
    "time.sleep(60)\\n"
)
process = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE)
try:
    assert process.stdout.readline() == b"started\\n"
    me = psutil.Process()
    processes = [me, *me.children(recursive=True)]
    expected = sum(p.memory_info().rss for p in processes)
    measure._psutil_tree_rss = scanned
    found = measure.tree_rss()
    print(json.dumps([len(processes), expected, found, me.memory_info().rss]))
finally:
    for p in psutil.Process(process.pid).children(recursive=True):
        p.kill()
    process.kill()
    process.wait()
"""


def test_tree_rss_counts_this_process_and_every_descendant() -> None:
    """The memory sampler's sum is psutil's (children of children too), read from /proc
    without psutil's scan of every process on the machine (in a fresh process, whose
    only descendants are the two it starts)."""
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", _TREE], capture_output=True, env=env, check=True)
    processes, expected, found, own = json.loads(run.stdout)
    assert processes == 3
    # Pages may be touched between the two readings: within a megabyte.
    assert abs(found - expected) < 1 << 20  # the same pages, read a moment apart
    assert found > own + (1 << 20)  # the other two counted
