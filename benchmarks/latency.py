"""Query latency over several passes, interleaved across systems, and its medians.

One pass times every query once on an index that is already open and warm. A single
pass per system, system after system, let the load of other work on a shared machine
decide a target: raw tantivy's p50 moved from 0.23 to 0.43 ms between full runs of the
same code. So every system's index stays open in its own process while the passes are
interleaved: round k runs one pass of every series (a system, or a newsearch system
answering as JSON), alternately in one order and in reverse, with each target's raw
peer next to its newsearch system: the two passes of a ratio run one after the other,
each going first in turn. A series whose first pass takes longer than
``slow_pass_s`` (raw whoosh, ~40 s a pass on the full corpus) runs ``slow_passes``
passes, in rounds spread over the run, which bounds the added time.

A series' figures are the median over its passes of each pass's figure (p50, p95,
p99, mean, and per query kind); ``passes`` keeps every pass's own figures, and
``spread`` and ``round_ratios`` show how far they move.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from benchmarks.measure import percentile
from benchmarks.queries import KINDS, BenchQuery

# The figures of one pass kept in ``latency["passes"]`` (by kind stays in the medians).
PASS_FIGURES = ("p50", "p95", "p99", "mean")


@dataclass(frozen=True)
class Series:
    """What one pass times: a system, answering with hits or (``as_json``) its JSON object."""

    system: str
    as_json: bool = False

    def label(self) -> str:
        return f"{self.system} (JSON)" if self.as_json else self.system


@dataclass(frozen=True)
class PassPlan:
    """How many passes: ``passes`` for every series, ``slow_passes`` for a series whose
    first pass took longer than ``slow_pass_s`` seconds."""

    passes: int = 5
    slow_passes: int = 3
    slow_pass_s: float = 10.0

    def __post_init__(self) -> None:
        if self.passes < 1 or self.slow_passes < 1:
            raise ValueError("passes and slow passes must be at least 1")

    def rounds(self, first_pass_s: float) -> list[int]:
        """The rounds (0-based) a series runs in, given its first pass's seconds."""
        if first_pass_s <= self.slow_pass_s or self.slow_passes >= self.passes:
            return list(range(self.passes))
        return spread_rounds(self.passes, self.slow_passes)


def spread_rounds(passes: int, count: int) -> list[int]:
    """``count`` of the rounds ``0 .. passes-1``, evenly spread, the first and last included."""
    if count == 1:
        return [0]
    return sorted({round(i * (passes - 1) / (count - 1)) for i in range(count)})


def round_order(series: Sequence[Series], round_index: int) -> list[Series]:
    """The order of a round: as given in even rounds, reversed in odd ones, so that two
    neighbours take turns going first and a series' place averages out over rounds."""
    return list(series) if round_index % 2 == 0 else list(reversed(series))


def peers_adjacent(names: Sequence[str], pairs: Sequence[tuple[str, str]]) -> list[str]:
    """``names`` in their order, except that each pair's peer comes right after its
    system: their ratio is then taken between passes run one after the other."""
    order: list[str] = []
    for name in names:
        if name in order:
            continue
        order.append(name)
        order += [p for s, p in pairs if s == name and p in names and p not in order]
    return order


class Session(Protocol):
    """An open index in its own process (``benchmarks.measure.QuerySession``)."""

    def run_pass(self, as_json: bool) -> dict[str, Any]:
        """Warm up, then time every query once: ``latencies_ms``, ``seconds``, hits."""


def interleave(
    sessions: dict[str, Session],
    series: Sequence[Series],
    plan: PassPlan,
    log: Callable[[str], None] = print,
) -> tuple[dict[Series, list[dict[str, Any]]], dict[str, str]]:
    """Run the passes round by round; returns each series' passes, in the order run,
    each with its ``round`` and ``position`` in that round, and the systems that failed
    (system name -> error text; their series stop there)."""
    done: dict[Series, list[dict[str, Any]]] = {s: [] for s in series}
    owed: dict[Series, list[int]] = {s: [0] for s in series}
    failed: dict[str, str] = {}
    for round_index in range(plan.passes):
        ran, seconds = 0, 0.0
        for position, one in enumerate(round_order(series, round_index)):
            if one.system in failed or round_index not in owed[one]:
                continue
            try:
                record = sessions[one.system].run_pass(one.as_json)
            except RuntimeError as error:
                failed[one.system] = str(error)
                continue
            done[one].append({**record, "round": round_index, "position": position})
            ran, seconds = ran + 1, seconds + record["seconds"]
        log(f"  round {round_index + 1}/{plan.passes}: {ran} passes, {seconds:.1f} s timed")
        if round_index == 0:
            for one in series:
                if not done[one]:
                    continue
                first = done[one][0]["seconds"]
                owed[one] = plan.rounds(first)
                if len(owed[one]) < plan.passes:
                    rounds = ", ".join(str(r + 1) for r in owed[one])
                    log(
                        f"  {one.label()}: first pass {first:.1f} s > {plan.slow_pass_s:g} s, "
                        f"so {len(owed[one])} passes (rounds {rounds})"
                    )
    return done, failed


def latency_summary(latencies: Sequence[float], queries: Sequence[BenchQuery]) -> dict[str, Any]:
    """p50/p95/p99/mean overall and p50/p95 per query kind of one pass, in milliseconds."""
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


def median_summary(summaries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Each figure of ``latency_summary``, nested ones too, as its median over passes."""
    merged: dict[str, Any] = {}
    for key, first in summaries[0].items():
        values = [summary[key] for summary in summaries]
        nested = isinstance(first, dict)
        merged[key] = median_summary(values) if nested else statistics.median(values)
    return merged


def aggregate(passes: Sequence[dict[str, Any]], queries: Sequence[BenchQuery]) -> dict[str, Any]:
    """A series' latency: the medians over its passes, and each pass's own figures."""
    summaries = [latency_summary(one["latencies_ms"], queries) for one in passes]
    latency = median_summary(summaries)
    latency["passes"] = [
        {
            "round": one["round"],
            "position": one["position"],
            "seconds": one["seconds"],
            **{figure: summary[figure] for figure in PASS_FIGURES},
        }
        for one, summary in zip(passes, summaries, strict=True)
    ]
    return latency


def spread(latency: dict[str, Any], figure: str, key: str = "passes") -> tuple[float, float] | None:
    """The lowest and highest pass value of ``figure``; None for one pass or results
    written before passes were kept. ``key="rounds"`` reads a build's rounds
    (``benchmarks.builds``) instead."""
    passes = latency.get(key) or []
    if len(passes) < 2:
        return None
    values = [one[figure] for one in passes]
    return min(values), max(values)


def round_ratios(
    mine: dict[str, Any], peer: dict[str, Any], figure: str, key: str = "passes"
) -> list[float]:
    """``figure`` of ``mine`` over ``peer`` within each round where both ran a pass (or,
    with ``key="rounds"``, a build)."""
    theirs = {one["round"]: one[figure] for one in peer.get(key) or []}
    return [
        one[figure] / theirs[one["round"]]
        for one in mine.get(key) or []
        if theirs.get(one["round"])
    ]


def slow_series(systems: dict[str, Any], plan: PassPlan) -> list[str]:
    """The series of a run's results that ran fewer passes than ``plan.passes``."""
    slow = []
    for name, result in systems.items():
        for key, label in (("latency", name), ("latency_json", f"{name} (JSON)")):
            passes = result.get(key, {}).get("passes", [])
            if passes and len(passes) < plan.passes:
                slow.append(label)
    return slow


def method_note(plan: PassPlan, warmup: int, queries: int, slow: Sequence[str]) -> str:
    """What the latency figures measure, for RESULTS.md's notes."""
    rounds = ", ".join(str(r + 1) for r in spread_rounds(plan.passes, plan.slow_passes))
    fewer = (
        f"; a series whose first pass took over {plan.slow_pass_s:g} s runs "
        f"{plan.slow_passes}, in rounds {rounds} (here: {', '.join(slow) or 'none'})"
        if plan.slow_passes < plan.passes
        else ""
    )
    return (
        "Query latency: each system's index is opened once, in its own process, and stays "
        "open while the timed passes are interleaved: round k runs one pass of every "
        "system (and of newsearch on each engine answering as JSON), alternately in one "
        "order and in reverse, each target's raw peer next to its newsearch system, so "
        "that the two passes of a ratio run one after the other. A pass runs the "
        f"{warmup} warm-up queries untimed, then times each of the {queries} queries "
        "once (one search call: top 10 with snippets). "
        f"{plan.passes} passes{fewer}. p50, p95, p99 and mean, overall and per query kind, "
        "are the medians over a system's passes of each pass's figure; ranges in "
        "parentheses are the lowest and highest pass; the targets' per-round ratios are "
        "taken between the two passes of a round, in the rounds both systems ran; "
        "results.json keeps every pass (`latency.passes`) and the first pass's "
        "per-query latencies (`latencies_ms`)."
    )
