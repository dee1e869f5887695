"""The one text pipeline: tokens with offsets, Unicode and case folding, stemming.

Indexing, query parsing and highlighting all call this module, so a query word finds
exactly the words it highlights. Offsets always point into the original text.

Pipeline for each word found by ``scan.TOKEN_RE`` in the original text:
every apostrophe form (``'`` ``’`` ``ʼ`` ``‘`` `````` ``´``) made straight, NFKD
decomposition, accents dropped, case folded, a possessive ``'s`` removed, remaining
apostrophes removed, then the Snowball English stemmer. Stop words are kept, so phrases
match exactly. Numbers keep their inner separators (``2.3``, ``1,5``), except the commas
of thousands groups (``28,000`` and ``1,234.5`` are ``28000`` and ``1234.5``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import filterfalse
from typing import NamedTuple, TypeVar

from . import scan, stemmer
from .scan import APOSTROPHES, TOKEN_RE

K = TypeVar("K")
V = TypeVar("V")

# Joins the values of a multi-valued field (tags); phrases never match across it.
VALUE_SEPARATOR = "\x1f"
_VALUE_GAP = 100

_APOSTROPHE_RE = re.compile(f"[{APOSTROPHES}]")


_POSSESSIVE_RE = re.compile(r"'s$")
_THOUSANDS_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")


class Token(NamedTuple):
    """One analyzed word: its index term, position and offsets into the original text."""

    term: str
    position: int
    start: int
    end: int
    folded: str


# The word caches: the dicts below (_TERMS, _FORMS, _PAIRS) hold every word seen, so
# these only keep recent words (case variants of one word, parts of hyphenated words):
# a cache per function of the whole vocabulary grew memory with the archive's size.
_RECENT = 20_000


@lru_cache(maxsize=_RECENT)
def fold(word: str) -> str:
    """Fold one word: accents, case, apostrophes and possessives; no stemming."""
    if word.isascii():
        text = word.lower().replace("`", "'")
    else:
        # Apostrophes first: NFKD would spell the acute accent ´ as a space and a mark.
        decomposed = unicodedata.normalize("NFKD", _APOSTROPHE_RE.sub("'", word))
        text = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    if "'" in text:
        text = _POSSESSIVE_RE.sub("", text).replace("'", "")
    if "," in text and _THOUSANDS_RE.fullmatch(text):
        text = text.replace(",", "")  # 28,000 is 28000; 1,5 (a decimal comma) stays 1,5
    return text


@lru_cache(maxsize=_RECENT)
def stem(folded: str) -> str:
    """The index term for a folded word (Snowball English; numbers unchanged)."""
    if not folded or folded[0].isdigit():
        return folded
    return stemmer.stem(folded)


def _analyze(word: str) -> tuple[str, str]:
    """A word as found in the text → (folded form, index term)."""
    folded = fold(word)
    return folded, stem(folded)


def tokenize(text: str) -> Iterator[Token]:
    """Yield the tokens of ``text`` with positions and offsets into ``text``."""
    return iter(tokens(text))


def tokens(text: str, only: Initials | None = None) -> list[Token]:
    """The tokens of ``text`` with positions and offsets into ``text``, as a list.

    With ``only``, a word not analysed yet is stemmed only if ``only.may_match`` it;
    the others get an empty term (their folded form and position are real).
    """
    if VALUE_SEPARATOR in text:
        return list(_value_tokens(text))
    found: list[Token] = []
    pairs = _PAIRS
    may_match = only.may_match_new if only is not None else None
    for word, start in zip(*scan.words_and_starts(text), strict=True):
        if may_match is None or word in pairs or may_match(word):
            folded, term = pairs[word]
        else:
            folded, term = fold(word), ""
        if folded:
            # tuple.__new__ skips the keyword handling of Token(...): most of the cost
            # of a token, and the highlighter tokenizes every hit it shows.
            token = (term, len(found), start, start + len(word), folded)
            found.append(tuple.__new__(Token, token))
    return found


def _value_tokens(text: str) -> Iterator[Token]:
    """Tokens of several values (tags): positions leave a gap between values."""
    position = 0
    base = 0
    for value_index, value in enumerate(text.split(VALUE_SEPARATOR)):
        if value_index:
            position += _VALUE_GAP
        for match in TOKEN_RE.finditer(value):
            folded, term = _PAIRS[match.group()]
            if folded:
                start, end = match.span()
                yield Token(term, position, base + start, base + end, folded)
                position += 1
        base += len(value) + 1


# A word cache starts a new generation when it holds this many words, so memory stays
# bounded on archives whose vocabulary (numbers, names, typos) keeps growing: about 270
# bytes a word over one process's caches, at most twice this many words in each, so
# about 16 MB at most (100,000 words allowed up to 54 MB). Reuters' 133,887 texts hold
# 88,645 distinct words, which the caches no longer keep all of: the analysis worker's
# peak on the whole corpus 76-77 -> 72 MB, for 29% more words analysed again (114,522
# against 88,645) and about 1 s more of its CPU (benchmarks/causes.md, tenth round).
WORDS_LIMIT = 30_000
_ABSENT = object()


class Cache(dict[K, V]):
    """``make(key)`` for each key asked for, made once and kept while it is in use: a
    dict whose missing keys are made, or brought back from the previous generation.

    When it holds ``limit`` keys, they become the previous generation and it starts
    empty: it never holds more than twice ``limit`` keys, and a key asked for since the
    last switch is not made again (the words a text uses all the time stay; a word
    seen once is made again if it comes back two generations later).
    """

    def __init__(self, make: Callable[[K], V], limit: int = WORDS_LIMIT) -> None:
        super().__init__()
        self._make = make
        self._limit = limit
        self._previous: dict[K, V] = {}

    def __missing__(self, key: K) -> V:
        if len(self) >= self._limit:
            self._previous = dict(self)
            super().clear()
        value = self._previous.get(key, _ABSENT)
        if value is _ABSENT:
            value = self._make(key)
        self[key] = value  # type: ignore[assignment]
        return value  # type: ignore[return-value]

    def clear(self) -> None:
        """Forget every key, of both generations."""
        super().clear()
        self._previous = {}


def _shared(value: str, *held: str | None) -> str:
    """``value``, or an equal string the word caches hold already (the word itself, its
    term or exact form): one string instead of two for most words (on Reuters' 89,000 words, 95,000
    strings and about 5 MB fewer)."""
    for other in held:
        if value == other:
            return other  # type: ignore[return-value]
    return value


# Word as found in the text → (folded form, index term), analysed once.
_PAIRS: Cache[str, tuple[str, str]] = Cache(_analyze)


class _TermCache(Cache[str, str]):
    """Word as found in the text → index term; a missing word is analysed once."""

    def __init__(self) -> None:
        super().__init__(self._term)
        # Words whose term holds whitespace (NFKD spells out a few ligatures as words):
        # such a term cannot travel inside terms joined by spaces.
        self.spaced: set[str] = set()

    def _term(self, word: str) -> str:
        term = _analyze(word)[1]
        if not term.isalnum() and any(c.isspace() for c in term):
            self.spaced.add(word)
        return _shared(term, word, _FORMS.get(word))


_TERMS = _TermCache()


def term_of(word: str) -> str:
    """The index term of one word as found in the text (``tokens``' term for it)."""
    return _TERMS[word]


def folded_form(word: str) -> str:
    """The folded form of one word as found in the text; empty for a word that is no
    token (``tokens`` gives it no position)."""
    return _PAIRS[word][0]


class Indexed(NamedTuple):
    """What the engines index for one paragraph text: its ``text``, ``exact`` and
    ``joined`` fields, each as terms joined by single spaces."""

    terms: str | None  # joined_terms(text): None when spaces cannot carry the terms
    exact: str  # exact_terms(text)
    joined: str  # the compounds' terms (hyphenated words joined)


# Analyses computed elsewhere (an analysis worker process), by text: see remember().
_KNOWN: dict[str, Indexed] = {}


def remember(texts: Iterable[str], indexed: Iterable[Indexed]) -> None:
    """Lend ``indexed`` results computed by another process, until ``forget``."""
    _KNOWN.update(zip(texts, indexed, strict=True))


def forget() -> None:
    """Drop what ``remember`` lent."""
    _KNOWN.clear()


def drop_words() -> None:
    """Empty the word caches, both generations (they fill again on demand)."""
    for cache in (_PAIRS, _TERMS, _FORMS, _RUNS):
        cache.clear()
    fold.cache_clear()
    stem.cache_clear()


def indexed(text: str) -> Indexed:
    """The three indexed forms of a paragraph text, from one scan of its words."""
    if _KNOWN:
        known = _KNOWN.get(text)
        if known is not None:
            return known
    terms, exact = scan.joined_pair(text, _TERMS, _TERMS.spaced, _FORMS)
    if VALUE_SEPARATOR in text:
        terms = None
    return Indexed(terms, exact, compound_terms(text))


def joined_terms(text: str) -> str | None:
    """The index terms of ``text`` joined by single spaces, or None when that cannot
    stand for ``tokenize(text)``.

    The fast path for indexing: splitting the result on whitespace gives exactly the
    terms of ``tokenize(text)`` in order, one position each (empty terms add nothing,
    as in ``tokenize``). None when ``text`` holds several values (``VALUE_SEPARATOR``
    leaves a position gap) or a term holds whitespace: index ``tokenize(text)`` then.
    """
    if _KNOWN:
        known = _KNOWN.get(text)
        if known is not None:
            return known.terms
    if VALUE_SEPARATOR in text:
        return None
    return scan.joined(text, _TERMS, _TERMS.spaced)


class Initials:
    """What a word must start with for its term to be among ``terms`` or to match one of
    ``prefixes``, so that a word that cannot match is not stemmed.

    A term is its folded word cut short plus at most ``stemmer.KEPT_BUT`` letters, so
    the folded word starts with the term less its last ``KEPT_BUT`` letters (one more
    is left out, as a margin); a prefix's terms only share its first letter for sure
    (``prefix_stems``). The first test, on the word's first character, needs no folding
    for ASCII words: the set holds both cases.

    ``starts`` holds the ASCII characters a word may start with to be marked by
    ``word_spans``: the first characters, in both cases, of the terms, the prefixes and
    the exact ``forms`` (a word starting with ASCII has its folded form's and its
    term's first character, lower-cased).
    """

    def __init__(
        self, terms: Collection[str], prefixes: Collection[str] = (), forms: Collection[str] = ()
    ) -> None:
        cut = stemmer.KEPT_BUT + 1
        heads = {term[: max(1, len(term) - cut)] for term in terms}
        heads.update(prefix[:1] for prefix in prefixes)
        self.heads = tuple(heads)
        self.folded = {head[:1] for head in heads}
        self.ascii = {c for i in self.folded if i.isascii() for c in (i, i.upper())}
        self.forms = frozenset(forms)
        firsts = {form[:1] for form in forms if form[:1].isascii()}
        self.starts = "".join(sorted(self.ascii.union(firsts, map(str.upper, firsts))))
        # Words found unable to match, not to be tested again (a page's hits share many).
        self._rejected: set[str] = set()
        # ``may_match``'s first test as one C call: a word can only match if it starts
        # with one of these ASCII characters or with a character that is not ASCII.
        # Most of a hit's new words fail it (words the highlighter never stemmed: it
        # stems only words that may match, so each query meets them again).
        starts = "".join(sorted(self.ascii))
        pattern = f"[{re.escape(starts)}]|[^\\x00-\\x7f]" if starts else "[^\\x00-\\x7f]"
        self._may_start = re.compile(pattern).match

    def analyse(self, words: Iterable[str]) -> bool:
        """Analyse (into the word caches) those of ``words`` that ``may_match``; True
        when there was one."""
        analysed = False
        for word in filterfalse(self._rejected.__contains__, filter(self._may_start, words)):
            if self.may_match(word):
                _TERMS[word]  # analysed and kept
                analysed = True
            else:
                self._rejected.add(word)
        return analysed

    def may_match_new(self, word: str) -> bool:
        """``may_match(word)``, remembering the words it rules out (for ``tokens``, which
        meets the same words in a page's hits), its first test done by one pattern."""
        if word in self._rejected or not self._may_start(word):
            return False
        if self.may_match(word):
            return True
        self._rejected.add(word)
        return False

    def may_match(self, word: str) -> bool:
        """Whether ``word``'s term could be one of the terms."""
        first = word[:1]
        if first.isascii():
            if first not in self.ascii:
                return False
        elif initial(word) not in self.folded:
            return False
        return _stem_case(fold(word)).startswith(self.heads)


def word_spans(
    text: str, terms: Collection[str], forms: Collection[str], initials: Initials | None = None
) -> list[tuple[int, int]]:
    """Offsets of the words of ``text`` whose index term is in ``terms`` or whose exact
    form is in ``forms``: what ``tokens`` would find, without building every token
    (``initials``: ``Initials(terms, forms=forms)``, or one made from more terms and
    forms, when it is already made; made without ``forms``, every word is looked at)."""
    if VALUE_SEPARATOR in text:
        return [
            (t.start, t.end) for t in tokens(text) if t.term in terms or solid(t.folded) in forms
        ]
    # One call in C finds the words, looks up their terms and exact forms and tests
    # them (``scan.marked``): loops over a hit's words cost more than the rest of its
    # highlighting. A word not analysed yet is stemmed only if it can match, so that a
    # hit shown for a query costs a stem for its query's words, not for every new word
    # in it; the words are then tested again, their new terms known. A word starting
    # with an ASCII character that no term or form starts with is skipped in C, not
    # cut out, looked up and listed as unknown (most of a hit's words; the benchmark's
    # median queries: the scans 5.5 → 2.0 µs a hit, the rest of this call 4.2 → 3.0).
    wanted = terms if isinstance(terms, (set, frozenset)) else set(terms)
    exact = forms if isinstance(forms, (set, frozenset)) else set(forms)
    exact_forms = _FORMS if exact else None
    if initials is None:
        initials = Initials(wanted, forms=exact)
    starts = initials.starts if exact <= initials.forms else None
    spans, unknown = scan.marked(text, _TERMS, wanted, exact_forms, exact, starts)
    if unknown and initials.analyse(unknown):
        spans = scan.marked(text, _TERMS, wanted, exact_forms, exact, starts)[0]
    return spans


def _stem_case(folded: str) -> str:
    """``folded`` in the case of its term: ``stem`` lowercases a word (not a number),
    and casefolding leaves a few scripts upper case ("Ꭰ" folds to itself, its term is
    "ꭰ")."""
    return folded if folded[:1].isdigit() else folded.lower()


def initial(word: str) -> str:
    """The first character of ``word`` folded, which is also the first of its index term
    (the Snowball stemmer changes a word's ending, never its first letter)."""
    return word[0].lower() if word.isascii() else _stem_case(fold(word))[:1]


def terms(text: str) -> list[str]:
    """The index terms of ``text`` in order (what a query word or phrase searches for):
    the terms of ``tokens(text)``, without building the tokens (the parser asks for
    every word of every query)."""
    if VALUE_SEPARATOR in text:
        return [token.term for token in _value_tokens(text)]
    return [term for folded, term in map(_PAIRS.__getitem__, scan.findall(text)) if folded]


def folded_forms(text: str) -> list[str]:
    """The folded forms of the words of ``text`` in order: ``[t.folded for t in
    tokens(text)]``, without building the tokens (query words are resolved with them)."""
    if VALUE_SEPARATOR in text:
        return [token.folded for token in _value_tokens(text)]
    return [folded for folded, _ in map(_PAIRS.__getitem__, scan.findall(text)) if folded]


def fold_prefix(text: str) -> str:
    """Fold a prefix the way words are folded, without stemming it."""
    return "".join(fold(m.group()) for m in TOKEN_RE.finditer(text))


# How much shorter than a prefix a stem may be and still count as a match of it:
# ``negotiat*`` must find "negotiation", whose term is ``negoti``.
_PREFIX_STEM_SLACK = 2
_PREFIX_STEM_MIN = 3


def prefix_stems(prefix: str) -> list[str]:
    """Whole terms shorter than ``prefix`` that a prefix query also matches.

    The index holds stems, and a stem may be shorter than the prefix of the word it came
    from (``negotiation`` → ``negoti``). So ``negotiat*`` matches the terms that start
    with ``negotiat`` and also the terms ``negotia`` and ``negoti``.
    """
    return [
        prefix[:n]
        for n in range(max(_PREFIX_STEM_MIN, len(prefix) - _PREFIX_STEM_SLACK), len(prefix))
    ]


def term_matches_prefix(term: str, prefix: str) -> bool:
    """True when an index term matches a prefix query (see ``prefix_stems``)."""
    return term.startswith(prefix) or term in prefix_stems(prefix)


# Hyphens that join the parts of one word (co-operation, e-mail, Al-Qaeda). Dashes
# between words (en and em dashes) and spaces do not.
HYPHENS = "-\u2010\u2011"
# Runs of non-space characters holding a hyphen: the only places compounds can be.
_HYPHENATED_RE = re.compile(rf"\S*[{HYPHENS}]\S*")
# The same runs, tried only where a run starts: one pass over the text, where the
# pattern above retries every position of a run without a hyphen.
_HYPHENATED_RUN_RE = re.compile(rf"(?<!\S)[^{HYPHENS}\s]*[{HYPHENS}]\S*")


def solid(form: str) -> str:
    """A form without whitespace (NFKD spells a few ligatures out as two words), so that
    it travels as one term among terms joined by spaces."""
    if form.isalnum():  # almost every word: no whitespace, one C call
        return form
    return "".join(form.split()) if any(c.isspace() for c in form) else form


def compounds(text: str) -> list[Token]:
    """Hyphenated words of ``text`` as one token each, its parts joined.

    ``co-operation`` gives the term of ``cooperation`` (``cooper``), with the offsets of
    the whole hyphenated word. A word of three or more parts also gives each pair of
    neighbours (``Al-Qaeda-linked``: ``alqaeda``). Parts start with a letter and are
    joined by one hyphen (``1986-87`` is not a compound). Positions count the compounds.
    """
    found: list[Token] = []
    if not any(hyphen in text for hyphen in HYPHENS):
        return found  # most paragraphs: one scan, no regex
    for chunk in _HYPHENATED_RE.finditer(text):
        run: list[tuple[str, int, int]] = []
        for part in [*TOKEN_RE.finditer(text, chunk.start(), chunk.end()), None]:
            folded = fold(part.group()) if part is not None else ""
            joined = (
                run
                and folded[:1].isalpha()
                and part.start() - run[-1][2] == 1  # type: ignore[union-attr]
                and text[run[-1][2]] in HYPHENS
            )
            if joined:
                run.append((folded, part.start(), part.end()))  # type: ignore[union-attr]
                continue
            if len(run) > 1:
                found.append(_joined(run, len(found)))
            if len(run) > 2:
                found.extend(_joined(run[i : i + 2], len(found) + i) for i in range(len(run) - 1))
            run = [(folded, part.start(), part.end())] if folded[:1].isalpha() else []  # type: ignore[union-attr]
    return found


def compound_terms(text: str) -> str:
    """The terms of ``compounds(text)`` joined by single spaces (the ``joined`` field).

    A compound never reaches past its run of non-space characters, so each run's terms
    are analysed once and cached: the same runs ("year-earlier", "U.S.-based") recur
    across an archive.
    """
    if "-" not in text and (text.isascii() or not any(h in text for h in HYPHENS)):
        return ""  # most paragraphs: no hyphen, no regex
    return " ".join(filter(None, map(_RUNS.__getitem__, _HYPHENATED_RUN_RE.findall(text))))


# A run of non-space characters holding a hyphen → its compounds' terms joined.
_RUNS: Cache[str, str] = Cache(lambda run: " ".join(c.term for c in compounds(run)))
# Word as found in the text → its exact form; a missing word is folded once.
_FORMS: Cache[str, str] = Cache(lambda word: _shared(solid(fold(word)), word, _TERMS.get(word)))


def exact_terms(text: str) -> list[str]:
    """The folded, unstemmed words of ``text`` in order (the ``exact`` field's terms)."""
    return list(filter(None, map(_FORMS.__getitem__, scan.findall(text))))


def _joined(parts: Sequence[tuple[str, int, int]], position: int) -> Token:
    folded = "".join(form for form, _, _ in parts)
    return Token(solid(stem(folded)), position, parts[0][1], parts[-1][2], folded)
