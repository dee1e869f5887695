"""newsearch: paragraph-level full-text search for news archives.

>>> from newsearch import Index
>>> index = Index.open("indexes/default", create=True)
>>> results = index.search('"Rafah border crossing"', since="2024-02-01")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    EngineUnavailableError,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    InputError,
    NewsearchError,
    OptionError,
    QueryRejectedError,
    QuerySyntaxError,
)
from .model import (
    Article,
    ArticleHits,
    ArticleMeta,
    Hit,
    IndexReport,
    IndexStats,
    InputWarning,
    Paragraph,
    SearchResults,
    Snippet,
    Span,
)

if TYPE_CHECKING:
    from .index import Index

__version__ = "0.1.0"

__all__ = [
    "Article",
    "ArticleHits",
    "ArticleMeta",
    "EngineUnavailableError",
    "Hit",
    "Index",
    "IndexCorruptError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexReport",
    "IndexStats",
    "InputError",
    "InputWarning",
    "NewsearchError",
    "OptionError",
    "Paragraph",
    "QueryRejectedError",
    "QuerySyntaxError",
    "SearchResults",
    "Snippet",
    "Span",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # ``Index`` is imported on first use (PEP 562), not with the package: the analysis
    # worker imports ``newsearch.parallel``, hence this package, and needs none of the
    # query parser, engines and highlighter that ``newsearch.index`` brings (with the
    # lazy names of ``copies`` and its kept permutations, a tantivy build's worker holds
    # 29 MB after its first batch instead of 37).
    if name == "Index":
        from .index import Index

        globals()["Index"] = Index  # found directly from now on
        return Index
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
