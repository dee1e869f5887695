"""newsearch's Snowball English stemmer gives exactly nltk's stems.

nltk is the reference: every index term is a stem, so a stem that differed would change
what a query matches. The words compared are the Reuters-21578 vocabulary (when the
corpus is there), the seed article's, and words built from every suffix the algorithm
knows, so that each branch of each step is taken.
"""

from __future__ import annotations

import gzip
import random
import re

import pytest
from nltk.stem.snowball import SnowballStemmer

from newsearch import analysis, scan, stemmer

from .conftest import SEED_FILE
from .test_engine_parity import REUTERS

NLTK = SnowballStemmer("english")


def differences(words):
    return [(w, NLTK.stem(w), stemmer.stem(w)) for w in words if NLTK.stem(w) != stemmer.stem(w)]


def vocabulary(texts):
    words = {analysis.fold(w) for text in texts for w in scan.TOKEN_RE.findall(text)}
    return sorted(w for w in words if w and not w[0].isdigit())


def made_words(count: int, seed: int) -> list[str]:
    """Random stems followed by one or two of the suffixes the steps look for."""
    tables = (
        stemmer._STEP0,
        stemmer._STEP1A,
        stemmer._STEP1B,
        stemmer._STEP2,
        stemmer._STEP3,
        stemmer._STEP4,
    )
    suffixes = sorted(
        s for table in tables for groups in table.values() for _, group in groups for s in group
    )
    suffixes += ["y", "ly", "e", "l", "ll", "at", "bl", "iz", "", ""]
    heads = ["gener", "commun", "arsen", "y", "", "", ""]
    rng = random.Random(seed)
    letters = "aeiouylstnrgdbcmpfwxz"
    return [
        rng.choice(heads)
        + "".join(rng.choice(letters) for _ in range(rng.randint(0, 6)))
        + rng.choice(suffixes)
        + rng.choice(suffixes)
        for _ in range(count)
    ]


def test_words_made_from_every_suffix_stem_as_nltk_stems_them():
    words = made_words(15_000, seed=1987) + list(stemmer._EXCEPTIONS)
    assert differences(words) == []


def test_short_words_exceptions_and_marked_y():
    words = ["a", "by", "sky", "skies", "news", "yes", "yield", "player", "sayyid", "'tis"]
    words += ["generously", "communism", "arsenal", "proceeding", "dying", "ugly"]
    assert differences(words) == []
    assert stemmer.stem("generalization") == NLTK.stem("generalization") == "general"


def test_seed_vocabulary_stems_as_nltk_stems_it():
    words = vocabulary([SEED_FILE.read_text(encoding="utf-8")])
    assert len(words) > 300
    assert differences(words) == []


def test_reuters_vocabulary_stems_as_nltk_stems_it():
    files = sorted(REUTERS.glob("reut2-*.sgm.gz"))
    if not files:
        pytest.skip(f"Reuters-21578 not found at {REUTERS}")
    # Every word of the raw files (markup included: more words, no harm).
    words: set[str] = set()
    for file in files:
        with gzip.open(file, "rt", encoding="latin-1") as raw:
            words.update(re.findall("[a-z]+", raw.read().lower()))
    assert len(words) > 40_000
    assert differences(words) == []
    assert kept_from_the_word(words) == []


def kept_from_the_word(words):
    """Words whose stem keeps fewer than all but ``KEPT_BUT`` of its letters from the word."""
    return [
        (w, stemmer.stem(w))
        for w in words
        if not w.startswith(stemmer.stem(w)[: -stemmer.KEPT_BUT or None])
    ]


def test_a_stem_is_the_word_but_its_last_letters():
    """``stem(w)`` is ``w[:k]`` and at most ``KEPT_BUT`` letters more (``biliti`` →
    ``ble``, ``dying`` → ``die``): the highlighter relies on it to skip stemming."""
    words = made_words(30_000, seed=11) + list(stemmer._EXCEPTIONS)
    words = [w for w in words if "'" not in w]  # folding removes apostrophes first
    assert kept_from_the_word(words) == []
    assert kept_from_the_word(vocabulary([SEED_FILE.read_text(encoding="utf-8")])) == []
    assert stemmer.stem("dying") == "die" and stemmer.stem("possibility") == "possibl"
