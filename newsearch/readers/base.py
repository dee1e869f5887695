"""What every reader shares: the ``Parsed`` result, decoding, and metadata coercion.

Metadata keys (JSON objects, JSON Lines objects and text front matter), first present
and usable alias wins; unknown keys are ignored:

=========  ==============================================  ===========================
field      keys                                            accepted values
=========  ==============================================  ===========================
id         ``id``                                          text or number
source     ``source``, ``source_domain``                   text
url        ``url``                                         text
author     ``author``, ``authors``                         text, or a list joined ", "
date       ``date``, ``published``, ``published_at``,      ISO 8601 or anything
           ``date_publish``                                dateutil reads; a number is
                                                           Unix time (seconds, or ms)
section    ``section``, ``category``                       text
tags       ``tags``, ``keywords``                          a list, or a comma string
language   ``language``                                    text, stored lower-cased
=========  ==============================================  ===========================

Dates are read by ``readers.dates.coerce_date``. A value of the wrong type is ignored
with a warning; an unparseable date gives the warning ``unparseable date 'xyz'`` and no
date. Numbers are accepted where text is.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from newsearch.model import Article, SkippedInput
from newsearch.readers.dates import coerce_date

INVALID_UTF8 = "invalid UTF-8 bytes replaced"

METADATA_KEYS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "source": ("source", "source_domain"),
    "url": ("url",),
    "author": ("author", "authors"),
    "date": ("date", "published", "published_at", "date_publish"),
    "section": ("section", "category"),
    "tags": ("tags", "keywords"),
    "language": ("language",),
}

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class Parsed:
    """One input read: an article, or the reason it was skipped, plus any warnings.

    ``where`` names the input: a file, ``file.jsonl:LINE`` (1-based) for JSON Lines, or
    ``file.json[INDEX]`` (0-based) for an item of a JSON list. ``count`` is how many
    inputs a skip stands for (the records of a WARC file passed over for one reason).
    """

    where: str
    article: Article | None
    skip_reason: str | None = None
    warnings: tuple[str, ...] = ()
    count: int = 1

    def __post_init__(self) -> None:
        if (self.article is None) == (self.skip_reason is None):
            raise ValueError("Parsed needs exactly one of article and skip_reason")

    @property
    def ok(self) -> bool:
        """True when an article was read."""
        return self.article is not None

    def as_skipped(self) -> SkippedInput:
        """The skip as the report's ``SkippedInput`` (only for skipped inputs)."""
        if self.skip_reason is None:
            raise ValueError(f"{self.where} was not skipped")
        return SkippedInput(where=self.where, reason=self.skip_reason, count=self.count)


def skip(where: str, reason: str, warnings: tuple[str, ...] | list[str] = ()) -> Parsed:
    """A skipped input."""
    return Parsed(where=where, article=None, skip_reason=reason, warnings=tuple(warnings))


def has_utf16_bom(data: bytes) -> bool:
    """True when ``data`` starts with a UTF-16 byte order mark."""
    return data.startswith(_UTF16_BOMS)


def decode(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Text of file bytes (UTF-8, a BOM honoured); bad bytes replaced with a warning."""
    encoding = "utf-16" if has_utf16_bom(data) else "utf-8-sig"
    try:
        return data.decode(encoding), ()
    except UnicodeDecodeError:
        return data.decode(encoding, errors="replace"), (INVALID_UTF8,)


def json_type(value: object) -> str:
    """The JSON name of a Python value's type, for messages."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number" if isinstance(value, (int, float)) else "value")


def coerce_text(value: object) -> str | None:
    """Text from a string or number, stripped; None when empty or of another type."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def _names(value: object) -> str | None:
    if isinstance(value, list):
        names = [coerce_text(item) for item in value]
        return ", ".join(n for n in names if n) or None
    return coerce_text(value)


def coerce_tags(value: object) -> tuple[str, ...] | None:
    """Tags from a list or a comma-separated string, de-duplicated; None otherwise."""
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, list):
        items = value
    else:
        return None
    tags = (coerce_text(item) for item in items)
    return tuple(dict.fromkeys(t for t in tags if t))


def _is_blank(value: object) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _coerce(field: str, value: object) -> Any:
    if field == "author":
        return _names(value)
    if field == "tags":
        return coerce_tags(value)
    if field == "date":
        return coerce_date(value)
    text = coerce_text(value)
    return text.lower() if text and field == "language" else text


def metadata(data: Mapping[str, object], warnings: list[str]) -> dict[str, Any]:
    """The metadata fields ``data`` gives (see the module docstring), ready for Article.

    Only fields present and usable are returned, so the result can override others.
    Problems are appended to ``warnings``.
    """
    found: dict[str, Any] = {}
    for field, keys in METADATA_KEYS.items():
        for key in keys:
            value = data.get(key)
            if _is_blank(value):
                continue
            coerced = _coerce(field, value)
            if coerced is not None:
                found[field] = coerced
                break
            if field == "date":
                warnings.append(f"unparseable date {value!r}")
            else:
                warnings.append(f"ignored {key!r}: unexpected {json_type(value)}")
    return found
