"""One exception hierarchy for everything newsearch raises on purpose."""

from __future__ import annotations


class NewsearchError(Exception):
    """Base class: every error newsearch raises deliberately derives from it."""


class QuerySyntaxError(NewsearchError):
    """A query string that cannot be parsed.

    ``position`` counts characters from 0 (a Python string offset), and the message says
    the same number: ``… (at position 0)`` points at the first character.
    """

    def __init__(self, message: str, query: str, position: int) -> None:
        self.message = message
        self.query = query
        self.position = max(0, min(position, len(query)))
        super().__init__(f"{message} (at position {self.position})")

    def caret(self) -> str:
        """The query on one line and a caret under the offending character on the next."""
        return f"{self.query}\n{' ' * self.position}^"


class QueryRejectedError(NewsearchError):
    """A well-formed query an engine refuses to run (too large for it): the query's
    fault, never a sign of a damaged index."""


class OptionError(NewsearchError, ValueError):
    """A bad value for an option of a call or command (``since``, ``until``): ``option``
    names it, ``detail`` says what is wrong with the value."""

    def __init__(self, option: str, detail: str) -> None:
        self.option = option
        self.detail = detail
        super().__init__(f"invalid value for {option}: {detail}")


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
