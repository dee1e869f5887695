"""The twice benchmark's inputs (benchmarks/twice.py) and one small run of it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import twice  # noqa: E402
from benchmarks.corpus import Slice, read_jsonl  # noqa: E402

from .test_benchmark_harness import CORPUS, needs_corpus  # noqa: E402

ARTICLES = [
    {
        "id": "a1",
        "title": "Cocoa rains return to Bahia",
        "paragraphs": ["Showers continued throughout the week in the cocoa zone.", "Dry."],
        "date": "1987-02-26T15:01:01",
        "tags": ["cocoa"],
    },
    {"id": "a2", "title": "Grain", "paragraphs": ["Wheat prices rose on Monday."], "date": None},
]


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def _corpus(tmp_path: Path) -> Slice:
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES))
    return Slice(1.0, path, tmp_path / "unused.jsonl", 2, 5)


def test_the_twin_is_every_article_again_as_another_text(tmp_path: Path) -> None:
    doubled = twice.doubled(_corpus(tmp_path), "twin", twice._twin, tmp_path)
    articles = list(read_jsonl(doubled.articles_path))
    assert [a["id"] for a in articles] == ["a1", "a2", "a1~twin", "a2~twin"]
    assert articles[2]["title"] == "Bahia to return rains Cocoa"
    assert articles[2]["paragraphs"] == [
        "zone. cocoa the in week the throughout continued Showers",
        "Dry.",
    ]
    assert not _shingles(articles[0]["paragraphs"][0]) & _shingles(articles[2]["paragraphs"][0])
    assert (doubled.articles, doubled.paragraphs) == (4, 10)  # each title is paragraph 1
    paragraphs = list(read_jsonl(doubled.paragraphs_path))
    ids = ["a1~twin#1", "a1~twin#2", "a1~twin#3", "a2~twin#1", "a2~twin#2"]
    assert [p["id"] for p in paragraphs[5:]] == ids


def test_the_copies_are_every_article_again_word_for_word(tmp_path: Path) -> None:
    doubled = twice.doubled(_corpus(tmp_path), "copies", twice._copy, tmp_path)
    articles = list(read_jsonl(doubled.articles_path))
    assert [a["id"] for a in articles] == ["a1", "a2", "a1~copy", "a2~copy"]
    assert [{**a, "id": a["id"][:2]} for a in articles[2:]] == articles[:2]


@needs_corpus
def test_a_small_run_builds_each_input_on_each_system(tmp_path: Path) -> None:
    out = tmp_path / "twice"
    argv = ["--corpus", str(CORPUS), "--limit-articles", "40", "--out", str(out)]
    assert twice.main([*argv, "--systems", "newsearch-tantivy,tantivy"]) == 0
    data = json.loads(out.with_suffix(".json").read_text())
    for system in ("newsearch-tantivy", "tantivy"):
        runs = data["systems"][system]
        assert list(runs) == ["corpus", "twin", "copies"]
        assert runs["twin"]["paragraphs"] == runs["copies"]["paragraphs"]
        assert runs["copies"]["paragraphs"] == 2 * runs["corpus"]["paragraphs"] > 0
        assert all(run["peak_rss_bytes"] > 0 for run in runs.values())
    table = out.with_suffix(".md").read_text().splitlines()
    assert len([line for line in table if "| copies |" in line]) == 2
