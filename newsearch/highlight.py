"""Highlight spans and snippets, computed from the stored paragraph text and the AST.

The highlighter re-tokenizes the paragraph with ``newsearch.analysis``, so every span is
a real match of the query: a phrase is one span covering the whole occurrence (and only
where the phrase occurs), a prefix or a word highlights each matching word, and words
under ``NOT`` are never highlighted. Only unscoped (paragraph text) words highlight;
field scopes such as ``title:`` match the article's metadata, not the paragraph.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from . import analysis, scan
from .model import Snippet, Span, assembled
from .model import span as new_span
from .phrases import phrase_spans
from .query import ast

SNIPPET_CHARS = 200
ELLIPSIS = "…"
_SENTENCE_START = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+")


class Highlighter:
    """Highlight spans of one query in many texts (a page of hits): the query's words,
    prefixes and phrases are gathered once, not once per text."""

    def __init__(self, query: ast.Node) -> None:
        leaves = [leaf for leaf in ast.positive_leaves(query) if leaf.field in _PARAGRAPH_FIELDS]
        self._leaves = leaves
        # One pass over the leaves (each made a handful of ``isinstance`` calls: a
        # fifth of a page's highlighter). The words of the text and of the exact field,
        # the joined words, the prefixes, and the text's phrases and their terms.
        terms: set[str] = set()
        forms: set[str] = set()
        joined: set[str] = set()
        prefixes: set[str] = set()
        phrase_terms: set[str] = set()
        phrases: list[tuple[str, ...]] = []
        # Words only (most queries): no token objects, no positions. Phrases without
        # slop among words (quoted phrases, a word split as the index has seen it) are
        # found from the offsets of their words, without tokens (``_offset_spans``).
        words_only = by_offsets = True
        for leaf in leaves:
            if isinstance(leaf, ast.Term):
                if leaf.field == "text":
                    terms.add(leaf.term)
                elif leaf.field == ast.EXACT_FIELD:
                    forms.add(leaf.term)
                else:
                    joined.add(leaf.term)
                    words_only = False
                continue
            words_only = False
            if isinstance(leaf, ast.Phrase) and leaf.field == "text":
                phrase_terms.update(leaf.terms)
                if leaf.slop:
                    by_offsets = False
                elif leaf.terms:
                    phrases.append(leaf.terms)
            else:
                by_offsets = False
                if isinstance(leaf, ast.Prefix) and leaf.field == "text":
                    prefixes.add(leaf.prefix)
        self._words_only = words_only
        self._by_offsets = by_offsets and not words_only
        self._terms, self._forms, self._joined = terms, forms, joined
        self._phrases = list(dict.fromkeys(phrases))
        self._phrase_terms = phrase_terms
        # The terms a text word must have to match a word or phrase, the prefixes, and
        # the exact forms (their first characters: which words are looked at).
        self._initials = analysis.Initials(terms | phrase_terms, prefixes, forms)

    def spans(self, text: str) -> tuple[Span, ...]:
        """Sorted, non-overlapping highlight spans of the query in ``text``."""
        if not self._leaves:
            return ()
        if self._words_only:
            # One span per matching word, in order: nothing to sort or merge.
            found = analysis.word_spans(text, self._terms, self._forms, self._initials)
            return tuple([new_span(start, end) for start, end in found])
        if self._by_offsets and analysis.VALUE_SEPARATOR not in text:
            return merge_spans(self._offset_spans(text))
        return self._token_spans(text)

    def _offset_spans(self, text: str) -> list[Span]:
        """The spans ``_token_spans`` finds when the phrases have no slop and the other
        leaves are words: each phrase is a run of its words' offsets with no token
        between them, found from the offsets and the word starts the scanner gives
        (the benchmark's 79 queries with phrases: 80 µs a hit by tokens, 17 this way).
        ``tests/test_highlight_phrases.py`` holds the two to the same spans."""
        initials = self._initials
        spans = (
            [
                new_span(start, end)
                for start, end in analysis.word_spans(text, self._terms, self._forms, initials)
            ]
            if self._terms or self._forms
            else []  # a quoted phrase alone: no words to look for
        )
        found = analysis.word_spans(text, self._phrase_terms, (), initials)
        if found:
            terms = analysis.term_of
            found_terms = [terms(text[start:end]) for start, end in found]
            words: list[str] = []
            starts: list[int] = []
            # Whether found word k and k + 1 are neighbouring tokens, asked once each.
            linked: dict[int, bool] = {}
            for phrase in self._phrases:
                size = len(phrase)
                for k in range(len(found) - size + 1):
                    if found_terms[k] != phrase[0]:
                        continue
                    for j in range(1, size):
                        if found_terms[k + j] != phrase[j]:
                            break
                        link = linked.get(k + j - 1)
                        if link is None:
                            if not starts:
                                words, starts = scan.words_and_starts(text)
                            link = linked[k + j - 1] = _neighbours(
                                words, starts, found[k + j - 1][0], found[k + j][0]
                            )
                        if not link:
                            break
                    else:
                        spans.append(new_span(found[k][0], found[k + size - 1][1]))
        if self._joined:
            spans.extend(self._joined_spans(text))
        return spans

    def _token_spans(self, text: str) -> tuple[Span, ...]:
        """``spans`` from the tokens of ``text`` (any leaves)."""
        leaves = self._leaves
        tokens = analysis.tokens(text, self._initials)
        spans = _word_spans(tokens, None, [x for x in leaves if x.field == "text"])
        exact = [leaf for leaf in leaves if leaf.field == ast.EXACT_FIELD]
        if exact:
            # The exact field holds folded words: match them where the text has terms.
            spans.extend(_word_spans(tokens, [analysis.solid(t.folded) for t in tokens], exact))
        if self._joined:
            spans.extend(self._joined_spans(text))
        return merge_spans(spans)

    def _joined_spans(self, text: str) -> list[Span]:
        """The hyphenated words of ``text`` whose joined term the query asks for."""
        joined = self._joined
        return [Span(c.start, c.end) for c in analysis.compounds(text) if c.term in joined]

    def __call__(self, text: str, size: int = SNIPPET_CHARS) -> tuple[tuple[Span, ...], Snippet]:
        """Highlight spans for the whole of ``text`` and the snippet built around them."""
        spans = self.spans(text)
        return spans, make_snippet(text, spans, size)


def _neighbours(words: list[str], starts: list[int], first: int, second: int) -> bool:
    """Whether the words starting at ``first`` and ``second`` are neighbouring tokens:
    nothing between them but words that fold to nothing (no position of their own)."""
    i = bisect_left(starts, first)
    j = bisect_left(starts, second)
    return all(not analysis.folded_form(word) for word in words[i + 1 : j])


def find_spans(text: str, query: ast.Node) -> tuple[Span, ...]:
    """Sorted, non-overlapping highlight spans of ``query`` in ``text``."""
    return Highlighter(query).spans(text)


# Fields that index the paragraph's own text (the others are the article's metadata).
_PARAGRAPH_FIELDS = ("text", ast.EXACT_FIELD, ast.JOINED_FIELD)


def _word_spans(
    tokens: Sequence[analysis.Token], terms: Sequence[str] | None, leaves: Sequence[ast.Node]
) -> list[Span]:
    """Spans of the words, prefixes and phrases among ``leaves`` in ``tokens``, whose
    terms in this field are ``terms`` (None: the tokens' own terms)."""
    own = terms is None
    if terms is None:
        terms = [t.term for t in tokens]
    # Each distinct word, prefix and phrase is looked for once: a long query repeats them.
    words = {leaf.term for leaf in leaves if isinstance(leaf, ast.Term)}
    prefixes = {leaf.prefix for leaf in leaves if isinstance(leaf, ast.Prefix)}
    phrases = {(leaf.terms, leaf.slop) for leaf in leaves if isinstance(leaf, ast.Phrase)}
    found = [i for i, term in enumerate(terms) if term in words]
    if prefixes:
        found.extend(
            i
            for i, term in enumerate(terms)
            if term not in words and any(analysis.term_matches_prefix(term, p) for p in prefixes)
        )
    spans = [new_span(tokens[i].start, tokens[i].end) for i in found]
    if phrases:
        field_tokens = (
            tokens
            if own
            else [
                t if t.term == term else t._replace(term=term)
                for t, term in zip(tokens, terms, strict=True)
            ]
        )
        for phrase, slop in phrases:
            if phrase:
                spans.extend(phrase_spans(field_tokens, phrase, slop))
    return spans


def merge_spans(spans: Sequence[Span]) -> tuple[Span, ...]:
    """Sort spans and merge the ones that overlap (touching spans stay separate)."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            if span.end > merged[-1].end:
                merged[-1] = Span(merged[-1].start, span.end)
        else:
            merged.append(span)
    return tuple(merged)


def _best_window(spans: Sequence[Span], size: int) -> Span:
    """The span-anchored window of ``size`` characters that holds the most spans.

    ``spans`` are sorted and do not overlap (as ``find_spans`` returns them), so the
    window anchored at ``spans[i]`` holds ``spans[i:j]``, with ``j`` found by bisecting
    the ends: a paragraph with thousands of matches costs no more than a few.
    """
    ends = [s.end for s in spans]
    best, best_count = spans[0], 0
    for i, anchor in enumerate(spans):
        count = bisect_right(ends, anchor.start + size) - i
        if count > best_count:
            best, best_count = anchor, count
    return best


def _fragment_bounds(text: str, spans: Sequence[Span], size: int) -> tuple[int, int]:
    """Start and end of the snippet: sentence or word boundaries around the best match."""
    if len(text) <= size:
        return 0, len(text)
    shown = 0  # the fragment never ends before this: the end of the best match
    if not spans:
        start = 0
    else:
        anchor = _best_window(spans, size)
        shown = anchor.end
        # Prefer to open at the start of the anchor's sentence when it is close enough
        # to keep the match well inside the fragment, else a few words before it.
        lead = max(0, (size - (anchor.end - anchor.start)) // 3)
        floor = max(0, anchor.start - lead)
        sentence_starts = [
            m.end() for m in _SENTENCE_START.finditer(text, 0, anchor.start) if m.end() >= floor
        ]
        if sentence_starts:
            start = sentence_starts[-1]
        elif floor == 0:
            start = 0
        else:
            space = text.find(" ", floor, anchor.start)
            start = space + 1 if space != -1 else anchor.start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end + 1)
        if space > start and space >= shown:
            end = space
        if spans:
            # Never cut a highlighted span in two.
            for s in spans:
                if s.start < end < s.end:
                    end = s.end
    return start, end


def make_snippet(text: str, spans: Sequence[Span], size: int = SNIPPET_CHARS) -> Snippet:
    """A fragment of about ``size`` characters around the best match, with its spans.

    The fragment starts at a sentence or word boundary and ends at a word boundary; an
    ellipsis marks each side where the paragraph goes on. Span offsets are into the
    snippet text (ellipsis included).
    """
    start, end = _fragment_bounds(text, spans, size)
    if start == 0 and end == len(text) and not (text[:1].isspace() or text[-1:].isspace()):
        # The whole text, as it is (made without the frozen ``__init__``: one a hit).
        return assembled(Snippet, text=text, highlights=tuple(spans))
    body = text[start:end].strip()
    lead_ws = len(text[start:end]) - len(text[start:end].lstrip())
    start += lead_ws
    end = start + len(body)
    prefix = ELLIPSIS + " " if start > 0 else ""
    suffix = " " + ELLIPSIS if end < len(text) else ""
    shift = len(prefix) - start
    inside = tuple(
        new_span(s.start + shift, s.end + shift) for s in spans if s.start >= start and s.end <= end
    )
    return assembled(Snippet, text=prefix + body + suffix, highlights=inside)


def highlight(
    text: str, query: ast.Node, size: int = SNIPPET_CHARS
) -> tuple[tuple[Span, ...], Snippet]:
    """Highlight spans for the whole paragraph and the snippet built around them (for
    many texts, build one ``Highlighter``)."""
    return Highlighter(query)(text, size)
