"""Split an article into ordered paragraphs with a role, dropping boilerplate.

This module knows nothing about files: readers hand it text or an ``Article``.

Rules, in the order they apply to raw text (``split_blocks``, ``parse_text_layout``):

* Lines are stripped. A line matching ``BOILERPLATE`` (whole line, case-insensitive, at
  most 200 characters) is removed before paragraphs are formed.
* Date lines (``Published: …``, ``Updated: …``, ``Last updated: …`` whose value dateutil
  parses and which carries a 4-digit year) are removed too; they give the article's date.
  ``Published`` wins over ``Updated``; the first line of each kind counts.
* If the text has blank lines between its lines, a paragraph is a block of lines between
  blank lines, its lines joined by one space. Otherwise (news-please ``maintext`` style)
  each non-empty line is a paragraph. Text inside a line is kept as written: highlight
  offsets index into the stored paragraph text.

Roles (``split_article``): the title is paragraph 1, then the standfirst if any, then the
body paragraphs, each ``caption`` when ``is_caption`` says so, else ``body``.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from datetime import date, datetime, timezone

from dateutil import parser as dateparser

from newsearch.model import Article, Paragraph, Role

# Whole lines (case-insensitive) that are site furniture, not article text. Kept short on
# purpose: a line wrongly dropped is text lost from search.
BOILERPLATE: tuple[str, ...] = (
    r"powered by automated translation",
    r"live updates?:.*",  # "Live updates: Follow the latest news on Israel-Gaza"
    r"follow (?:the|our) latest\b.*",  # "Follow the latest news on …"
    r"read more:.*",
    r"(?:sign up|subscribe)\b.*\b(?:newsletters?|inbox)\b.*",  # newsletter prompts
    r"subscribe(?: now)?[.!]?",
    r"advertisement",
    r"share",
    r"comments?",
)
_BOILERPLATE_RE = re.compile("|".join(f"(?:{p})" for p in BOILERPLATE), re.IGNORECASE)
_BOILERPLATE_MAX = 200  # longer lines are never boilerplate

# Photo credits that end a caption, after a sentence end or a separator. Longest first.
CREDITS: tuple[str, ...] = (
    "AFP / Getty Images",
    "AFP via Getty Images",
    "Getty Images",
    "The National",
    "Shutterstock",
    "Bloomberg",
    "Reuters",
    "EPA-EFE",
    "AFP",
    "EPA",
    "AP",
    "PA",
)
_CREDIT = "|".join(r"\s+".join(map(re.escape, c.split())) for c in CREDITS)
_CAPTION_RE = re.compile(
    rf"(?:(?:[.!?][\"'”’)]*\s+|\s[-–—|/]\s*|\b(?:photo|picture|image)s?:\s*)(?:{_CREDIT})"
    rf"|\((?:photo:\s*)?(?:{_CREDIT})\))\.?\Z",
    re.IGNORECASE,
)
CAPTION_MAX = 400  # paragraphs longer than this are never captions

STANDFIRST_MAX = 300  # a standfirst is at most this long

_DATE_LINE_RE = re.compile(r"(?P<kind>published|updated|last updated)\s*:\s*(?P<value>.+)", re.I)
_DATE_LINE_MAX = 80
_YEAR_RE = re.compile(r"\b\d{4}\b")
_MD_HEADING_RE = re.compile(r"^#{1,6}\s+")
_BLANK_LINE_RE = re.compile(r"\n[^\S\n]*\n")

# Named zones dateutil would otherwise read from the machine's local zone or ignore;
# fixed here so a date means the same on every machine.
_TZ_HOURS: dict[str, float] = {
    "UTC": 0, "GMT": 0, "Z": 0, "BST": 1, "CET": 1, "CEST": 2,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}  # fmt: skip
_DEFAULT_DATE = datetime(2000, 1, 1)


def _tzinfo(name: str | None, offset: int | None) -> int | None:
    if offset is not None:
        return offset
    hours = _TZ_HOURS.get((name or "").upper())
    return int(hours * 3600) if hours is not None else None


def naive_utc(value: datetime | date) -> datetime:
    """A naive datetime: aware ones converted to UTC, a pure date at midnight."""
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.replace(tzinfo=None)


def parse_date(text: str, *, fuzzy: bool = False) -> datetime | None:
    """Parse ISO 8601 or anything dateutil reads into a naive (UTC) datetime, else None."""
    text = text.strip()
    if not text:
        return None
    try:
        value = dateparser.isoparse(text)
    except (ValueError, OverflowError):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = dateparser.parse(text, default=_DEFAULT_DATE, tzinfos=_tzinfo, fuzzy=fuzzy)
        except (ValueError, OverflowError, TypeError):
            return None
    return naive_utc(value)


def is_boilerplate(line: str) -> bool:
    """True when a whole (stripped) line is site furniture listed in ``BOILERPLATE``."""
    line = line.strip()
    return len(line) <= _BOILERPLATE_MAX and _BOILERPLATE_RE.fullmatch(line) is not None


def date_line(line: str) -> tuple[str, datetime] | None:
    """For a date line, its kind ("published" or "updated") and date; else None."""
    line = line.strip()
    match = _DATE_LINE_RE.fullmatch(line)
    if match is None or len(line) > _DATE_LINE_MAX:
        return None
    value = match["value"]
    if not _YEAR_RE.search(value):
        return None
    parsed = parse_date(value, fuzzy=True)
    if parsed is None:
        return None
    kind = "published" if match["kind"].lower() == "published" else "updated"
    return kind, parsed


def _is_dropped(line: str) -> bool:
    return is_boilerplate(line) or date_line(line) is not None


def _blocks(lines: list[str]) -> list[str]:
    """Paragraphs of ``lines`` by the blank-line rule, boilerplate and date lines dropped."""
    text = "\n".join(lines).strip()
    kept = [line.strip() for line in lines if not _is_dropped(line)]
    if not _BLANK_LINE_RE.search(text):
        return [line for line in kept if line]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*kept, ""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return paragraphs


def split_blocks(text: str) -> list[str]:
    """The paragraphs of raw text: boilerplate and date lines dropped, blank-line rule."""
    return _blocks(text.splitlines())


def text_date(text: str) -> datetime | None:
    """The date given by the text's date lines: Published wins over Updated."""
    found: dict[str, datetime] = {}
    for line in text.splitlines():
        hit = date_line(line)
        if hit is not None:
            found.setdefault(hit[0], hit[1])
    return found.get("published") or found.get("updated")


def _same_title(line: str, title: str) -> bool:
    def norm(s: str) -> str:
        return " ".join(_MD_HEADING_RE.sub("", s.strip()).split()).casefold()

    return norm(line) == norm(title)


def parse_text_layout(text: str, *, title: str | None = None) -> Article:
    """Read the plain-text layout of ``seeds/``: title line, standfirst, body, date lines.

    The title is the first non-empty line that is neither boilerplate nor a date line (a
    Markdown ``#`` marker is removed from it). When ``title`` is given (front matter), the
    text has a title line only if its first line repeats that title. The standfirst is
    the next paragraph when it is at most 300 characters, is not a caption and more
    paragraphs follow. Captions stay in the body; ``split_article`` classifies them.
    """
    lines = text.splitlines()
    start = 0
    found_title = ""
    for index, line in enumerate(lines):
        if line.strip() and not _is_dropped(line):
            if title is None or _same_title(line, title):
                found_title = _MD_HEADING_RE.sub("", line.strip())
                start = index + 1
            break
    paragraphs = _blocks(lines[start:])
    standfirst = None
    if (
        len(paragraphs) > 1
        and len(paragraphs[0]) <= STANDFIRST_MAX
        and not is_caption(paragraphs[0])
    ):
        standfirst = paragraphs.pop(0)
    return Article(
        title=title if title is not None else found_title,
        body=tuple(paragraphs),
        standfirst=standfirst,
        date=text_date(text),
    )


def is_caption(paragraph: str) -> bool:
    """True for a photo caption: a paragraph ending in a credit listed in ``CREDITS``.

    The credit must follow a sentence end (". Reuters"), a separator (" | AFP",
    " / Getty Images"), a "Photo:" label, or stand in parentheses ("(Reuters)"); so
    "…, he told Reuters." is body text. Paragraphs over 400 characters are never captions.
    """
    text = paragraph.strip()
    if len(text) > CAPTION_MAX:
        return False
    return _CAPTION_RE.search(text) is not None


def article_id(article: Article) -> str:
    """The article's id, else its url, else "sha1-" + 16 hex digits of its content."""
    if article.id.strip():
        return article.id.strip()
    if article.url and article.url.strip():
        return article.url.strip()
    stamp = article.date.isoformat() if article.date is not None else ""
    content = f"{article.title}\n{stamp}\n" + "\n".join(article.body)
    return "sha1-" + hashlib.sha1(content.encode("utf-8")).hexdigest()[:16]


def body_paragraphs(article: Article) -> list[str]:
    """The article's body paragraphs as indexed: stripped, empty/boilerplate/date dropped."""
    body = (p.strip() for p in article.body)
    return [p for p in body if p and not _is_dropped(p)]


def split_article(article: Article, article_id: str) -> list[Paragraph]:
    """The article's paragraphs in reading order, numbered from 1, each with a role.

    Title first, then the standfirst, then body paragraphs (``caption`` or ``body``).
    A first body paragraph that only repeats the title (scrapers and wire briefs often
    start the body with the headline) is dropped. Every paragraph carries the article's
    metadata.
    """
    title = article.title.strip()
    body = body_paragraphs(article)
    if body and body[0].strip() == title:
        body = body[1:]
    parts: list[tuple[Role, str]] = [
        ("title", title),
        ("standfirst", (article.standfirst or "").strip()),
    ]
    parts += [("caption" if is_caption(p) else "body", p) for p in body]
    kept = [(role, text) for role, text in parts if text]
    return [
        Paragraph(
            article_id=article_id,
            number=number,
            role=role,
            text=text,
            title=article.title.strip(),
            date=article.date,
            source=article.source,
            author=article.author,
            url=article.url,
            section=article.section,
            tags=article.tags,
            language=article.language,
        )
        for number, (role, text) in enumerate(kept, start=1)
    ]
