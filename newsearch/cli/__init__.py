"""The ``newsearch`` command: a thin click layer over ``newsearch.Index``.

Exit codes follow grep: 0 found (or done), 1 nothing found, 2 usage, query or input
error, 130 interrupted by Ctrl-C. Errors are one line on stderr; ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from ..errors import NewsearchError, OptionError, QuerySyntaxError

EXIT_FOUND, EXIT_NOT_FOUND, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


class Failure(click.ClickException):
    """A one-line error on stderr with exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"newsearch: error: {self.format_message()}", err=True)


# Commands whose modules load only when they run (or for --help): a query need not
# import the analytics, copies or server front ends.
_LAZY_COMMANDS = {
    "timeline": "analytics",
    "facets": "analytics",
    "terms": "analytics",
    "export": "analytics",
    "copies": "copies",
    "serve": "serve",
}


class NewsearchGroup(click.Group):
    """Turns every library error into one line on stderr and exit 2 (unless --debug)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _LAZY_COMMANDS and cmd_name not in self.commands:
            # Importing the module registers its commands on `cli`.
            importlib.import_module(f"{__name__}.{_LAZY_COMMANDS[cmd_name]}")
        return super().get_command(ctx, cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # `--debug` works after the command too (`newsearch query x --debug`): it is
        # moved in front of the command, where the group reads it. After `--` it is a
        # word like any other.
        end = args.index("--") if "--" in args else len(args)
        if "--debug" in args[:end]:
            args = ["--debug", *[a for a in args[:end] if a != "--debug"], *args[end:]]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("newsearch: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # The reader went away (`newsearch query x | head`): stop quietly.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_FOUND)
        except Exception as exc:  # the promise: no traceback without --debug
            if ctx.params.get("debug"):
                import traceback  # only for --debug

                traceback.print_exc()
            raise Failure(_message(exc)) from exc


def _message(exc: Exception) -> str:
    if isinstance(exc, QuerySyntaxError):
        caret = exc.caret().replace("\n", "\n  ")
        return f"bad query: {exc}\n  {caret}"
    if isinstance(exc, OptionError):
        return f"invalid value for '--{exc.option}': {exc.detail}"
    if isinstance(exc, NewsearchError):
        return str(exc)
    # Not a failure newsearch foresaw (click would turn an EOFError into "Aborted!").
    return f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)"


@click.group(cls=NewsearchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="newsearch")
def cli(debug: bool) -> None:
    """Paragraph-level full-text search for news archives.

    \b
    Example:
        newsearch index seeds/
        newsearch query '"Rafah border crossing"' --since 2024-02-01
    """


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="newsearch")


# Importing the command modules registers their commands on `cli` (see _LAZY_COMMANDS).
from . import commands  # noqa: E402,F401

__all__ = ["cli", "main"]
