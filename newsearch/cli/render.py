"""Turning results, articles, stats and reports into terminal text or JSON."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import click

from ..model import Copy, Hit, IndexReport, IndexStats, Paragraph, SearchResults, Span, iso_date

PLAIN_MARK = "**"
CONTEXT_MARK = "|"  # starts a context paragraph's text, with or without colour
GAP = "  …"  # paragraphs left out between two shown ones


def use_color() -> bool:
    """Colour on a terminal, unless ``NO_COLOR`` is set (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def date_text(value: datetime | None) -> str:
    """A date as every text output shows it: the publication's own calendar day."""
    return value.date().isoformat() if value is not None else "undated"


def mark(text: str, spans: Sequence[Span], color: bool) -> str:
    """``text`` with its spans in bold colour (terminal) or between ``**`` markers."""
    out, last = [], 0
    for span in spans:
        out.append(text[last : span.start])
        word = text[span.start : span.end]
        out.append(
            click.style(word, bold=True, fg="yellow") if color else PLAIN_MARK + word + PLAIN_MARK
        )
        last = span.end
    out.append(text[last:])
    return "".join(out)


def _meta_line(hit: Hit) -> str:
    parts = [date_text(hit.date)]
    parts += [v for v in (hit.source, hit.author) if v]
    parts.append(hit.article_id)
    return " · ".join(parts)


def copies_line(hit: Hit, shown: int = 5) -> str | None:
    """``+4 copies: Reuters, Al Arabiya …`` for a collapsed hit with copies."""
    if not hit.copies:
        return None
    names = [c.source or c.article_id for c in hit.copies]
    more = " …" if len(names) > shown else ""
    noun = "copy" if len(names) == 1 else "copies"
    return f"  +{len(names)} {noun}: {', '.join(names[:shown])}{more}"


def _paragraph_line(number: int, text: str) -> str:
    return f"  ¶{number:<3} {text}"


def _context_line(p: Paragraph, color: bool) -> str:
    text = f"{CONTEXT_MARK} {p.text}"
    return _paragraph_line(p.number, click.style(text, dim=True) if color else text)


def _hit_line(hit: Hit, color: bool, full: bool) -> str:
    if full:
        text = mark(hit.text, hit.highlights, color)
    else:
        text = mark(hit.snippet.text, hit.snippet.highlights, color)
    return _paragraph_line(hit.paragraph, text)


def _article_lines(hits: Sequence[Hit], color: bool, full: bool) -> list[str]:
    """The hits of one article and their context: each paragraph once, in reading order,
    ``…`` where paragraphs are left out (with context only), context marked ``|``."""
    if not full:
        return [_hit_line(hit, color, full) for hit in hits]
    shown: dict[int, str] = {}
    for hit in hits:
        for p in hit.context:
            shown.setdefault(p.number, _context_line(p, color))
    shown.update({hit.paragraph: _hit_line(hit, color, full) for hit in hits})
    lines: list[str] = []
    previous = None
    for number in sorted(shown):
        if previous is not None and number > previous + 1:
            lines.append(GAP)
        lines.append(shown[number])
        previous = number
    return lines


def results_text(results: SearchResults, *, color: bool, flat: bool) -> str:
    """Hits grouped by article (title, date, source, matching paragraphs) or flat."""
    lines: list[str] = []
    full = bool(results.hits and results.hits[0].context)
    if flat:
        for hit in results.hits:
            title = click.style(hit.title, bold=True) if color else hit.title
            lines.append(f"{title} — {_meta_line(hit)} · score {hit.score:.2f}")
            lines.extend(line for line in [copies_line(hit)] if line)
            lines.extend(_article_lines([hit], color, full))
            lines.append("")
    else:
        for group in results.by_article():
            first = group.hits[0]
            lines.append(click.style(first.title, bold=True) if color else first.title)
            lines.append(f"  {_meta_line(first)}")
            lines.extend(line for line in [copies_line(first)] if line)
            lines.extend(_article_lines(group.hits, color, full))
            lines.append("")
    lines.append(footer(results))
    return "\n".join(lines)


def footer(results: SearchResults) -> str:
    articles = len({h.article_id for h in results.hits})
    if not results.hits:
        return (
            f"no hits for {results.query!r}"
            if results.total == 0
            else (f"{results.total} hits; none at offset {results.offset}")
        )
    first = results.offset + 1
    last = results.offset + len(results.hits)
    if results.total_stories is not None:
        stories = results.total_stories
        return (
            f"{results.total} {'hit' if results.total == 1 else 'hits'} in "
            f"{stories} {'story' if stories == 1 else 'stories'} (showing stories {first}–{last})"
        )
    return (
        f"{results.total} {'hit' if results.total == 1 else 'hits'} "
        f"(showing {first}–{last}, {articles} {'article' if articles == 1 else 'articles'})"
    )


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def article_text(paragraphs: Sequence[Paragraph]) -> str:
    """An article with numbered paragraphs and their roles."""
    first = paragraphs[0]
    meta = [date_text(first.date)]
    meta += [v for v in (first.source, first.author, first.section) if v]
    lines = [first.title, "  " + " · ".join(meta)]
    if first.url:
        lines.append(f"  {first.url}")
    if first.tags:
        lines.append("  tags: " + ", ".join(first.tags))
    lines.append("")
    for p in paragraphs:
        role = "" if p.role == "body" else f"({p.role}) "
        lines.append(f"¶{p.number:<3} {role}{p.text}")
    return "\n".join(lines)


def article_dict(paragraphs: Sequence[Paragraph]) -> dict[str, Any]:
    first = paragraphs[0]
    return {
        "article_id": first.article_id,
        "title": first.title,
        "date": iso_date(first.date),
        "source": first.source,
        "author": first.author,
        "url": first.url,
        "section": first.section,
        "tags": list(first.tags),
        "language": first.language,
        "paragraphs": [{"paragraph": p.number, "role": p.role, "text": p.text} for p in paragraphs],
    }


def stats_text(stats: IndexStats) -> str:
    span = "—"
    if stats.first_date and stats.last_date:
        span = f"{stats.first_date.date().isoformat()} to {stats.last_date.date().isoformat()}"
    sources = ", ".join(f"{name} ({count})" for name, count in list(stats.sources.items())[:10])
    largest = ""
    if stats.largest_story:
        largest = f"; largest {stats.largest_story[0]} ({stats.largest_story[1]} articles)"
    return "\n".join(
        [
            f"index:      {stats.path}",
            f"engine:     {stats.engine}",
            f"articles:   {stats.articles:,}",
            f"paragraphs: {stats.paragraphs:,}",
            f"dates:      {span}",
            f"sources:    {sources or '—'}",
            f"size:       {stats.size_bytes / 1_000_000:.1f} MB",
            f"stories:    {stats.stories_with_copies:,} with copies{largest}",
        ]
    )


def report_text(report: IndexReport) -> str:
    """The one-line summary that ends an indexing run."""
    articles = report.added + report.replaced
    line = (
        f"indexed {articles:,} {'article' if articles == 1 else 'articles'} "
        f"({report.added:,} added, {report.replaced:,} replaced), "
        f"{report.paragraphs:,} paragraphs, {report.skipped_count:,} skipped, "
        f"in {report.seconds:.1f} s"
    )
    if report.interrupted:
        line = "interrupted: kept what was committed before Ctrl-C: " + line
    return line


def copies_text(article_id: str, copies: Sequence[Copy]) -> str:
    """An article's copies, earliest first: date, source, similarity, id and title."""
    if not copies:
        return f"no copies of {article_id}"
    lines = [f"{len(copies)} {'copy' if len(copies) == 1 else 'copies'} of {article_id}:"]
    for c in copies:
        day = c.date.date().isoformat() if c.date else "undated"
        lines.append(f"  {day}  {c.source or '—'}  {c.similarity:.2f}  {c.article_id}  {c.title}")
    return "\n".join(lines)
