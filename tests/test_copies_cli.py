"""The CLI's copy features: `query --collapse`, `copies ID`, stats."""

from __future__ import annotations

import json

import pytest

from newsearch import Index

from .conftest import run_cli
from .copies_helpers import ARAB_COPY, GULF_COPY, OTHER_STORY, WIRE_ARTICLE


@pytest.fixture
def copies_index(tmp_path, engine):
    path = tmp_path / "index"
    with Index.open(path, create=True, engine=engine) as index:
        index.add_articles([ARAB_COPY, GULF_COPY, WIRE_ARTICLE, OTHER_STORY])
    return str(path)


def test_query_collapse_lists_the_copies_under_one_result(runner, copies_index):
    result = run_cli(runner, "query", "barrels", "--collapse", "--index", copies_index)
    assert result.exit_code == 0
    # The story is shown by its best-ranked article, the two others listed earliest first.
    (line,) = [line for line in result.stdout.splitlines() if "copies:" in line]
    shown = {"Reuters", "Gulf News", "Al Arabiya"} - set(line.split(": ")[1].split(", "))
    assert len(shown) == 1 and line.startswith("  +2 copies: ")
    assert f" · {shown.pop()} · " in result.stdout
    assert result.stdout.rstrip().endswith("7 hits in 2 stories (showing stories 1–2)")


def test_query_collapse_json(runner, copies_index):
    result = run_cli(runner, "query", "barrels", "--collapse", "--json", "--index", copies_index)
    data = json.loads(result.stdout)
    assert data["total"] == 7 and data["total_stories"] == 2
    wire = next(h for h in data["hits"] if h["story"] == "wire")
    dates = [c["date"] for c in wire["copies"]]
    assert dates == sorted(dates) and len(dates) == 2
    members = {wire["article_id"]} | {c["article_id"] for c in wire["copies"]}
    assert members == {"wire", "gulf", "arab"}


def test_copies_command_lists_earliest_first(runner, copies_index):
    result = run_cli(runner, "copies", "arab", "--index", copies_index)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "2 copies of arab:"
    assert lines[1].startswith("  1987-03-02  Reuters  0.")
    assert lines[1].endswith("wire  OPEC says output within ceiling")
    assert lines[2].startswith("  1987-03-02  Gulf News  ")


def test_copies_command_json(runner, copies_index):
    result = run_cli(runner, "copies", "wire", "--json", "--index", copies_index)
    data = json.loads(result.stdout)
    assert data["article_id"] == "wire"
    assert [c["article_id"] for c in data["copies"]] == ["gulf", "arab"]
    assert data["copies"][0]["date"] == "1987-03-02T14:00:00"


def test_copies_command_without_copies_exits_1(runner, copies_index):
    result = run_cli(runner, "copies", "other", "--index", copies_index)
    assert result.exit_code == 1
    assert result.stdout.strip() == "no copies of other"


def test_copies_command_unknown_article_is_one_line_exit_2(runner, copies_index):
    result = run_cli(runner, "copies", "nope", "--index", copies_index)
    assert result.exit_code == 2
    assert result.stderr == "newsearch: error: no article with id 'nope' in the index\n"


def test_stats_shows_stories_with_copies(runner, copies_index):
    result = run_cli(runner, "stats", "--index", copies_index)
    assert "stories:    1 with copies; largest wire (3 articles)" in result.stdout


def test_facets_count_stories_once(runner, copies_index):
    # Four articles match "barrels": the wire story's three copies and the other story.
    result = run_cli(
        runner,
        "facets",
        "barrels",
        "--by",
        "language",
        "--unit",
        "stories",
        "--json",
        "--index",
        copies_index,
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["stories"], data["articles"]) == (2, 4)
    assert data["missing"] == {"articles": 4, "paragraphs": 7, "stories": 2}


def test_facets_by_source_with_stories_ranks_by_stories(runner, copies_index):
    result = run_cli(
        runner, "facets", "barrels", "--unit", "stories", "--csv", "--index", copies_index
    )
    rows = [line.split(",") for line in result.stdout.splitlines()]
    assert rows[0] == ["value", "stories", "articles", "paragraphs"]
    # Reuters ran both stories; each outlet ran one copy of the wire story.
    assert rows[1][:3] == ["Reuters", "2", "2"]
    assert sorted(r[0] for r in rows[2:4]) == ["Al Arabiya", "Gulf News"]
    assert [r[1:3] for r in rows[2:4]] == [["1", "1"], ["1", "1"]]


def test_facets_without_unit_have_no_stories(runner, copies_index):
    result = run_cli(runner, "facets", "barrels", "--json", "--index", copies_index)
    data = json.loads(result.stdout)
    assert "stories" not in data and "stories" not in data["values"][0]


def test_index_no_copies_makes_each_article_its_own_story(runner, tmp_path, engine):
    folder = tmp_path / "in"
    folder.mkdir()
    for a in (WIRE_ARTICLE, GULF_COPY):
        (folder / f"{a.id}.json").write_text(
            json.dumps(
                {
                    "id": a.id,
                    "title": a.title,
                    "body": "\n\n".join(a.body),
                    "date": a.date.isoformat(),
                    "source": a.source,
                }
            )
        )
    path = str(tmp_path / "index")
    args = ("index", str(folder), "--engine", engine, "--index", path, "-q")
    assert run_cli(runner, *args, "--no-copies").exit_code == 0
    assert run_cli(runner, "copies", "gulf", "--index", path).exit_code == 1
    assert run_cli(runner, *args).exit_code == 0  # again, comparing: now they are copies
    result = run_cli(runner, "copies", "gulf", "--index", path)
    assert result.exit_code == 0 and "wire" in result.stdout
