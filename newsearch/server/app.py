"""The ASGI application: the API, the page, and how every failure becomes JSON."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from ..errors import EngineUnavailableError, NewsearchError, QuerySyntaxError
from ..index import default_index_path
from .api import BadRequest, NotFound, api_router
from .guard import Guard
from .holder import DAMAGE, Busy, IndexHolder, Opener, Runner, SearchTimeout
from .limits import Limits

# The page's own files, read once: (content type, bytes).
ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}


def error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    """The one shape of every error answer: status, a stable code, a message."""
    return JSONResponse({"status": status, "error": code, "message": message, **extra}, status)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for problem in exc.errors():
        where = ".".join(str(p) for p in problem.get("loc", ()) if p not in ("query", "path"))
        parts.append(f"{where}: {problem.get('msg', 'invalid')}" if where else problem["msg"])
    return "; ".join(parts) or "invalid request"


def _add_error_handlers(app: FastAPI) -> None:
    """Every failure becomes a JSON error with a message; a traceback never leaves."""

    @app.exception_handler(QuerySyntaxError)
    async def bad_query(request: Request, exc: QuerySyntaxError) -> JSONResponse:
        return error(400, "bad_query", str(exc), query=exc.query, position=exc.position)

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error(400, "bad_request", _validation_message(exc))

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> JSONResponse:
        return error(400, "bad_request", str(exc))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return error(404, "not_found", str(exc))

    @app.exception_handler(NewsearchError)
    async def library_error(request: Request, exc: NewsearchError) -> JSONResponse:
        if isinstance(exc, (*DAMAGE, EngineUnavailableError)):
            return error(503, "index_unavailable", str(exc))
        return error(400, "bad_request", str(exc))

    @app.exception_handler(SearchTimeout)
    async def timed_out(request: Request, exc: SearchTimeout) -> JSONResponse:
        limit = app.state.limits.time_limit
        return error(503, "timeout", f"the request took longer than {limit:g} s; narrow it")

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy) -> JSONResponse:
        response = error(503, "busy", "every search slot is busy; try again shortly")
        response.headers["retry-after"] = "1"
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return error(500, "internal", f"unexpected {type(exc).__name__}; see the server's log")


def _page_routes(app: FastAPI) -> None:
    static = resources.files(__package__) / "static"
    page = (static / "index.html").read_bytes()
    assets = {name: (kind, (static / name).read_bytes()) for name, kind in ASSETS.items()}

    def html() -> Response:
        return Response(page, media_type="text/html; charset=utf-8")

    @app.get("/", include_in_schema=False)
    async def search_page() -> Response:
        return html()

    @app.get("/article/{article_id:path}", include_in_schema=False)
    async def article_page(article_id: str) -> Response:
        return html()  # the script reads the id from the address and asks the API

    @app.get("/static/{name}", include_in_schema=False)
    async def asset(name: str) -> Response:
        if name not in assets:
            raise HTTPException(404, f"no file {name!r}")
        kind, body = assets[name]
        return Response(body, media_type=kind, headers={"cache-control": "max-age=3600"})


def create_app(
    index_path: str | os.PathLike[str] | None = None,
    *,
    limits: Limits | None = None,
    allowed_hosts: Collection[str] | None = None,
    opener: Opener | None = None,
) -> FastAPI:
    """The ASGI application serving the index at ``index_path`` (read-only).

    ``allowed_hosts`` lists the Host names answered (None: any); ``opener`` opens the
    index (tests pass their own). The index need not exist yet: until it does, the API
    answers 503 with the reason, and it is opened at the first request that finds it.
    """
    limits = limits or Limits()
    path = Path(index_path) if index_path is not None else default_index_path()
    holder = IndexHolder(path, opener) if opener is not None else IndexHolder(path)
    runner = Runner(limits)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        runner.close()
        holder.close()

    app = FastAPI(
        title="newsearch",
        summary="Paragraph-level full-text search over a news archive (read-only).",
        version=_version(),
        openapi_url="/api/openapi.json",
        # The interactive docs load their scripts from a CDN; the server works offline.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.limits = limits
    app.state.holder = holder
    app.include_router(api_router(holder, runner, limits))
    _page_routes(app)
    _add_error_handlers(app)
    app.add_middleware(Guard, max_bytes=limits.max_body_bytes, allowed_hosts=allowed_hosts)
    return app


def _version() -> str:
    from .. import __version__

    return __version__
