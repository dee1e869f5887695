"""The coverage commands through click's CliRunner: tables, CSV, JSON, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from newsearch.cli import EXIT_ERROR, EXIT_FOUND, EXIT_NOT_FOUND

from .conftest import run_cli, write_archive


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    base = tmp_path_factory.mktemp("coverage-cli")
    where = base / "index"
    result = run_cli(CliRunner(), "index", "--index", str(where), str(write_archive(base / "in")))
    assert result.exit_code == EXIT_FOUND, result.output
    return where


def test_timeline_prints_one_row_per_month_within_80_columns(runner, index_dir):
    result = run_cli(
        runner, "timeline", "talks", "aid", "--interval", "month", "--index", str(index_dir)
    )
    assert result.exit_code == EXIT_FOUND
    lines = result.stdout.splitlines()
    assert [line[:7] for line in lines[1:6]] == [
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
        "2024-03",
    ]
    assert "  2  2 100.0% █" in lines[4] and all(len(line) <= 80 for line in lines)


def test_timeline_csv_has_a_column_pair_per_query(runner, index_dir):
    result = run_cli(
        runner,
        "timeline",
        "talks",
        "aid",
        "--interval",
        "month",
        "--csv",
        "--index",
        str(index_dir),
    )
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == [
        "start",
        "total",
        "talks matching",
        "talks ratio",
        "aid matching",
        "aid ratio",
    ]
    assert rows[1] == ["2023-11-01", "1", "0", "0.0", "1", "1.0"]
    assert rows[4] == ["2024-02-01", "2", "2", "1.0", "1", "0.5"]


def test_timeline_json_shape(runner, index_dir):
    result = run_cli(
        runner, "timeline", "aid", "--interval", "year", "--json", "--index", str(index_dir)
    )
    data = json.loads(result.stdout)
    assert data["interval"] == "year" and data["unit"] == "articles"
    series = data["series"][0]
    assert (series["query"], series["matching"], series["undated"]) == ("aid", 2, 0)
    assert series["buckets"] == [
        {"start": "2023-01-01", "matching": 1, "total": 1, "ratio": 1.0},
        {"start": "2024-01-01", "matching": 1, "total": 3, "ratio": 0.333333},
    ]


def test_nothing_matching_exits_1(runner, index_dir):
    for command in ("timeline", "facets", "terms", "export"):
        result = run_cli(runner, command, "zzzyx", "--index", str(index_dir))
        assert result.exit_code == EXIT_NOT_FOUND, command


def test_bad_options_and_queries_exit_2(runner, index_dir):
    bad_interval = run_cli(
        runner, "timeline", "aid", "--interval", "hour", "--index", str(index_dir)
    )
    assert bad_interval.exit_code == EXIT_ERROR
    bad_query = run_cli(runner, "facets", "(aid", "--index", str(index_dir))
    assert bad_query.exit_code == EXIT_ERROR and "bad query" in bad_query.stderr
    both = run_cli(runner, "terms", "aid", "--json", "--csv", "--index", str(index_dir))
    assert both.exit_code == EXIT_ERROR


def test_facets_table_and_csv(runner, index_dir):
    table = run_cli(runner, "facets", "talks OR aid", "--by", "tag", "--index", str(index_dir))
    assert table.stdout.splitlines()[:5] == [
        "tag          articles  paragraphs",
        "Middle East         2           5",
        "diplomacy           1           3",
        "aid                 1           2",
        "(no tag)            1           6",
    ]
    rows = list(
        csv.reader(
            io.StringIO(
                run_cli(runner, "facets", "talks OR aid", "--csv", "--index", str(index_dir)).stdout
            )
        )
    )
    assert rows == [["value", "articles", "paragraphs"], ["Gulf Times", "2", "5"], ["", "1", "6"]]


def test_terms_json_names_the_score_and_sample(runner, index_dir):
    result = run_cli(runner, "terms", "talks", "--json", "-n", "2", "--index", str(index_dir))
    data = json.loads(result.stdout)
    assert (data["score"], data["matched"], data["sample"], data["sampled"]) == ("jlh", 8, 8, False)
    assert data["terms"][0] == {
        "term": "qatar",
        "form": "Qatar",
        "foreground": 4,
        "background": 6,
        "score": 1.375,
    }


def test_export_writes_every_hit_with_citation_fields(runner, index_dir, tmp_path):
    out = tmp_path / "aid.csv"
    result = run_cli(
        runner, "export", "aid", "--format", "csv", "--output", str(out), "--index", str(index_dir)
    )
    assert result.exit_code == EXIT_FOUND
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["anchor"] for r in rows] == ["old-1#p2", "old-1#p3", "sha1-2b3cad97df90255a#p14"]
    assert rows[0]["text"] == "The Rafah border crossing reopened for aid trucks on Friday."
    assert json.loads(rows[0]["highlights"]) == [[39, 42]]
    lines = run_cli(runner, "export", "aid", "--index", str(index_dir)).stdout.splitlines()
    first = json.loads(lines[0])
    assert len(lines) == 3 and first["anchor"] == "old-1#p2" and first["source"] == "Gulf Times"


def test_show_takes_an_anchor_and_context(runner, index_dir):
    result = run_cli(runner, "show", "gulf-1#p3", "--context", "1", "--index", str(index_dir))
    assert result.exit_code == EXIT_FOUND
    numbered = [line for line in result.stdout.splitlines() if line.startswith("¶")]
    assert [line.split()[0] for line in numbered] == ["¶2", "¶3", "¶4"]
    alone = run_cli(
        runner, "show", "gulf-1#p3", "--context", "0", "--json", "--index", str(index_dir)
    )
    assert [p["paragraph"] for p in json.loads(alone.stdout)["paragraphs"]] == [3]
    whole = run_cli(runner, "show", "gulf-1#p3", "--json", "--index", str(index_dir))
    assert len(json.loads(whole.stdout)["paragraphs"]) == 5


def test_export_to_an_unwritable_file_is_one_line_error(runner, index_dir, tmp_path):
    target = tmp_path / "missing" / "out.csv"
    result = run_cli(runner, "export", "aid", "--output", str(target), "--index", str(index_dir))
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith(f"newsearch: error: cannot write {target}")
