"""A query loads only what answering needs: start-up time is most of a CLI query's
time (speed issue: ``newsearch query`` within a few times ``import click``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newsearch import Index

from .conftest import ENGINES, SEEDS

# Modules for writing (and their heavy dependencies), never for a query.
WRITING_ONLY = (
    "numpy",
    "nltk",
    "newsearch.parallel",
    "newsearch.copies",
    "newsearch.readers",
    "newsearch.engines.whoosh_writing",
    "whoosh.writing",
)

QUERY = """
import json, sys
from newsearch import Index
with Index.open(sys.argv[1]) as index:
    found = index.search("Rafah")
print(json.dumps({"hits": len(found.hits), "modules": sorted(sys.modules)}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_a_query_loads_no_writing_module(tmp_path, engine):
    with Index.open(tmp_path / "index", create=True, engine=engine) as index:
        assert index.add_paths([SEEDS]).added == 1
    run = subprocess.run(
        [sys.executable, "-c", QUERY, str(tmp_path / "index")],
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(run.stdout)
    assert answer["hits"] > 0
    assert [m for m in WRITING_ONLY if m in answer["modules"]] == []
