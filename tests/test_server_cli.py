"""``newsearch serve`` on the command line: where it listens and how it fails."""

from __future__ import annotations

import json
import socket
import urllib.error

import pytest

from newsearch.cli import EXIT_ERROR

from .conftest import run_cli
from .server_helpers import get_json, served


def test_a_taken_port_is_one_line_and_exit_2(runner, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(runner, "serve", "--index", str(tmp_path), "--port", str(port))
    assert result.exit_code == EXIT_ERROR
    assert (
        result.stderr
        == f"newsearch: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )


def test_help_shows_the_defaults_and_an_example(runner):
    result = run_cli(runner, "serve", "--help")
    assert result.exit_code == 0
    assert "[default: 127.0.0.1]" in result.stdout and "[default: 8765;" in result.stdout
    assert "curl 'http://127.0.0.1:8765/api/search?q=Rafah&limit=1'" in result.stdout


def test_serve_answers_503_on_a_missing_index_then_serves_it(tmp_path, runner):
    where = tmp_path / "index"
    with served(where) as (url, proc):
        with pytest.raises(urllib.error.HTTPError) as answer:
            get_json(url, "/api/stats")
        assert answer.value.code == 503
        assert run_cli(runner, "index", "--index", str(where), "seeds").exit_code == 0
        assert get_json(url, "/api/search", q="Rafah")["total"] == 5
    assert proc.stderr.read() == (
        f"newsearch: warning: no index at {where}; create one with 'newsearch index --index "
        f"{where} FILES…'; answering 503 until it can be read\n"
    )


def test_serve_warns_of_a_damaged_index_at_start_up(tmp_path, runner):
    where = tmp_path / "index"
    assert run_cli(runner, "index", "--index", str(where), "seeds").exit_code == 0
    (where / "newsearch.json").write_text("{")
    with served(where) as (url, proc):
        with pytest.raises(urllib.error.HTTPError) as answer:
            get_json(url, "/api/stats")
        assert answer.value.code == 503
        assert json.loads(answer.value.read())["error"] == "index_unavailable"
    warning = proc.stderr.read()
    assert warning.startswith(f"newsearch: warning: cannot read {where / 'newsearch.json'}")
    assert warning.endswith("; answering 503 until it can be read\n")
