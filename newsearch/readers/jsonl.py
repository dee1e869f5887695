"""JSON Lines: one article object per line, read line by line.

Each line is one JSON object with the keys of ``readers.jsonfile`` (news-please output
works as is) and is named ``file.jsonl:LINE`` (1-based). Blank lines are ignored. A line
that is not valid JSON ("line 3: invalid JSON: …") or not an object ("line 3: not a JSON
object") is skipped alone; the other lines are still read. Bytes that are not UTF-8 are
replaced, with the warning "invalid UTF-8 bytes replaced" on that line. A stream with no
non-blank line at all gives one skip ("empty file").
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator

from newsearch.readers.base import INVALID_UTF8, Parsed, json_type, skip
from newsearch.readers.jsonfile import invalid_json_reason, parse_object


def _decode_line(raw: bytes | str, first: bool) -> tuple[str, tuple[str, ...]]:
    if isinstance(raw, str):
        return (raw.lstrip("\ufeff") if first else raw), ()
    if first:
        raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return raw.decode("utf-8"), ()
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), (INVALID_UTF8,)


def _reason(exc: ValueError | RecursionError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    return invalid_json_reason(exc)


def parse_jsonl(
    lines: Iterable[bytes | str],
    where: str,
    source: str | None = None,
    empty_reason: str = "empty file",
) -> Iterator[Parsed]:
    """Articles of JSON Lines, one ``Parsed`` per non-blank line, streamed."""
    seen = False
    for number, raw in enumerate(lines, start=1):
        line, warnings = _decode_line(raw, first=number == 1)
        if not line.strip():
            continue
        seen = True
        line_where = f"{where}:{number}"
        try:
            data = json.loads(line)
        except (ValueError, RecursionError) as exc:
            yield skip(line_where, f"line {number}: invalid JSON: {_reason(exc)}", warnings)
            continue
        if not isinstance(data, dict):
            reason = f"line {number}: not a JSON object ({json_type(data)})"
            yield skip(line_where, reason, warnings)
            continue
        yield parse_object(data, line_where, source, warnings)
    if not seen:
        yield skip(where, empty_reason)
