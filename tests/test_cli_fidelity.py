"""The command line as a new user meets it: mistyped options, grouped context, colour,
dates, --debug anywhere, help for every option, and a README that lists them all."""

from __future__ import annotations

import io
import json
import re

import click
import pytest

from newsearch import Article, Index
from newsearch.cli import cli, render

from .conftest import REPO, run_cli

BODY = ("alpha one", "alpha two", "beta", "gamma", "delta", "alpha three", "epsilon")


@pytest.fixture
def alphabet(tmp_path):
    with Index.open(tmp_path / "i", create=True) as index:
        index.add(Article(title="Story", body=BODY, id="s", date=None))
    return str(tmp_path / "i")


def test_a_mistyped_long_option_is_a_usage_error_with_a_suggestion(alphabet, runner):
    result = run_cli(runner, "query", "--index", alphabet, "--limt", "3", "alpha")
    assert result.exit_code == 2
    assert "No such option '--limt'" in result.stderr
    assert "Did you mean" in result.stderr and "'--limit'" in result.stderr
    assert result.stdout == ""


def test_a_dash_word_is_still_a_negation(alphabet, runner):
    result = run_cli(runner, "query", "--index", alphabet, "alpha", "-two", "--json")
    assert result.exit_code == 0
    assert [h["paragraph"] for h in json.loads(result.stdout)["hits"]] == [2, 7]


def test_grouped_context_shows_each_paragraph_once_in_order_with_gaps(alphabet, runner):
    result = run_cli(runner, "query", "--index", alphabet, "alpha", "--context", "1")
    lines = result.stdout.splitlines()[2:-2]  # between the article header and the footer
    assert lines == [
        "  ¶1   | Story",
        "  ¶2   **alpha** one",
        "  ¶3   **alpha** two",
        "  ¶4   | beta",
        "  …",
        "  ¶6   | delta",
        "  ¶7   **alpha** three",
        "  ¶8   | epsilon",
    ]


def test_no_color_is_honoured(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdout", Terminal())
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert render.use_color()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not render.use_color()


def test_show_prints_dates_like_query(archive_index, runner):
    where = str(archive_index.path)
    shown = run_cli(runner, "show", "--index", where, "gulf-1").stdout.splitlines()[1]
    found = run_cli(runner, "query", "--index", where, "title:Qatar").stdout.splitlines()[1]
    assert shown.startswith("  2024-02-05 · Gulf Times")
    assert found.startswith("  2024-02-05 · Gulf Times")


def test_debug_works_after_the_command(alphabet, runner):
    result = run_cli(runner, "query", "--index", alphabet, "(alpha", "--debug")
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert "QuerySyntaxError" in result.stderr


def test_query_help_summarises_the_language_and_fields(runner):
    text = run_cli(runner, "query", "--help").stdout
    for part in ('"a phrase"~2', "negot*", "a OR b", "NOT a", "title:", "tag:", "date:[", "-a"):
        assert part in text


def _options():
    for name, command in sorted(cli.commands.items()):
        for param in command.params:
            if isinstance(param, click.Option):
                yield name, param


def test_every_option_has_help_text():
    missing = [f"{name} {param.opts[0]}" for name, param in _options() if not param.help]
    assert missing == []


def test_the_readme_lists_every_option():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    long_names = {opt for _, param in _options() for opt in param.opts if opt.startswith("--")}
    named = {o for o in long_names if re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", readme)}
    assert sorted(long_names - named) == []
