"""The JSON endpoints: each takes its parameters, calls one ``Index`` method on a worker
thread and answers with the object the CLI prints for ``--json``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from ..analytics import FACETS, INTERVALS
from ..cli.render import article_dict
from ..engines.base import UNITS
from ..index import Index
from ..significance import DEFAULT_SAMPLE
from . import schemas
from .holder import DAMAGE, IndexHolder, Runner
from .limits import Limits


class NotFound(Exception):
    """The API's 404: a message for the client."""


class BadRequest(Exception):
    """The API's 400 for a parameter the declared checks cannot express."""


def _blank_is_none(value: str | None) -> str | None:
    # An HTML form sends an empty date field as "since=": that means no filter.
    return value if value and value.strip() else None


def api_router(holder: IndexHolder, runner: Runner, limits: Limits) -> APIRouter:
    """The ``/api`` routes over the index in ``holder``, bounded by ``limits``."""
    router = APIRouter(prefix="/api")

    async def call(work: Callable[[Index], Any]) -> JSONResponse:
        def job() -> Any:
            index = holder.current()
            try:
                return work(index)
            except DAMAGE:
                holder.forget(index)
                raise

        return JSONResponse(await runner.run(job))

    @router.get(
        "/search",
        summary="Search: one page of highlighted paragraph hits",
        responses={
            **schemas.ok(schemas.RESULTS, "as `newsearch query --json`"),
            **schemas.errors(400, 503),
        },
    )
    async def search(
        q: str = Query("", max_length=limits.max_query_chars, description="the query"),
        since: str | None = Query(None, description="on or after: YYYY, YYYY-MM, YYYY-MM-DD"),
        until: str | None = Query(None, description="on or before (inclusive)"),
        limit: int = Query(10, ge=0, le=limits.max_limit, description="hits per page"),
        offset: int = Query(0, ge=0, le=limits.max_offset, description="hits to skip"),
        sort: Literal["relevance", "newest", "oldest"] = Query("relevance"),
        context: int = Query(0, ge=0, le=limits.max_context, description="neighbours"),
    ) -> JSONResponse:
        """The query language of `newsearch query`; the answer is its `--json` object."""
        since, until = _blank_is_none(since), _blank_is_none(until)
        return await call(
            lambda index: index.search(
                q,
                since=since,
                until=until,
                limit=limit,
                offset=offset,
                sort=sort,
                context=context,
            ).to_dict()
        )

    @router.get(
        "/articles/{article_id:path}",
        summary="One article, whole, or one paragraph by its anchor",
        responses={
            **schemas.ok(schemas.ARTICLE, "as `newsearch show --json`"),
            **schemas.errors(400, 404, 503),
        },
    )
    async def article(
        article_id: str = Path(description="an article id, or a hit's anchor ID#pN (# as %23)"),
        context: int | None = Query(
            None, ge=0, le=limits.max_context, description="with an anchor: N either side"
        ),
    ) -> JSONResponse:
        """By id: every paragraph; by anchor: that paragraph and `context` either side."""

        def read(index: Index) -> Any:
            paragraphs = index.article(article_id, context=context)
            if not paragraphs:
                raise NotFound(f"no article with id {article_id!r}")
            return article_dict(paragraphs)

        return await call(read)

    @router.get(
        "/stats",
        summary="Articles, paragraphs, date span, sources, engine, size",
        responses={
            **schemas.ok(schemas.STATS, "as `newsearch stats --json`"),
            **schemas.errors(503),
        },
    )
    async def stats() -> JSONResponse:
        """What `newsearch stats --json` prints."""
        return await call(lambda index: index.stats().to_dict())

    @router.get(
        "/timeline",
        summary="Matching and total articles per day, week, month or year",
        responses={
            **schemas.ok(schemas.TIMELINE, "as `newsearch timeline --json`"),
            **schemas.errors(400, 503),
        },
    )
    async def timeline(
        q: Annotated[list[str], Query(description="a query; repeat q for several series")],
        interval: Literal[INTERVALS] = Query("day"),  # type: ignore[valid-type]
        unit: Literal[UNITS] = Query("articles"),  # type: ignore[valid-type]
        since: str | None = Query(None, description="on or after: YYYY, YYYY-MM, YYYY-MM-DD"),
        until: str | None = Query(None, description="on or before (inclusive)"),
    ) -> JSONResponse:
        """What `newsearch timeline --json` prints for the same queries and options."""
        queries = _checked_queries(q, limits)
        since, until = _blank_is_none(since), _blank_is_none(until)
        return await call(
            lambda index: index.timeline(
                queries, interval=interval, since=since, until=until, unit=unit
            ).to_dict()
        )

    @router.get(
        "/facets",
        summary="Who covered it: matches per source, section, author, tag, …",
        responses={
            **schemas.ok(schemas.FACETS, "as `newsearch facets --json`"),
            **schemas.errors(400, 503),
        },
    )
    async def facets(
        q: str = Query("", max_length=limits.max_query_chars, description="the query"),
        by: Literal[FACETS] = Query("source"),  # type: ignore[valid-type]
        limit: int = Query(20, ge=0, le=limits.max_limit, description="values to list"),
        since: str | None = Query(None, description="on or after: YYYY, YYYY-MM, YYYY-MM-DD"),
        until: str | None = Query(None, description="on or before (inclusive)"),
    ) -> JSONResponse:
        """What `newsearch facets --json` prints."""
        since, until = _blank_is_none(since), _blank_is_none(until)
        return await call(
            lambda index: index.facets(q, by, limit=limit, since=since, until=until).to_dict()
        )

    @router.get(
        "/terms",
        summary="Words over-represented in the matches (JLH score)",
        responses={
            **schemas.ok(schemas.TERMS, "as `newsearch terms --json`"),
            **schemas.errors(400, 503),
        },
    )
    async def terms(
        q: str = Query("", max_length=limits.max_query_chars, description="the query"),
        limit: int = Query(25, ge=0, le=limits.max_limit, description="terms to list"),
        sample: int = Query(
            DEFAULT_SAMPLE, ge=1, le=limits.max_sample, description="top paragraphs scored"
        ),
        since: str | None = Query(None, description="on or after: YYYY, YYYY-MM, YYYY-MM-DD"),
        until: str | None = Query(None, description="on or before (inclusive)"),
    ) -> JSONResponse:
        """What `newsearch terms --json` prints."""
        since, until = _blank_is_none(since), _blank_is_none(until)
        return await call(
            lambda index: index.terms(
                q, limit=limit, sample=sample, since=since, until=until
            ).to_dict()
        )

    return router


def _checked_queries(queries: Sequence[str], limits: Limits) -> list[str]:
    """Several queries of one request, each within the query length limit."""
    if len(queries) > limits.max_series:
        raise BadRequest(f"q: at most {limits.max_series} queries in one timeline")
    for query in queries:
        if len(query) > limits.max_query_chars:
            raise BadRequest(f"q: String should have at most {limits.max_query_chars} characters")
    return list(queries)
