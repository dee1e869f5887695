"""The index's vocabulary: words near a misspelling, and query nodes resolved against it.

A ``Lexicon`` is one field's index terms with the number of paragraphs holding each,
read from the engine (``Engine.vocabulary``). Query words are resolved against it
before any engine sees the query (``resolve``): a fuzzy term (``volker~1``) becomes
the ``Or`` of the index terms within the edit distance, so every engine matches,
scores and highlights the same words.

Joined and split words are resolved here too (``cooperation`` finds "co-operation"
through the ``joined`` field), and each stemmed word also looks for its exact form.

Edit distance is optimal string alignment (Levenshtein plus a swap of two neighbouring
letters as one edit), computed by rapidfuzz, between index terms (stems).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from . import analysis
from .query import ast
from .query.parser import make_and, make_or

# A fuzzy term matches at most this many index terms: the nearest, then the commonest
# (Lucene's fuzzy query stops at 50 by default; short words at distance 2 match hundreds).
MAX_EXPANSIONS = 50
# A joined word is also looked for split in two at most this many ways.
MAX_SPLITS = 3


@dataclass(frozen=True)
class Lexicon:
    """One field's index terms and how many paragraphs hold each."""

    counts: Mapping[str, int]
    # Terms by length, each list commonest first, with its counts negated (for bisect).
    _by_length: dict[int, tuple[list[str], list[int]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _common: dict[int, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    def commonest(self, n: int) -> frozenset[str]:
        """The ``n`` terms held by the most paragraphs (computed once per ``n``)."""
        if n not in self._common:
            ranked = sorted(self.counts, key=lambda term: -self.counts[term])
            self._common[n] = frozenset(ranked[:n])
        return self._common[n]

    def count(self, term: str) -> int:
        """Paragraphs holding ``term`` (0 when it is not in the index)."""
        return self.counts.get(term, 0)

    def near(
        self,
        term: str,
        distance: int,
        limit: int | None = MAX_EXPANSIONS,
        *,
        min_count: int = 0,
    ) -> list[tuple[str, int]]:
        """Index terms within ``distance`` edits of ``term`` as ``(term, edits)``.

        Nearest first, then the most frequent, then alphabetical; at most ``limit``;
        only terms held by at least ``min_count`` paragraphs.
        """
        from rapidfuzz import process  # loaded for fuzzy words only
        from rapidfuzz.distance import OSA

        # Only terms whose length is within ``distance`` can be, and of those only the
        # ones common enough: the scan is over a small part of a large vocabulary.
        candidates: list[str] = []
        for length in range(max(1, len(term) - distance), len(term) + distance + 1):
            terms, negated = self._length_class(length)
            candidates.extend(terms[: bisect_right(negated, -min_count)])
        found = process.extract(
            term, candidates, scorer=OSA.distance, score_cutoff=distance, limit=None
        )
        ranked = sorted(
            ((word, int(edits)) for word, edits, _ in found),
            key=lambda item: (item[1], -self.counts[item[0]], item[0]),
        )
        return ranked[:limit] if limit is not None else ranked

    def _length_class(self, length: int) -> tuple[list[str], list[int]]:
        if not self._by_length:
            grouped: dict[int, list[str]] = {}
            for term in self.counts:
                grouped.setdefault(len(term), []).append(term)
            for size, terms in grouped.items():
                terms.sort(key=lambda t: -self.counts[t])
                self._by_length[size] = (terms, [-self.counts[t] for t in terms])
        return self._by_length.get(length, ([], []))


Lexicons = Callable[[str], Lexicon]


def resolve(node: ast.Node, lexicon: Lexicons, *, prefer_exact: bool = True) -> ast.Node:
    """``node`` with the words the index's vocabulary makes of each query word.

    - A ``Fuzzy`` becomes the ``Or`` of the index terms within its distance; one that
      matches nothing becomes its own ``Term`` (which finds nothing).
    - A word of the paragraph text that the index has seen hyphenated (``cooperation``,
      seen as "co-operation") also matches the joined form and its two parts as a
      phrase ("co operation"); a hyphenated word (``e-mail``) also matches the joined
      word ("email"). Quoted phrases stay exact.
    - With ``prefer_exact``, a word that stemming changes also matches its unstemmed
      form, so that paragraphs with the very word the user typed score higher
      (``privatization`` before "private placement").

    ``lexicon(field)`` gives a field's vocabulary. The result keeps the normal form.
    """
    if isinstance(node, ast.Fuzzy):
        near = lexicon(node.field).near(node.term, node.distance)
        terms = [ast.Term(node.field, word, text=word) for word, _ in near]
        return make_or(list(terms)) or ast.Term(node.field, node.term, text=node.text)
    if isinstance(node, ast.Term) and node.field == "text" and node.text:
        return _word_forms(node, lexicon, prefer_exact)
    if isinstance(node, ast.Phrase) and node.field == "text" and not node.quoted:
        return _hyphenated_forms(node, lexicon)
    if isinstance(node, ast.And):
        children = [resolve(child, lexicon, prefer_exact=prefer_exact) for child in node.children]
        return make_and(list(children)) or node
    if isinstance(node, ast.Or):
        children = [resolve(child, lexicon, prefer_exact=prefer_exact) for child in node.children]
        return make_or(list(children)) or node
    if isinstance(node, ast.Not):
        # What is excluded is excluded in every form the index knows.
        return ast.Not(resolve(node.child, lexicon, prefer_exact=False))
    return node


def _word_forms(node: ast.Term, lexicon: Lexicons, prefer_exact: bool) -> ast.Node:
    """A word, its unstemmed form, and its joined and split forms where the index has them."""
    words = analysis.folded_forms(node.text)
    folded = analysis.solid(words[0]) if len(words) == 1 else ""
    forms: list[ast.Node | None] = [node]
    if prefer_exact and folded and folded != node.term:
        forms.append(ast.Term(ast.EXACT_FIELD, folded, text=node.text))
    if folded and lexicon(ast.JOINED_FIELD).count(node.term):
        forms.append(ast.Term(ast.JOINED_FIELD, node.term, text=node.text))
        forms.extend(_splits(folded, lexicon))
    return make_or(forms) or node


def _splits(folded: str, lexicon: Lexicons) -> list[ast.Phrase]:
    """``cooperation`` as the phrases of two words it splits into (``co operation``),
    both seen as words by the index (so no cut needs the stemmer)."""
    seen, text = lexicon(ast.EXACT_FIELD), lexicon("text")
    found = []
    for cut in range(1, len(folded)):
        head, tail = folded[:cut], folded[cut:]
        if not (seen.count(head) and seen.count(tail)):
            continue
        parts = analysis.terms(head), analysis.terms(tail)
        if all(len(terms) == 1 and text.count(terms[0]) for terms in parts):
            phrase = (parts[0][0], parts[1][0])
            found.append(ast.Phrase("text", phrase, text=f"{head} {tail}"))
    return found[:MAX_SPLITS]


def _hyphenated_forms(node: ast.Phrase, lexicon: Lexicons) -> ast.Node:
    """A hyphenated word (``e-mail``) and the same word written joined (``email``)."""
    compounds = analysis.compounds(node.text)
    whole = len(compounds) >= 1 and compounds[0].start == 0 and compounds[0].end == len(node.text)
    if not whole or not lexicon("text").count(compounds[0].term):
        return node
    joined = ast.Term("text", compounds[0].term, text=compounds[0].folded)
    return ast.Or((node, joined))
