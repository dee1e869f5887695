"""Shared fixtures: a small archive (the seed article plus a few written here) indexed
once per engine, and helpers to run the CLI."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from newsearch import Article, Index
from newsearch.cli import cli
from newsearch.engines import engine_class
from newsearch.errors import EngineUnavailableError

# Property tests draw the same examples on every run ("deterministic"): a fresh clone
# (no .hypothesis database) once failed one full run in seven on an example drawn at
# random. HYPOTHESIS_PROFILE=explore draws new examples, to look for new failures.
settings.register_profile("deterministic", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED_FILE = SEEDS / "000_1494f7528b899f5e.txt"


def _installed(engine: str) -> bool:
    try:
        engine_class(engine)
    except EngineUnavailableError:
        return False
    return True


# Every engine whose package is installed: the parametrized fixtures run on each.
ENGINES = ["whoosh", *(["tantivy"] if _installed("tantivy") else [])]

# A few articles with distinct dates, sources and metadata, for filters and sorting.
ARCHIVE = [
    {
        "id": "gulf-1",
        "title": "Qatar hosts ceasefire talks",
        "description": "Mediators meet in Doha",
        "paragraphs": [
            "Qatar hosted a new round of ceasefire talks on Monday.",
            "Officials from Egypt and the United States attended the talks in Doha.",
            "A hostage deal was discussed but no agreement was reached.",
        ],
        "date": "2024-02-05T08:00:00",
        "source": "Gulf Times",
        "author": "Sara Khan",
        "section": "World",
        "tags": ["Middle East", "diplomacy"],
        "url": "https://example.org/gulf-1",
        "language": "en",
    },
    {
        "id": "markets-1",
        "title": "Oil prices rise on supply fears",
        "paragraphs": [
            "Oil prices rose sharply on Tuesday as traders weighed supply risks.",
            "Analysts said negotiations between producers could cap the rally.",
        ],
        "date": "2024-03-12T14:30:00",
        "source": "Market Wire",
        "author": "John Smith",
        "section": "Business",
        "tags": ["oil", "markets"],
    },
    {
        "id": "old-1",
        "title": "Border crossing reopens",
        "paragraphs": [
            "The Rafah border crossing reopened for aid trucks on Friday.",
            "Aid agencies welcomed the move but warned that more was needed.",
        ],
        "date": "2023-11-24T10:00:00",
        "source": "Gulf Times",
        "author": "Sara Khan",
        "section": "World",
        "tags": ["Middle East", "aid"],
    },
]


def write_archive(folder: Path) -> Path:
    """The seed article and ARCHIVE as JSON Lines, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED_FILE, folder / SEED_FILE.name)
    with open(folder / "archive.jsonl", "w", encoding="utf-8") as out:
        for record in ARCHIVE:
            out.write(json.dumps(record) + "\n")
    return folder


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session", params=ENGINES)
def archive_index(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The seed plus ARCHIVE indexed once per engine; tests must not change it."""
    base = tmp_path_factory.mktemp(f"archive-{request.param}")
    files = write_archive(base / "files")
    index = Index.open(base / "index", create=True, engine=str(request.param))
    report = index.add_paths([files])
    assert report.added == 1 + len(ARCHIVE) and not report.skipped
    yield index
    index.close()


@pytest.fixture
def new_index(tmp_path: Path, engine: str):
    """An empty index of each engine."""
    index = Index.open(tmp_path / "index", create=True, engine=engine)
    yield index
    index.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run_cli(runner: CliRunner, *args: str, input: str | None = None):
    """Invoke the CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    return runner.invoke(cli, list(args), input=input, catch_exceptions=False)


def article(aid: str, *body: str, title: str = "A title", date: datetime | None = None) -> Article:
    return Article(title=title, body=tuple(body), id=aid, date=date)
