"""``newsearch serve``: the HTTP API and search page (``newsearch.server``) on uvicorn."""

from __future__ import annotations

import socket
from pathlib import Path

import click

from ..errors import NewsearchError
from ..index import Index, default_index_path
from . import Failure, cli
from .commands import index_option

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8765
BACKLOG = 2048  # uvicorn's own default


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket, so a taken port is one clear error before anything starts,
    and connections made as soon as the address is printed wait in the queue."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this. Without it, a keep-alive client waited 40 ms
    # per request: the answer goes out in two writes, and Nagle's algorithm holds the
    # second until the client's delayed acknowledgement of the first (measured here).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise Failure(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return sock


def _index_problem(path: Path) -> str | None:
    """Why the index cannot be served yet (missing, damaged, outdated), or None."""
    try:
        Index.open(path).close()
    except NewsearchError as exc:
        return str(exc)
    return None


@cli.command("serve")
@index_option
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port (0: any free port).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0.01),
    default=5.0,
    show_default=True,
    help="Seconds a search may take before the request is answered with 503.",
)
def serve_command(index_path: Path | None, host: str, port: int, time_limit: float) -> None:
    """Serve the index read-only: a JSON API under /api and a search page at /.

    Listens on 127.0.0.1 (this machine only) unless --host says otherwise. The API
    answers like --json; its OpenAPI document is at /api/openapi.json.

    \b
    Example:
        newsearch serve
        curl 'http://127.0.0.1:8765/api/search?q=Rafah&limit=1'
    """
    try:
        import uvicorn

        from ..server import Limits, create_app
    except ImportError as exc:
        raise Failure(
            f"the server needs its extra packages ({exc.name} is missing): "
            "pip install 'newsearch[serve]'"
        ) from exc
    path = index_path or default_index_path()
    local = host in ("127.0.0.1", "localhost", "::1")
    app = create_app(
        path,
        limits=Limits(time_limit=time_limit),
        # Bound to this machine, only its own names are answered (no DNS rebinding).
        allowed_hosts=("127.0.0.1", "localhost", "[::1]", "::1") if local else None,
    )
    sock = _listen(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    problem = _index_problem(path)
    if problem:
        click.echo(f"newsearch: warning: {problem}; answering 503 until it can be read", err=True)
    if not local:
        click.echo(
            f"newsearch: warning: listening on {host}: anyone who can reach this machine "
            "can read the index",
            err=True,
        )
    click.echo(f"newsearch: serving {path} at http://{shown}:{bound}/ (Ctrl-C stops)")
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])
