"""A query loads only what answering needs: start-up time is most of a CLI query's
time (speed issue: ``newsearch query`` within a few times ``import click``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newsearch import Index

from .conftest import ENGINES, SEEDS, run_cli

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


# What `newsearch query` never needs: modules whoosh imports at its top for names a search
# never uses (engines/whoosh_imports.py), and our own modules for writing and analytics.
NOT_FOR_A_QUERY = (
    *WRITING_ONLY,
    "urllib.request",  # whoosh.compat's urlretrieve
    "http.client",
    "email",
    "ssl",
    "asyncio",  # cached_property's, in whoosh.reading
    "whoosh.lang.morph_en",  # whoosh.query.terms's variations
    "newsearch.paragraphs",
    "traceback",  # for --debug
)
# Loaded by whoosh itself (hashlib for its hash tables, shutil in whoosh.filedb.compound),
# by a tantivy query never: OpenSSL's library, bz2 and lzma.
NOT_FOR_A_TANTIVY_QUERY = ("hashlib", "shutil")

CLI_QUERY = """
import contextlib, io, json, sys
from newsearch.cli import cli
shown = io.StringIO()
with contextlib.redirect_stdout(shown):
    try:
        cli(["query", "Rafah", "--json", "--index", sys.argv[1]], prog_name="newsearch")
    except SystemExit as exit:
        code = exit.code
print(json.dumps({"code": code, "shown": shown.getvalue(), "modules": sorted(sys.modules)}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_the_query_command_loads_only_what_a_search_needs(tmp_path, engine, runner):
    with Index.open(tmp_path / "index", create=True, engine=engine) as index:
        assert index.add_paths([SEEDS]).added == 1
        # Indexed again, the article replaces itself: whoosh reads its deleted documents.
        assert index.add_paths([SEEDS]).replaced == 1
    here = run_cli(runner, "query", "Rafah", "--json", "--index", str(tmp_path / "index"))
    run = subprocess.run(
        [sys.executable, "-c", CLI_QUERY, str(tmp_path / "index")],
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(run.stdout)
    assert answer["code"] == 0
    assert json.loads(answer["shown"]) == json.loads(here.output)
    assert json.loads(answer["shown"])["total"] == 5
    unwanted = NOT_FOR_A_QUERY + (NOT_FOR_A_TANTIVY_QUERY if engine == "tantivy" else ())
    assert [m for m in unwanted if m in answer["modules"]] == []


# whoosh's names bound to the stand-ins of engines/whoosh_imports.py answer as the real
# modules' do, loading them when first called (a fresh process: asyncio not loaded yet).
STAND_INS = """
import json, sys
from pathlib import Path
from newsearch.engines import whoosh_imports
import cached_property, whoosh.compat, whoosh.query.terms

async def coroutine_function():
    pass

def plain_function():
    pass

deferred = ["urllib.request", "asyncio", "whoosh.lang.morph_en"]
found = {"at_first": [name for name in deferred if name in sys.modules]}
asking = cached_property.asyncio.iscoroutinefunction
found["answers"] = [asking(coroutine_function), asking(plain_function)]
found["asyncio_asked"] = "asyncio" in sys.modules
source, copy = Path(sys.argv[1]) / "source.txt", Path(sys.argv[1]) / "copy.txt"
source.write_text("fetched")
whoosh.compat.urlretrieve(source.as_uri(), str(copy))
found["fetched"] = copy.read_text()
found["variations"] = sorted(whoosh.query.terms.variations("render"))
from whoosh.lang import morph_en
found["real_variations"] = sorted(morph_en.variations("render"))
import asyncio
marked = lambda: None
marked._is_coroutine = asyncio.coroutines._is_coroutine
found["marked"] = [asking(marked), asyncio.iscoroutinefunction(marked)]
found["after"] = [sys.modules[name].__file__ is not None for name in deferred]
print(json.dumps(found))
"""


def test_whoosh_s_unused_imports_load_when_first_used(tmp_path):
    run = subprocess.run(
        [sys.executable, "-c", STAND_INS, str(tmp_path)], capture_output=True, text=True, check=True
    )
    found = json.loads(run.stdout)
    assert found["at_first"] == []
    assert found["answers"] == [True, False]
    assert found["asyncio_asked"] is False
    assert found["fetched"] == "fetched"
    assert "rendering" in found["variations"]
    assert found["variations"] == found["real_variations"]
    assert found["marked"] == [True, True]
    assert found["after"] == [True, True, True]
