"""Habits from other search engines that our query language does not share.

A query that leans on them must not be silently read as something else: Lucene's boost
(``opec^2``) and inner wildcards (``c*t``, ``*oil``, a ``*`` inside a phrase) are
errors that say so; lower-case ``and``/``or``/``not`` between words stay words (they are
in the text as often as anywhere), but a note says operators are upper case when such a
query finds little (``notes``).
"""

from __future__ import annotations

import re

# "^2", "^0.5": a boost after a word or a phrase.
_BOOST_RE = re.compile(r"\^[0-9.]")
# A "*" with a letter or digit right after it: a wildcard inside or before a word.
_INNER_STAR_RE = re.compile(r"\*(?=[^\W_])")
_STAR_IN_PHRASE_RE = re.compile(r"(?<=[^\W_])\*|\*(?=[^\W_])")
_WORDS_RE = re.compile(r'"[^"“”]*["“”]?|[“”][^"“”]*["“”]?|[^\s"“”()]+')
LOWER_OPERATORS = ("and", "or", "not")
# Queries with lower-case operator words that find at most this many paragraphs get a note.
FEW_HITS = 5


def word_habit(word: str) -> tuple[str, int] | None:
    """For an unquoted word that uses a habit we do not support: the message and the
    offset in ``word`` to point at; else None."""
    boost = _BOOST_RE.search(word)
    if boost is not None:
        return (
            "boosts ('^2') are not supported: every word counts by BM25 "
            "(a title or standfirst match already weighs more)",
            boost.start(),
        )
    star = _INNER_STAR_RE.search(word)
    if star is not None:
        return (
            "'*' only ends a word (a prefix, as in oil*); wildcards inside or before "
            "a word are not supported",
            star.start(),
        )
    return None


def phrase_habit(inner: str) -> tuple[str, int] | None:
    """For a phrase's inner text holding a ``*`` on a word: the message and its offset."""
    star = _STAR_IN_PHRASE_RE.search(inner)
    if star is None:
        return None
    return (
        "a phrase matches whole words: '*' (a prefix) cannot go inside quotes; "
        "write the prefix outside the phrase",
        star.start(),
    )


def lowercase_operators(query: str) -> list[str]:
    """Lower-case ``and``/``or``/``not`` words standing between two other words (outside
    quotes), in the order they occur, each once."""
    words = [m.group() for m in _WORDS_RE.finditer(query)]
    found = [
        word for i, word in enumerate(words) if word in LOWER_OPERATORS and 0 < i < len(words) - 1
    ]
    return list(dict.fromkeys(found))


def operator_note(words: list[str]) -> str:
    """The note for queries whose lower-case ``and``/``or``/``not`` were searched as words."""
    quoted = ", ".join(f"'{w}'" for w in words)
    upper = ", ".join(w.upper() for w in words)
    return (
        f"{quoted} searched as {'a word' if len(words) == 1 else 'words'}: "
        f"operators are upper case ({upper})"
    )
