"""The commands: each opens the index and calls one library method."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..engines import DEFAULT_ENGINE, engine_names
from ..engines.base import SORTS
from ..index import DEFAULT_LOCK_TIMEOUT, Index
from ..model import IndexReport
from ..readers import ReadProgress
from . import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_NOT_FOUND, cli, render


def index_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--index DIR`` shared by every command."""
    return click.option(
        "--index",
        "index_path",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Index directory (default: $NEWSEARCH_INDEX or indexes/default).",
    )(func)


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(func)


def _open(index_path: Path | None, **kwargs: Any) -> Index:
    return Index.open(index_path, **kwargs)


@cli.command("index")
@click.argument("paths", nargs=-1, required=True)
@index_option
@click.option("--source", help="Source name for articles whose file gives none.")
@click.option(
    "--engine",
    type=click.Choice(engine_names()),
    default=None,
    help=f"Engine for a new index (default {DEFAULT_ENGINE}); recorded in the index.",
)
@click.option("--rebuild", is_flag=True, help="Delete the index first and build it anew.")
@click.option(
    "--lock-timeout",
    type=float,
    default=DEFAULT_LOCK_TIMEOUT,
    show_default=True,
    help="Seconds to wait for another process's write lock.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Paragraphs per commit (default 20000); each commit holds whole articles.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes extracting web pages (.html, .warc) side by side.",
)
@click.option("--language", help="Only articles in this language (en takes en-GB too).")
@json_option
def index_command(
    paths: tuple[str, ...],
    index_path: Path | None,
    source: str | None,
    engine: str | None,
    rebuild: bool,
    lock_timeout: float,
    batch_size: int | None,
    workers: int,
    language: str | None,
    as_json: bool,
) -> None:
    """Index articles from files, folders (recursively) or - (JSON Lines on stdin).

    Plain text, JSON, JSON Lines, web pages (.html) and WARC crawls (.warc.gz) are
    recognised by their suffix. Indexing an article that is already there replaces it.

    \b
    Example:
        newsearch index seeds/
        newsearch index --source Reuters archive/ extra.jsonl
        cat articles.jsonl | newsearch index -
        newsearch index --workers 2 --language en CC-NEWS-20240209.warc.gz
    """
    index = _open(
        index_path, create=True, engine=engine, lock_timeout=lock_timeout, rebuild=rebuild
    )
    if batch_size:
        index.batch_paragraphs = batch_size
    with index:
        reading = ReadProgress()
        progress = _progress_printer(reading) if sys.stderr.isatty() and not as_json else None
        files = [p for p in paths if p != "-"]
        report = IndexReport()
        if files:
            report = index.add_paths(
                files,
                source=source,
                progress=progress,
                workers=workers,
                language=language,
                reading=reading,
            )
        if "-" in paths and not report.interrupted:
            stdin = getattr(sys.stdin, "buffer", sys.stdin)
            more = index.add_stream(stdin, source=source, progress=progress, language=language)
            _merge(report, more)
    if progress is not None:
        click.echo("", err=True)
    for skipped in report.skipped:
        many = f"{skipped.count:,} of " if skipped.count > 1 else ""
        click.echo(f"newsearch: skipped {many}{skipped.where}: {skipped.reason}", err=True)
    for warning in report.warnings:
        click.echo(f"newsearch: warning: {warning}", err=True)
    click.echo(render.to_json(report.to_dict()) if as_json else render.report_text(report))
    if report.interrupted:
        sys.exit(EXIT_INTERRUPTED)
    if report.skipped:
        sys.exit(EXIT_ERROR)


def _merge(into: IndexReport, more: IndexReport) -> None:
    into.added += more.added
    into.replaced += more.replaced
    into.paragraphs += more.paragraphs
    into.skipped.extend(more.skipped)
    into.warnings.extend(more.warnings)
    into.seconds += more.seconds
    into.interrupted = into.interrupted or more.interrupted


def _progress_printer(reading: ReadProgress) -> Callable[[IndexReport], None]:
    """A progress line on stderr, redrawn after each commit and, for WARC files, as
    records are read: records, articles indexed, skips, megabytes per second."""
    last = IndexReport()

    def line() -> str:
        text = f"indexing… {last.added + last.replaced:,} articles, {last.paragraphs:,} paragraphs"
        if reading.records:
            text += (
                f"; {reading.records:,} WARC records read, {reading.articles:,} pages, "
                f"{reading.bytes_per_second / 1e6:.1f} MB/s"
            )
        if reading.skips:
            top = ", ".join(f"{n:,} {why}" for why, n in reading.skips.most_common(2))
            text += f"; skipped {sum(reading.skips.values()):,} ({top})"
        return text

    def show(report: IndexReport) -> None:
        nonlocal last
        last = report
        click.echo("\r\033[K" + line(), err=True, nl=False)

    reading.on_update = lambda _: click.echo("\r\033[K" + line(), err=True, nl=False)
    return show


# `newsearch query -Israel Hamas`: a word starting with "-" is a query word, not an option.
@cli.command("query", context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, required=True)
@index_option
@click.option("--limit", "-n", type=click.IntRange(min=0), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--since", help="Only articles dated on or after this day (2024-02-01, 2024-02).")
@click.option("--until", help="Only articles dated on or before this day (inclusive).")
@click.option("--context", type=click.IntRange(min=0), default=0, help="Neighbouring paragraphs.")
@click.option("--flat", is_flag=True, help="List paragraphs one by one, not by article.")
@click.option("--collapse", is_flag=True, help="One result per story; copies listed under it.")
@json_option
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Print one JSON hit per line.")
def query_command(
    words: tuple[str, ...],
    index_path: Path | None,
    limit: int,
    offset: int,
    sort: str,
    since: str | None,
    until: str | None,
    context: int,
    flat: bool,
    collapse: bool,
    as_json: bool,
    as_jsonl: bool,
) -> None:
    """Search the index; exit 0 when something matched, 1 when nothing did.

    \b
    Example:
        newsearch query Rafah
        newsearch query '"Rafah border crossing"' --since 2024-02-01
        newsearch query 'Hamas AND (Egypt OR Qatar) -Israel' --json
        newsearch query 'title:Blinken date:2024-02' --sort newest
        newsearch query OPEC --collapse
    """
    if as_json and as_jsonl:
        raise click.UsageError("choose one of --json and --jsonl")
    with _open(index_path) as index:
        results = index.search(
            " ".join(words),
            since=since,
            until=until,
            limit=limit,
            offset=offset,
            sort=sort,  # type: ignore[arg-type]
            context=context,
            collapse=collapse,
        )
    if as_json:
        click.echo(render.to_json(results.to_dict()))
    elif as_jsonl:
        for hit in results:
            click.echo(render.to_json(hit.to_dict()))
    else:
        color = sys.stdout.isatty()
        click.echo(render.results_text(results, color=color, flat=flat))
    if results.total == 0:
        sys.exit(EXIT_NOT_FOUND)


@cli.command("show")
@click.argument("article_id")
@index_option
@click.option(
    "--context",
    type=click.IntRange(min=0),
    default=None,
    help="With an anchor (ID#p7): only that paragraph and N either side.",
)
@json_option
def show_command(
    article_id: str, index_path: Path | None, context: int | None, as_json: bool
) -> None:
    """Print one article with its numbered paragraphs, or one paragraph by its anchor.

    \b
    Example:
        newsearch show sha1-0123456789abcdef
        newsearch show sha1-0123456789abcdef#p7 --context 2
    """
    with _open(index_path) as index:
        paragraphs = index.article(article_id, context=context)
    if not paragraphs:
        click.echo(f"newsearch: no article with id {article_id!r}", err=True)
        sys.exit(EXIT_NOT_FOUND)
    if as_json:
        click.echo(render.to_json(render.article_dict(paragraphs)))
    else:
        click.echo(render.article_text(paragraphs))


@cli.command("stats")
@index_option
@json_option
def stats_command(index_path: Path | None, as_json: bool) -> None:
    """Articles, paragraphs, date span, sources, engine and size on disk.

    \b
    Example:
        newsearch stats --json
    """
    with _open(index_path) as index:
        stats = index.stats()
    click.echo(render.to_json(stats.to_dict()) if as_json else render.stats_text(stats))


@cli.command("delete")
@click.argument("article_ids", nargs=-1, required=True)
@index_option
def delete_command(article_ids: tuple[str, ...], index_path: Path | None) -> None:
    """Delete articles (all their paragraphs); exit 1 if an id was not in the index.

    \b
    Example:
        newsearch delete sha1-0123456789abcdef
    """
    with _open(index_path) as index:
        found = index.delete(*article_ids)
    click.echo(f"deleted {len(found)} {'article' if len(found) == 1 else 'articles'}")
    missing = [aid for aid in article_ids if aid not in found]
    if missing:
        click.echo(f"newsearch: not in the index: {', '.join(missing)}", err=True)
        sys.exit(EXIT_NOT_FOUND)
