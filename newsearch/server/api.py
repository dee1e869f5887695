"""The JSON endpoints: each takes its parameters, calls one ``Index`` method on a worker
thread and answers with the object the CLI prints for ``--json``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from ..analytics import FACET_UNITS, FACETS, INTERVALS
from ..cli.render import article_dict
from ..engines.base import SORTS, UNITS
from ..index import Index
from ..significance import DEFAULT_SAMPLE
from . import schemas
from .holder import DAMAGE, IndexHolder, Runner
from .limits import Limits

# The date filters every endpoint but the article takes; an HTML form sends an empty
# date field ("since="), which means no filter.
Since = Annotated[str | None, Query(description="on or after: YYYY, YYYY-MM, YYYY-MM-DD")]
Until = Annotated[str | None, Query(description="on or before (inclusive)")]


class NotFound(Exception):
    """The API's 404: a message for the client."""


class BadRequest(Exception):
    """The API's 400 for a parameter the declared checks cannot express."""


def _dates(since: str | None, until: str | None) -> dict[str, str | None]:
    return {
        "since": since if since and since.strip() else None,
        "until": until if until and until.strip() else None,
    }


def api_router(holder: IndexHolder, runner: Runner, limits: Limits) -> APIRouter:
    """The ``/api`` routes over the index in ``holder``, bounded by ``limits``."""
    router = APIRouter(prefix="/api")
    # Annotations are strings here (``from __future__``): FastAPI resolves them in the
    # module, so the query text's limit lives in the default instead of an alias.
    query_text = Query("", max_length=limits.max_query_chars, description="the query language")

    def route(path: str, summary: str, schema: dict[str, Any], command: str, *errors: int) -> Any:
        """A GET route answering ``schema`` as ``newsearch COMMAND --json`` does."""
        ok = schemas.ok(schema, f"as `newsearch {command} --json`")
        return router.get(path, summary=summary, responses={**ok, **schemas.errors(*errors)})

    async def call(work: Callable[[Index], Any]) -> JSONResponse:
        def job() -> Any:
            index = holder.current()
            try:
                return work(index)
            except DAMAGE:
                holder.forget(index)
                raise

        return JSONResponse(await runner.run(job))

    @route("/search", "One page of highlighted paragraph hits", schemas.RESULTS, "query", 400, 503)
    async def search(
        since: Since = None,
        until: Until = None,
        q: str = query_text,
        limit: int = Query(10, ge=0, le=limits.max_limit, description="hits per page"),
        offset: int = Query(0, ge=0, le=limits.max_offset, description="hits to skip"),
        sort: Literal[SORTS] = Query("relevance"),  # type: ignore[valid-type]
        context: int = Query(0, ge=0, le=limits.max_context, description="neighbours"),
        collapse: bool = Query(False, description="one hit per story, copies under it"),
    ) -> JSONResponse:
        """The query language of `newsearch query`; the answer is its `--json` object."""
        options = {
            "limit": limit,
            "offset": offset,
            "sort": sort,
            "context": context,
            "collapse": collapse,
        }
        return await call(
            lambda index: index.search(q, **_dates(since, until), **options).to_dict()
        )

    @route(
        "/articles/{article_id:path}",
        "One article, whole, or the paragraphs around an anchor",
        schemas.ARTICLE,
        "show",
        *(400, 404, 503),
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

    @route("/copies/{article_id:path}", "An article's copies", schemas.COPIES, "copies", 404, 503)
    async def copies(article_id: str = Path(description="an article id")) -> JSONResponse:
        """The other articles of its story, earliest first (`newsearch copies --json`)."""

        def read(index: Index) -> Any:
            if not index.article(article_id):
                raise NotFound(f"no article with id {article_id!r}")
            found = index.copies(article_id)
            return {"article_id": article_id, "copies": [c.to_dict() for c in found]}

        return await call(read)

    @route(
        "/stats", "Articles, paragraphs, dates, sources, engine, size", schemas.STATS, "stats", 503
    )
    async def stats() -> JSONResponse:
        """What `newsearch stats --json` prints."""
        return await call(lambda index: index.stats().to_dict())

    @route(
        "/timeline", "Matches per day, week, month or year", schemas.TIMELINE, "timeline", 400, 503
    )
    async def timeline(
        q: Annotated[list[str], Query(description="a query; repeat q for several series")],
        since: Since = None,
        until: Until = None,
        interval: Literal[INTERVALS] = Query("day"),  # type: ignore[valid-type]
        unit: Literal[UNITS] = Query("articles"),  # type: ignore[valid-type]
    ) -> JSONResponse:
        """What `newsearch timeline --json` prints for the same queries and options."""
        queries = _checked_queries(q, limits)
        options = {"interval": interval, "unit": unit, **_dates(since, until)}
        return await call(lambda index: index.timeline(queries, **options).to_dict())

    @route(
        "/facets", "Matches per source, section, author, tag, …", schemas.FACETS, "facets", 400, 503
    )
    async def facets(
        since: Since = None,
        until: Until = None,
        q: str = query_text,
        by: Literal[FACETS] = Query("source"),  # type: ignore[valid-type]
        limit: int = Query(20, ge=0, le=limits.max_limit, description="values to list"),
        unit: Literal[FACET_UNITS] = Query(  # type: ignore[valid-type]
            "articles", description="stories: also count stories (copies once), rank by them"
        ),
    ) -> JSONResponse:
        """What `newsearch facets --json` prints."""
        options = {"limit": limit, "unit": unit, **_dates(since, until)}
        return await call(lambda index: index.facets(q, by, **options).to_dict())

    @route("/terms", "Words over-represented in the matches", schemas.TERMS, "terms", 400, 503)
    async def terms(
        since: Since = None,
        until: Until = None,
        q: str = query_text,
        limit: int = Query(25, ge=0, le=limits.max_limit, description="terms to list"),
        sample: int = Query(
            DEFAULT_SAMPLE, ge=1, le=limits.max_sample, description="top paragraphs scored"
        ),
    ) -> JSONResponse:
        """What `newsearch terms --json` prints (JLH score)."""
        options = {"limit": limit, "sample": sample, **_dates(since, until)}
        return await call(lambda index: index.terms(q, **options).to_dict())

    return router


def _checked_queries(queries: Sequence[str], limits: Limits) -> list[str]:
    """Several queries of one request, each within the query length limit."""
    if len(queries) > limits.max_series:
        raise BadRequest(f"q: at most {limits.max_series} queries in one timeline")
    for query in queries:
        if len(query) > limits.max_query_chars:
            raise BadRequest(f"q: String should have at most {limits.max_query_chars} characters")
    return list(queries)
