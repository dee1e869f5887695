"""Coverage commands: timeline, facets, terms and export.

Each opens the index and calls one ``Index`` method; ``coverage_render`` turns the
result into a table, CSV or JSON. Exit 1 when nothing matched, as for ``query``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import click

from ..analytics import FACET_UNITS, FACETS, INTERVALS
from ..engines.base import UNITS
from ..significance import DEFAULT_SAMPLE
from . import EXIT_NOT_FOUND, Failure, cli, coverage_render, render
from .commands import QueryCommand, _open, choice_option, index_option, limit_option

# A query word starting with "-" (`-Israel`) is a query word, not an option.
_QUERY_WORDS = {"ignore_unknown_options": True}


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--json`` / ``--csv``, meaning the same on every coverage command."""
    func = click.option("--csv", "as_csv", is_flag=True, help="Print CSV with a header row.")(func)
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(func)


def date_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--until", help="Only articles dated on or before this day.")(func)
    return click.option("--since", help="Only articles dated on or after this day.")(func)


def _emit(data: Any, as_json: bool, as_csv: bool, table: Callable[[], str], rows: Callable) -> None:
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    if as_json:
        click.echo(render.to_json(data.to_dict()))
    elif as_csv:
        coverage_render.write_csv(sys.stdout, rows())
    else:
        click.echo(table())


@cli.command("timeline", cls=QueryCommand, context_settings=_QUERY_WORDS)
@click.argument("queries", nargs=-1, required=True)
@index_option
@choice_option("--interval", INTERVALS, "day", "Width of each bucket of the timeline.")
@choice_option(
    "--unit", UNITS, "articles", "Count matching articles, paragraphs or stories (copies once)."
)
@date_options
@output_options
def timeline_command(
    queries: tuple[str, ...],
    index_path: Path | None,
    interval: str,
    unit: str,
    since: str | None,
    until: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Matching and total articles per day, week or month; one QUERY per argument.

    Weeks start on Monday. --csv has one row per bucket and, for each query, its
    matching count and ratio next to the shared total.

    \b
    Example:
        newsearch timeline Rafah --interval week
        newsearch timeline 'oil prices' 'coffee' --interval month --csv
    """
    with _open(index_path) as index:
        found = index.timeline(
            list(queries),
            interval=interval,  # type: ignore[arg-type]
            unit=unit,  # type: ignore[arg-type]
            since=since,
            until=until,
        )
    _emit(
        found,
        as_json,
        as_csv,
        lambda: coverage_render.timeline_text(found),
        lambda: coverage_render.timeline_rows(found),
    )
    if not any(series.matching for series in found.series):
        sys.exit(EXIT_NOT_FOUND)


@cli.command("facets", cls=QueryCommand, context_settings=_QUERY_WORDS)
@click.argument("words", nargs=-1, required=True)
@index_option
@choice_option("--by", FACETS, "source", "The metadata field to count matches by.")
@limit_option(20, "Show the N largest groups.")
@choice_option(
    "--unit",
    FACET_UNITS,
    "articles",
    "stories: also count stories (an article and its copies once), most first.",
)
@date_options
@output_options
def facets_command(
    words: tuple[str, ...],
    index_path: Path | None,
    by: str,
    limit: int,
    unit: str,
    since: str | None,
    until: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Who covered it: matching articles and paragraphs per source, author, tag, ….

    \b
    Example:
        newsearch facets Rafah --by source
        newsearch facets 'oil prices' --by year --csv
        newsearch facets OPEC --unit stories
    """
    with _open(index_path) as index:
        found = index.facets(
            " ".join(words),
            by,  # type: ignore[arg-type]
            limit=limit,
            since=since,
            until=until,
            unit=unit,  # type: ignore[arg-type]
        )
    _emit(
        found,
        as_json,
        as_csv,
        lambda: coverage_render.facets_text(found),
        lambda: coverage_render.facets_rows(found),
    )
    if not found.paragraphs:
        sys.exit(EXIT_NOT_FOUND)


@cli.command("terms", cls=QueryCommand, context_settings=_QUERY_WORDS)
@click.argument("words", nargs=-1, required=True)
@index_option
@limit_option(25, "Show the N most significant terms.")
@click.option(
    "--sample",
    type=click.IntRange(min=1),
    default=DEFAULT_SAMPLE,
    show_default=True,
    help="Score the top N matching paragraphs.",
)
@date_options
@output_options
def terms_command(
    words: tuple[str, ...],
    index_path: Path | None,
    limit: int,
    sample: int,
    since: str | None,
    until: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """What else is said: words over-represented in the matches (JLH score).

    \b
    Example:
        newsearch terms Rafah
        newsearch terms 'oil prices' --sample 500 --json
    """
    with _open(index_path) as index:
        found = index.terms(" ".join(words), limit=limit, sample=sample, since=since, until=until)
    _emit(
        found,
        as_json,
        as_csv,
        lambda: coverage_render.terms_text(found),
        lambda: coverage_render.terms_rows(found),
    )
    if not found.matched:
        sys.exit(EXIT_NOT_FOUND)


@cli.command("export", cls=QueryCommand, context_settings=_QUERY_WORDS)
@click.argument("words", nargs=-1, required=True)
@index_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="One JSON object per paragraph, or CSV with a header row.",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
@date_options
def export_command(
    words: tuple[str, ...],
    index_path: Path | None,
    fmt: str,
    output: Path | None,
    since: str | None,
    until: str | None,
) -> None:
    """Every matching paragraph with its citation fields, oldest first.

    Fields: anchor, article_id, title, source, author, date, url, paragraph, role,
    text, highlights ([start, end] character ranges in text).

    \b
    Example:
        newsearch export Rafah --format csv --output rafah.csv
        newsearch export '"oil prices"' > oil.jsonl
    """
    with _open(index_path) as index:
        hits = index.export(" ".join(words), since=since, until=until)
        with contextlib.ExitStack() as stack:
            out = stack.enter_context(_create(output)) if output else sys.stdout
            show = sys.stderr.isatty()
            count = coverage_render.write_export(out, hits, fmt, progress=show)
    if show:
        click.echo("", err=True)
    if count == 0:
        click.echo("newsearch: no hits", err=True)
        sys.exit(EXIT_NOT_FOUND)


def _create(path: Path) -> IO[str]:
    try:
        return open(path, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise Failure(f"cannot write {path}: {exc.strerror or exc}") from exc
