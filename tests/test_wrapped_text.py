"""Paragraphs of hard-wrapped text: real Reuters-21578 bodies as a scraper would hand them
over (raw ``<BODY>`` text), synthetic wrapped text, and sign-offs."""

from __future__ import annotations

import gzip
import html
import json
import os
import re
from pathlib import Path

import pytest

from newsearch import Index
from newsearch.readers import read_file
from newsearch.readers.blocks import split_blocks

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("NEWSEARCH_REUTERS") or ROOT.parent / "shared/corpora/reuters21578")
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "reut2-000.sgm.gz").exists(),
    reason=f"Reuters-21578 not found at {CORPUS} (set NEWSEARCH_REUTERS to its folder)",
)


def raw_body(file: str, newid: int) -> str:
    """The raw text of one story's ``<BODY>``, entities decoded, line wraps kept."""
    with gzip.open(CORPUS / file, "rb") as handle:
        text = handle.read().decode("utf-8", errors="replace")
    story = re.search(rf'NEWID="{newid}">(.*?)</REUTERS>', text, re.S)
    assert story is not None
    body = re.search(r"<BODY>(.*?)</BODY>", story.group(1), re.S)
    assert body is not None
    return html.unescape(body.group(1))


# Paragraph counts checked by hand against the stories: one for the unindented first
# line, one for each line indented by 4 spaces; the "Reuter" sign-off is not one.
@needs_corpus
@pytest.mark.parametrize(
    ("file", "newid", "count", "first", "last"),
    [
        ("reut2-000.sgm.gz", 1, 17, "Showers continued", "ends midday on February 27."),
        ("reut2-000.sgm.gz", 2, 3, "Standard Oil Co and BP", "of a joint management committee."),
        ("reut2-000.sgm.gz", 3, 2, "Texas Commerce Bancshares", "7.5 billion dlrs in deposits."),
        ("reut2-000.sgm.gz", 4, 16, "BankAmerica Corp is not", "to the creditor banks."),
        ("reut2-010.sgm.gz", 10001, 3, "Amoco Corp said its Amoco", "subsidiary of Amoco Corp."),
        # Wrapped, not indented: the short first line (after the dateline) continues.
        ("reut2-010.sgm.gz", 10002, 1, "<Island Telephone Co Ltd> said", "at the annual meeting."),
    ],
)  # fmt: skip
def test_reuters_bodies_split_where_a_reader_sees_paragraphs(file, newid, count, first, last):
    paragraphs = split_blocks(raw_body(file, newid))
    assert len(paragraphs) == count
    assert paragraphs[0].startswith(first)
    assert paragraphs[-1].endswith(last)
    assert not any(p.lower().startswith("reuter") for p in paragraphs)


@needs_corpus
def test_a_sign_off_at_the_end_of_the_last_line_is_cut(tmp_path):
    paragraphs = split_blocks(raw_body("reut2-000.sgm.gz", 6))
    assert paragraphs[-1] == (
        "Soybean oil prev 3.7, Feb 21.1, Mar nil, Apr 2.0, May 9.0, Jun 13.0, Jul 7.0, "
        "total 55.8 (33.7)."
    )


@needs_corpus
def test_a_phrase_across_a_line_break_is_found(tmp_path):
    story = {
        "id": "r10001",
        "title": "AMOCO UNIT EXPANDS",
        "text": raw_body("reut2-010.sgm.gz", 10001),
    }
    (tmp_path / "a.json").write_text(json.dumps(story), encoding="utf-8")
    with Index.open(tmp_path / "index", create=True) as index:
        index.add_paths([tmp_path / "a.json"])
        hits = index.search('"Amoco Fabrics Co will expand"')
        assert [(h.article_id, h.paragraph) for h in hits] == [("r10001", 2)]
        assert index.stats().paragraphs == 4  # the title and three body paragraphs


def test_a_text_file_with_indented_paragraphs(tmp_path):
    path = tmp_path / "wire.txt"
    path.write_text(
        "GOLD RISES\n\n"
        "Gold rose two dlrs in early trade as\n"
        "dealers covered short positions.\n"
        "    The metal later eased back to its\n"
        "opening level, dealers said.\n"
        " Reuter\n",
        encoding="utf-8",
    )
    (parsed,) = read_file(path)
    assert parsed.article is not None
    assert parsed.article.title == "GOLD RISES"
    assert parsed.article.standfirst == (
        "Gold rose two dlrs in early trade as dealers covered short positions."
    )
    assert parsed.article.body == (
        "The metal later eased back to its opening level, dealers said.",
    )


WRAPPED = """\
The central bank raised its main interest rate by a quarter of a
point on Thursday, the third increase this year, and said more
rises could follow if inflation stayed high.
Economists had expected the move. Markets barely reacted, with the
currency steady against the dollar in afternoon trading and bond
yields little changed.
Short line.
"""


def test_wrapped_lines_are_joined_until_a_sentence_ends_short_of_the_width():
    assert split_blocks(WRAPPED) == [
        "The central bank raised its main interest rate by a quarter of a point on "
        "Thursday, the third increase this year, and said more rises could follow if "
        "inflation stayed high.",
        "Economists had expected the move. Markets barely reacted, with the currency "
        "steady against the dollar in afternoon trading and bond yields little changed.",
        "Short line.",
    ]


def test_one_paragraph_per_line_text_is_not_joined():
    long = "A paragraph of scraped text that runs on well past any wrapping width, " * 3
    text = f"{long}and ends here\n{long}and ends too\n{long}done"
    assert len(split_blocks(text)) == 3
    assert split_blocks("Gold rises\nOil falls") == ["Gold rises", "Oil falls"]


@pytest.mark.parametrize("sign_off", ["Reuter", "REUTER", "Reuters", "AP", "--", "AFP"])
def test_wire_sign_offs_are_not_paragraphs(sign_off):
    assert split_blocks(f"Gold rose.\n\nOil fell.\n\n{sign_off}") == ["Gold rose.", "Oil fell."]
