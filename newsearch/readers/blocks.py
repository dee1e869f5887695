"""Paragraphs of raw text, as a reader sees them (text files, JSON ``text`` strings).

Lines are stripped. A boilerplate line (``paragraphs.is_boilerplate``) or a date line
(``readers.dates.date_line``) is removed before paragraphs are formed. If the text has
blank lines between its lines, a paragraph is a block of lines between blank lines, its
lines joined by one space. Otherwise (news-please ``maintext`` style) each non-empty line
is a paragraph. Text inside a line is kept as written: highlight offsets index into the
stored paragraph text.
"""

from __future__ import annotations

import re

from newsearch.paragraphs import is_boilerplate
from newsearch.readers.dates import date_line

_BLANK_LINE_RE = re.compile(r"\n[^\S\n]*\n")


def is_dropped(line: str) -> bool:
    """True for a line that is never article text: boilerplate or a date line."""
    return is_boilerplate(line) or date_line(line) is not None


def blocks(lines: list[str]) -> list[str]:
    """Paragraphs of ``lines`` by the blank-line rule, boilerplate and date lines dropped."""
    text = "\n".join(lines).strip()
    kept = [line.strip() for line in lines if not is_dropped(line)]
    if not _BLANK_LINE_RE.search(text):
        return [line for line in kept if line]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*kept, ""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return paragraphs


def split_blocks(text: str) -> list[str]:
    """The paragraphs of raw text (see the module docstring)."""
    return blocks(text.splitlines())
