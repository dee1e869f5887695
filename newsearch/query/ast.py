"""The engine-neutral query AST produced by the parser and compiled by each engine.

Words in the AST are already analyzed: ``Term.term`` and ``Phrase.terms`` are index
terms from ``newsearch.analysis``, so engines never analyze text themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Fields a query can scope a word to. "text" is the paragraph text (the default);
# the others are the article's metadata, carried by each of its paragraphs.
TEXT_FIELDS = ("text", "title", "source", "author", "section", "tags")
KEYWORD_FIELDS = ("role", "language")


@dataclass(frozen=True)
class Term:
    """One index term in ``field``; ``text`` is the word as the user typed it."""

    field: str
    term: str
    text: str = ""


@dataclass(frozen=True)
class Phrase:
    """Index terms in order; ``slop`` extra positions allowed between neighbours."""

    field: str
    terms: tuple[str, ...]
    slop: int = 0
    text: str = ""


@dataclass(frozen=True)
class Prefix:
    """Terms starting with ``prefix`` (folded, not stemmed); see ``analysis.prefix_stems``."""

    field: str
    prefix: str


@dataclass(frozen=True)
class Fuzzy:
    """Index terms within ``distance`` edits of ``term`` (``volker~1``).

    Edits are counted between index terms (stems), by optimal string alignment: an
    insertion, deletion, substitution or swap of neighbours is one edit. The index layer
    resolves it against the index's vocabulary before an engine sees it
    (``newsearch.lexicon.resolve``), so every engine matches the same words.
    """

    field: str
    term: str
    distance: int
    text: str = ""


@dataclass(frozen=True)
class Keyword:
    """An exact keyword value (``role:caption``, ``language:en``), lower-cased."""

    field: str
    value: str


@dataclass(frozen=True)
class DateRange:
    """Paragraphs dated in ``[start, end)``; ``None`` leaves that end open."""

    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """Everything except ``child``; inside ``And`` it excludes, alone it matches the rest."""

    child: Node


@dataclass(frozen=True)
class MatchAll:
    """Every paragraph (the empty query, or the left side of a lone ``NOT``)."""


@dataclass(frozen=True)
class MatchNone:
    """No paragraph (a query whose words all analyze to nothing, e.g. ``"…"``)."""


Node = Term | Phrase | Prefix | Fuzzy | Keyword | DateRange | And | Or | Not | MatchAll | MatchNone


def positive_leaves(node: Node) -> list[Term | Phrase | Prefix | Fuzzy]:
    """Word leaves that contribute matches (not under a ``Not``): what gets highlighted."""
    if isinstance(node, (Term, Phrase, Prefix, Fuzzy)):
        return [node]
    if isinstance(node, (And, Or)):
        return [leaf for child in node.children for leaf in positive_leaves(child)]
    return []
