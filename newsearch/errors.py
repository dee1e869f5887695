"""One exception hierarchy for everything newsearch raises on purpose."""

from __future__ import annotations


class NewsearchError(Exception):
    """Base class: every error newsearch raises deliberately derives from it."""


class QuerySyntaxError(NewsearchError):
    """A query string that cannot be parsed; ``position`` is a 0-based character offset."""

    def __init__(self, message: str, query: str, position: int) -> None:
        self.message = message
        self.query = query
        self.position = max(0, min(position, len(query)))
        super().__init__(f"{message} (at position {self.position + 1})")

    def caret(self) -> str:
        """The query on one line and a caret under the offending character on the next."""
        return f"{self.query}\n{' ' * self.position}^"


class InputError(NewsearchError):
    """An input (file, stream, article) that cannot be read or indexed."""


class IndexNotFoundError(NewsearchError):
    """The index directory does not exist or holds no index."""


class IndexLockedError(NewsearchError):
    """Another process holds the index's write lock."""


class IndexCorruptError(NewsearchError):
    """The index cannot be read: damaged files, or a format this version cannot read."""


def damaged_message(data_dir: object, detail: str) -> str:
    """The message for an index whose files cannot be read, with the way out."""
    from pathlib import Path

    index_dir = Path(str(data_dir)).parent
    return (
        f"the index in {index_dir} is damaged ({detail}); rebuild it with "
        f"'newsearch index --rebuild --index {index_dir} FILES…'"
    )


class EngineUnavailableError(NewsearchError):
    """The requested engine's package is not installed."""
