"""The index's vocabulary: words near a misspelling, and query nodes resolved against it.

A ``Lexicon`` is one field's index terms with the number of paragraphs holding each,
read from the engine (``Engine.vocabulary``). Fuzzy terms (``volker~1``) are resolved
here, before any engine sees the query, into the ``Or`` of the index terms within
the edit distance: every engine then matches, scores and highlights the same words.

Edit distance is optimal string alignment (Levenshtein plus a swap of two neighbouring
letters as one edit), computed by rapidfuzz, between index terms (stems).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .query import ast
from .query.parser import make_and, make_or

# A fuzzy term matches at most this many index terms: the nearest, then the commonest
# (Lucene's fuzzy query stops at 50 by default; short words at distance 2 match hundreds).
MAX_EXPANSIONS = 50


@dataclass(frozen=True)
class Lexicon:
    """One field's index terms and how many paragraphs hold each."""

    counts: Mapping[str, int]
    _terms: list[str] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self._terms:
            self._terms.extend(self.counts)

    def count(self, term: str) -> int:
        """Paragraphs holding ``term`` (0 when it is not in the index)."""
        return self.counts.get(term, 0)

    def near(
        self, term: str, distance: int, limit: int | None = MAX_EXPANSIONS
    ) -> list[tuple[str, int]]:
        """Index terms within ``distance`` edits of ``term`` as ``(term, edits)``.

        Nearest first, then the most frequent, then alphabetical; at most ``limit``.
        """
        from rapidfuzz import process  # loaded for fuzzy words only
        from rapidfuzz.distance import OSA

        found = process.extract(
            term, self._terms, scorer=OSA.distance, score_cutoff=distance, limit=None
        )
        ranked = sorted(
            ((word, int(edits)) for word, edits, _ in found),
            key=lambda item: (item[1], -self.counts[item[0]], item[0]),
        )
        return ranked[:limit] if limit is not None else ranked


Lexicons = Callable[[str], Lexicon]


def resolve(node: ast.Node, lexicon: Lexicons) -> ast.Node:
    """``node`` with every ``Fuzzy`` replaced by the index terms it matches.

    ``lexicon(field)`` gives a field's vocabulary. A fuzzy term that matches nothing
    becomes its own ``Term`` (which finds nothing). The result keeps the normal form.
    """
    if isinstance(node, ast.Fuzzy):
        near = lexicon(node.field).near(node.term, node.distance)
        terms = [ast.Term(node.field, word, text=word) for word, _ in near]
        return make_or(list(terms)) or ast.Term(node.field, node.term, text=node.text)
    if isinstance(node, ast.And):
        return make_and([resolve(child, lexicon) for child in node.children]) or node
    if isinstance(node, ast.Or):
        return make_or([resolve(child, lexicon) for child in node.children]) or node
    if isinstance(node, ast.Not):
        return ast.Not(resolve(node.child, lexicon))
    return node


def has_fuzzy(node: ast.Node) -> bool:
    """True when the query holds a fuzzy term (which needs the vocabulary)."""
    if isinstance(node, ast.Fuzzy):
        return True
    if isinstance(node, (ast.And, ast.Or)):
        return any(has_fuzzy(child) for child in node.children)
    return isinstance(node, ast.Not) and has_fuzzy(node.child)
