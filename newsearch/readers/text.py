"""Plain-text articles (``.txt``, ``.text``, ``.md``) in the layout of ``seeds/``.

Layout (``parse_text_layout``): the first non-empty line is the title; the next
paragraph is the standfirst when it is at most 300 characters, not a photo caption and
more paragraphs follow; the rest is the body. Paragraphs are found by
``readers.blocks``. ``Published: …`` / ``Updated: …`` lines give the date
(``readers.dates``); boilerplate lines are dropped.

Optional YAML front matter: a first line ``---``, YAML ``key: value`` lines, and a
closing ``---`` (or ``...``) line. It sets or overrides ``title`` and the metadata keys
listed in ``readers.base`` (id, source, url, author or authors, date, section, tags,
language, and their aliases). When it gives a title, the text's first line is taken as
the title line only if it repeats that title; otherwise all of the text is body.

Skips: bad YAML ("invalid front matter: …"), an unclosed front matter block, a text
with nothing left after boilerplate ("no paragraphs"), a title with no body
("missing body").
"""

from __future__ import annotations

import re
from dataclasses import replace

import yaml

from newsearch.model import Article
from newsearch.paragraphs import body_paragraphs, is_caption
from newsearch.readers.base import Parsed, coerce_text, json_type, metadata, skip
from newsearch.readers.blocks import blocks, is_dropped
from newsearch.readers.dates import text_date

_FENCE_RE = re.compile(r"---[ \t]*")
_CLOSE_RE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_MD_HEADING_RE = re.compile(r"^#{1,6}\s+")

STANDFIRST_MAX = 300  # a standfirst is at most this long


class FrontMatterError(ValueError):
    """Front matter that cannot be read; the message is the skip reason."""


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """The front matter mapping (empty if none) and the text after it.

    Raises ``FrontMatterError`` for an unclosed block, bad YAML, or YAML that is not a
    mapping of keys to values.
    """
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or not _FENCE_RE.fullmatch(lines[0].rstrip("\r\n")):
        return {}, text
    for end in range(1, len(lines)):
        if _CLOSE_RE.fullmatch(lines[end].rstrip("\r\n")):
            break
    else:
        raise FrontMatterError("invalid front matter: no closing '---' line")
    try:
        data = yaml.safe_load("".join(lines[1:end]))
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 2})" if mark is not None else ""
        raise FrontMatterError(f"invalid front matter: {problem}{at}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError("invalid front matter: expected 'key: value' lines")
    return {str(k): v for k, v in data.items()}, "".join(lines[end + 1 :])


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
        if line.strip() and not is_dropped(line):
            if title is None or _same_title(line, title):
                found_title = _MD_HEADING_RE.sub("", line.strip())
                start = index + 1
            break
    paragraphs = blocks(lines[start:])
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


def parse_text(
    text: str, where: str, source: str | None = None, warnings: tuple[str, ...] = ()
) -> Parsed:
    """Read one plain-text article, with optional front matter, into a ``Parsed``."""
    found = list(warnings)
    try:
        front, content = split_front_matter(text)
    except FrontMatterError as exc:
        return skip(where, str(exc), found)
    title = coerce_text(front.get("title"))
    if title is None and front.get("title") is not None:
        found.append(f"ignored 'title': unexpected {json_type(front['title'])}")
    fields = metadata(front, found)
    article = parse_text_layout(content, title=title)
    if not article.title and not article.standfirst and not article.body:
        return skip(where, "no paragraphs", found)
    if not article.title:
        return skip(where, "missing title", found)
    if not body_paragraphs(article):
        return skip(where, "missing body", found)
    article = replace(article, **fields)
    if article.source is None and source:
        article = replace(article, source=source)
    return Parsed(where=where, article=article, warnings=tuple(found))
