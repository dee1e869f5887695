"""Phrase matching over analyzed tokens: the one definition of "these words, in order,
within slop", shared by the highlighter and by engines that check phrases themselves."""

from __future__ import annotations

from collections.abc import Sequence

from .analysis import Token
from .model import Span


def phrase_spans(tokens: Sequence[Token], terms: tuple[str, ...], slop: int) -> list[Span]:
    """Occurrences of a phrase: its words in order, each at most ``slop`` other positions
    after the previous one. Every chain from a first word counts (not only the greedy
    one), and the span ends at the earliest complete chain."""
    head = terms[0]
    firsts = [t for t in tokens if t.term == head]
    if not firsts:  # most texts, for most of a query's phrases
        return []
    at = {t.position: t for t in tokens}
    spans = []
    for first in firsts:
        reached = [first]
        for term in terms[1:]:
            positions = {
                p
                for r in reached
                for p in range(r.position + 1, r.position + slop + 2)
                if p in at and at[p].term == term
            }
            reached = [at[p] for p in sorted(positions)]
            if not reached:
                break
        else:
            spans.append(Span(first.start, reached[0].end))
    return spans
