"""JSON Schemas of the API's answers, published in the OpenAPI document for clients.

They describe the objects ``to_dict()`` and ``cli.render`` already produce (the CLI's
``--json``); objects may carry more keys than listed as the library grows.
"""

from __future__ import annotations

from typing import Any

_TEXT = {"type": "string"}
_MAYBE_TEXT = {"type": ["string", "null"]}
_INT = {"type": "integer"}
_SPANS = {
    "type": "array",
    "description": "[start, end) character offsets (Unicode code points) into the text",
    "items": {"type": "array", "items": _INT, "minItems": 2, "maxItems": 2},
}
_META = {
    "article_id": _TEXT,
    "title": _TEXT,
    "date": {**_MAYBE_TEXT, "description": "ISO 8601"},
    "source": _MAYBE_TEXT,
    "author": _MAYBE_TEXT,
    "url": _MAYBE_TEXT,
    "section": _MAYBE_TEXT,
    "tags": {"type": "array", "items": _TEXT},
    "language": _MAYBE_TEXT,
}
_PARAGRAPH = {
    "type": "object",
    "properties": {"paragraph": _INT, "role": _TEXT, "text": _TEXT},
    "required": ["paragraph", "role", "text"],
}


def _object(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": [k for k in properties if k not in optional],
    }


COPY = _object(
    {
        "article_id": _TEXT,
        "title": _TEXT,
        "date": _MAYBE_TEXT,
        "source": _MAYBE_TEXT,
        "url": _MAYBE_TEXT,
        "similarity": {"type": "number"},
    }
)
COPIES = _object({"article_id": _TEXT, "copies": {"type": "array", "items": COPY}})
HIT = _object(
    {
        **_META,
        "paragraph": {**_INT, "description": "1-based; the title is paragraph 1"},
        "anchor": {**_TEXT, "description": "ID#pN: names this paragraph for /api/articles"},
        "role": {"enum": ["title", "standfirst", "caption", "body"]},
        "score": {"type": "number"},
        "text": _TEXT,
        "highlights": _SPANS,
        "snippet": _object({"text": _TEXT, "highlights": _SPANS}),
        "context": {"type": "array", "items": _PARAGRAPH},
        "story": {**_TEXT, "description": "collapse=true: the hit's story id"},
        "copies": {"type": "array", "items": COPY, "description": "collapse=true only"},
    },
    optional=("context", "story", "copies"),
)
RESULTS = _object(
    {
        "query": _TEXT,
        "total": {**_INT, "description": "matching paragraphs in all"},
        "total_articles": {**_INT, "description": "matching articles in all"},
        "total_stories": {**_INT, "description": "collapse=true: matching stories"},
        "offset": _INT,
        "limit": _INT,
        "hits": {"type": "array", "items": HIT},
    },
    optional=("total_stories",),
)
ARTICLE = _object({**_META, "paragraphs": {"type": "array", "items": _PARAGRAPH}})
STATS = _object(
    {
        "path": _TEXT,
        "engine": _TEXT,
        "articles": _INT,
        "paragraphs": _INT,
        "first_date": _MAYBE_TEXT,
        "last_date": _MAYBE_TEXT,
        "sources": {"type": "object", "additionalProperties": _INT},
        "size_bytes": _INT,
    }
)
_BUCKET = _object(
    {
        "start": {**_TEXT, "description": "first day, ISO 8601"},
        "matching": _INT,
        "total": _INT,
        "ratio": {"type": "number"},
    }
)
TIMELINE = _object(
    {
        "interval": _TEXT,
        "unit": _TEXT,
        "since": _MAYBE_TEXT,
        "until": _MAYBE_TEXT,
        "series": {
            "type": "array",
            "items": _object(
                {
                    "query": _TEXT,
                    "matching": _INT,
                    "undated": _INT,
                    "buckets": {"type": "array", "items": _BUCKET},
                }
            ),
        },
    }
)
FACETS = _object(
    {
        "query": _TEXT,
        "by": _TEXT,
        "articles": _INT,
        "paragraphs": _INT,
        "distinct": _INT,
        "stories": {**_INT, "description": "with unit=stories only"},
        "values": {
            "type": "array",
            "items": _object(
                {"value": _TEXT, "articles": _INT, "paragraphs": _INT, "stories": _INT},
                ("stories",),
            ),
        },
        "missing": _object({"articles": _INT, "paragraphs": _INT, "stories": _INT}, ("stories",)),
    },
    ("stories",),
)
TERMS = _object(
    {
        "query": _TEXT,
        "score": _TEXT,
        "matched": _INT,
        "sample": _INT,
        "sampled": {"type": "boolean"},
        "background": _INT,
        "terms": {
            "type": "array",
            "items": _object(
                {
                    "term": _TEXT,
                    "form": _TEXT,
                    "foreground": _INT,
                    "background": _INT,
                    "score": {"type": "number"},
                }
            ),
        },
    }
)
ERROR = _object(
    {
        "status": _INT,
        "error": {"type": "string", "description": "a stable code: bad_query, not_found, …"},
        "message": _TEXT,
        "query": {**_TEXT, "description": "bad_query: the text the position points into"},
        "position": {**_INT, "description": "bad_query: 0-based character offset"},
    },
    optional=("query", "position"),
)


def ok(schema: dict[str, Any], description: str) -> dict[int | str, dict[str, Any]]:
    """An OpenAPI ``responses`` entry for a 200 answer with ``schema``."""
    return {200: {"description": description, "content": {"application/json": {"schema": schema}}}}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for error answers, all shaped like ``ERROR``."""
    words = {
        400: "bad request or bad query (message and position)",
        404: "no such article",
        503: "index missing or damaged, server busy, or the time limit was reached",
    }
    return {
        s: {"description": words[s], "content": {"application/json": {"schema": ERROR}}}
        for s in statuses
    }
