"""How the whoosh engine reads a segment's files: without copying them into memory.

A whoosh segment is one compound file, memory-mapped; each file inside it (stored
fields, columns, postings, terms) is opened as a ``BufferFile`` over a view of the map.
whoosh-reloaded 2.7.5's ``BufferFile`` also wraps the view in a ``BytesIO``, which
copies the whole inner file: every process that reads stored fields or a column copies
all of it, however little it reads (a query on the full Reuters corpus copied 198 MB
and spent 145 ms doing it). ``ViewBufferFile`` reads from the view instead, copying
only the bytes each read returns.

``install()`` makes whoosh's compound storage open its inner files this way, for every
whoosh index this process opens (the bytes read are the same).
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterator
from typing import Any

from . import whoosh_imports  # noqa: F401  (first: see its docstring)

# isort: split
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile

# How far readline looks at a time for the end of a line.
_LINE_STEP = 256
# How many bytes a pickle is first tried in (a posting block's header takes about 40).
_PICKLE_STEP = 256


class ViewFile(io.RawIOBase):
    """A read-only binary file over a memoryview."""

    def __init__(self, view: memoryview) -> None:
        super().__init__()
        self._view = view
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        start, length = self._position, len(self._view)
        end = length if size is None or size < 0 else min(length, start + size)
        self._position = max(start, end)
        return bytes(self._view[start:end])

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(memoryview(buffer).cast("B")))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        start, length = self._position, len(self._view)
        limit = length if size is None or size < 0 else min(length, start + size)
        end = start
        while end < limit:
            step = min(limit, end + _LINE_STEP)
            found = bytes(self._view[end:step]).find(b"\n")
            if found != -1:
                end += found + 1
                break
            end = step
        self._position = end
        return bytes(self._view[start:end])

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._view)}
        position = base[whence] + offset
        if position < 0:
            raise ValueError(f"negative seek position {position}")
        self._position = position
        return position

    def tell(self) -> int:
        return self._position

    def load_pickle(self) -> Any:
        """The object pickled at the current position (the position moves past it):
        unpickled from a copy of the next bytes, not through one ``read`` call each."""
        size = _PICKLE_STEP
        while True:
            window = io.BytesIO(self._view[self._position : self._position + size])
            try:
                found = pickle.load(window)
            except (EOFError, pickle.UnpicklingError):
                if self._position + size >= len(self._view):
                    raise
                size *= 8
                continue
            self._position += window.tell()
            return found


class ViewBufferFile(BufferFile):  # type: ignore[misc]
    """whoosh's ``BufferFile`` reading from its view, not from a copy of it."""

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        super().__init__(b"", name=name, onclose=onclose)  # an empty BytesIO, replaced
        self._buf = buf
        self.file = ViewFile(memoryview(buf))

    def read_pickle(self) -> Any:
        return self.file.load_pickle()

    def subset(self, position: int, length: int, name: str | None = None) -> ViewBufferFile:
        return ViewBufferFile(self._buf[position : position + length], name=name or self._name)


def install() -> None:
    """Open the files inside whoosh's compound files as ``ViewBufferFile`` (once)."""
    compound.BufferFile = ViewBufferFile
