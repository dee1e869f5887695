"""The serve benchmark's bookkeeping: requests spread over clients, targets judged."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import serve  # noqa: E402


def test_requests_are_spread_over_the_clients_in_query_order():
    seen: list[tuple[str, str]] = []
    lock = threading.Lock()

    def make_call():
        def call(query: str) -> None:
            with lock:
                seen.append((threading.current_thread().name, query))

        return call

    result = serve.run_clients(3, ["a", "b", "c", "d"], 10, make_call)
    assert (result["clients"], result["requests"]) == (3, 10)
    assert sorted(q for _, q in seen) == sorted(["a", "b", "c", "d"] * 2 + ["a", "b"])
    assert len({name for name, _ in seen}) == 3
    assert result["latencies_ms"] is None and result["p50_ms"] <= result["p95_ms"]


def run(clients: int, p95: float, overhead: float | None) -> dict:
    web = {"p95_ms": p95}
    return {"clients": clients, "http": web, "overhead_ms": overhead}


def test_targets_are_judged_on_the_tantivy_runs_only():
    engines = [
        {"engine": "whoosh", "runs": [run(1, 50.0, 9.0), run(4, 80.0, None)]},
        {"engine": "tantivy", "runs": [run(1, 3.0, 1.5), run(4, 10.5, None)]},
    ]
    found = {t["measure"]: (t["value"], t["met"]) for t in serve.targets(engines)}
    assert found == {
        "tantivy, HTTP overhead ms per request": (1.5, True),
        "tantivy, 4 clients, HTTP p95 ms": (10.5, False),
    }
