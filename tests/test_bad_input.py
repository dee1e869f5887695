"""A folder of messy inputs: every bad one is skipped with a reason, the good ones indexed."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from newsearch import Index, InputError
from newsearch.cli import EXIT_ERROR

from .conftest import SEED_FILE, run_cli

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"


def good(aid: str, text: str = "A perfectly ordinary paragraph about the harbour.") -> str:
    return json.dumps({"id": aid, "title": f"Good story {aid}", "text": text})


def make_messy_folder(folder: Path) -> Path:
    folder.mkdir()
    (folder / "seed.txt").write_bytes(SEED_FILE.read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.png").write_bytes(PNG)
    with zipfile.ZipFile(folder / "bundle.zip", "w") as bundle:
        bundle.writestr("a.txt", "hello")
    (folder / "latin1.txt").write_bytes(
        "Caf\xe9 owners protest\n\nThe caf\xe9 closed.".encode("latin-1")
    )
    (folder / "boilerplate.txt").write_text("Powered by automated translation\n", encoding="utf-8")
    lines = [good("jl-1"), "{broken json", "[1, 2]", good("jl-2")]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "untitled.json").write_text(json.dumps({"text": "Body only."}), encoding="utf-8")
    (folder / "bodiless.json").write_text(json.dumps({"title": "Title only"}), encoding="utf-8")
    (folder / "baddate.json").write_text(
        json.dumps({"id": "bd", "title": "When?", "text": "Some day.", "date": "the other day"}),
        encoding="utf-8",
    )
    huge = "word " * (2 * 1024 * 1024)  # a 10 MB single paragraph
    (folder / "huge.json").write_text(json.dumps({"title": "Dump", "text": huge}), encoding="utf-8")
    return folder


def test_messy_folder_indexes_every_good_article(tmp_path, runner):
    folder = make_messy_folder(tmp_path / "in")
    where = tmp_path / "index"
    result = run_cli(runner, "index", "--index", str(where), str(folder), "--json")
    assert result.exit_code == EXIT_ERROR
    report = json.loads(result.stdout)
    assert (report["added"], report["replaced"]) == (5, 0)
    reasons = {Path(s["where"]).name: s["reason"] for s in report["skipped"]}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["photo.png"].startswith("binary file")
    assert reasons["bundle.zip"].startswith("binary file")
    assert reasons["boilerplate.txt"] == "no paragraphs"
    assert reasons["feed.jsonl:2"].startswith("line 2: invalid JSON")
    assert reasons["feed.jsonl:3"].startswith("line 3: not a JSON object")
    assert reasons["untitled.json"] == "missing title"
    assert reasons["bodiless.json"] == "missing body"
    assert "over the 100,000-character limit" in reasons["huge.json"]
    assert len(reasons) == 9
    # Warnings are objects like skips: where, and what happened.
    warnings = {(Path(w["where"]).name, w["message"]) for w in report["warnings"]}
    assert ("latin1.txt", "invalid UTF-8 bytes replaced") in warnings
    assert ("baddate.json", "unparseable date 'the other day'") in warnings
    for line in result.stderr.splitlines():
        assert line.startswith(("newsearch: skipped ", "newsearch: warning: "))
    with Index.open(where) as index:
        assert index.stats().articles == 5
        assert index.search("harbour").total == 2
        assert index.search("closed", limit=5).hits[0].text == "The caf\ufffd closed."
        assert [p.date for p in index.article("bd")] == [None, None]


def test_missing_path_indexes_nothing(tmp_path, runner):
    folder = make_messy_folder(tmp_path / "in")
    where = tmp_path / "index"
    result = run_cli(runner, "index", "--index", str(where), str(folder), str(tmp_path / "nope"))
    assert result.exit_code == EXIT_ERROR
    assert (
        result.stderr.strip() == f"newsearch: error: no such file or directory: {tmp_path / 'nope'}"
    )
    with Index.open(where) as index:
        assert index.stats().articles == 0


def test_missing_path_raises_before_reading(tmp_path):
    with Index.open(tmp_path / "index", create=True) as index, pytest.raises(InputError):
        index.add_paths([SEED_FILE, tmp_path / "nope"])


def test_article_with_a_str_body_is_refused_not_split_into_characters(tmp_path):
    from newsearch import Article

    with Index.open(tmp_path / "index", create=True) as index:
        with pytest.raises(InputError, match="str body"):
            index.add_articles([Article(id="a1", title="Harbour", body="One paragraph.")])
        assert index.stats().articles == 0
