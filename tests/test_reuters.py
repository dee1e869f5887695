"""The Reuters-21578 converter: real-file counts and fields, and SGML quirks on text the
tests write themselves (the collection is research-use only and never copied here)."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import sys
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import reuters  # noqa: E402

CORPUS = Path(os.environ.get("NEWSEARCH_REUTERS") or ROOT.parent / "shared/corpora/reuters21578")
FIRST_FILE = CORPUS / "reut2-000.sgm.gz"
needs_corpus = pytest.mark.skipif(
    not FIRST_FILE.exists(),
    reason=f"Reuters-21578 not found at {CORPUS} (set NEWSEARCH_REUTERS to its folder)",
)
CONTROL = {chr(c) for c in range(32)} - {"\n"} | {"\x7f"}


def sgml(newid: int, date: str, text: str, topics: str = "", places: str = "") -> str:
    """One synthetic ``<REUTERS>`` element in the collection's layout."""
    return (
        f'<REUTERS TOPICS="YES" NEWID="{newid}">\n<DATE>{date}</DATE>\n'
        f"<TOPICS>{topics}</TOPICS>\n<PLACES>{places}</PLACES>\n<PEOPLE></PEOPLE>\n"
        f"{text}\n</REUTERS>\n"
    )


def story(title: str, body: str, dateline: str = "    TOWN, March 3 - ") -> str:
    return (
        f"<TEXT>&#2;\n<TITLE>{title}</TITLE>\n<DATELINE>{dateline}</DATELINE>"
        f"<BODY>{body}</BODY></TEXT>"
    )


@pytest.fixture(scope="module")
def first_file() -> list[dict]:
    return list(reuters.read_file(FIRST_FILE))


@needs_corpus
def test_first_file_has_newids_1_to_1000(first_file: list[dict]) -> None:
    assert len(first_file) == 1000
    assert [a["id"] for a in first_file] == [f"reuters-{n}" for n in range(1, 1001)]


@needs_corpus
def test_first_article_fields(first_file: list[dict]) -> None:
    article = first_file[0]
    assert article["id"] == "reuters-1"
    assert article["title"] == "BAHIA COCOA REVIEW"
    assert article["date"] == "1987-02-26T15:01:01"
    assert article["dateline"] == "SALVADOR, Feb 26"
    assert article["paragraphs"][0].startswith("Showers continued")
    assert article["topics"] == ["cocoa"]
    assert article["places"] == ["el-salvador", "usa", "uruguay"]
    assert article["tags"] == ["cocoa", "el-salvador", "usa", "uruguay"]
    assert article["source"] == "Reuters"


@needs_corpus
def test_sign_off_and_control_characters_are_gone(first_file: list[dict]) -> None:
    paragraphs = [p for a in first_file for p in a["paragraphs"]]
    assert len(paragraphs) > 4000
    # "... told Reuters." is text; the sign-off is the bare word "Reuter".
    assert not [p for p in paragraphs if re.search(r"\breuter\W*$", p, re.IGNORECASE)]
    assert not [p for p in paragraphs if CONTROL & set(p)]
    assert all(a["paragraphs"] for a in first_file)


@needs_corpus
def test_whole_collection_counts() -> None:
    articles = list(reuters.iter_articles(CORPUS))
    assert len(articles) == 21578
    body = sum(len(a["paragraphs"]) for a in articles if a["paragraphs"] != [a["title"]])
    assert 100_000 < body < 120_000


@needs_corpus
def test_newsearch_accepts_the_json_lines(tmp_path: Path) -> None:
    from newsearch import Index

    lines = "".join(json.dumps(a) + "\n" for a in reuters.iter_articles(CORPUS, limit=60))
    with Index.open(tmp_path / "index", create=True) as index:
        report = index.add_stream(io.StringIO(lines))
        assert (report.added, report.skipped) == (60, [])
        assert index.search("cocoa", limit=5).total > 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("26-FEB-1987 15:01:01.79", datetime(1987, 2, 26, 15, 1, 1)),
        ("  3-MAR-1987 00:43:42.82", datetime(1987, 3, 3, 0, 43, 42)),
        ("3-MAR-1987  09:15:05.40", datetime(1987, 3, 3, 9, 15, 5)),
        ("31-MAR-1987 605:12:19.12", datetime(1987, 3, 31)),
        ("27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM", datetime(1987, 3, 27, 0, 2, 59)),
        (" 7-APR-1987 16:22:00.0", datetime(1987, 4, 7, 16, 22)),
        ("not a date", None),
    ],
)
def test_dates_parse_despite_quirks(raw: str, expected: datetime | None) -> None:
    assert reuters.parse_date(raw) == expected


def test_impossible_time_keeps_the_day_at_midnight() -> None:
    (article,) = reuters.parse_sgml(sgml(7, "31-MAR-1987 605:12:19.12", story("T", "Text.")))
    assert article["date"] == "1987-03-31T00:00:00"


def test_body_is_split_at_indented_lines_and_entities_decoded() -> None:
    body = (
        "First line of one\nparagraph &amp; more.\n    Second &lt;ABC> paragraph\n"
        "goes on.\n     Third.\n Reuter\n&#3;"
    )
    text = sgml(1, "3-MAR-1987  09:15:05.40", story("A &amp; B", body), "<D>gold</D>")
    (article,) = reuters.parse_sgml(text)
    assert article["paragraphs"] == [
        "First line of one paragraph & more.",
        "Second <ABC> paragraph goes on.",
        "Third.",
    ]
    assert article["title"] == "A & B"
    assert article["dateline"] == "TOWN, March 3"
    assert article["tags"] == ["gold"]


def test_sign_off_on_the_last_line_and_doubled_is_dropped() -> None:
    text = sgml(2, "3-MAR-1987 09:15:05.40", story("T", "Ends here. REUTER\n Reuter\n&#3;"))
    (article,) = reuters.parse_sgml(text)
    assert article["paragraphs"] == ["Ends here."]


def test_reuter_inside_a_sentence_is_kept() -> None:
    text = sgml(6, "3-MAR-1987 09:15:05.40", story("T", "He told Reuter.\n Reuter\n&#3;"))
    (article,) = reuters.parse_sgml(text)
    assert article["paragraphs"] == ["He told Reuter."]


def test_brief_article_is_indexed_from_its_title() -> None:
    text = (
        '<TEXT TYPE="BRIEF">&#2;\n******<TITLE>SHORT NEWS FLASH\n</TITLE>'
        "Blah blah blah.\n&#3;\n</TEXT>"
    )
    (article,) = reuters.parse_sgml(sgml(3, "3-MAR-1987 09:15:05.40", text))
    assert article["title"] == "SHORT NEWS FLASH"
    assert article["paragraphs"] == ["SHORT NEWS FLASH"]


def test_unprocessed_text_uses_its_first_line_as_title() -> None:
    text = (
        '<TEXT TYPE="UNPROC">&#2;\nWEEKLY TABLE - MAR 3\n'
        "    Week ended Mar 2\n Item one....5 vs 4\n&#3;\n</TEXT>"
    )
    (article,) = reuters.parse_sgml(sgml(4, "3-MAR-1987 09:15:05.40", text))
    assert article["title"] == "WEEKLY TABLE - MAR 3"
    assert article["paragraphs"] == ["Week ended Mar 2", "Item one....5 vs 4"]


def test_invalid_utf8_is_replaced_not_fatal(tmp_path: Path) -> None:
    raw = sgml(5, "3-MAR-1987 09:15:05.40", story("BAD BYTES", "Caf\xff\xfe text.")).encode(
        "latin-1"
    )
    (tmp_path / "reut2-000.sgm.gz").write_bytes(gzip.compress(b"<!DOCTYPE lewis>\n" + raw))
    (article,) = reuters.iter_articles(tmp_path)
    assert article["paragraphs"] == ["Caf\ufffd\ufffd text."]


def test_command_line_writes_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "".join(sgml(n, "3-MAR-1987 09:15:05.40", story(f"T{n}", "Body.")) for n in (1, 2, 3))
    (tmp_path / "reut2-000.sgm.gz").write_bytes(gzip.compress(text.encode()))
    assert reuters.main([str(tmp_path), "--limit", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["reuters-1", "reuters-2"]


def test_missing_corpus_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert reuters.main([str(tmp_path)]) == 2
    assert "no reut2-*.sgm.gz files" in capsys.readouterr().err
