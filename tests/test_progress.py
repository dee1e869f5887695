"""The indexing progress bar: what its line says, that it redraws on its own, that it
shows on a terminal only, and the bytes read that its ETA comes from."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsearch.cli.progress import ProgressBar, bar, duration, input_bytes
from newsearch.model import IndexReport
from newsearch.readers import ReadProgress, read_paths

from .conftest import SEEDS, run_cli


def test_line_shows_articles_rate_and_eta_from_bytes() -> None:
    reading = ReadProgress(articles=1200, bytes_read=250)
    progress = ProgressBar(reading, total_bytes=1000, stream=io.StringIO())
    progress.started -= 30  # 30 s in, a quarter of the bytes read: 90 s to go
    report = IndexReport()
    report.paragraphs = 6000
    progress.update(report)
    line = progress.line()
    assert "25%" in line
    assert "1,200 articles read" in line
    assert "6,000 paragraphs indexed" in line
    assert "200 paragraphs/s" in line
    assert "ETA 1:30" in line
    assert f"▕{bar(0.25)}▏" in line


def test_paragraphs_written_count_before_their_commit() -> None:
    progress = ProgressBar(ReadProgress(articles=10), total_bytes=None, stream=io.StringIO())
    progress.started -= 10
    report = IndexReport(paragraphs=1000, pending=3000)
    progress.update(report)
    line = progress.line()
    assert "4,000 paragraphs indexed (1,000 committed)" in line
    assert "400 paragraphs/s" in line
    report.paragraphs, report.pending = 4000, 0  # committed since: the same object
    assert "4,000 paragraphs indexed, " in progress.line()


def test_bar_and_duration_formats() -> None:
    assert bar(0.5, cells=4) == "██  "
    assert bar(1 / 32, cells=4) == "▏   "
    assert bar(2.0, cells=2) == "██"
    assert duration(59.6) == "1:00"
    assert duration(3 * 3600 + 62) == "3:01:02"


def test_without_a_size_there_is_no_eta(tmp_path: Path) -> None:
    assert input_bytes(["-", str(tmp_path)]) is None
    line = ProgressBar(ReadProgress(), None, io.StringIO()).line()
    assert "ETA" not in line and "%" not in line


def test_redraws_on_its_own_while_the_indexer_is_busy() -> None:
    stream = io.StringIO()
    with ProgressBar(ReadProgress(), 100, stream, interval=0.01):
        deadline = time.monotonic() + 10
        while stream.getvalue().count("\r") < 4 and time.monotonic() < deadline:
            time.sleep(0.01)  # the main thread busy elsewhere: a long commit
    text = stream.getvalue()
    assert text.count("\r") >= 4 and text.endswith("\n")


def test_bytes_read_reach_the_inputs_total_size(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"title": f"T{n}", "body": f"Body {n}."}) + "\n" for n in range(50))
    (tmp_path / "a.jsonl").write_text(lines, encoding="utf-8")
    text = "Title\n\nA body paragraph.\n"
    (tmp_path / "b.txt").write_text(text, encoding="utf-8")
    reading = ReadProgress()
    seen = []
    for item in read_paths([tmp_path], progress=reading):
        assert item.article is not None
        seen.append(reading.bytes_read)
    assert seen == sorted(seen) and len(set(seen)) > 10  # JSON Lines advance line by line
    assert reading.bytes_read == input_bytes([str(tmp_path)]) == len(lines) + len(text)


def test_no_progress_when_piped(tmp_path: Path, runner) -> None:
    result = run_cli(runner, "index", "--index", str(tmp_path / "ix"), str(SEEDS))
    assert result.exit_code == 0
    assert "indexing" not in result.stderr


def _stderr_on_a_terminal(*args: str) -> str:
    leader, follower = pty.openpty()
    process = subprocess.run(
        [sys.executable, "-m", "newsearch", *args],
        stdout=subprocess.PIPE,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=True,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: everything is read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.stdout.decode().startswith("indexed 1 article")
    return b"".join(chunks).decode("utf-8", errors="replace")


@pytest.mark.slow
def test_a_terminal_shows_the_bar_unless_quiet(tmp_path: Path) -> None:
    shown = _stderr_on_a_terminal("index", "--index", str(tmp_path / "a"), str(SEEDS))
    assert "indexing ▕" in shown and "100%" in shown and "1 articles read" in shown
    quiet = _stderr_on_a_terminal("index", "--quiet", "--index", str(tmp_path / "b"), str(SEEDS))
    assert "indexing" not in quiet
