"""Did you mean: a corrected query built from the index's own words.

When a query finds few paragraphs, each of its words that the index holds rarely (or
not at all) is compared with the index's folded, unstemmed words (the ``exact``
field's vocabulary, so names count like any word) that start with the same letter:
the candidates within two edits (optimal string alignment) are ranked nearest first,
then by how many paragraphs hold them. A candidate must be far more common than the
word it replaces. The corrected query is run to count its hits; it is offered only
when it finds more.

The first letter is kept as Lucene's and Elasticsearch's spell checkers keep it by
default (a prefix length of 1): a first letter is rarely the one mistyped, a common
word is not "corrected" into a commoner one (``wheat exprots`` is not ``that
exports``), and only the words of one initial are read from the index, not its whole
vocabulary, which grows with the archive.

A word held by more than 1% of the paragraphs (``COMMON_SHARE``, Lucene's
``maxQueryFrequency`` default) is taken as spelt right and never corrected, however
much commoner a neighbour is: ``bzw makes`` is not "by market", and a few-hit query of
common words does not run a corrected query for each of them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from . import analysis
from .lexicon import Lexicon
from .model import Suggestion
from .query import ast

# Suggest only when the query found fewer paragraphs than this.
FEW_HITS = 5
# A replacement must be held by at least this many times more paragraphs than the word.
MORE_COMMON = 10
MAX_EDITS = 2
MAX_SUGGESTIONS = 3
# A word held by more than this share of the paragraphs is spelt right.
COMMON_SHARE = 0.01


def corrections(
    word: str, words: Lexicon, limit: int = MAX_SUGGESTIONS, *, common: int | None = None
) -> list[str]:
    """Folded index words (among ``words``) that ``word`` may be a misspelling of, best
    first; each starts with the same letter as ``word`` folded. An empty list when
    ``word`` is held by more than ``common`` paragraphs."""
    folded = analysis.fold(word)
    own = words.count(folded)
    if common is not None and own > common:
        return []
    found = words.near(folded, MAX_EDITS, limit=None, min_count=max(MORE_COMMON * own, 1))
    candidates = [c for c, edits in found if edits and c[:1] == folded[:1]]
    return candidates[:limit]


def suggest(
    query: str,
    node: ast.Node,
    words: Callable[[str], Lexicon],
    count: Callable[[str], int],
    paragraphs: int,
) -> list[Suggestion]:
    """Corrected forms of ``query`` (parsed as ``node``) that ``count`` finds more of;
    ``words(initial)`` is the index's words that start with ``initial``, of its
    ``paragraphs``."""
    common = math.ceil(COMMON_SHARE * paragraphs)
    replacements: list[tuple[str, list[str]]] = []
    for leaf in ast.positive_leaves(node):
        if isinstance(leaf, ast.Term) and leaf.field in ("text", ast.EXACT_FIELD) and leaf.text:
            initial = analysis.fold(leaf.text)[:1]
            found = corrections(leaf.text, words(initial), common=common)
            if found:
                replacements.append((leaf.text, found))
    if not replacements:
        return []
    suggestions: list[Suggestion] = []
    for rank in range(MAX_SUGGESTIONS):
        corrected = query
        for typed, found in replacements:
            corrected = _replace_word(corrected, typed, found[min(rank, len(found) - 1)])
        if corrected != query and all(s.query != corrected for s in suggestions):
            hits = count(corrected)
            if hits:
                suggestions.append(Suggestion(corrected, hits))
    return suggestions


def _replace_word(query: str, typed: str, replacement: str) -> str:
    """``query`` with the first whole-word occurrence of ``typed`` replaced."""
    pattern = rf"(?<![\w]){re.escape(typed)}(?![\w])"
    return re.sub(pattern, lambda _: replacement, query, count=1)
