"""Significant terms: the words over-represented in a query's matches against the index.

Score: Elasticsearch's JLH. With ``fg`` the share of the sampled matching paragraphs
holding a term and ``bg`` the share of all indexed paragraphs holding it,
``JLH = (fg - bg) * (fg / bg)``: it rewards both the absolute and the relative rise, so a
rare word that appears in a handful of matches and a common word that doubles both
score. Terms are analyzer terms (stems); each is shown in the surface form it most often
takes in the sample ("negotiations", not "negoti"), where a form in capitals (a wire
headline's "NEGOTIATIONS") only counts when the word is never written otherwise. Query
words, stop words, numbers, one-letter words and terms held by fewer than
``min_foreground(sample)`` sampled paragraphs (2, or 0.5% of a larger sample) are left
out. The foreground is the top ``sample`` matches by relevance, and the result says
when that is fewer than all matches.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import analysis
from .engines.base import Engine
from .query import ast

DEFAULT_SAMPLE = 1000
MIN_FOREGROUND = 2
MIN_FOREGROUND_SHARE = 0.005
SCORE = "jlh"

# English function words (folded): never significant, whatever their counts.
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves said says say says told mr mrs ms per one two
    three four five six seven eight nine ten also would could may might must shall its
    new year years""".split()
)


@functools.cache
def _stop_terms() -> frozenset[str]:
    # Built at first use: stemming at import time would load nltk for every command.
    return frozenset(analysis.stem(w) for w in STOP_WORDS)


# "ICO's" is shown as "ICO": the analyzer drops possessives too.
_POSSESSIVE = re.compile(r"['\u2019]s$", re.IGNORECASE)


@dataclass(frozen=True)
class SignificantTerm:
    """One term: its usual surface form, paragraph counts in the sample and the index,
    and its JLH score."""

    term: str
    form: str
    foreground: int
    background: int
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "form": self.form,
            "foreground": self.foreground,
            "background": self.background,
            "score": round(self.score, 6),
        }


@dataclass(frozen=True)
class Terms:
    """A query's significant terms, best first, and what they were computed from."""

    query: str
    matched: int
    sample: int
    background: int
    terms: tuple[SignificantTerm, ...]
    score: str = SCORE

    @property
    def sampled(self) -> bool:
        """True when the foreground is only the top ``sample`` of the matches."""
        return self.sample < self.matched

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "score": self.score,
            "matched": self.matched,
            "sample": self.sample,
            "sampled": self.sampled,
            "background": self.background,
            "terms": [t.to_dict() for t in self.terms],
        }


def min_foreground(sample: int) -> int:
    """How many sampled paragraphs must hold a term: a word seen twice in a sample of
    1,000 is chance, not coverage."""
    return max(MIN_FOREGROUND, round(MIN_FOREGROUND_SHARE * sample))


def surface_form(forms: Counter[str]) -> str:
    """The most frequent way a term is written, headline capitals counting last."""
    written = Counter({form: n for form, n in forms.items() if not form.isupper()})
    return (written or forms).most_common(1)[0][0]


def _query_words(node: ast.Node) -> tuple[set[str], list[str]]:
    """The query's own terms and prefixes (not under a NOT), which are no news."""
    words: set[str] = set()
    prefixes: list[str] = []
    for leaf in ast.positive_leaves(node):
        if isinstance(leaf, ast.Term):
            words.add(leaf.term)
        elif isinstance(leaf, ast.Phrase):
            words.update(leaf.terms)
        else:
            prefixes.append(leaf.prefix)
    return words, prefixes


def _excluded(term: str, words: set[str], prefixes: list[str]) -> bool:
    return (
        len(term) < 2
        or term[0].isdigit()
        or term in _stop_terms()
        or term in words
        or any(analysis.term_matches_prefix(term, p) for p in prefixes)
    )


def significant_terms(
    engine: Engine,
    query: str,
    node: ast.Node,
    texts: Sequence[str],
    matched: int,
    *,
    limit: int,
) -> Terms:
    """Score the terms of ``texts`` (the sampled matching paragraphs) against the index."""
    words, prefixes = _query_words(node)
    paragraphs: Counter[str] = Counter()  # sampled paragraphs holding each term
    # Each term's written forms, as found (the possessive dropped once per form, later).
    forms: dict[str, Counter[str]] = {}
    excluded: dict[str, bool] = {}
    for text in texts:
        seen = set()
        for token in analysis.tokenize(text):
            term = token.term
            skip = excluded.get(term)
            if skip is None:
                skip = excluded[term] = _excluded(term, words, prefixes)
            if skip:
                continue
            seen.add(term)
            if term in forms:
                forms[term][text[token.start : token.end]] += 1
            else:
                forms[term] = Counter((text[token.start : token.end],))
        paragraphs.update(seen)
    least = min_foreground(len(texts))
    candidates = [term for term, n in paragraphs.items() if n >= least]
    indexed, background = engine.doc_frequencies(candidates)
    scored = []
    sample = len(texts)
    for term in candidates:
        fg_count = paragraphs[term]
        bg_count = max(background.get(term, 0), fg_count)  # the sample is in the index
        fg, bg = fg_count / sample, bg_count / max(indexed, 1)
        if fg <= bg:
            continue
        score = (fg - bg) * (fg / bg)
        written: Counter[str] = Counter()
        for form, n in forms[term].items():
            written[_POSSESSIVE.sub("", form)] += n
        scored.append(SignificantTerm(term, surface_form(written), fg_count, bg_count, score))
    scored.sort(key=lambda t: (-t.score, t.term))
    return Terms(query, matched, sample, indexed, tuple(scored[:limit]))
