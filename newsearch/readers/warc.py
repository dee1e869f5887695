"""WARC crawls (``.warc``, ``.warc.gz``), read record by record with ``warcio``.

Each HTTP ``response`` record with status 2xx and an HTML content type
(``text/html``, ``application/xhtml+xml``) is a page: its payload goes to
``readers.html`` with the record's ``WARC-Target-URI`` as the url (the page's canonical
link wins) and its ``WARC-Date`` as the fallback date. Other records are passed over,
counted per reason and reported once per file with their count, not one line each:
"revisit record", "HTTP 404", "not HTML (image/jpeg)"; requests, metadata and warcinfo
records are not pages and are not counted. The file is read as a stream, one record at
a time, so memory stays flat however large the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from newsearch.readers.base import Parsed, coerce_date, skip
from newsearch.readers.pipeline import Page, Passed, ReadProgress

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Records that are not captures of a page; nothing is said about them.
NOT_PAGES = frozenset({"request", "metadata", "warcinfo", "resource", "conversion"})


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _decoded(payload: bytes, content_type: str) -> bytes | str:
    """The payload as text when the HTTP header names a charset Python knows, else bytes
    (the extractor then reads the page's own ``<meta charset>``)."""
    charset = _charset(content_type)
    if charset is None:
        return payload
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload


def read_warc(
    path: Path, source: str | None = None, progress: ReadProgress | None = None
) -> Iterator[Parsed | Page | Passed]:
    """The pages of a WARC file, and the records passed over; never raises OSError."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    where = str(path)
    try:
        with path.open("rb") as handle:
            records = ArchiveIterator(handle)
            try:
                for record in records:
                    item = _page_or_pass(record, where, source)
                    if progress is not None:
                        progress.record(handle.tell())
                    if item is not None:
                        yield item
            except ArchiveLoadFailed as exc:
                yield skip(where, f"not a readable WARC file: {_first_line(exc)}")
            except Exception as exc:  # warcio fails in many ways on a damaged record
                yield skip(where, f"damaged WARC file: {type(exc).__name__}: {_first_line(exc)}")
    except OSError as exc:
        yield skip(where, f"cannot read file: {exc.strerror or exc}")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _page_or_pass(record: object, where: str, source: str | None) -> Page | Passed | None:
    kind = record.rec_type  # type: ignore[attr-defined]
    if kind in NOT_PAGES:
        return None
    if kind == "revisit":
        return Passed(where, "revisit record")
    if kind != "response":
        return Passed(where, f"{kind} record")
    http = record.http_headers  # type: ignore[attr-defined]
    if http is None:
        return Passed(where, "not an HTTP response")
    status = http.get_statuscode() or ""
    if not status.startswith("2"):
        return Passed(where, f"HTTP {status or 'status missing'}")
    content_type = http.get_header("Content-Type") or ""
    mime = content_type.split(";")[0].strip().lower()
    if mime not in HTML_TYPES:
        return Passed(where, f"not HTML ({mime or 'no content type'})")
    headers = record.rec_headers  # type: ignore[attr-defined]
    url = headers.get_header("WARC-Target-URI") or None
    payload = record.content_stream().read()  # type: ignore[attr-defined]
    return Page(
        data=_decoded(payload, content_type),
        where=url or where,
        url=url,
        date=coerce_date(headers.get_header("WARC-Date") or ""),
        source=source,
        tally=where,
    )
