"""Convert the Reuters-21578 SGML files into JSON Lines articles for ``newsearch index -``.

The collection is research-use only: it is read at run time from its own folder and
never copied into this repository. Usage::

    python benchmarks/reuters.py ../shared/corpora/reuters21578 [--limit N] > reuters.jsonl

Each article becomes one JSON object: ``id`` (``reuters-<NEWID>``), ``title``, ``date``
(ISO 8601), ``dateline``, ``paragraphs`` (body paragraphs), ``source``, ``tags``
(TOPICS then PLACES), ``topics`` and ``places``. The SGML is not XML, so it is parsed
with regular expressions, one ``<REUTERS>`` element at a time.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

SOURCE = "Reuters"
FILE_GLOB = "reut2-*.sgm.gz"
# Text of TYPE="BRIEF" articles: a placeholder, not content.
PLACEHOLDER = "Blah blah blah."

_ARTICLE_RE = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_NEWID_RE = re.compile(r'\bNEWID="(\d+)"')
_TEXT_RE = re.compile(r"<TEXT\b([^>]*)>(.*?)</TEXT>", re.S)
_TYPE_RE = re.compile(r'\bTYPE="([A-Z]+)"')
_D_RE = re.compile(r"<D>(.*?)</D>", re.S)
_TAG_RE = re.compile(r"<[A-Z]+\b[^>]*>.*?</[A-Z]+>", re.S)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES_RE = re.compile(r"\s+")
# The closing sign-off: "Reuter" (rarely "Reuters") on its own line, or after a
# sentence's end; never "... told Reuter." inside a sentence.
_SIGN_OFF_RE = re.compile(r"(?:(?<=[.!?\"')\]\d])[ \t]+|\n[ \t]*|^[ \t]*)reuters?\b[.\s]*$", re.I)
_WORD_RE = re.compile(r"[^\W_]")
_DATE_RE = re.compile(
    r"(\d{1,2})-([A-Za-z]{3})-(\d{4})(?:\s+(\d+):(\d+):(\d+)(?:\.\d+)?)?",
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
        start=1,
    )
}


def decode(text: str) -> str:
    """Decode SGML entities and drop control characters (newlines are kept)."""
    return _CONTROL_RE.sub("", html.unescape(text))


def one_line(text: str) -> str:
    """Collapse all runs of whitespace to single spaces, trimmed."""
    return _SPACES_RE.sub(" ", text).strip()


def parse_date(raw: str) -> datetime | None:
    """Parse a Reuters ``<DATE>``; an impossible time keeps the day at 00:00.

    Handles leading spaces, double spaces before the time, trailing junk and times
    such as ``605:12:19``.
    """
    match = _DATE_RE.search(decode(raw))
    if match is None:
        return None
    day, month_name, year, hour, minute, second = match.groups()
    month = _MONTHS.get(month_name.upper())
    if month is None:
        return None
    try:
        day_start = datetime(int(year), month, int(day))
    except ValueError:
        return None
    if hour is None:
        return day_start
    try:
        return day_start.replace(hour=int(hour), minute=int(minute), second=int(second))
    except ValueError:
        return day_start


def strip_sign_off(text: str) -> str:
    """Drop the closing "Reuter" sign-off, sometimes doubled, and trailing space."""
    text = text.rstrip()
    while True:
        shorter = _SIGN_OFF_RE.sub("", text).rstrip()
        if shorter == text:
            return text
        text = shorter


def split_paragraphs(text: str) -> list[str]:
    """Split decoded text where a new line starts indented; join each paragraph's lines.

    A blank line also ends a paragraph. The closing "Reuter" sign-off (sometimes
    doubled) is dropped, and so are rules such as ``******`` with no word in them.
    """
    text = strip_sign_off(text)
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if not line.strip() or line[:1].isspace():
            if current:
                paragraphs.append(current)
            current = []
        if line.strip():
            current.append(line.strip())
    if current:
        paragraphs.append(current)
    joined = (" ".join(lines) for lines in paragraphs)
    return [paragraph for paragraph in joined if _WORD_RE.search(paragraph)]


def _element(name: str, text: str) -> str | None:
    """The raw inner text of the first ``<NAME>`` element, or None when absent."""
    match = re.search(rf"<{name}\b[^>]*>(.*?)</{name}>", text, re.S)
    return match.group(1) if match else None


def _labels(name: str, text: str) -> list[str]:
    """The ``<D>`` values of a category element such as TOPICS or PLACES."""
    inner = _element(name, text) or ""
    return [one_line(decode(value)) for value in _D_RE.findall(inner)]


def _unprocessed(text_inner: str) -> tuple[str, list[str]]:
    """Title (first line) and paragraphs of a TEXT without TITLE or BODY tags."""
    lines = decode(_TAG_RE.sub("", text_inner)).strip("\n").splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return "", []
    return one_line(lines[0]), split_paragraphs("\n".join(lines[1:]))


def _title_and_paragraphs(text_inner: str) -> tuple[str, list[str]]:
    """The title and body paragraphs of one ``<TEXT>`` element, whatever its type."""
    title_raw = _element("TITLE", text_inner)
    body_raw = _element("BODY", text_inner)
    if title_raw is None and body_raw is None:
        return _unprocessed(text_inner)
    # A few BRIEF titles carry the sign-off inside the TITLE element.
    title = one_line(strip_sign_off(decode(title_raw or "")))
    if body_raw is not None:
        return title, split_paragraphs(decode(body_raw))
    rest = decode(_TAG_RE.sub("", text_inner)).replace(PLACEHOLDER, "")
    return title, split_paragraphs(rest)


def parse_article(attributes: str, inner: str) -> dict[str, Any]:
    """Turn one ``<REUTERS>`` element (attributes and inner SGML) into an article dict."""
    newid_match = _NEWID_RE.search(attributes)
    newid = newid_match.group(1) if newid_match else "0"
    text_match = _TEXT_RE.search(inner)
    text_inner = text_match.group(2) if text_match else ""
    title, paragraphs = _title_and_paragraphs(text_inner)
    if not title and paragraphs:
        title = paragraphs[0][:80]
    dateline = one_line(decode(_element("DATELINE", text_inner) or "")).rstrip(" -")
    date = parse_date(_element("DATE", inner) or "")
    topics = _labels("TOPICS", inner)
    places = _labels("PLACES", inner)
    return {
        "id": f"reuters-{newid}",
        "title": title,
        "date": date.isoformat() if date else None,
        "dateline": dateline,
        # A body-less article is indexed from its title (an empty body is "missing").
        "paragraphs": paragraphs or ([title] if title else []),
        "source": SOURCE,
        "tags": list(dict.fromkeys(topics + places)),
        "topics": topics,
        "places": places,
    }


def parse_sgml(text: str) -> Iterator[dict[str, Any]]:
    """Yield the article dicts of one SGML file's decoded text, in file order."""
    for match in _ARTICLE_RE.finditer(text):
        yield parse_article(match.group(1), match.group(2))


def corpus_files(corpus: Path) -> list[Path]:
    """The collection's data files in order (``reut2-000`` … ``reut2-021``)."""
    return sorted(Path(corpus).glob(FILE_GLOB))


def read_file(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the articles of one ``reut2-*.sgm.gz`` file; invalid UTF-8 is replaced."""
    with gzip.open(path, "rb") as handle:
        text = handle.read().decode("utf-8", errors="replace")
    yield from parse_sgml(text)


def iter_articles(corpus: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Yield every article of the collection in NEWID order, at most ``limit``."""
    files = corpus_files(corpus)
    if not files:
        raise FileNotFoundError(f"no {FILE_GLOB} files in {corpus}")
    count = 0
    for path in files:
        for article in read_file(path):
            if limit is not None and count >= limit:
                return
            yield article
            count += 1


def main(argv: list[str] | None = None) -> int:
    """Command line: write the collection as JSON Lines on stdout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder holding reut2-*.sgm.gz")
    parser.add_argument("--limit", type=int, default=None, help="stop after N articles")
    args = parser.parse_args(argv)
    try:
        for article in iter_articles(args.corpus, args.limit):
            sys.stdout.write(json.dumps(article, ensure_ascii=False) + "\n")
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
