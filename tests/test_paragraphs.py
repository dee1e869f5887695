"""Splitting articles into paragraphs: layout, boilerplate, dates, captions, ids."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsearch.model import Article
from newsearch.paragraphs import (
    _CAPTION_RE,
    CAPTION_MAX,
    CREDITS,
    article_id,
    is_boilerplate,
    is_caption,
    split_article,
)
from newsearch.readers.blocks import split_blocks
from newsearch.readers.dates import date_line, read_date, text_date
from newsearch.readers.text import parse_text_layout

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_1494f7528b899f5e.txt"
SEED_TITLE = "Blinken leaves Middle East empty-handed as Hamas begins fresh talks"
SEED_STANDFIRST = (
    "Hamas talks with Egypt and Qatar on Gaza truce come amid tensions on Egypt's border"
)
SEED_CAPTION = (
    "US Secretary of State Antony Blinken waves as he boards his plane at an airport near "
    "Tel Aviv, Israel on Thursday. Reuters"
)


@pytest.fixture(scope="module")
def seed_paragraphs():
    article = parse_text_layout(SEED.read_text(encoding="utf-8"))
    return article, split_article(article, article_id(article))


# --- the seed article --------------------------------------------------------------


def test_seed_title_standfirst_and_date(seed_paragraphs):
    article, _ = seed_paragraphs
    assert article.title == SEED_TITLE
    assert article.standfirst == SEED_STANDFIRST
    assert article.date == datetime(2024, 2, 9, 9, 30)


def test_seed_has_34_paragraphs_numbered_in_reading_order(seed_paragraphs):
    _, paragraphs = seed_paragraphs
    assert len(paragraphs) == 34
    assert [p.number for p in paragraphs] == list(range(1, 35))
    assert [p.role for p in paragraphs[:4]] == ["title", "standfirst", "caption", "body"]
    assert {p.role for p in paragraphs[3:]} == {"body"}


def test_seed_caption_is_paragraph_3(seed_paragraphs):
    _, paragraphs = seed_paragraphs
    assert paragraphs[2].role == "caption"
    assert paragraphs[2].text == SEED_CAPTION
    assert paragraphs[2].text.endswith("Tel Aviv, Israel on Thursday. Reuters")


def test_seed_numbered_paragraph_text(seed_paragraphs):
    _, paragraphs = seed_paragraphs
    assert paragraphs[18].number == 19
    assert paragraphs[18].text == "As with previous rounds, the talks are held behind closed doors."
    assert paragraphs[-1].text.startswith("However, Mr Netanyahu is opposed to the creation")


def test_seed_boilerplate_and_date_line_are_not_paragraphs(seed_paragraphs):
    _, paragraphs = seed_paragraphs
    texts = [p.text for p in paragraphs]
    assert not any("Powered by automated translation" in t for t in texts)
    assert not any(t.startswith("Live updates:") for t in texts)
    assert not any(t.startswith("Updated:") for t in texts)


def test_seed_paragraphs_carry_article_metadata(seed_paragraphs):
    article, paragraphs = seed_paragraphs
    assert {p.title for p in paragraphs} == {SEED_TITLE}
    assert {p.date for p in paragraphs} == {datetime(2024, 2, 9, 9, 30)}
    assert {p.article_id for p in paragraphs} == {article_id(article)}


def test_seed_hash_id_is_stable(seed_paragraphs):
    article, _ = seed_paragraphs
    assert article_id(article) == "sha1-2b3cad97df90255a"


# --- split_blocks ------------------------------------------------------------------


def test_blank_lines_separate_paragraphs_and_join_their_lines():
    text = "First line\n  wrapped line  \n\nSecond paragraph\n"
    assert split_blocks(text) == ["First line wrapped line", "Second paragraph"]


def test_without_blank_lines_each_line_is_a_paragraph():
    text = "One.\nTwo.\n\n"  # trailing blank lines do not count
    assert split_blocks(text) == ["One.", "Two."]
    assert split_blocks("\n\nOne.\nTwo.") == ["One.", "Two."]


def test_whitespace_only_lines_are_blank_and_crlf_is_a_newline():
    assert split_blocks("a\r\nb\r\n \t \r\nc") == ["a b", "c"]


def test_boilerplate_lines_are_removed_before_blocks_are_formed():
    text = "A caption. Reuters\nPowered by automated translation\n\nLive updates: x\n\nBody."
    assert split_blocks(text) == ["A caption. Reuters", "Body."]


def test_date_lines_are_not_paragraphs():
    assert split_blocks("Body.\nPublished: 9 February 2024\nMore.") == ["Body.", "More."]


def test_text_inside_a_line_is_kept_as_written():
    assert split_blocks("  Two  spaces\tand a tab  ") == ["Two  spaces\tand a tab"]


def test_empty_text_has_no_paragraphs():
    assert split_blocks("") == []
    assert split_blocks(" \n\n Advertisement \n") == []


@pytest.mark.parametrize(
    "line",
    [
        "Powered by automated translation",
        "POWERED BY AUTOMATED TRANSLATION",
        "Live updates: Follow the latest news on Israel-Gaza",
        "Follow the latest news on the war",
        "Read more: Egypt reinforces border",
        "Sign up for our daily newsletter",
        "Subscribe to The National's newsletter",
        "Subscribe",
        "Advertisement",
        "  Share ",
        "Comments",
    ],
)
def test_boilerplate_lines(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Share prices fell on Thursday.",
        "Comments from the minister angered Cairo.",
        "Sign up was slow for the new scheme, officials said.",
        "Subscribers complained about the price.",
        "He said readers should read more: history, not headlines. " * 4,  # over 200 chars
    ],
)
def test_text_that_only_looks_like_boilerplate_is_kept(line):
    assert not is_boilerplate(line)


# --- dates ---------------------------------------------------------------------------


def test_date_line_kinds():
    assert date_line("Updated: February 09, 2024, 9:30 AM") == (
        "updated",
        datetime(2024, 2, 9, 9, 30),
    )
    assert date_line("Last updated: 10 Feb 2024") == ("updated", datetime(2024, 2, 10))
    assert date_line("Published: 9 Feb 2024 | 09:30 GMT") == (
        "published",
        datetime(2024, 2, 9, 9, 30, tzinfo=timezone.utc),
    )


def test_a_label_without_a_real_date_is_not_a_date_line():
    assert date_line("Updated: yesterday") is None
    assert date_line("Published: by Penguin") is None
    assert split_blocks("Updated: yesterday") == ["Updated: yesterday"]


def test_published_wins_over_updated():
    text = "Updated: 10 February 2024, 8:00 AM\nPublished: 9 February 2024, 7:00 AM"
    assert text_date(text) == datetime(2024, 2, 9, 7, 0)
    assert text_date("Updated: 10 February 2024") == datetime(2024, 2, 10)
    assert text_date("No dates here") is None


def test_read_date_keeps_the_local_clock_and_offset():
    plus4 = read_date("2024-02-09T09:30:00+04:00")
    assert plus4 == datetime(2024, 2, 9, 9, 30, tzinfo=timezone(timedelta(hours=4)))
    assert plus4.isoformat() == "2024-02-09T09:30:00+04:00"
    assert read_date("2024-02-09T09:30:00Z").isoformat() == "2024-02-09T09:30:00+00:00"
    assert read_date("2024-02-09") == datetime(2024, 2, 9, 0, 0)  # no zone: naive
    assert read_date("2024-02-09").tzinfo is None
    est = read_date("Fri, 09 Feb 2024 09:30:00 EST")
    assert est.isoformat() == "2024-02-09T09:30:00-05:00"
    assert read_date("xyz") is None
    assert read_date("   ") is None


# --- parse_text_layout ---------------------------------------------------------------


def test_standfirst_needs_a_short_paragraph_followed_by_more():
    only_one = parse_text_layout("Title\n\nJust one paragraph.")
    assert only_one.standfirst is None
    assert only_one.body == ("Just one paragraph.",)
    long_first = parse_text_layout("Title\n\n" + "x" * 301 + "\n\nSecond.")
    assert long_first.standfirst is None
    assert len(long_first.body) == 2
    short_first = parse_text_layout("Title\n\n" + "x" * 300 + "\n\nSecond.")
    assert short_first.standfirst == "x" * 300
    assert short_first.body == ("Second.",)


def test_a_caption_is_never_the_standfirst():
    article = parse_text_layout("Title\n\nTroops on patrol in Gaza. AFP\n\nBody text.")
    assert article.standfirst is None
    assert article.body == ("Troops on patrol in Gaza. AFP", "Body text.")


def test_layout_without_blank_lines():
    article = parse_text_layout("Title\nStandfirst here\nBody one\nBody two")
    assert article.title == "Title"
    assert article.standfirst == "Standfirst here"
    assert article.body == ("Body one", "Body two")


def test_title_skips_leading_date_and_boilerplate_and_markdown_marker():
    text = "Advertisement\nPublished: 2024-02-09\n\n# The title\n\nOne.\n\nTwo."
    article = parse_text_layout(text)
    assert article.title == "The title"
    assert article.date == datetime(2024, 2, 9)
    assert article.standfirst == "One."
    assert article.body == ("Two.",)


def test_given_title_consumes_the_first_line_only_when_it_repeats_it():
    repeated = parse_text_layout("the  TITLE\n\nOne.", title="The title")
    assert repeated.title == "The title"
    assert repeated.body == ("One.",)
    other = parse_text_layout("First line of text.\n\nOne.", title="The title")
    assert other.title == "The title"
    assert other.standfirst == "First line of text."
    assert other.body == ("One.",)


# --- captions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        SEED_CAPTION,
        "Smoke rises over Khan Younis. AFP",
        "Smoke rises over Khan Younis. AP",
        "Smoke rises over Khan Younis. EPA",
        "Smoke rises over Khan Younis. EPA-EFE",
        "Smoke rises over Khan Younis. Getty Images",
        "Smoke rises over Khan Younis. AFP / Getty Images",
        "Smoke rises over Khan Younis. Photo: AFP",
        "Smoke rises over Khan Younis (Reuters)",
        "Smoke rises over Khan Younis. Bloomberg",
        "Smoke rises over Khan Younis. PA",
        "Smoke rises over Khan Younis. Shutterstock",
        "Smoke rises over Khan Younis. The National",
        "Smoke rises over Khan Younis | Reuters",
        "Smoke rises over Khan Younis. REUTERS.",
        "“We will rebuild,” says a resident. AP",
    ],
)
def test_captions(text):
    assert is_caption(text)


@pytest.mark.parametrize(
    "text",
    [
        "Egyptian security sources meanwhile told Reuters that troops were on alert.",
        "An official told Reuters.",
        "Security sources told The National.",
        "Reuters reported that the talks had stalled. Officials declined to comment.",
        "The talks, first reported by Reuters, resumed on Thursday in Cairo.",
        "Smoke rises over Khan Younis",
        ("Smoke rises over Khan Younis. " * 14) + "Reuters",  # over 400 characters
    ],
)
def test_not_captions(text):
    assert not is_caption(text)


_CAPTION_ALPHABET = "aAePrRsStTuUfFgGyYiImMnN .)(|/-–:!?\"'’ɪıİſK"


@settings(max_examples=400)
@given(
    st.text(alphabet=_CAPTION_ALPHABET, max_size=30),
    st.sampled_from([*CREDITS, "reuter", "AFP)", "Images."]),
    st.sampled_from(["", ".", ")", ").", "..", " ", "x"]),
)
def test_is_caption_is_exactly_the_caption_pattern(head, credit, tail):
    """The cheap test of a paragraph's last word rejects only what the pattern rejects."""
    for text in (head + credit + tail, head + " " + credit + tail, head + ". " + credit + tail):
        stripped = text.strip()
        expected = len(stripped) <= CAPTION_MAX and _CAPTION_RE.search(stripped) is not None
        assert is_caption(text) == expected


# --- article_id ------------------------------------------------------------------------


def test_article_id_prefers_id_then_url():
    assert article_id(Article(title="T", body=("a",), id="abc", url="https://x/1")) == "abc"
    assert article_id(Article(title="T", body=("a",), url="https://x/1")) == "https://x/1"


def test_article_id_hash_is_sha1_of_title_date_and_body():
    article = Article(title="T", body=("a", "b"), date=datetime(2024, 2, 9, 9, 30))
    expected = hashlib.sha1(b"T\n2024-02-09T09:30:00\na\nb").hexdigest()[:16]
    assert article_id(article) == "sha1-" + expected == "sha1-7914cad8c670320f"
    assert article_id(Article(title="T", body=("a",))) == "sha1-fafdc481a7aa7bb3"


def test_article_id_changes_with_content():
    base = Article(title="T", body=("a",))
    assert article_id(base) != article_id(Article(title="T", body=("b",)))
    assert article_id(base) != article_id(
        Article(title="T", body=("a",), date=datetime(2024, 1, 1))
    )


# --- split_article -----------------------------------------------------------------------


def test_split_article_roles_numbers_and_metadata():
    article = Article(
        title="Title",
        standfirst="Short standfirst",
        body=("Smoke rises. AFP", "Body one.", "  ", "Advertisement"),
        date=datetime(2024, 2, 9),
        source="The National",
        author="A. Writer",
        url="https://example.com/a",
        section="World",
        tags=("gaza", "egypt"),
        language="en",
    )
    paragraphs = split_article(article, "id-1")
    assert [(p.number, p.role, p.text) for p in paragraphs] == [
        (1, "title", "Title"),
        (2, "standfirst", "Short standfirst"),
        (3, "caption", "Smoke rises. AFP"),
        (4, "body", "Body one."),
    ]
    last = paragraphs[-1]
    assert last.article_id == "id-1"
    assert (last.title, last.date, last.source, last.author) == (
        "Title",
        datetime(2024, 2, 9),
        "The National",
        "A. Writer",
    )
    assert (last.url, last.section, last.tags, last.language) == (
        "https://example.com/a",
        "World",
        ("gaza", "egypt"),
        "en",
    )


def test_without_standfirst_body_starts_at_paragraph_2():
    paragraphs = split_article(Article(title="T", body=("One.", "Two.")), "x")
    assert [(p.number, p.role) for p in paragraphs] == [(1, "title"), (2, "body"), (3, "body")]


def test_layout_of_single_newline_text_after_a_blank_line():
    article = parse_text_layout("Title\n\nStandfirst\nBody one\nBody two\n")
    assert (article.title, article.standfirst) == ("Title", "Standfirst")
    assert article.body == ("Body one", "Body two")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab .\n\t\r\u00a0Share:Updated 2024"), max_size=80))
def test_split_blocks_gives_stripped_one_line_paragraphs(text):
    for paragraph in split_blocks(text):
        assert paragraph and paragraph == paragraph.strip()
        assert "\n" not in paragraph and "\r" not in paragraph
        assert not is_boilerplate(paragraph)


def test_a_body_that_starts_by_repeating_the_title_drops_the_repeat():
    article = Article(title="Gold rises", body=("Gold rises", "Gold rose 2 dlrs.", "Gold rises"))
    paragraphs = split_article(article, "g1")
    assert [(p.number, p.role, p.text) for p in paragraphs] == [
        (1, "title", "Gold rises"),
        (2, "body", "Gold rose 2 dlrs."),
        (3, "body", "Gold rises"),
    ]
    assert len(split_article(Article(title="Brief", body=("Brief",)), "b1")) == 1


def test_paragraphs_carry_one_shared_article_meta():
    article = Article(title=" T ", body=("One.", "Two."), source="S", tags=("a",))
    paragraphs = split_article(article, "m1")
    assert {p.meta for p in paragraphs} == {article.meta("m1")}
    assert article.meta("m1").to_dict() == {
        "article_id": "m1",
        "title": "T",
        "date": None,
        "source": "S",
        "author": None,
        "url": None,
        "section": None,
        "tags": ["a"],
        "language": None,
    }
