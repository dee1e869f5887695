"""JSON files: one article object, or a list of article objects.

Each object is read by ``parse_object``, which JSON Lines shares. Accepted keys (first
present alias wins, unknown keys are ignored; news-please output works as is):

* title: ``title`` (required, else skipped "missing title")
* body, first non-empty of: ``paragraphs`` (a list of strings, one per paragraph; a
  ``body`` list is read the same way), then ``body``, ``text``, ``maintext`` (a string,
  split into paragraphs by ``readers.blocks.split_blocks``). No body text: skipped
  "missing body".
* standfirst: ``standfirst``, ``summary``, ``description``
* metadata: id, source, url, author, date, section, tags, language, with the aliases
  listed in ``readers.base`` (``source_domain``, ``authors``, ``date_publish``,
  ``category``, ``keywords``, …).

The ``source`` given by the caller (``--source``) is used only when the object has none.
An item of a JSON list is named ``file.json[INDEX]`` (0-based); warnings about the file
as a whole (invalid UTF-8) go with its first item.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import replace

from newsearch.model import Article
from newsearch.paragraphs import body_paragraphs
from newsearch.readers.base import Parsed, coerce_text, json_type, metadata, skip
from newsearch.readers.blocks import is_dropped, split_blocks

BODY_KEYS = ("paragraphs", "body", "text", "maintext")
STANDFIRST_KEYS = ("standfirst", "summary", "description")


def _body(data: Mapping[str, object], warnings: list[str]) -> list[str]:
    """Body paragraphs from the first body key that has any."""
    for key in BODY_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, list):
            paragraphs = []
            for number, item in enumerate(value, start=1):
                text = coerce_text(item)
                if text is not None:
                    if not is_dropped(text):
                        paragraphs.append(text)
                elif item is not None and not isinstance(item, str):
                    warnings.append(f"ignored {key!r} item {number}: unexpected {json_type(item)}")
        elif isinstance(value, str):
            paragraphs = split_blocks(value)
        elif (text := coerce_text(value)) is not None:
            paragraphs = [text]
        else:
            warnings.append(f"ignored {key!r}: unexpected {json_type(value)}")
            continue
        if paragraphs:
            return paragraphs
    return []


def article_from_object(
    data: Mapping[str, object], source: str | None = None
) -> tuple[Article | None, str | None, list[str]]:
    """An article from one JSON object: (article, None, warnings) or (None, reason, warnings)."""
    warnings: list[str] = []
    raw_title = data.get("title")
    title = coerce_text(raw_title)
    if title is None:
        if raw_title is None or isinstance(raw_title, str):
            return None, "missing title", warnings
        return None, f"invalid title: unexpected {json_type(raw_title)}", warnings
    body = _body(data, warnings)
    standfirst = None
    for key in STANDFIRST_KEYS:
        standfirst = coerce_text(data.get(key))
        if standfirst is not None:
            break
    fields = metadata(data, warnings)
    article = Article(title=title, body=tuple(body), standfirst=standfirst, **fields)
    if not body_paragraphs(article):
        return None, "missing body", warnings
    if article.source is None and source:
        article = replace(article, source=source)
    return article, None, warnings


def parse_object(
    data: Mapping[str, object],
    where: str,
    source: str | None = None,
    warnings: tuple[str, ...] = (),
) -> Parsed:
    """Read one article object into a ``Parsed`` named ``where``."""
    article, reason, found = article_from_object(data, source)
    all_warnings = (*warnings, *found)
    if article is None:
        return skip(where, reason or "missing title", all_warnings)
    return Parsed(where=where, article=article, warnings=all_warnings)


def invalid_json_reason(exc: ValueError | RecursionError) -> str:
    """A one-line description of why text is not JSON."""
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)


def parse_json(
    text: str, where: str, source: str | None = None, warnings: tuple[str, ...] = ()
) -> Iterator[Parsed]:
    """Articles of a JSON document: one object, or a list of objects."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        yield skip(where, f"invalid JSON: {invalid_json_reason(exc)}", warnings)
        return
    yield from parse_document(data, where, source, warnings)


def parse_document(
    data: object, where: str, source: str | None = None, warnings: tuple[str, ...] = ()
) -> Iterator[Parsed]:
    """Articles of a decoded JSON document: one object, or a list of objects."""
    if isinstance(data, dict):
        yield parse_object(data, where, source, warnings)
    elif isinstance(data, list):
        if not data:
            yield skip(where, "no articles (empty list)", warnings)
        for index, item in enumerate(data):
            item_where = f"{where}[{index}]"
            item_warnings = warnings if index == 0 else ()
            if isinstance(item, dict):
                yield parse_object(item, item_where, source, item_warnings)
            else:
                yield skip(item_where, f"not a JSON object ({json_type(item)})", item_warnings)
    else:
        yield skip(where, f"not a JSON object or list of objects ({json_type(data)})", warnings)
