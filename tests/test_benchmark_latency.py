"""Query latency over interleaved passes: the order of the passes, the medians, and the
tables that read them (benchmarks/latency.py).

The sessions of the interleaving tests are stand-ins answering fixed latencies, so
every figure is exact; a real session (a process per index) runs on a three-paragraph
SQLite index here, and on every system in test_benchmark_harness.py's quick run.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import report, speed_targets  # noqa: E402
from benchmarks.latency import (  # noqa: E402
    PassPlan,
    Series,
    aggregate,
    interleave,
    method_note,
    peers_adjacent,
    round_order,
    slow_series,
    spread,
    spread_rounds,
)
from benchmarks.measure import QuerySession  # noqa: E402
from benchmarks.peers import SqliteSystem  # noqa: E402
from benchmarks.queries import BenchQuery  # noqa: E402

QUERIES = [
    BenchQuery("term", ("gold",)),
    BenchQuery("and", ("coffee", "quota")),
    BenchQuery("phrase", ("oil", "prices")),
    BenchQuery("date", ("wheat",)),
]


class StandIn:
    """A session answering each pass with the next latencies of its list."""

    def __init__(
        self, name: str, calls: list[tuple[str, bool]], passes: list[list[float]], seconds: float
    ) -> None:
        self.name = name
        self.calls = calls
        self.passes: Iterator[list[float]] = iter(passes)
        self.seconds = seconds

    def run_pass(self, as_json: bool) -> dict[str, Any]:
        self.calls.append((self.name, as_json))
        latencies = next(self.passes, None)
        if latencies is None:
            raise RuntimeError("the query process died without an answer")
        return {
            "latencies_ms": latencies,
            "seconds": self.seconds,
            "hits": [10] * len(latencies),
            "snippets": [10] * len(latencies),
        }


def stand_ins(
    calls: list[tuple[str, bool]], seconds: dict[str, float], passes: int = 5
) -> dict[str, StandIn]:
    flat = [[1.0, 1.0, 1.0, 1.0]] * passes * 2  # enough for a hits and a JSON series
    return {name: StandIn(name, calls, flat, s) for name, s in seconds.items()}


def test_rounds_alternate_the_order_of_the_series() -> None:
    calls: list[tuple[str, bool]] = []
    series = [Series("newsearch"), Series("tantivy"), Series("newsearch", as_json=True)]
    sessions = stand_ins(calls, {"newsearch": 0.5, "tantivy": 0.1})
    done, failed = interleave(sessions, series, PassPlan(passes=3), log=lambda _: None)
    assert failed == {}
    assert calls == [
        ("newsearch", False), ("tantivy", False), ("newsearch", True),
        ("newsearch", True), ("tantivy", False), ("newsearch", False),
        ("newsearch", False), ("tantivy", False), ("newsearch", True),
    ]  # fmt: skip
    assert [(p["round"], p["position"]) for p in done[Series("newsearch")]] == [
        (0, 0),
        (1, 2),
        (2, 0),
    ]
    assert round_order(series, 3) == list(reversed(series))


def test_each_peer_runs_next_to_its_newsearch_system() -> None:
    names = ["newsearch", "newsearch-tantivy", "whoosh-1proc", "whoosh-2proc", "tantivy"]
    assert peers_adjacent(names, speed_targets.QUERY_PEERS) == [
        "newsearch",
        "whoosh-2proc",
        "newsearch-tantivy",
        "tantivy",
        "whoosh-1proc",
    ]
    assert speed_targets.QUERY_PEERS == (
        ("newsearch-tantivy", "tantivy"),
        ("newsearch", "whoosh-2proc"),
    )
    assert peers_adjacent(["tantivy", "sqlite-fts5"], speed_targets.QUERY_PEERS) == [
        "tantivy",
        "sqlite-fts5",
    ]


def test_a_slow_first_pass_runs_fewer_passes_spread_over_the_run() -> None:
    calls: list[tuple[str, bool]] = []
    lines: list[str] = []
    series = [Series("whoosh-2proc"), Series("tantivy")]
    sessions = stand_ins(calls, {"whoosh-2proc": 40.0, "tantivy": 0.2})
    plan = PassPlan(passes=5, slow_passes=3, slow_pass_s=10)
    done, _ = interleave(sessions, series, plan, log=lines.append)
    assert [p["round"] for p in done[Series("whoosh-2proc")]] == [0, 2, 4]
    assert [p["round"] for p in done[Series("tantivy")]] == [0, 1, 2, 3, 4]
    assert calls.count(("whoosh-2proc", False)) == 3
    assert "  whoosh-2proc: first pass 40.0 s > 10 s, so 3 passes (rounds 1, 3, 5)" in lines
    assert lines[-1] == "  round 5/5: 2 passes, 40.2 s timed"


def test_spread_rounds_keep_the_first_and_the_last() -> None:
    assert spread_rounds(5, 3) == [0, 2, 4]
    assert spread_rounds(4, 3) == [0, 2, 3]
    assert spread_rounds(5, 1) == [0]
    assert PassPlan(passes=3, slow_passes=5).rounds(60.0) == [0, 1, 2]
    with pytest.raises(ValueError, match="at least 1"):
        PassPlan(passes=0)


def test_a_failing_system_stops_while_the_others_go_on() -> None:
    calls: list[tuple[str, bool]] = []
    sessions = stand_ins(calls, {"tantivy": 0.1})
    sessions["sqlite-fts5"] = StandIn("sqlite-fts5", calls, [[2.0] * 4], 0.1)  # one pass only
    series = [Series("sqlite-fts5"), Series("tantivy")]
    done, failed = interleave(sessions, series, PassPlan(passes=3), log=lambda _: None)
    assert failed == {"sqlite-fts5": "the query process died without an answer"}
    assert len(done[Series("sqlite-fts5")]) == 1
    assert len(done[Series("tantivy")]) == 3
    assert calls.count(("sqlite-fts5", False)) == 2  # asked once more, then never again


def passes_of(*latencies: list[float]) -> list[dict[str, Any]]:
    return [
        {"latencies_ms": ms, "seconds": 0.5, "round": n, "position": 0}
        for n, ms in enumerate(latencies)
    ]


def test_latency_is_the_median_of_each_figure_over_the_passes() -> None:
    latency = aggregate(passes_of([1, 2, 3, 4], [2, 4, 6, 8], [10, 10, 10, 10]), QUERIES)
    # Pass p50s 2.5, 5, 10; p95s 3.85, 7.7, 10; means 2.5, 5, 10.
    assert latency["p50"] == 5
    assert latency["p95"] == pytest.approx(7.7)
    assert latency["mean"] == 5
    assert latency["by_kind"]["term"] == {"p50": 2, "p95": 2}
    assert latency["by_kind"]["date"] == {"p50": 8, "p95": 8}
    assert [p["p50"] for p in latency["passes"]] == [2.5, 5, 10]
    assert latency["passes"][1] == {
        "round": 1,
        "position": 0,
        "seconds": 0.5,
        "p50": 5,
        "p95": pytest.approx(7.7),
        "p99": pytest.approx(7.94),
        "mean": 5,
    }
    assert spread(latency, "p50") == (2.5, 10)
    assert report.latency_cell(latency, "p50") == "5.00 (2.50–10.00)"


def flat_passes(*p50s: float) -> dict[str, Any]:
    return aggregate(passes_of(*([ms] * 4 for ms in p50s)), QUERIES)


def test_the_speed_targets_take_the_medians_and_show_each_rounds_ratio() -> None:
    results: dict[str, Any] = {
        "systems": {
            "newsearch-tantivy": {"latency": flat_passes(0.5, 0.75, 1.0)},
            "tantivy": {"latency": flat_passes(0.25, 0.5, 0.375)},
        }
    }
    row = speed_targets.speed_targets(results)[3]
    assert (row["measure"], row["mine"], row["peer"]) == ("query p50", 0.75, 0.375)
    assert row["ratio"] == 2.0 and row["verdict"] == "MET"
    assert row["pass_ratios"] == (1.5, pytest.approx(8 / 3))
    lines = speed_targets.markdown_lines(results)
    assert (
        "| query p50 | newsearch-tantivy | ≤ 2× raw tantivy (with snippets) "
        "| 0.75 | 0.38 | 2.00 | 1.50–2.67 | MET |"
    ) in lines


def test_results_from_before_the_passes_render_as_one_pass() -> None:
    old = {"p50": 0.43, "p95": 1.12, "p99": 1.27, "mean": 0.5, "by_kind": {}}
    results: dict[str, Any] = {
        "systems": {
            "newsearch-tantivy": {"latency": dict(old, p50=0.92)},
            "tantivy": {"latency": old},
        }
    }
    row = speed_targets.speed_targets(results)[3]
    assert row["ratio"] == pytest.approx(0.92 / 0.43) and row["pass_ratios"] is None
    assert report.latency_cell(old, "p50") == "0.43"
    assert report.passes_text({"count": 300, "warmup": 20}) == "timed in one pass per system"
    assert slow_series(results["systems"], PassPlan()) == []


def test_the_method_note_names_the_systems_that_ran_fewer_passes() -> None:
    systems = {
        "whoosh-2proc": {"latency": flat_passes(800, 790, 810)},
        "newsearch": {"latency": flat_passes(*[7.0] * 5), "latency_json": flat_passes(7, 8, 9)},
    }
    slow = slow_series(systems, PassPlan())
    assert slow == ["whoosh-2proc", "newsearch (JSON)"]
    note = method_note(PassPlan(), warmup=20, queries=300, slow=slow)
    assert "5 passes; a series whose first pass took over 10 s runs 3, in rounds 1, 3, 5 " in note
    assert "(here: whoosh-2proc, newsearch (JSON))" in note


def test_a_query_session_keeps_its_index_open_across_passes(tmp_path: Path) -> None:
    records = [
        {"text": text, "article_id": aid, "number": 1, "title": "", "date": day, "tags": []}
        for aid, text, day in (
            ("r1", "Gold prices rose sharply in London.", "1987-03-05"),
            ("r2", "Coffee exporters met over quota talks.", "1987-06-20"),
            ("r3", "Gold and coffee futures fell.", "1987-06-21"),
        )
    ]
    assert SqliteSystem().build(records, tmp_path / "fts") == 3
    queries = [BenchQuery("term", ("gold",)), BenchQuery("and", ("coffee", "quota"))]
    with QuerySession("sqlite-fts5", tmp_path / "fts", queries, warmup=1) as session:
        first, second = session.run_pass(), session.run_pass()
        rankings = session.rankings({"coffee": BenchQuery("term", ("coffee",))})
    assert first["hits"] == second["hits"] == [2, 1]
    assert first["snippets"] == [2, 1]
    assert len(first["latencies_ms"]) == len(second["latencies_ms"]) == 2
    assert sorted(rankings["coffee"]) == ["r2", "r3"]


def test_a_query_session_that_cannot_open_says_why(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(RuntimeError, match="no such table: docs"):
        QuerySession("sqlite-fts5", tmp_path / "empty", [BenchQuery("term", ("gold",))], 0)
