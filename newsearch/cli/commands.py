"""The commands: each opens the index and calls one library method."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from ..engines import DEFAULT_ENGINE, engine_names
from ..engines.base import SORTS
from ..index import DEFAULT_LOCK_TIMEOUT, Index
from ..model import IndexReport
from . import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_NOT_FOUND, cli, render
from .progress import ProgressBar, input_bytes


def index_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--index DIR`` shared by every command."""
    return click.option(
        "--index",
        "index_path",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Index directory (default: $NEWSEARCH_INDEX or indexes/default).",
    )(func)


def limit_option(default: int, help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--limit N`` / ``-n N``, a count of things to show, for every command that has one."""
    return click.option(
        "--limit", "-n", type=click.IntRange(min=0), default=default, show_default=True, help=help
    )


def choice_option(
    name: str, choices: Sequence[str], default: str, help: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--NAME VALUE`` taking one of ``choices``, its default shown in ``--help``."""
    return click.option(
        name, type=click.Choice(choices), default=default, show_default=True, help=help
    )


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
    help="Paragraphs per batch written (default 20000); a batch holds whole articles.",
)
@click.option(
    "--commit-every",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds between commits (default 20; 0: after every batch). The whoosh "
    "engine commits every batch; a crash or Ctrl-C loses what is not committed.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes extracting web pages (.html, .warc) side by side.",
)
@click.option("--language", help="Only articles in this language (en takes en-GB too).")
@click.option(
    "--no-copies",
    is_flag=True,
    help="Index without looking for syndicated copies: each article is its own story.",
)
@click.option(
    "--allow-skips",
    is_flag=True,
    help="Exit 0 even when inputs were skipped (they are still reported), for pipelines.",
)
@json_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar (it shows only on a terminal).")
def index_command(
    paths: tuple[str, ...],
    index_path: Path | None,
    source: str | None,
    engine: str | None,
    rebuild: bool,
    lock_timeout: float,
    batch_size: int | None,
    commit_every: float | None,
    workers: int,
    language: str | None,
    no_copies: bool,
    allow_skips: bool,
    as_json: bool,
    quiet: bool,
) -> None:
    """Index articles from files, folders (recursively) or - (JSON Lines on stdin).

    Plain text, JSON, JSON Lines, web pages (.html) and WARC crawls (.warc.gz) are
    recognised by their suffix (also gzip-compressed: .txt.gz, .json.gz, .jsonl.gz); other
    suffixes are skipped with a reason. Indexing an article that is already there
    replaces it. Each article is compared with the index for syndicated copies
    (`newsearch copies`); --no-copies skips that, for speed. Exit 2 when an input was
    skipped, unless --allow-skips.

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
    if commit_every is not None:
        index.commit_seconds = commit_every
    index.detect_copies = not no_copies
    with index:
        from ..readers import ReadProgress  # not loaded for queries: it takes a while

        reading = ReadProgress()
        shown = sys.stderr.isatty() and not (as_json or quiet)
        bar = ProgressBar(reading, input_bytes(paths), sys.stderr) if shown else None
        progress = bar.update if bar is not None else None
        files = [p for p in paths if p != "-"]
        report = IndexReport()
        with bar if bar is not None else contextlib.nullcontext():
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
    for skipped in report.skipped:
        many = f"{skipped.count:,} of " if skipped.count > 1 else ""
        click.echo(f"newsearch: skipped {many}{skipped.where}: {skipped.reason}", err=True)
    for warning in report.warnings:
        click.echo(f"newsearch: warning: {warning}", err=True)
    click.echo(render.to_json(report.to_dict()) if as_json else render.report_text(report))
    if report.interrupted:
        sys.exit(EXIT_INTERRUPTED)
    if report.skipped and not allow_skips:
        sys.exit(EXIT_ERROR)


def _merge(into: IndexReport, more: IndexReport) -> None:
    into.added += more.added
    into.replaced += more.replaced
    into.paragraphs += more.paragraphs
    into.skipped.extend(more.skipped)
    into.warnings.extend(more.warnings)
    into.seconds += more.seconds
    into.interrupted = into.interrupted or more.interrupted


class QueryCommand(click.Command):
    """``query``: a word starting with "-" is a query word (``-Israel`` excludes), but a
    mistyped ``--long`` option is a usage error with click's "did you mean"."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        known = [
            name
            for param in self.get_params(ctx)
            for name in (*param.opts, *param.secondary_opts)
            if name.startswith("--")
        ]
        for arg in args:
            if arg == "--":
                break  # everything after it is query words
            name = arg.split("=", 1)[0]
            if name.startswith("--") and len(name) > 2 and name not in known:
                raise click.NoSuchOption(name, possibilities=known, ctx=ctx)
        return super().parse_args(ctx, args)


# `newsearch query -Israel Hamas`: a word starting with "-" is a query word, not an option.
@cli.command("query", cls=QueryCommand, context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, required=True)
@index_option
@limit_option(10, "Paragraphs to show on this page.")
@click.option(
    "--offset",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Ranked paragraphs to pass over first (the next page starts at offset + limit).",
)
@choice_option(
    "--sort", SORTS, "relevance", "Order of the hits: by relevance, or by date (undated last)."
)
@click.option("--since", help="Only articles dated on or after this day (2024-02-01, 2024-02).")
@click.option("--until", help="Only articles dated on or before this day (inclusive).")
@click.option(
    "--context",
    type=click.IntRange(min=0),
    default=0,
    help="Show N paragraphs either side of each hit (marked '|').",
)
@click.option("--flat", is_flag=True, help="List paragraphs one by one, not by article.")
@click.option(
    "--expand", is_flag=True, help="Also find paragraphs with words of the best hits (RM3)."
)
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
    expand: bool,
    collapse: bool,
    as_json: bool,
    as_jsonl: bool,
) -> None:
    """Search the index; exit 0 when something matched, 1 when nothing did.

    \b
    Query language (operators in upper case; lower-case and/or/not are words):
        word  "a phrase"  "a phrase"~2 (up to 2 words apart)  negot* (prefix)
        volker~1 (fuzzy)  a b (both)  a OR b  NOT a  -a  ( … )
    \b
    Fields (FIELD:value, no space after the colon):
        title: source: author: section: tag: role: language: text:
        date:2024-02-09  date:2024-02  date:[2024-02-01 TO 2024-02-10]  date:>=2024
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
            expand=expand,
            collapse=collapse,
        )
    if as_json:
        click.echo(render.to_json(results.to_dict()))
    elif as_jsonl:
        for hit in results:
            click.echo(render.to_json(hit.to_dict()))
    else:
        click.echo(render.results_text(results, color=render.use_color(), flat=flat))
        if results.suggestions:
            click.echo(render.suggestions_line(results.suggestions))
    for note in results.notes:
        click.echo(f"newsearch: note: {note}", err=True)
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
