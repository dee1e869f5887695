"""Damaged, outdated and locked indexes give a clear message and a way out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsearch import Index, IndexCorruptError
from newsearch.cli import EXIT_ERROR, EXIT_FOUND
from newsearch.index import FORMAT_VERSION

from .conftest import SEEDS, run_cli


@pytest.fixture
def seeded(tmp_path: Path, engine: str) -> Path:
    where = tmp_path / "index"
    with Index.open(where, create=True, engine=engine) as index:
        index.add_paths([SEEDS])
    return where


def _largest_file(folder: Path) -> Path:
    return max((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)


def _search(where: Path) -> int:
    with Index.open(where) as index:
        return index.search("Rafah").total


def test_truncated_file_says_damaged_and_how_to_rebuild(seeded, runner):
    victim = _largest_file(seeded / "data")
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    with pytest.raises(IndexCorruptError, match="damaged"):
        _search(seeded)
    result = run_cli(runner, "query", "--index", str(seeded), "Rafah")
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith(f"newsearch: error: the index in {seeded} is damaged")
    assert "newsearch index --rebuild" in result.stderr
    assert "Traceback" not in result.stderr


def test_deleted_file_says_damaged(seeded, runner):
    _largest_file(seeded / "data").unlink()
    result = run_cli(runner, "query", "--index", str(seeded), "Rafah")
    assert result.exit_code == EXIT_ERROR
    assert "is damaged" in result.stderr and "--rebuild" in result.stderr


def test_rebuild_recovers_a_damaged_index(seeded, runner, engine):
    _largest_file(seeded / "data").unlink()
    result = run_cli(
        runner, "index", "--rebuild", "--engine", engine, "--index", str(seeded), str(SEEDS)
    )
    assert result.exit_code == EXIT_FOUND, result.output
    assert _search(seeded) == 5


def test_rebuild_only_deletes_the_index_files(tmp_path, runner):
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    run_cli(runner, "index", "--index", str(tmp_path), str(SEEDS))
    run_cli(runner, "index", "--rebuild", "--index", str(tmp_path), str(SEEDS))
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_incompatible_format_version_says_so(seeded, runner):
    meta = seeded / "newsearch.json"
    data = json.loads(meta.read_text(encoding="utf-8"))
    meta.write_text(json.dumps({**data, "format": 99}), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="format version 99"):
        Index.open(seeded)
    result = run_cli(runner, "stats", "--index", str(seeded))
    assert result.exit_code == EXIT_ERROR
    assert f"this newsearch reads version {FORMAT_VERSION}" in result.stderr
    assert "newsearch index --rebuild" in result.stderr


def test_garbled_metadata_says_so(seeded):
    (seeded / "newsearch.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="rebuild"):
        Index.open(seeded)
