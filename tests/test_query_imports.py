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


# What the analysis worker imports (``parallel.serve``, and what it loads to fingerprint
# and analyse a batch): none of the modules only a query needs, nor numpy.random, whose
# memory every worker would carry.
WORKER = """
import json, sys
from newsearch.parallel import serve
from newsearch import analysis
from newsearch.copies import fingerprint
body = "Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought"
assert fingerprint.Batch.of_bodies([body]).size == 1
assert analysis.indexed(body).exact
print(json.dumps(sorted(sys.modules)))
"""
NOT_IN_WORKER = (
    "newsearch.index",
    "newsearch.highlight",
    "newsearch.query.parser",
    "newsearch.engines.base",
    "newsearch.copies.stories",
    "hashlib",  # loads OpenSSL's library: 3 MB
    "numpy.random",  # loads hashlib (through secrets): 6 MB in all
)


def test_the_analysis_worker_loads_no_query_module():
    run = subprocess.run([sys.executable, "-c", WORKER], capture_output=True, text=True, check=True)
    assert [m for m in NOT_IN_WORKER if m in json.loads(run.stdout)] == []


def test_the_package_names_load_when_first_used():
    import newsearch
    from newsearch import copies

    assert newsearch.Index is Index
    assert "Index" in dir(newsearch)
    assert copies.Planner.__module__ == "newsearch.copies.stories"
    assert copies.THRESHOLD == 0.5
    with pytest.raises(AttributeError, match="no attribute 'Indx'"):
        newsearch.Indx  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute 'Planer'"):
        copies.Planer  # noqa: B018
