"""Indexing throughput over several builds, in rounds alternating a target's two systems,
and its medians.

One build per system let the load of other work on a shared machine decide the
indexing targets: in the full run of 13:38 on e03e318, newsearch-tantivy indexed at
0.40x raw tantivy in the run's one build, but at 0.27-0.35x (median 0.31x) in eight
interleaved pairs timed right after it. So the two systems of each indexing target (a
newsearch system and its raw peer) are built in rounds, as the query passes are timed
(``benchmarks.latency``): the run's own build of each, whose index the queries use, is
round 1; each further round builds both once more, each in a fresh process
(``measure_build``) into a throwaway folder deleted once measured, the one that went
second in the round before going first.

A system built in rounds has its seconds, paragraphs per second and peak RSS as the
medians over its rounds (``median_over_rounds`` names them) and every round's own
figures in ``rounds``; paragraphs, size on disk and baseline RSS stay its first build's.
A target's ratio is the ratio of the two medians, as for latency, and its per-round
ratios are taken between the two builds of a round (``latency.round_ratios``).
"""

from __future__ import annotations

import shutil
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.corpus import Slice
from benchmarks.latency import round_order
from benchmarks.measure import measure_build

# The figures of a build kept for each round; the build's own are their medians.
ROUND_FIGURES = ("seconds", "paragraphs_per_s", "peak_rss_bytes")

Measure = Callable[[str, Slice, Path], dict[str, Any]]


def round_record(build: dict[str, Any], round_index: int, position: int) -> dict[str, Any]:
    """One round's figures of a build: its round (0-based) and place in it (0 = first)."""
    return {
        "round": round_index,
        "position": position,
        **{figure: build[figure] for figure in ROUND_FIGURES},
    }


def with_rounds(build: dict[str, Any], rounds: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The build's figures with ``ROUND_FIGURES`` as medians over ``rounds``, which are
    kept; the build as it is for one round."""
    if len(rounds) < 2:
        return build
    merged = dict(build)
    for figure in ROUND_FIGURES:
        merged[figure] = statistics.median(one[figure] for one in rounds)
    merged["median_over_rounds"] = list(ROUND_FIGURES)
    merged["rounds"] = list(rounds)
    return merged


def _last_line(error: RuntimeError) -> str:
    lines = str(error).strip().splitlines()
    return lines[-1] if lines else "no message"


def pair_rounds(
    pair: tuple[str, str],
    order: Sequence[str],
    data: Slice,
    workdir: Path,
    count: int,
    measure: Measure = measure_build,
    log: Callable[[str], None] = print,
) -> tuple[dict[str, list[dict[str, Any]]], str | None]:
    """Rounds 2 to ``count`` of a pair (system, peer) whose round 1 ran in ``order``:
    each system's round figures, and what failed if a build did (the rounds stop there,
    and a round one of the two did not finish is dropped)."""
    done: dict[str, list[dict[str, Any]]] = {name: [] for name in order}
    for round_index in range(1, count):
        this_round: dict[str, dict[str, Any]] = {}
        for position, name in enumerate(round_order(order, round_index)):
            index_dir = workdir / f"round-{name}-{data.fraction:g}-{round_index + 1}"
            shutil.rmtree(index_dir, ignore_errors=True)
            try:
                build = measure(name, data, index_dir)
            except RuntimeError as error:
                return (
                    done,
                    f"{name}: indexing round {round_index + 1} failed ({_last_line(error)})",
                )
            finally:
                shutil.rmtree(index_dir, ignore_errors=True)
            this_round[name] = round_record(build, round_index, position)
        for name, record in this_round.items():
            done[name].append(record)
        mine, theirs = (this_round[name]["paragraphs_per_s"] for name in pair)
        times = ", ".join(f"{name} {one['seconds']:.1f} s" for name, one in this_round.items())
        log(f"  round {round_index + 1}/{count}: {times}; ratio {mine / theirs:.2f}")
    return done, None


def index_in_rounds(
    systems: dict[str, Any],
    pairs: Sequence[tuple[str, str]],
    data: Slice,
    workdir: Path,
    count: int,
    measure: Measure = measure_build,
    log: Callable[[str], None] = print,
) -> list[str]:
    """Build each pair (system, peer) whose two systems have a build in ``systems`` in
    ``count`` rounds, the existing builds (made in the order of ``systems``) being round
    1; each build becomes its medians with its ``rounds``. Returns notes on failures."""
    notes: list[str] = []
    if count < 2:
        return notes
    built = [name for name, result in systems.items() if "build" in result]
    for pair in pairs:
        if not all(name in built for name in pair):
            continue
        order = sorted(pair, key=built.index)  # round 1's order: the run's own builds
        log(f"indexing rounds: {' and '.join(pair)}, {count - 1} more rounds")
        later, failure = pair_rounds(pair, order, data, workdir, count, measure, log)
        first = {name: round_record(systems[name]["build"], 0, order.index(name)) for name in pair}
        for name in pair:
            systems[name]["build"] = with_rounds(
                systems[name]["build"], [first[name], *later[name]]
            )
        if failure:
            kept = len(later[pair[0]]) + 1
            notes.append(f"{failure}; {' and '.join(pair)} have {kept} rounds")
    return notes


def header(count: int, pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """What results.json records of the builds' plan: rounds asked for, and the pairs."""
    return {"build_rounds": count, "pairs": [list(pair) for pair in pairs]}


def _rounds_of(results: dict[str, Any], name: str) -> int:
    build = results["systems"].get(name, {}).get("build", {})
    return len(build.get("rounds") or [])


def rounds_text(results: dict[str, Any]) -> str:
    """Which systems were built in rounds and how many, for the header of RESULTS.md."""
    pairs = (results.get("indexing") or {}).get("pairs") or []
    counted = [(pair, _rounds_of(results, pair[0])) for pair in pairs]
    counted = [(pair, count) for pair, count in counted if count > 1]
    if not counted:
        return "one build per system"
    groups: list[tuple[list[str], int]] = []  # neighbouring pairs of the same count
    for pair, count in counted:
        if groups and groups[-1][1] == count:
            groups[-1][0].append(" and ".join(pair))
        else:
            groups.append(([" and ".join(pair)], count))
    parts = [
        ", ".join(names) + (f" built in {count} rounds" if index == 0 else f" in {count}")
        for index, (names, count) in enumerate(groups)
    ]
    return (
        ", ".join(parts) + ", each pair alternately first; their paragraphs/s are medians "
        "(lowest–highest round); the others built once"
    )


def method_note(results: dict[str, Any]) -> str:
    """What the indexing figures measure, for RESULTS.md's notes."""
    count = (results.get("indexing") or {}).get("build_rounds", 1)
    if rounds_text(results) == "one build per system":
        return f"Indexing: one build per system ({count} build round asked for, or no pair built)."
    return (
        f"Indexing in rounds (`--build-rounds {count}`): {rounds_text(results)}. The two "
        "systems of each indexing target (a newsearch system and its raw peer) are built "
        "once per round, each in a fresh process, the one that went second in a round "
        "going first in the next; round 1 "
        "is the run's own build, whose index the queries use, and later rounds build "
        "into throwaway folders. Their seconds, paragraphs/s and peak RSS (headline "
        "tables, targets) are medians over the rounds (`median_over_rounds` names them; "
        "`build.rounds` keeps every round's own); paragraphs, index size and baseline RSS "
        "are round 1's. A target's ratio is the ratio of the two medians, and *per round* "
        "gives the lowest and highest ratio of the two builds of one round. The other "
        "systems, and every scaling point, are built once."
    )
