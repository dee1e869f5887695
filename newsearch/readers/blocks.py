"""Paragraphs of raw text, as a reader sees them (text files, JSON ``text`` strings).

Rules, in order:

1. Boilerplate lines (``paragraphs.is_boilerplate``: site furniture and wire sign-offs
   such as ``Reuter``, ``AP``, ``--``) and date lines (``readers.dates.date_line``) are
   removed; a sign-off ending the last line after two or more spaces
   (``… (33.7).        REUTER``) is cut off. Lines with no letter or digit count as
   blank. Lines are stripped; text inside a line is kept as written (highlight offsets
   index into the stored paragraph text).
2. A text with blank lines between its lines: a blank line ends a paragraph.
3. Else, a text whose lines are not all indented alike: a line indented deeper than the
   least-indented line starts a paragraph (Reuters indents each paragraph's first line
   by 4 spaces).
4. Else the text is either hard-wrapped or has one
   paragraph per line (news-please ``maintext``). It is hard-wrapped when it has at
   least 3 lines, its longest line is 40 to 120 characters (``WRAP_WIDTHS``) and at least
   half of its lines fill 75% of that width (``WRAP_FILL``); then a line that fills 75%
   of the width and does not end a sentence (``.``, ``!``, ``?``, ``:``, ``;``, a closing
   quote or bracket after them) continues into the next line, and so does a first line
   of any length that does not end a sentence (wire copy starts after a dateline, so its
   first line is short). Otherwise each line is a paragraph.

The lines of one paragraph are joined by one space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsearch.paragraphs import is_boilerplate
from newsearch.readers.dates import date_line

WRAP_WIDTHS = (40, 120)
WRAP_FILL = 0.75
WRAP_MIN_LINES = 3
_WORD_RE = re.compile(r"[^\W_]")
_SENTENCE_END_RE = re.compile(r"[.!?:;][\"'”’)\]]*\Z")
_TRAILING_SIGN_OFF_RE = re.compile(r"(?<=\S)\s{2,}(?:REUTERS?|Reuters?)\Z")


@dataclass(frozen=True)
class _Line:
    text: str  # stripped; "" for a blank line
    indent: int


def is_dropped(line: str) -> bool:
    """True for a line that is never article text: boilerplate or a date line."""
    return is_boilerplate(line) or date_line(line) is not None


def _lines(raw: list[str]) -> list[_Line]:
    """Kept lines, blank ones as ``""``, with no blank line at either end."""
    kept = []
    for line in raw:
        text = line.strip()
        if not _WORD_RE.search(text):
            kept.append(_Line("", 0))
        elif not is_dropped(text):
            kept.append(_Line(text, len(line) - len(line.lstrip())))
    while kept and not kept[-1].text:
        kept.pop()
    while kept and not kept[0].text:
        kept.pop(0)
    if kept:
        last = kept[-1]
        kept[-1] = _Line(_TRAILING_SIGN_OFF_RE.sub("", last.text), last.indent)
    return kept


def _continues(text: str, width: int) -> bool:
    return len(text) >= WRAP_FILL * width and not _SENTENCE_END_RE.search(text)


def _is_wrapped(texts: list[str]) -> bool:
    if len(texts) < WRAP_MIN_LINES:
        return False
    width = max(len(t) for t in texts)
    if not WRAP_WIDTHS[0] <= width <= WRAP_WIDTHS[1]:
        return False
    return 2 * sum(len(t) >= WRAP_FILL * width for t in texts) >= len(texts)


def blocks(raw: list[str]) -> list[str]:
    """The paragraphs of ``raw`` lines (see the module docstring)."""
    lines = _lines(raw)
    content = [line for line in lines if line.text]
    if not content:
        return []
    margin = min(line.indent for line in content)
    blank_lines = len(content) < len(lines)
    indented = not blank_lines and any(line.indent > margin for line in content)
    paragraphs: list[list[str]] = []
    if not blank_lines and not indented:
        texts = [line.text for line in content]
        if not _is_wrapped(texts):
            return texts
        width = max(len(t) for t in texts)
        for index, text in enumerate(texts):
            previous = texts[index - 1] if index else ""
            if index == 0 or not (
                _continues(previous, width)
                or (index == 1 and not _SENTENCE_END_RE.search(previous))
            ):
                paragraphs.append([])
            paragraphs[-1].append(text)
        return [" ".join(p) for p in paragraphs]
    starts_paragraph = True
    for line in lines:
        if not line.text:
            starts_paragraph = True
            continue
        if starts_paragraph or (indented and line.indent > margin):
            paragraphs.append([])
        paragraphs[-1].append(line.text)
        starts_paragraph = False
    return [" ".join(p) for p in paragraphs]


def split_blocks(text: str) -> list[str]:
    """The paragraphs of raw text (see the module docstring)."""
    return blocks(text.splitlines())
