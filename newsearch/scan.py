"""Finding the words of a text: the one scanner under every analysis.

A word is what ``TOKEN_RE`` finds. ``newsearch._scan``, compiled from ``_scan.c`` by
``setup.py`` when a C compiler is there, finds the same words in one pass without
backtracking, and looks them up in the word caches in the same call; without it the
twins below (``py_*``) do the same work with the patterns. ``tests/test_scan.py`` holds
both to the same results. The compiled scanner exists for speed: finding a paragraph's
words and joining their terms was most of the analysis, and the analysis the largest
cost of indexing (Reuters: 11.3 against 4.8 µs a paragraph; ``benchmarks/causes.md``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set

MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
APOSTROPHES = "'\u2019\u02bc\u2018`\u00b4"
TOKEN_RE = re.compile(
    rf"\d+(?:[.,]\d+)+"  # numbers with separators: 28,000  2.3
    rf"|[^\W_][^\W_{MARKS}]*[{MARKS}]*(?:[^\W_]|[{MARKS}])*"  # a word, accents included
    rf"(?:[{APOSTROPHES}](?:[^\W_]|[{MARKS}])+)*"  # inner apostrophes: Netanyahu’s, don't
)
# The same pattern for ASCII text, where marks and curly apostrophes cannot occur and
# ``[^\W_]`` is ``[A-Za-z0-9]``: it finds exactly the words TOKEN_RE finds, and faster.
_ASCII_TOKEN_RE = re.compile(r"[0-9]+(?:[.,][0-9]+)+|[A-Za-z0-9]+(?:['`][A-Za-z0-9]+)*")


def pattern(text: str) -> re.Pattern[str]:
    """The pattern that finds the words of ``text``: the ASCII one when it can."""
    return _ASCII_TOKEN_RE if text.isascii() else TOKEN_RE


def py_findall(text: str) -> list[str]:
    """The words of ``text`` in order."""
    return pattern(text).findall(text)


def py_starts(text: str) -> list[int]:
    """The offset of each word of ``text`` (``findall``'s words)."""
    return [match.start() for match in pattern(text).finditer(text)]


def py_words_and_starts(text: str) -> tuple[list[str], list[int]]:
    """``findall(text)`` and ``starts(text)``, from one scan."""
    matches = list(pattern(text).finditer(text))
    return [match.group() for match in matches], [match.start() for match in matches]


def py_joined(text: str, terms: Mapping[str, str], spaced: Set[str] | None) -> str | None:
    """``terms[word]`` of each word of ``text``, joined by single spaces (empty terms
    kept); None when one of the words is in ``spaced``."""
    words = py_findall(text)
    joined = " ".join(map(terms.__getitem__, words))
    # Asked only now: a lookup (a cache's __missing__) may have added to the set.
    if spaced and not spaced.isdisjoint(words):
        return None
    return joined


def py_joined_pair(
    text: str, terms: Mapping[str, str], spaced: Set[str] | None, forms: Mapping[str, str]
) -> tuple[str | None, str]:
    """``joined(text, terms, spaced)`` and the words' non-empty ``forms`` joined by
    single spaces, from one scan (each word's form is looked up before its term)."""
    words = py_findall(text)
    exact = " ".join(filter(None, map(forms.__getitem__, words)))
    joined = " ".join(map(terms.__getitem__, words))
    if spaced and not spaced.isdisjoint(words):
        return None, exact
    return joined, exact


def py_marked(
    text: str,
    terms: Mapping[str, str],
    wanted: Set[str],
    forms: Mapping[str, str] | None,
    forms_wanted: Set[str],
    starts: str | None = None,
) -> tuple[list[tuple[int, int]], list[str]]:
    """The ``(start, end)`` of each word of ``text`` whose ``terms.get(word)`` is in
    ``wanted`` or, ``forms`` given, whose ``forms[word]`` is in ``forms_wanted``; and the
    words that ``terms`` does not hold, in order (a highlighter's words to analyse).
    With ``starts``, a word whose first character is ASCII and not in ``starts`` is
    skipped (neither looked up nor unknown): the caller knows it cannot match."""
    spans, unknown = [], []
    look_up_forms = forms is not None and bool(forms_wanted)
    for match in pattern(text).finditer(text):
        word = match.group()
        if starts is not None and word[0].isascii() and word[0] not in starts:
            continue
        term = terms.get(word)
        if term is None:
            unknown.append(word)
        hit = term is not None and term in wanted
        if not hit and look_up_forms:
            hit = forms[word] in forms_wanted  # type: ignore[index]
        if hit:
            spans.append(match.span())
    return spans, unknown


try:
    from ._scan import findall, joined, joined_pair, marked, starts, words_and_starts

    COMPILED = True
except ImportError:  # installed without a C compiler: the patterns, same words
    findall, starts, words_and_starts = py_findall, py_starts, py_words_and_starts
    joined, joined_pair, marked = py_joined, py_joined_pair, py_marked
    COMPILED = False
