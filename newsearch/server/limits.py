"""What a public deployment needs bounded, in one place, with the defaults it ships."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """The bounds every request is held to; a request outside them gets a 4xx/503 answer.

    ``time_limit`` is seconds per request, waiting for a free search slot included: past
    it the request is answered with 503. A Python thread cannot be stopped from outside,
    so a runaway search finishes in the background, but it keeps one of the
    ``max_searches`` slots until it does: runaway queries cannot pile up, and while every
    slot stays taken further requests are answered with 503 ("busy").
    """

    max_query_chars: int = 1_000
    max_limit: int = 100
    max_offset: int = 10_000
    max_context: int = 5
    max_series: int = 10  # queries in one timeline
    max_sample: int = 5_000  # paragraphs scored by terms
    time_limit: float = 5.0
    max_searches: int = 8
    max_body_bytes: int = 16_384
