"""Readers: text, JSON and JSON Lines files and streams into articles, bad input skipped."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from newsearch.readers import read_paths

from .reader_helpers import NEWS_PLEASE, SEEDS, meta, read_one, reasons, write

# --- text files ------------------------------------------------------------------------


def test_seed_folder_reads_the_seed_article():
    [parsed] = list(read_paths([SEEDS]))
    assert parsed.where == str(SEEDS / "000_1494f7528b899f5e.txt")
    assert parsed.skip_reason is None and parsed.warnings == ()
    article = parsed.article
    assert article.title == "Blinken leaves Middle East empty-handed as Hamas begins fresh talks"
    assert article.standfirst.startswith("Hamas talks with Egypt and Qatar")
    assert article.date == datetime(2024, 2, 9, 9, 30)
    assert len(article.body) == 32
    assert article.source is None


def test_front_matter_sets_and_overrides_metadata(tmp_path):
    front = """---
id: gaza-001
title: Blinken leaves
source: The National
url: https://www.thenational.ae/x
authors: [Kamal Tabikha, Nagham Mohanna]
date: 2024-02-08
section: World
tags: gaza, egypt, , us
language: EN
---
"""
    text = front + "Blinken leaves\n\nStandfirst.\n\nBody.\n\nUpdated: February 09, 2024, 9:30 AM\n"
    article = read_one(write(tmp_path / "a.md", text), source="fallback").article
    assert meta(article, "id title source") == ("gaza-001", "Blinken leaves", "The National")
    assert article.url == "https://www.thenational.ae/x"
    assert article.author == "Kamal Tabikha, Nagham Mohanna"
    assert article.date == datetime(2024, 2, 8)  # front matter beats the Updated line
    assert meta(article, "section tags language") == ("World", ("gaza", "egypt", "us"), "en")
    assert meta(article, "standfirst body") == ("Standfirst.", ("Body.",))


def test_front_matter_title_that_differs_keeps_the_first_line_as_text(tmp_path):
    text = "---\ntitle: Real title\nauthor: Jane Doe\n---\nFirst line.\n\nSecond.\n\nThird.\n"
    article = read_one(write(tmp_path / "a.txt", text)).article
    assert article.title == "Real title"
    assert article.author == "Jane Doe"
    assert (article.standfirst, article.body) == ("First line.", ("Second.", "Third."))


def test_bad_front_matter_is_skipped_with_the_yaml_problem(tmp_path):
    path = write(tmp_path / "a.txt", "---\ntitle: [unclosed\n---\nTitle\n\nBody.\n")
    parsed = read_one(path)
    assert parsed.article is None
    assert parsed.skip_reason == (
        "invalid front matter: expected ',' or ']', but got '<stream end>' (line 3)"
    )
    unclosed = read_one(write(tmp_path / "b.txt", "---\ntitle: x\nTitle\n\nBody.\n"))
    assert unclosed.skip_reason == "invalid front matter: no closing '---' line"
    scalar = read_one(write(tmp_path / "c.txt", "---\njust text\n---\nTitle\n\nBody.\n"))
    assert scalar.skip_reason == "invalid front matter: expected 'key: value' lines"


def test_front_matter_with_a_bad_date_keeps_the_date_line(tmp_path):
    text = "---\ndate: soon\n---\nTitle\n\nBody.\n\nPublished: 9 February 2024\n"
    parsed = read_one(write(tmp_path / "a.txt", text))
    assert parsed.article.date == datetime(2024, 2, 9)
    assert parsed.warnings == ("unparseable date 'soon'",)


def test_source_fills_in_only_when_the_file_gives_none(tmp_path):
    plain = write(tmp_path / "a.txt", "Title\n\nBody.\n")
    named = write(tmp_path / "b.txt", "---\nsource: Reuters\n---\nTitle\n\nBody.\n")
    assert read_one(plain, source="Archive").article.source == "Archive"
    assert read_one(named, source="Archive").article.source == "Reuters"
    assert read_one(plain).article.source is None


# --- JSON ------------------------------------------------------------------------------


def test_json_object_with_plain_keys(tmp_path):
    record = {
        "id": 42,
        "title": "Talks resume",
        "summary": "Mediators meet in Cairo",
        "text": "First paragraph\nstill first.\n\nSecond paragraph.",
        "published_at": "2024-02-09T09:30:00+04:00",
        "author": "Jane Doe",
        "category": "Middle East",
        "keywords": "gaza, talks",
        "unknown": {"ignored": True},
    }
    parsed = read_one(write(tmp_path / "a.json", json.dumps(record)))
    article = parsed.article
    assert parsed.where == str(tmp_path / "a.json") and parsed.warnings == ()
    assert meta(article, "id title standfirst") == ("42", "Talks resume", "Mediators meet in Cairo")
    assert article.body == ("First paragraph still first.", "Second paragraph.")
    # The publication's own clock and offset are kept.
    assert article.date == datetime(2024, 2, 9, 9, 30, tzinfo=timezone(timedelta(hours=4)))
    assert meta(article, "author section tags") == ("Jane Doe", "Middle East", ("gaza", "talks"))


def test_json_paragraphs_list(tmp_path):
    record = {"title": "T", "paragraphs": ["One.", "  ", "Two.", 3], "date": "2024-02-09"}
    article = read_one(write(tmp_path / "a.json", json.dumps(record))).article
    assert article.body == ("One.", "Two.", "3")
    assert article.date == datetime(2024, 2, 9, 0, 0)
    listed = {"title": "T", "body": ["One.", "Two."], "text": "ignored", "tags": ["a", "b"]}
    article = read_one(write(tmp_path / "b.json", json.dumps(listed))).article
    assert meta(article, "body tags") == (("One.", "Two."), ("a", "b"))


def test_news_please_record(tmp_path):
    article = read_one(write(tmp_path / "np.json", json.dumps(NEWS_PLEASE))).article
    assert article.title == "Egypt reinforces Gaza border"
    assert article.standfirst == "Troops put on high alert"
    assert article.body == ("Egyptian troops were reinforced.", "Cairo warned Israel.")
    assert article.date == datetime(2024, 2, 9, 9, 30)
    assert (article.source, article.url) == ("thenational.ae", "https://www.thenational.ae/a/1")
    assert article.author == "Kamal Tabikha, Nagham Mohanna"
    assert article.language == "en"


def test_json_list_names_each_item(tmp_path):
    items = [{"title": "A", "body": "a"}, "oops", {"title": "B", "body": "b", "source": "AP"}]
    results = list(read_paths([write(tmp_path / "list.json", json.dumps(items))], source="S"))
    where = str(tmp_path / "list.json")
    assert reasons(results) == [
        (f"{where}[0]", None),
        (f"{where}[1]", "not a JSON object (string)"),
        (f"{where}[2]", None),
    ]
    assert [results[0].article.source, results[2].article.source] == ["S", "AP"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            '{"title": "T", "body": "b",}',
            "invalid JSON: Expecting property name enclosed in double quotes at line 1 column 28",
        ),
        ('{"body": "text"}', "missing title"),
        ('{"title": "  ", "body": "text"}', "missing title"),
        ('{"title": {"en": "T"}, "body": "text"}', "invalid title: unexpected object"),
        ('{"title": "T"}', "missing body"),
        ('{"title": "T", "paragraphs": []}', "missing body"),
        ('{"title": "T", "text": "Advertisement\\nShare"}', "missing body"),
        ("[]", "no articles (empty list)"),
        ("42", "not a JSON object or list of objects (number)"),
        ("[" * 100000, "invalid JSON: nested too deeply"),
    ],
)
def test_bad_json_is_skipped_with_a_reason(tmp_path, content, reason):
    parsed = read_one(write(tmp_path / "bad.json", content))
    assert (parsed.article, parsed.skip_reason) == (None, reason)


def test_unparseable_date_keeps_the_article_with_a_warning(tmp_path):
    parsed = read_one(write(tmp_path / "a.json", '{"title": "T", "body": "b", "date": "xyz"}'))
    assert parsed.article.date is None
    assert parsed.warnings == ("unparseable date 'xyz'",)


def test_values_of_the_wrong_type_are_coerced_or_ignored(tmp_path):
    record = {"title": 2024, "paragraphs": ["One.", {"x": 1}], "author": {"name": "X"}}
    record.update(tags=7, date=1707471000)
    parsed = read_one(write(tmp_path / "a.json", json.dumps(record)))
    article = parsed.article
    assert meta(article, "title body author tags") == ("2024", ("One.",), None, ())
    assert article.date == datetime(2024, 2, 9, 9, 30, tzinfo=timezone.utc)  # Unix time
    assert parsed.warnings == (
        "ignored 'paragraphs' item 2: unexpected object",
        "ignored 'author': unexpected object",
        "ignored 'tags': unexpected number",
    )


# --- JSON Lines ------------------------------------------------------------------------


def test_jsonl_bad_line_in_the_middle_does_not_stop_the_others(tmp_path):
    lines = [
        json.dumps({"title": "One", "body": "1"}),
        "",
        "{not json",
        "[1, 2]",
        json.dumps({"title": "Two", "body": "2"}),
    ]
    path = write(tmp_path / "a.jsonl", "\n".join(lines) + "\n")
    results = list(read_paths([path]))
    assert reasons(results) == [
        (f"{path}:1", None),
        (
            f"{path}:3",
            "line 3: invalid JSON: Expecting property name enclosed in double quotes at column 2",
        ),
        (f"{path}:4", "line 4: not a JSON object (array)"),
        (f"{path}:5", None),
    ]
    assert [results[0].article.title, results[3].article.title] == ["One", "Two"]


def test_jsonl_news_please_lines_and_source_only_when_missing(tmp_path):
    other = {"title": "Other", "maintext": "Text.", "source": "Reuters"}
    path = write(tmp_path / "np.ndjson", json.dumps(NEWS_PLEASE) + "\n" + json.dumps(other) + "\n")
    results = list(read_paths([path], source="Archive"))
    assert [r.article.source for r in results] == ["thenational.ae", "Reuters"]
    nameless = write(tmp_path / "x.jsonlines", json.dumps({"title": "T", "body": "b"}) + "\n")
    assert read_one(nameless, source="Archive").article.source == "Archive"


def test_jsonl_invalid_utf8_is_replaced_on_that_line_only(tmp_path):
    path = write(
        tmp_path / "a.jsonl", b'{"title": "Caf\xe9", "body": "b"}\n{"title": "Ok", "body": "b"}\n'
    )
    first, second = read_paths([path])
    assert first.article.title == "Caf\ufffd"
    assert first.warnings == ("invalid UTF-8 bytes replaced",)
    assert second.warnings == ()
