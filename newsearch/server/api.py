"""The JSON endpoints: each takes its parameters, calls one ``Index`` method on a worker
thread and answers with the object the CLI prints for ``--json``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from ..cli.render import article_dict
from ..index import Index
from . import schemas
from .holder import DAMAGE, IndexHolder, Runner
from .limits import Limits

# "ID#p7" (a hit's anchor) names paragraph 7 of article ID.
ANCHOR = re.compile(r"^(?P<id>.+)#p(?P<number>[0-9]+)$")


class NotFound(Exception):
    """The API's 404: a message for the client."""


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
        summary="One article, whole, with numbered paragraphs",
        responses={
            **schemas.ok(schemas.ARTICLE, "as `newsearch show --json`"),
            **schemas.errors(404, 503),
        },
    )
    async def article(
        article_id: str = Path(description="an article id, or a hit's anchor ID#pN"),
    ) -> JSONResponse:
        """By id, or by anchor (`ID#pN`, with `#` sent as `%23`): the paragraph must exist."""
        anchored = ANCHOR.match(article_id)

        def read(index: Index) -> Any:
            paragraphs = index.article(article_id)
            if not paragraphs and anchored:
                # Not an article id as it stands: read it as ID#pN.
                aid, number = anchored["id"], int(anchored["number"])
                paragraphs = index.article(aid)
                if paragraphs and number not in {p.number for p in paragraphs}:
                    raise NotFound(f"article {aid!r} has no paragraph {number}")
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

    return router
