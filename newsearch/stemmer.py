"""The Snowball English ("Porter2") stemmer, giving exactly the stems of nltk's
``SnowballStemmer("english")``, without importing nltk.

Importing nltk takes 0.4 s (1.5 s when scipy is installed, which nltk then loads too),
longer than indexing a small file or answering a query, and its stemmer tries each
suffix of a step in turn. This one looks a step's suffixes up by length, longest first,
which is the order nltk tries them in, so it takes the same branch: the first suffix the
word ends with decides the step even when its condition fails.

Like nltk's, it keeps the regions R1 and R2 as the strings they are at the end of the
word and shortens or extends them with the word (``_Word``), including where that
departs from the published algorithm (an R2 that becomes ``"e"`` after ``-ational``).
``tests/test_stemmer.py`` compares the two on the Reuters vocabulary and word lists.
"""

from __future__ import annotations

# A stem is the word cut short, plus at most this many letters of its own: each step
# cuts an ending or swaps it for one that repeats all but its last letter or two
# (``-ational`` → ``-ate``, ``-biliti`` → ``-ble``, ``dying`` → ``die``).
# ``tests/test_stemmer.py`` checks it on the vocabularies the stems are checked on.
KEPT_BUT = 2

_VOWELS = frozenset("aeiouy")
_DOUBLES = frozenset(("bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"))
_LI_ENDING = frozenset("cdeghkmnrt")
_EXCEPTIONS = {
    "skis": "ski",
    "skies": "sky",
    "dying": "die",
    "lying": "lie",
    "tying": "tie",
    "idly": "idl",
    "gently": "gentl",
    "ugly": "ugli",
    "early": "earli",
    "only": "onli",
    "singly": "singl",
    "sky": "sky",
    "news": "news",
    "howe": "howe",
    "atlas": "atlas",
    "cosmos": "cosmos",
    "bias": "bias",
    "andes": "andes",
    **{w: w for w in ("inning", "outing", "canning", "herring", "earring")},
    **{w + "s": w for w in ("inning", "outing", "canning", "herring", "earring")},
    **{
        stem + ending: stem
        for stem in ("proceed", "exceed", "succeed")
        for ending in ("", "s", "ed", "ing")
    },
}


_Table = dict[str, list[tuple[int, frozenset[str]]]]


def _by_length(*suffixes: str) -> _Table:
    """Suffixes by their last letter, then by length, longest first: the order the
    steps try them in (a word is only compared with the suffixes that end like it)."""
    table: _Table = {}
    for last in {s[-1] for s in suffixes}:
        ending = [s for s in suffixes if s.endswith(last)]
        lengths = sorted({len(s) for s in ending}, reverse=True)
        table[last] = [(n, frozenset(s for s in ending if len(s) == n)) for n in lengths]
    return table


_STEP0 = _by_length("'s'", "'s", "'")
_STEP1A = _by_length("sses", "ied", "ies", "us", "ss", "s")
_STEP1B = _by_length("eedly", "ingly", "edly", "eed", "ing", "ed")
_STEP2 = _by_length(
    "ization", "ational", "fulness", "ousness", "iveness", "tional", "biliti", "lessli",
    "entli", "ation", "alism", "aliti", "ousli", "iviti", "fulli", "enci", "anci", "abli",
    "izer", "ator", "alli", "bli", "ogi", "li",
)  # fmt: skip
_STEP3 = _by_length("ational", "tional", "alize", "icate", "iciti", "ative", "ical", "ness", "ful")
_STEP4 = _by_length(
    "ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate", "iti",
    "ous", "ive", "ize", "ion", "al", "er", "ic",
)  # fmt: skip

# Step 2's replacements: (new ending, what R2 becomes when shorter than the suffix).
_STEP2_SWAPS = {
    "enci": ("ence", ""),
    "anci": ("ance", ""),
    "abli": ("able", ""),
    "izer": ("ize", ""),
    "ization": ("ize", ""),
    "ational": ("ate", "e"),
    "ation": ("ate", "e"),
    "ator": ("ate", "e"),
    "alism": ("al", ""),
    "aliti": ("al", ""),
    "alli": ("al", ""),
    "ousli": ("ous", ""),
    "ousness": ("ous", ""),
    "iveness": ("ive", "e"),
    "iviti": ("ive", "e"),
    "biliti": ("ble", ""),
    "bli": ("ble", ""),
}
# Step 2's plain cuts: suffix → letters removed.
_STEP2_CUTS = {"tional": 2, "entli": 2, "fulness": 4, "fulli": 2, "lessli": 2}


def _ending(word: str, table: _Table) -> str:
    """The longest suffix of ``table`` that ``word`` ends with ('' when none)."""
    for length, suffixes in table.get(word[-1:], ()):
        if len(word) >= length and word[-length:] in suffixes:
            return word[-length:]
    return ""


class _Word:
    """A word being stemmed and its regions R1 and R2, kept as strings that end the word."""

    __slots__ = ("r1", "r2", "text")

    def __init__(self, text: str, r1: str, r2: str) -> None:
        self.text, self.r1, self.r2 = text, r1, r2

    def cut(self, n: int) -> None:
        """Remove the last ``n`` letters from the word and its regions."""
        self.text, self.r1, self.r2 = self.text[:-n], self.r1[:-n], self.r2[:-n]

    def swap(self, suffix: str, new: str, short_r2: str = "") -> None:
        """Replace ``suffix`` by ``new``; a region shorter than the suffix becomes empty
        (R2 becomes ``short_r2``)."""
        n = len(suffix)
        self.text = self.text[:-n] + new
        self.r1 = self.r1[:-n] + new if len(self.r1) >= n else ""
        self.r2 = self.r2[:-n] + new if len(self.r2) >= n else short_r2


def _regions(word: str) -> tuple[str, str]:
    """R1 and R2: what follows the first non-vowel after a vowel, then the same in R1."""
    if word.startswith(("gener", "arsen")):
        r1 = word[5:]
    elif word.startswith("commun"):
        r1 = word[6:]
    else:
        r1 = _after_vowel_consonant(word)
        return r1, _after_vowel_consonant(r1)
    for i in range(1, len(r1)):
        if r1[i] not in _VOWELS and r1[i - 1] in _VOWELS:
            return r1, r1[i + 1 :]
    return r1, ""


def _after_vowel_consonant(text: str) -> str:
    for i in range(1, len(text)):
        if text[i] not in _VOWELS and text[i - 1] in _VOWELS:
            return text[i + 1 :]
    return ""


def _has_vowel(text: str) -> bool:
    return not _VOWELS.isdisjoint(text)


def stem(word: str) -> str:
    """The Snowball English stem of ``word`` (as nltk's ``SnowballStemmer("english")``)."""
    word = word.lower()
    if len(word) <= 2:
        return word
    if word in _EXCEPTIONS:
        return _EXCEPTIONS[word]
    word = word.replace("\u2019", "'").replace("\u2018", "'").replace("\u201b", "'")
    if word.startswith("'"):
        word = word[1:]
    word = _mark_consonant_y(word)
    w = _Word(word, *_regions(word))
    _step0_1(w)
    _step2_3(w)
    _step4_5(w)
    return w.text.replace("Y", "y")


def _mark_consonant_y(word: str) -> str:
    """A ``y`` that starts the word or follows a vowel is a consonant: written ``Y``."""
    if "y" not in word:
        return word
    letters = list(word)
    if letters[0] == "y":
        letters[0] = "Y"
    for i in range(1, len(letters)):
        if letters[i] == "y" and letters[i - 1] in _VOWELS:
            letters[i] = "Y"
    return "".join(letters)


def _step0_1(w: _Word) -> None:
    suffix = _ending(w.text, _STEP0)
    if suffix:
        w.cut(len(suffix))
    # Step 1a: plurals.
    suffix = _ending(w.text, _STEP1A)
    if suffix == "sses":
        w.cut(2)
    elif suffix in ("ied", "ies"):
        w.cut(2 if len(w.text) > 4 else 1)
    elif suffix == "s" and _has_vowel(w.text[:-2]):
        w.cut(1)
    # Step 1b: -ed, -ing.
    suffix = _ending(w.text, _STEP1B)
    if suffix in ("eed", "eedly"):
        if w.r1.endswith(suffix):
            w.swap(suffix, "ee")
    elif suffix and _has_vowel(w.text[: -len(suffix)]):
        w.cut(len(suffix))
        text = w.text
        if text.endswith(("at", "bl", "iz")):
            w.text, w.r1 = text + "e", w.r1 + "e"
            if len(w.text) > 5 or len(w.r1) >= 3:
                w.r2 += "e"
        elif text[-2:] in _DOUBLES:
            w.cut(1)
        elif w.r1 == "" and _is_short(text):
            w.text = text + "e"
    # Step 1c: a final y after a consonant (not the first letter) becomes i.
    text = w.text
    if len(text) > 2 and text[-1] in "yY" and text[-2] not in _VOWELS:
        w.swap(text[-1], "i")


def _is_short(text: str) -> bool:
    """Ends in a short syllable: consonant-vowel-consonant (not w, x, Y), or is one
    vowel and a consonant."""
    if len(text) >= 3:
        return (
            text[-1] not in _VOWELS
            and text[-1] not in "wxY"
            and text[-2] in _VOWELS
            and text[-3] not in _VOWELS
        )
    return len(text) == 2 and text[0] in _VOWELS and text[1] not in _VOWELS


def _step2_3(w: _Word) -> None:
    suffix = _ending(w.text, _STEP2)
    if suffix and w.r1.endswith(suffix):
        if suffix in _STEP2_SWAPS:
            new, short_r2 = _STEP2_SWAPS[suffix]
            if suffix in ("enci", "anci", "abli"):
                w.swap("i", "e")
            else:
                w.swap(suffix, new, short_r2)
        elif suffix in _STEP2_CUTS:
            w.cut(_STEP2_CUTS[suffix])
        elif suffix == "ogi":
            if w.text[-4] == "l":
                w.cut(1)
        elif suffix == "li" and w.text[-3] in _LI_ENDING:
            w.cut(2)
    suffix = _ending(w.text, _STEP3)
    if suffix and w.r1.endswith(suffix):
        if suffix == "tional":
            w.cut(2)
        elif suffix == "ational":
            w.swap(suffix, "ate")
        elif suffix == "alize":
            w.cut(3)
        elif suffix in ("icate", "iciti", "ical"):
            w.swap(suffix, "ic")
        elif suffix in ("ful", "ness"):
            w.cut(len(suffix))
        elif suffix == "ative" and w.r2.endswith(suffix):
            w.cut(5)


def _step4_5(w: _Word) -> None:
    suffix = _ending(w.text, _STEP4)
    if suffix and w.r2.endswith(suffix):
        if suffix != "ion":
            w.cut(len(suffix))
        elif w.text[-4] in "st":
            w.cut(3)
    # Step 5: a final l after l in R2; a final e in R2, or in R1 unless what precedes
    # it is a short syllable (consonant, vowel, consonant other than w, x, Y).
    text = w.text
    r1_e = (
        w.r1.endswith("e")
        and len(text) >= 4
        and (
            text[-2] in _VOWELS
            or text[-2] in "wxY"
            or text[-3] not in _VOWELS
            or text[-4] in _VOWELS
        )
    )
    if (w.r2.endswith("l") and text[-2] == "l") or w.r2.endswith("e") or r1_e:
        w.text = text[:-1]
