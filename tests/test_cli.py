"""The command line through click's CliRunner: output formats, exit codes, messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsearch.cli import EXIT_ERROR, EXIT_FOUND, EXIT_NOT_FOUND

from .conftest import ARCHIVE, SEEDS, run_cli, write_archive


@pytest.fixture
def index_dir(tmp_path: Path, runner) -> Path:
    where = tmp_path / "index"
    result = run_cli(runner, "index", "--index", str(where), str(write_archive(tmp_path / "in")))
    assert result.exit_code == EXIT_FOUND, result.output
    return where


def test_index_prints_a_summary(tmp_path, runner):
    result = run_cli(runner, "index", "--index", str(tmp_path / "i"), str(SEEDS))
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "indexed 1 article (1 added, 0 replaced), 34 paragraphs, 0 skipped"
    )


def test_reindexing_the_same_files_replaces(tmp_path, runner, index_dir):
    files = str(tmp_path / "in")
    result = run_cli(runner, "index", "--index", str(index_dir), files, "--json")
    report = json.loads(result.stdout)
    assert (report["added"], report["replaced"]) == (0, 1 + len(ARCHIVE))
    stats = json.loads(run_cli(runner, "stats", "--index", str(index_dir), "--json").stdout)
    assert (stats["articles"], stats["paragraphs"]) == (4, 34 + 5 + 3 + 3)


def test_index_reads_json_lines_from_stdin(tmp_path, runner):
    line = json.dumps({"id": "x1", "title": "Stdin story", "text": "Piped in from a scraper."})
    result = run_cli(runner, "index", "--index", str(tmp_path / "i"), "-", input=line + "\n")
    assert result.exit_code == 0
    found = run_cli(runner, "query", "--index", str(tmp_path / "i"), "scraper", "--jsonl")
    assert [json.loads(x)["article_id"] for x in found.stdout.splitlines()] == ["x1"]


def test_source_option_fills_only_missing_sources(tmp_path, runner):
    where = str(tmp_path / "i")
    run_cli(runner, "index", "--index", where, "--source", "The National", str(tmp_path / "in"))
    write_archive(tmp_path / "in")
    run_cli(runner, "index", "--index", where, "--source", "The National", str(tmp_path / "in"))
    result = run_cli(runner, "stats", "--index", where, "--json")
    assert json.loads(result.stdout)["sources"] == {
        "The National": 1,
        "Gulf Times": 2,
        "Market Wire": 1,
    }


def test_missing_path_is_a_usage_error(tmp_path, runner):
    result = run_cli(runner, "index", "--index", str(tmp_path / "i"), str(tmp_path / "nope"))
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith("newsearch: error: no such file or directory")
    assert "Traceback" not in result.output


def test_skipped_file_is_reported_and_the_rest_indexed(tmp_path, runner):
    folder = write_archive(tmp_path / "in")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    result = run_cli(runner, "index", "--index", str(tmp_path / "i"), str(folder))
    assert result.exit_code == EXIT_ERROR
    assert "skipped" in result.stderr and "broken.json" in result.stderr
    assert "indexed 4 articles" in result.stdout


def test_query_groups_hits_by_article_with_plain_markers(runner, index_dir):
    result = run_cli(runner, "query", "--index", str(index_dir), '"Rafah border crossing"')
    assert result.exit_code == EXIT_FOUND
    lines = result.stdout.splitlines()
    assert "Border crossing reopens" in lines
    assert "Blinken leaves Middle East empty-handed as Hamas begins fresh talks" in lines
    assert any(line.startswith("  ¶2   The **Rafah border crossing** reopened") for line in lines)
    assert lines[-1] == "2 hits (showing 1–2, 2 articles)"


def test_query_words_can_be_separate_arguments(runner, index_dir):
    joined = run_cli(runner, "query", "--index", str(index_dir), "Rafah Egypt", "--json")
    separate = run_cli(runner, "query", "--index", str(index_dir), "Rafah", "Egypt", "--json")
    assert json.loads(joined.stdout)["hits"] == json.loads(separate.stdout)["hits"]
    assert json.loads(joined.stdout)["total"] == 2


def test_flat_lists_each_paragraph_with_its_title(runner, index_dir):
    result = run_cli(runner, "query", "--index", str(index_dir), "Rafah", "--flat")
    titled = [line for line in result.stdout.splitlines() if " · score " in line]
    assert len(titled) == 6


def test_context_shows_neighbours(runner, index_dir):
    result = run_cli(
        runner, "query", "--index", str(index_dir), '"aid trucks"', "--context", "1", "--flat"
    )
    numbers = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ¶")]
    assert numbers == ["¶1", "¶2", "¶3"]


def test_json_output_schema(runner, index_dir):
    result = run_cli(
        runner,
        "query",
        "--index",
        str(index_dir),
        '"Rafah border crossing"',
        "--json",
        "--limit",
        "1",
        "--sort",
        "oldest",
    )
    data = json.loads(result.stdout)
    assert set(data) == {"query", "total", "total_articles", "offset", "limit", "notes", "hits"}
    assert (data["query"], data["total"], data["offset"], data["limit"]) == (
        '"Rafah border crossing"',
        2,
        0,
        1,
    )
    assert data["total_articles"] == 2
    assert data["notes"] == []
    (hit,) = data["hits"]
    # Flat, in this order: the article's metadata sits beside the hit's own fields.
    assert list(hit) == [
        "anchor",
        "article_id",
        "paragraph",
        "role",
        "score",
        "title",
        "date",
        "source",
        "author",
        "url",
        "section",
        "tags",
        "language",
        "text",
        "highlights",
        "snippet",
    ]
    assert (hit["article_id"], hit["paragraph"], hit["date"]) == ("old-1", 2, "2023-11-24T10:00:00")
    assert hit["highlights"] == [[4, 25]]
    assert hit["text"][4:25] == "Rafah border crossing"
    assert hit["snippet"] == {"text": hit["text"], "highlights": [[4, 25]]}


def test_jsonl_prints_one_hit_per_line(runner, index_dir):
    result = run_cli(runner, "query", "--index", str(index_dir), "Rafah", "--jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 6
    assert all(row["highlights"] for row in rows)


def test_no_hits_exits_1(runner, index_dir):
    result = run_cli(runner, "query", "--index", str(index_dir), "zeppelin")
    assert result.exit_code == EXIT_NOT_FOUND
    assert result.stdout.strip() == "no hits for 'zeppelin'"


def test_bad_query_shows_a_caret_and_exits_2(runner, index_dir):
    result = run_cli(runner, "query", "--index", str(index_dir), 'Hamas "Rafah border')
    assert result.exit_code == EXIT_ERROR
    assert result.stdout == ""
    assert result.stderr.splitlines()[1:] == ['  Hamas "Rafah border', "        ^"]
    assert "Traceback" not in result.stderr


def test_bad_since_is_an_error(runner, index_dir):
    result = run_cli(runner, "query", "--index", str(index_dir), "Rafah", "--since", "soon")
    assert result.exit_code == EXIT_ERROR
    assert len(result.stderr.splitlines()) >= 1


def test_missing_index_says_how_to_create_it(tmp_path, runner):
    result = run_cli(runner, "query", "--index", str(tmp_path / "none"), "Rafah")
    assert result.exit_code == EXIT_ERROR
    assert result.stderr == (
        f"newsearch: error: no index at {tmp_path / 'none'}; create one with "
        f"'newsearch index --index {tmp_path / 'none'} FILES…'\n"
    )


def test_index_location_from_environment(tmp_path, runner, monkeypatch):
    monkeypatch.setenv("NEWSEARCH_INDEX", str(tmp_path / "env-index"))
    assert run_cli(runner, "index", str(SEEDS)).exit_code == 0
    assert run_cli(runner, "query", "Rafah").exit_code == 0
    assert (tmp_path / "env-index" / "newsearch.json").exists()


def test_show_prints_numbered_paragraphs(runner, index_dir):
    result = run_cli(runner, "show", "--index", str(index_dir), "old-1")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "Border crossing reopens"
    assert "¶2   The Rafah border crossing reopened for aid trucks on Friday." in result.stdout
    data = json.loads(run_cli(runner, "show", "--index", str(index_dir), "old-1", "--json").stdout)
    assert [p["paragraph"] for p in data["paragraphs"]] == [1, 2, 3]
    assert data["tags"] == ["Middle East", "aid"]


def test_show_unknown_article_exits_1(runner, index_dir):
    result = run_cli(runner, "show", "--index", str(index_dir), "nope")
    assert result.exit_code == EXIT_NOT_FOUND
    assert result.stderr == "newsearch: no article with id 'nope'\n"


def test_stats(runner, index_dir):
    data = json.loads(run_cli(runner, "stats", "--index", str(index_dir), "--json").stdout)
    assert (data["articles"], data["paragraphs"], data["engine"]) == (4, 45, "whoosh")
    assert (data["first_date"], data["last_date"]) == ("2023-11-24T10:00:00", "2024-03-12T14:30:00")
    assert data["sources"] == {"Gulf Times": 2, "Market Wire": 1}
    assert data["size_bytes"] > 0
    text = run_cli(runner, "stats", "--index", str(index_dir)).stdout
    assert "articles:   4" in text and "dates:      2023-11-24 to 2024-03-12" in text


def test_delete_removes_every_paragraph(runner, index_dir):
    result = run_cli(runner, "delete", "--index", str(index_dir), "old-1", "ghost")
    assert result.exit_code == EXIT_NOT_FOUND
    assert result.stdout == "deleted 1 article\n"
    assert result.stderr == "newsearch: not in the index: ghost\n"
    assert run_cli(runner, "show", "--index", str(index_dir), "old-1").exit_code == EXIT_NOT_FOUND
    gone = run_cli(runner, "query", "--index", str(index_dir), "reopened")
    assert gone.exit_code == EXIT_NOT_FOUND


def test_usage_errors_exit_2(runner, index_dir):
    assert run_cli(runner, "query", "--index", str(index_dir), "x", "--limit", "-1").exit_code == 2
    assert run_cli(runner, "query", "--index", str(index_dir), "x", "--sort", "best").exit_code == 2
    assert run_cli(runner, "frobnicate").exit_code == 2


def test_debug_shows_the_traceback(runner, index_dir):
    plain = run_cli(runner, "query", "--index", str(index_dir), '"open')
    debug = run_cli(runner, "--debug", "query", "--index", str(index_dir), '"open')
    assert plain.exit_code == debug.exit_code == EXIT_ERROR
    assert "Traceback" not in plain.stderr
    assert "Traceback (most recent call last)" in debug.stderr
    assert "QuerySyntaxError: unbalanced quote" in debug.stderr


def test_leading_minus_is_a_query_word_not_an_option(runner, index_dir):
    result = run_cli(runner, "query", "--index", str(index_dir), "-Israel", "Rafah", "--json")
    assert result.exit_code == EXIT_FOUND
    data = json.loads(result.stdout)
    assert data["query"] == "-Israel Rafah"
    # "Israeli" (stem "isra") is not "Israel": seed paragraphs 9 and 11 stay.
    assert sorted(h["paragraph"] for h in data["hits"]) == [2, 9, 11]
