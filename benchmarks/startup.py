"""Start-up: the wall time of ``newsearch query Rafah`` on the seed index, per engine,
against ``python -c "import click"``, all in one run, interleaved, median of ``--runs``.

Usage::

    python benchmarks/startup.py [--runs 10] [--out benchmarks/startup.json]

Writes ``startup.json``, which ``RESULTS.md`` shows (``speed_targets.startup_lines``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = [sys.executable, "-c", "import click"]
# engine -> the target: at most this many times the baseline's wall time
LIMITS = {"whoosh": 4.0, "tantivy": 2.5}
# Users' Python caches bytecode after a command's first run; an environment that forbids it
# (PYTHONDONTWRITEBYTECODE) would time compiling newsearch's sources on every run instead.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def wall_ms(command: Sequence[str]) -> float:
    """One run's wall time in milliseconds (output discarded; exit 0 or 1 expected)."""
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    elapsed = (time.perf_counter() - started) * 1000
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()}")
    return elapsed


def measure(runs: int, workdir: Path) -> dict[str, object]:
    """Build one seed index per engine, then time every command ``runs`` times."""
    commands = {"baseline": BASELINE}
    for engine in LIMITS:
        index = workdir / engine
        newsearch = [sys.executable, "-m", "newsearch"]
        build = [*newsearch, "index", "--quiet", "--engine", engine, "--index", str(index)]
        seeds = str(ROOT / "seeds")
        subprocess.run([*build, seeds], check=True, stdout=subprocess.DEVNULL, env=ENV)
        commands[engine] = [*newsearch, "query", "Rafah", "--index", str(index)]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():
        wall_ms(command)  # warm the page cache and the bytecode caches
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(wall_ms(command))
    base = statistics.median(times["baseline"])
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "runs": runs,
        "baseline": 'python -c "import click"',
        "baseline_ms": base,
        "rows": [
            {
                "command": f"newsearch query Rafah ({engine} engine)",
                "engine": engine,
                "median_ms": statistics.median(times[engine]),
                "times_ms": times[engine],
                "limit": limit,
                "target": f"≤ {limit}× baseline",
            }
            for engine, limit in LIMITS.items()
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    out = Path(__file__).resolve().parent / "startup.json"
    parser.add_argument("--out", type=Path, default=out)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsearch-startup-") as workdir:
        result = measure(args.runs, Path(workdir))
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for row in result["rows"]:  # type: ignore[attr-defined]
        ratio = row["median_ms"] / result["baseline_ms"]  # type: ignore[operator]
        print(f"{row['command']}: {row['median_ms']:.0f} ms = {ratio:.2f}× baseline")
    print(f"baseline {result['baseline']}: {result['baseline_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
