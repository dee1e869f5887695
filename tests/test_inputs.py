"""What goes in: gzip-compressed inputs, the index's own folder, skips that are counted
and reported, ``--allow-skips``, and article counts in ``stats``."""

from __future__ import annotations

import gzip
import json

import pytest

from newsearch import Article, Index
from newsearch.cli import EXIT_ERROR, EXIT_FOUND
from newsearch.readers import read_paths

from .conftest import run_cli
from .reader_helpers import reasons

STORY = {"id": "gz-1", "title": "Compressed story", "text": "Squeezed into a gzip file."}


def test_gzip_inputs_are_read(tmp_path):
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(json.dumps(STORY).encode() + b"\n"))
    (tmp_path / "b.json.gz").write_bytes(
        gzip.compress(json.dumps({**STORY, "id": "gz-2"}).encode())
    )
    (tmp_path / "c.txt.gz").write_bytes(gzip.compress(b"Text title\n\nText body, gzipped.\n"))
    read = list(read_paths([tmp_path]))
    assert [(r.where, r.article.title) for r in read] == [
        (f"{tmp_path / 'a.jsonl.gz'}:1", "Compressed story"),
        (str(tmp_path / "b.json.gz"), "Compressed story"),
        (str(tmp_path / "c.txt.gz"), "Text title"),
    ]


def test_a_damaged_gzip_file_is_skipped_with_a_reason(tmp_path):
    data = gzip.compress(json.dumps(STORY).encode() * 50)
    (tmp_path / "cut.json.gz").write_bytes(data[: len(data) // 2])
    ((where, reason),) = reasons(list(read_paths([tmp_path])))
    assert where == str(tmp_path / "cut.json.gz")
    assert reason.startswith("cannot read file:")


def test_the_index_never_reads_its_own_folder(tmp_path):
    (tmp_path / "story.json").write_text(json.dumps(STORY), encoding="utf-8")
    with Index.open(tmp_path / "indexes" / "main", create=True) as index:
        first = index.add_paths([tmp_path])
        again = index.add_paths([tmp_path])  # its own files now lie under tmp_path
    assert (first.added, first.skipped) == (1, [])
    assert (again.replaced, again.skipped, again.warnings) == (1, [], [])


def test_an_article_with_no_body_left_is_a_counted_skip_and_allow_skips_exits_0(tmp_path, runner):
    (tmp_path / "good.json").write_text(json.dumps(STORY), encoding="utf-8")
    empty = {"title": "Only furniture", "paragraphs": ["Advertisement", "Reuter"]}
    (tmp_path / "empty.json").write_text(json.dumps(empty), encoding="utf-8")
    args = ["index", "--index", str(tmp_path / "i"), str(tmp_path / "good.json")]
    strict = run_cli(runner, *args, str(tmp_path / "empty.json"), "--json")
    assert strict.exit_code == EXIT_ERROR
    report = json.loads(strict.stdout)
    assert (report["added"], report["skipped"]) == (
        1,
        [{"where": str(tmp_path / "empty.json"), "reason": "missing body", "count": 1}],
    )
    relaxed = run_cli(runner, *args, str(tmp_path / "empty.json"), "--allow-skips")
    assert relaxed.exit_code == EXIT_FOUND
    assert "1 skipped" in relaxed.stdout
    assert f"skipped {tmp_path / 'empty.json'}: missing body" in relaxed.stderr


def test_index_json_reports_warnings_as_objects_like_skips(tmp_path, runner):
    (tmp_path / "a.json").write_bytes(b'{"title": "Bad \xff bytes", "text": "Body."}')
    result = run_cli(
        runner, "index", "--index", str(tmp_path / "i"), str(tmp_path / "a.json"), "--json"
    )
    assert json.loads(result.stdout)["warnings"] == [
        {"where": str(tmp_path / "a.json"), "message": "invalid UTF-8 bytes replaced"}
    ]
    assert f"warning: {tmp_path / 'a.json'}: invalid UTF-8 bytes replaced" in result.stderr


def test_stats_counts_articles_through_replacements_and_deletions(new_index):
    new_index.add_articles(
        [Article(title=f"T{n}", body=("Body.", "More."), id=f"a{n}") for n in range(5)]
    )
    new_index.add(Article(title="T0 again", body=("Replaced.",), id="a0"))
    new_index.add(Article(title="Title only", body=(), id="t"))
    new_index.delete("a4")
    stats = new_index.stats()
    assert (stats.articles, stats.paragraphs) == (5, 3 * 3 + 2 + 1)


@pytest.mark.parametrize("engine_name", ["whoosh", "tantivy"])
def test_rebuild_keeps_the_recorded_engine(tmp_path, runner, engine_name):
    (tmp_path / "s.json").write_text(json.dumps(STORY), encoding="utf-8")
    where = str(tmp_path / "i")
    run_cli(runner, "index", "--index", where, "--engine", engine_name, str(tmp_path / "s.json"))
    run_cli(runner, "index", "--index", where, "--rebuild", str(tmp_path / "s.json"))
    stats = json.loads(run_cli(runner, "stats", "--index", where, "--json").stdout)
    assert (stats["engine"], stats["articles"]) == (engine_name, 1)
    other = "whoosh" if engine_name == "tantivy" else "tantivy"
    run_cli(
        runner, "index", "--index", where, "--rebuild", "--engine", other, str(tmp_path / "s.json")
    )
    assert (
        json.loads(run_cli(runner, "stats", "--index", where, "--json").stdout)["engine"] == other
    )
