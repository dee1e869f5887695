"""Readers: turn files and streams into ``Article``s (wrapped in ``Parsed``); never index.

``read_paths`` takes files and folders. Folders are walked recursively in sorted order,
skipping hidden files and folders (names starting with "."); a file named twice is read
once. Every path is checked to exist before anything is read (``InputError``
otherwise). After that nothing raises: each bad input becomes a ``Parsed`` with a
one-line ``skip_reason``.

Format by suffix: ``.txt`` ``.text`` ``.md`` → text (``readers.text``); ``.json`` → JSON
(``readers.jsonfile``); ``.jsonl`` ``.ndjson`` ``.jsonlines`` → JSON Lines
(``readers.jsonl``); ``.html`` ``.htm`` ``.xhtml`` → a web page (``readers.html``) and
``.warc`` → a WARC crawl (``readers.warc``), either also gzipped (``.warc.gz``). Any file
whose first 8 KB hold a NUL byte or that starts like a
known binary format (PDF, ZIP, gzip, PNG, …), and any file with a known binary suffix,
is skipped as "binary file (not text)". Text, JSON and JSON Lines files may be
gzip-compressed (``.txt.gz``, ``.json.gz``, ``.jsonl.gz`` …). A file with any other
suffix (``.csv``, ``.pdf``, ``.log`` …) is skipped as "unsupported file type '.csv'"
rather than guessed at. A file with no suffix is sniffed: text starting with ``[`` is
JSON; with ``{`` it is JSON if its first line is only ``{`` or it is one line, else JSON
Lines; anything else is text. ``read_paths`` never reads inside the folders it is told
to ``exclude`` (the index's own folder).

Files are UTF-8 (a BOM is honoured; UTF-16 with a BOM is read too); invalid bytes are
replaced, with the warning "invalid UTF-8 bytes replaced". Empty or whitespace-only
files are skipped as "empty file"; unreadable ones as "cannot read file: <OS reason>".
The ``source`` argument (``--source``) fills ``Article.source`` only where the input
gives none.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import BinaryIO, TextIO

from newsearch.errors import InputError
from newsearch.readers.base import Parsed, decode, has_utf16_bom, skip
from newsearch.readers.html import read_page_file
from newsearch.readers.jsonfile import parse_document, parse_json
from newsearch.readers.jsonl import parse_jsonl
from newsearch.readers.pipeline import Item, ReadProgress, settle
from newsearch.readers.text import parse_text
from newsearch.readers.warc import read_warc

__all__ = ["Parsed", "ReadProgress", "detect_format", "read_file", "read_paths", "read_stream"]

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
JSON_SUFFIXES = frozenset({".json"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".jsonlines"})
# Web pages and crawls, plain or gzipped (readers.html, readers.warc).
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
WARC_SUFFIXES = frozenset({".warc"})
BINARY_SUFFIXES = frozenset({
    ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".ico", ".tif", ".tiff",
    ".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".tar",
    ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".epub",
    ".mp3", ".mp4", ".wav", ".avi", ".mov", ".exe", ".dll", ".so", ".dylib", ".pyc",
    ".class", ".jar", ".sqlite", ".db", ".parquet", ".woff", ".woff2", ".ttf", ".otf",
})  # fmt: skip
BINARY_MAGIC: tuple[bytes, ...] = (
    b"%PDF-", b"PK\x03\x04", b"\x1f\x8b", b"\x89PNG", b"GIF8", b"\xff\xd8\xff",
    b"\xfd7zXZ", b"7z\xbc\xaf", b"SQLite format 3\x00",
)  # fmt: skip
BINARY_REASON = "binary file (not text)"
COMPRESSED_SUFFIXES = frozenset({".gz"})  # gzip, for text, JSON and JSON Lines files
SNIFF_BYTES = 8192


def detect_format(path: Path, head: bytes) -> str:
    """The format of a file from its suffix (a ``.gz`` one looked through) and first
    bytes: text, json, jsonl, binary, or unsupported (an unknown suffix)."""
    suffix = _inner(path).suffix.lower()
    if not has_utf16_bom(head) and (
        b"\x00" in head[:SNIFF_BYTES] or head.startswith(BINARY_MAGIC) or suffix in BINARY_SUFFIXES
    ):
        return "binary"
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in JSON_SUFFIXES:
        return "json"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix:
        return "unsupported"
    sample = decode(head[:SNIFF_BYTES])[0].lstrip()
    if sample.startswith("["):
        return "json"
    if sample.startswith("{"):
        first, _, rest = sample.partition("\n")
        return "json" if first.strip() == "{" or not rest.strip() else "jsonl"
    return "text"


def _inner(path: Path) -> Path:
    """The name under a compression suffix: ``a.jsonl.gz`` → ``a.jsonl``."""
    return path.with_suffix("") if path.suffix.lower() in COMPRESSED_SUFFIXES else path


def _open(path: Path) -> BinaryIO:
    """The file's bytes, decompressed when it is gzipped."""
    if path.suffix.lower() in COMPRESSED_SUFFIXES:
        return gzip.open(path, "rb")  # type: ignore[return-value]
    # A large buffer lets peek() show the first 8 KB without a seek (pipes work too).
    return path.open("rb", buffering=SNIFF_BYTES * 8)


def web_format(path: Path) -> str | None:
    """The web format of a path: "html" (``.html``, ``.htm.gz``…), "warc" (``.warc``,
    ``.warc.gz``) or None."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes[-1:] == [".gz"]:
        suffixes.pop()
    suffix = suffixes[-1] if suffixes else ""
    return "html" if suffix in HTML_SUFFIXES else "warc" if suffix in WARC_SUFFIXES else None


def read_file(
    path: str | Path,
    source: str | None = None,
    *,
    language: str | None = None,
) -> Iterator[Parsed]:
    """Articles of one file (several for JSON lists, JSON Lines and WARC); never raises
    OSError. ``language`` keeps only articles in that language."""
    return settle(_read_file(Path(path), source), language=language)


def _read_file(
    path: Path, source: str | None, progress: ReadProgress | None = None
) -> Iterator[Item]:
    web = web_format(path)
    if web == "html":
        yield from read_page_file(path, source)
        return
    if web == "warc":
        yield from read_warc(path, source, progress)
        if progress is not None:
            progress.file_done()
        return
    where = str(path)
    try:
        with _open(path) as handle:
            head = _head(handle)
            if not head:
                yield skip(where, "empty file")
                return
            kind = detect_format(path, head)
            if kind == "binary":
                yield skip(where, BINARY_REASON)
                return
            if kind == "unsupported":
                yield skip(where, f"unsupported file type '{_inner(path).suffix}'")
                return
            if kind == "jsonl" and not has_utf16_bom(head):
                for item in parse_jsonl(handle, where, source):
                    if progress is not None:  # a large JSON Lines file shows its way
                        progress.read_up_to(handle.tell())
                    yield item
                return
            data = handle.read()
    except (OSError, EOFError, zlib.error) as exc:  # gzip: truncated or garbled data
        yield skip(where, f"cannot read file: {getattr(exc, 'strerror', None) or exc}")
        return
    text, warnings = decode(data)
    if not text.strip():
        yield skip(where, "empty file", warnings)
    elif kind == "text":
        yield parse_text(text, where, source, warnings)
    elif kind == "json":
        yield from parse_json(text, where, source, warnings)
    else:
        yield from _with_warnings(parse_jsonl(text.splitlines(), where, source), warnings)


def _with_warnings(items: Iterable[Parsed], warnings: tuple[str, ...]) -> Iterator[Parsed]:
    """``items`` with ``warnings`` added to the first one."""
    for item in items:
        if warnings:
            item = Parsed(item.where, item.article, item.skip_reason, warnings + item.warnings)
            warnings = ()
        yield item


def _head(handle: BinaryIO) -> bytes:
    """The first ``SNIFF_BYTES`` of an open file, left unread."""
    return handle.peek(SNIFF_BYTES)[:SNIFF_BYTES]  # type: ignore[attr-defined]


def _files(root: Path, exclude: frozenset[Path] = frozenset()) -> list[tuple[Path, str | None]]:
    """Files under ``root`` (itself if a file), sorted, hidden names and the folders in
    ``exclude`` (resolved paths) skipped.

    Each comes with None, or a skip reason (unreadable folder, not a regular file).
    """
    if not root.is_dir():
        return [(root, None)]
    found: list[tuple[Path, str | None]] = []

    def unreadable(exc: OSError) -> None:
        found.append((Path(exc.filename), f"cannot read folder: {exc.strerror or exc}"))

    for folder, dirnames, filenames in os.walk(root, onerror=unreadable):
        dirnames[:] = [
            d
            for d in dirnames
            if not d.startswith(".") and Path(folder, d).resolve() not in exclude
        ]
        for name in filenames:
            if name.startswith("."):
                continue
            path = Path(folder, name)
            regular = path.is_file() or not path.exists()  # a broken link reports itself
            found.append((path, None if regular else "not a regular file"))
    found.sort(key=lambda item: item[0].parts)
    return found


def read_paths(
    paths: Iterable[str | Path],
    source: str | None = None,
    *,
    workers: int = 1,
    language: str | None = None,
    progress: ReadProgress | None = None,
    exclude: Iterable[str | Path] = (),
) -> Iterator[Parsed]:
    """Articles of files and folders, in order; raises ``InputError`` for a missing path.

    The existence check happens at call time, before anything is read. ``workers``
    processes extract web pages; ``language`` keeps only articles in that language;
    ``progress`` is kept up to date (see ``readers.pipeline``); nothing inside the
    ``exclude`` folders is read.
    """
    given = [Path(p) for p in paths]
    for path in given:
        if not path.exists():
            raise InputError(f"no such file or directory: {path}")
    items = _read_paths(given, source, progress, frozenset(Path(e).resolve() for e in exclude))
    return settle(items, workers=workers, language=language, progress=progress)


def _read_paths(
    paths: list[Path],
    source: str | None,
    progress: ReadProgress | None,
    exclude: frozenset[Path] = frozenset(),
) -> Iterator[Item]:
    seen: set[Path] = set()
    for root in paths:
        for path, reason in _files(root, exclude):
            if reason is not None:
                yield skip(str(path), reason)
                continue
            key = path.resolve()
            if key in seen or not exclude.isdisjoint(key.parents):
                continue
            seen.add(key)
            if progress is None or web_format(path) == "warc":  # WARC counts its records
                yield from _read_file(path, source, progress)
                continue
            yield from _read_file(path, source, progress)
            with contextlib.suppress(OSError):
                progress.read_up_to(path.stat().st_size)
            progress.file_done()


def _line_text(line: bytes | str) -> str:
    text = line.decode("utf-8", errors="replace") if isinstance(line, bytes) else line
    return text.lstrip("\ufeff").strip()


def _opens_document(line: str) -> bool:
    """True when a first line opens a JSON array, or is a lone "{" (pretty-printed JSON)."""
    return line.startswith("[") or line == "{"


def read_stream(
    stream: TextIO | BinaryIO, where: str = "<stdin>", source: str | None = None
) -> Iterator[Parsed]:
    """Articles of JSON Lines read from a stream (stdin), line by line.

    When the first non-blank line opens a JSON array or is a lone ``{`` (pretty-printed
    JSON, e.g. from ``jq``) and the whole stream is one valid JSON document, it is read as
    a JSON file instead. Lines are named ``WHERE:LINE``, list items ``WHERE[INDEX]``.
    """
    # Read a text stream's bytes when it has them, so bad UTF-8 is replaced, not fatal.
    binary = getattr(stream, "buffer", None)
    lines: Iterator[bytes | str] = iter(binary if binary is not None else stream)
    buffered: list[bytes | str] = []
    for line in lines:
        buffered.append(line)
        if _line_text(line):
            break
    if buffered and _opens_document(_line_text(buffered[-1])):
        buffered.extend(lines)
        if isinstance(buffered[0], bytes):
            document, warnings = decode(b"".join(buffered))  # type: ignore[arg-type]
        else:
            document, warnings = "".join(buffered), ()  # type: ignore[arg-type]
        try:
            data = json.loads(document)
        except (ValueError, RecursionError):
            pass  # not one document: read it as JSON Lines, line by line
        else:
            yield from parse_document(data, where, source, warnings)
            return
    yield from parse_jsonl(chain(buffered, lines), where, source, empty_reason="empty input")
