"""newsearch: paragraph-level full-text search for news archives.

>>> from newsearch import Index
>>> index = Index.open("indexes/default", create=True)
>>> results = index.search('"Rafah border crossing"', since="2024-02-01")
"""

from __future__ import annotations

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
from .index import Index
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
