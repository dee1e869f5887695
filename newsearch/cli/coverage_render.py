"""Timelines, facets, significant terms and exports as terminal tables, CSV or JSON Lines."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import IO, Any

import click

from ..analytics import Facets, Interval, Timeline
from ..model import Hit, iso_date
from ..significance import Terms

WIDTH = 80
_BLOCKS = " ▏▎▍▌▋▊▉█"
EXPORT_FIELDS = (
    "anchor",
    "article_id",
    "title",
    "source",
    "author",
    "date",
    "url",
    "paragraph",
    "role",
    "text",
    "highlights",
)


def write_csv(out: IO[str], rows: Iterable[Sequence[Any]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)


def bar(fraction: float, width: int) -> str:
    """A horizontal bar ``fraction`` (0–1) of ``width`` characters, in eighths."""
    eighths = round(max(0.0, min(fraction, 1.0)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (_BLOCKS[part] if part else "")).ljust(width)


def _label(start: date, interval: Interval) -> str:
    if interval == "year":
        return str(start.year)
    if interval == "month":
        return start.strftime("%Y-%m")
    return start.isoformat()


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    """Columns padded to their widest cell; ``right`` columns aligned right."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def timeline_text(found: Timeline) -> str:
    """One row per bucket: total, then each query's count, share and a bar (80 columns)."""
    if not found.starts:
        return "no dated articles in range"
    label = len(_label(found.starts[0], found.interval))
    totals = [b.total for b in found.series[0].buckets]
    total_width = max(len("total"), len(f"{max(totals):,}"))
    count_width = max(len(f"{s.matching:,}") for s in found.series)
    # Per query: count, space, "100.0%", space, bar; the rest of the line is bars.
    fixed = label + 2 + total_width
    per_query = (WIDTH - fixed) // len(found.series) - 2
    bar_width = max(4, per_query - count_width - 8)
    lines = []
    names = "  ".join(s.query[:per_query].ljust(per_query) for s in found.series)
    lines.append(f"{'':{label}}  {'total':>{total_width}}  {names}".rstrip())
    peaks = [max((b.ratio for b in s.buckets), default=0.0) or 1.0 for s in found.series]
    for row, start in enumerate(found.starts):
        cells = []
        for series, peak in zip(found.series, peaks, strict=True):
            bucket = series.buckets[row]
            share = f"{bucket.ratio:.1%}" if bucket.total else "–"
            drawn = bar(bucket.ratio / peak, bar_width)
            cells.append(f"{bucket.matching:>{count_width},} {share:>6} {drawn}")
        line = f"{_label(start, found.interval):{label}}  {totals[row]:>{total_width},}  "
        lines.append((line + "  ".join(cells)).rstrip())
    undated = [f"{s.query!r}: {s.undated:,}" for s in found.series if s.undated]
    lines.append(f"matching / all {found.unit} per {found.interval}; bars scaled to each peak")
    if undated:
        lines.append(f"undated matches (in no bucket): {', '.join(undated)}")
    return "\n".join(lines)


def timeline_rows(found: Timeline) -> list[list[Any]]:
    """CSV: start, total, then matching and ratio for each query."""
    header: list[Any] = ["start", "total"]
    for series in found.series:
        header += [f"{series.query} matching", f"{series.query} ratio"]
    rows = [header]
    for row, start in enumerate(found.starts):
        cells: list[Any] = [start.isoformat(), found.series[0].buckets[row].total]
        for series in found.series:
            bucket = series.buckets[row]
            cells += [bucket.matching, bucket.ratio]
        rows.append(cells)
    return rows


def facets_text(found: Facets) -> str:
    stories = found.stories is not None
    rows = [
        [v.value, *([f"{v.stories:,}"] if stories else []), f"{v.articles:,}", f"{v.paragraphs:,}"]
        for v in found.values
    ]
    if found.missing_articles or found.missing_paragraphs:
        counts = [found.missing_articles, found.missing_paragraphs]
        if stories:
            counts.insert(0, found.missing_stories or 0)
        rows.append([f"(no {found.by})", *(f"{n:,}" for n in counts)])
    header = [found.by, *(["stories"] if stories else []), "articles", "paragraphs"]
    lines = _table(header, rows, right=set(range(1, len(header))))
    matched = f"{found.stories:,} stories, " if stories else ""
    lines.append(
        f"{matched}{found.articles:,} articles, {found.paragraphs:,} paragraphs match "
        f"{found.query!r}; {len(found.values)} of {found.distinct} values shown"
    )
    return "\n".join(lines)


def facets_rows(found: Facets) -> list[list[Any]]:
    if found.stories is None:
        rows: list[list[Any]] = [["value", "articles", "paragraphs"]]
        rows += [[v.value, v.articles, v.paragraphs] for v in found.values]
        rows.append(["", found.missing_articles, found.missing_paragraphs])  # no value
        return rows
    rows = [["value", "stories", "articles", "paragraphs"]]
    rows += [[v.value, v.stories, v.articles, v.paragraphs] for v in found.values]
    rows.append(["", found.missing_stories, found.missing_articles, found.missing_paragraphs])
    return rows


def terms_text(found: Terms) -> str:
    rows = [
        [t.form, f"{t.score:.3f}", f"{t.foreground:,}", f"{t.background:,}"] for t in found.terms
    ]
    lines = _table(["term", "score", "matches", "index"], rows, right={1, 2, 3})
    scope = (
        f"the top {found.sample:,} of {found.matched:,} matching paragraphs (a sample)"
        if found.sampled
        else f"all {found.matched:,} matching paragraphs"
    )
    lines.append(
        f"JLH score; 'matches' counts {scope}, 'index' all {found.background:,} paragraphs"
    )
    return "\n".join(lines)


def terms_rows(found: Terms) -> list[list[Any]]:
    rows: list[list[Any]] = [["term", "form", "score", "foreground", "background"]]
    rows += [[t.term, t.form, round(t.score, 6), t.foreground, t.background] for t in found.terms]
    return rows


def export_record(hit: Hit) -> dict[str, Any]:
    """A hit's citation fields (``EXPORT_FIELDS``)."""
    return {
        "anchor": hit.anchor,
        "article_id": hit.article_id,
        "title": hit.title,
        "source": hit.source,
        "author": hit.author,
        "date": iso_date(hit.date),
        "url": hit.url,
        "paragraph": hit.paragraph,
        "role": hit.role,
        "text": hit.text,
        "highlights": [s.to_list() for s in hit.highlights],
    }


def write_export(out: IO[str], hits: Iterable[Hit], fmt: str, *, progress: bool) -> int:
    """Write every hit as JSON Lines or CSV; return how many were written."""
    writer = csv.DictWriter(out, EXPORT_FIELDS, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    count = 0
    for count, hit in enumerate(hits, start=1):
        record = export_record(hit)
        if writer is not None:
            writer.writerow({**record, "highlights": json.dumps(record["highlights"])})
        else:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        if progress and count % 500 == 0:
            click.echo(f"\rexported {count:,} paragraphs…", err=True, nl=False)
    if progress:
        click.echo(f"\rexported {count:,} paragraphs", err=True, nl=False)
    return count
