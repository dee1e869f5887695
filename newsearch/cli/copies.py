"""The ``copies`` command: an article's syndicated copies, earliest first."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..index import Index
from . import EXIT_NOT_FOUND, cli, render
from .commands import index_option, json_option


@cli.command("copies")
@click.argument("article_id")
@index_option
@json_option
def copies_command(article_id: str, index_path: Path | None, as_json: bool) -> None:
    """List the other articles of an article's story (its copies), earliest first: who
    ran it first. Exit 1 when it has none.

    \b
    Example:
        newsearch copies reuters-12
        newsearch copies reuters-12 --json
    """
    with Index.open(index_path) as index:
        copies = index.copies(article_id)
    if as_json:
        data = {"article_id": article_id, "copies": [c.to_dict() for c in copies]}
        click.echo(render.to_json(data))
    else:
        click.echo(render.copies_text(article_id, copies))
    if not copies:
        sys.exit(EXIT_NOT_FOUND)
