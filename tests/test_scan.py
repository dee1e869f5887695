"""The compiled word scanner (newsearch._scan) against its pure-Python twin and the
pattern that defines a word (scan.TOKEN_RE): the same words, offsets and joined terms."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsearch import _scan, analysis, scan

from .test_engine_parity import REUTERS

# Letters, digits, marks, every apostrophe, number separators, hyphens, underscores,
# spaces and a few symbols: where the pattern's alternatives meet.
_PIECES = [
    *"aZé9٣²½_ '’ʼ‘`´.,-\u0301\u20dd\ufe20\u1ab0\u1dc0\x1f",
    "don't",
    "28,000",
    "1.5.x",
    "Netanyahu’s",
    "ʼs",
    "Ꭰ",
    "İ",
    "ﬁ",
    "２０",
    "x\u0301y",
]
texts = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(_PIECES), max_size=30).map("".join),
    st.text(alphabet=st.characters(max_codepoint=127), max_size=60),
)


def regex_words(text: str) -> list[tuple[str, int]]:
    return [(m.group(), m.start()) for m in scan.TOKEN_RE.finditer(text)]


def test_the_compiled_scanner_is_the_one_in_use():
    # setup.py builds it on install (.ci/run makes sure there is a compiler).
    assert scan.COMPILED and scan.findall is _scan.findall


@settings(max_examples=600)
@given(texts)
def test_both_scanners_find_the_patterns_words_at_its_offsets(text):
    expected = regex_words(text)
    words = [word for word, _ in expected]
    starts = [start for _, start in expected]
    assert _scan.findall(text) == scan.py_findall(text) == words
    assert _scan.starts(text) == scan.py_starts(text) == starts
    assert _scan.words_and_starts(text) == scan.py_words_and_starts(text) == (words, starts)


def test_numbers_apostrophes_and_marks():
    text = "28,000 dlrs, 1.5.x don't O`Neil Netanyahu’s 'quoted' café e\u0301te ´a x__y 7up 1986-87"
    assert _scan.findall(text) == [
        "28,000",
        "dlrs",
        "1.5",
        "x",
        "don't",
        "O`Neil",
        "Netanyahu’s",
        "quoted",
        "café",
        "e\u0301te",
        "a",
        "x",
        "y",
        "7up",
        "1986",
        "87",
    ]
    assert _scan.starts("  ab, c") == [2, 6]


class _Made(dict):
    """A cache like analysis.Cache: a missing word is made (and counted)."""

    def __init__(self, make):
        super().__init__()
        self.make = make
        self.made = 0

    def __missing__(self, word):
        self.made += 1
        value = self[word] = self.make(word)
        return value


@settings(max_examples=300)
@given(texts)
def test_joined_terms_and_forms_match_the_python_twins(text):
    def term(word):
        return "" if word.startswith("_") else word.lower()[:4]

    def form(word):
        return "" if len(word) == 2 else word.upper()

    for spaced in (None, set(), {"don't"}):
        compiled = _scan.joined(text, _Made(term), spaced)
        assert compiled == scan.py_joined(text, _Made(term), spaced)
        pair = _scan.joined_pair(text, _Made(term), spaced, _Made(form))
        assert pair == scan.py_joined_pair(text, _Made(term), spaced, _Made(form))
        assert pair[0] == compiled


@settings(max_examples=300)
@given(texts, st.sets(st.sampled_from(["a", "don'", "nete", "28,0", "", "é"]), max_size=3))
def test_marked_words_match_the_python_twin(text, wanted):
    known = {w: w.lower()[:4] for w in scan.py_findall(text)[::2]}  # every other word

    def form(word):
        return word.upper()

    for forms, forms_wanted in ((None, set()), (_Made(form), set()), (_Made(form), {"A", "Z"})):
        compiled = _scan.marked(text, known, wanted, forms, forms_wanted)
        assert compiled == scan.py_marked(text, known, wanted, forms, forms_wanted)
        spans, unknown = compiled
        words = scan.py_words_and_starts(text)
        assert unknown == [w for w in words[0] if w not in known]
        expected = [
            (start, start + len(w))
            for w, start in zip(*words, strict=True)
            if known.get(w) in wanted or (forms is not None and form(w) in forms_wanted)
        ]
        assert spans == expected


@settings(max_examples=300)
@given(texts, st.sampled_from([None, "", "aA", "zZ9", "dDnN2", "aZé"]))
def test_marked_skips_words_whose_ascii_first_character_is_not_a_start(text, starts):
    known = {w: w.lower()[:4] for w in scan.py_findall(text)[::2]}
    wanted = {"a", "don'", "nete", "28,0", "z"}
    forms = _Made(str.upper)
    compiled = _scan.marked(text, known, wanted, forms, {"A", "Z", "DON'T"}, starts)
    assert compiled == scan.py_marked(text, known, wanted, forms, {"A", "Z", "DON'T"}, starts)
    words, _ = scan.py_words_and_starts(text)
    looked_at = [w for w in words if starts is None or not w[0].isascii() or w[0] in starts]
    assert compiled[1] == [w for w in looked_at if w not in known]
    everything = _scan.marked(text, known, wanted, forms, {"A", "Z", "DON'T"})
    assert set(compiled[0]) <= set(everything[0])


def test_marked_with_starts_neither_looks_up_nor_lists_other_words():
    forms = _Made(str.upper)
    text = "Oil prices, oil éclat"
    assert _scan.marked(text, {"Oil": "oil"}, {"oil"}, forms, {"OIL"}, "oO") == (
        [(0, 3), (12, 15)],
        ["oil", "éclat"],
    )
    assert forms.made == 2  # "oil" and "éclat" ("Oil" is marked by its term), not "prices"
    with pytest.raises(TypeError):
        _scan.marked(text, {}, {"oil"}, None, set(), b"o")  # starts must be a str


def test_marked_looks_forms_up_only_when_one_may_match():
    forms = _Made(str.upper)
    text = "Oil prices, oil"
    terms = {"Oil": "oil", "prices": "price", "oil": "oil"}
    assert _scan.marked(text, terms, {"price"}, forms, set()) == ([(4, 10)], [])
    assert forms.made == 0
    assert _scan.marked(text, {}, {"oil"}, forms, {"OIL"}) == (
        [(0, 3), (12, 15)],
        ["Oil", "prices", "oil"],
    )
    with pytest.raises(TypeError):
        _scan.marked(text, terms, ["price"], None, set())  # wanted must be a set


def test_joined_keeps_empty_terms_drops_empty_forms_and_looks_each_word_up_once():
    terms = _Made(lambda word: "" if word == "of" else word.lower())
    forms = _Made(lambda word: "" if word == "of" else word)
    text = "Bank of Bank"
    assert _scan.joined_pair(text, terms, None, forms) == ("bank  bank", "Bank Bank")
    assert (terms.made, forms.made) == (2, 2)  # "Bank" and "of", once each


def test_a_word_made_spaced_by_its_own_lookup_gives_none():
    spaced: set[str] = set()

    def term(word):
        if word == "ﬁx":
            spaced.add(word)  # as analysis._TermCache does for a term holding a space
            return "f ix"
        return word

    assert _scan.joined("a ﬁx", _Made(term), spaced) is None
    assert _scan.joined_pair("b ﬁx", _Made(term), spaced, _Made(str.upper)) == (None, "B FIX")
    assert _scan.joined("a b", _Made(term), spaced) == "a b"


def test_a_failing_lookup_raises_its_error():
    def fails(word):
        raise ValueError(word)

    with pytest.raises(ValueError, match="bad"):
        _scan.joined("ok bad", _Made(lambda w: fails(w) if w == "bad" else w), None)
    with pytest.raises(ValueError, match="x"):
        _scan.joined_pair("x", {}, None, _Made(fails))
    with pytest.raises(KeyError):
        _scan.joined("x", {}, None)  # a plain dict: no __missing__
    with pytest.raises(TypeError):
        _scan.joined(b"x", {}, None)
    with pytest.raises(TypeError):
        _scan.findall(None)
    with pytest.raises(TypeError):
        _scan.words_and_starts(1)


def test_analysis_gives_the_same_fields_with_either_scanner(monkeypatch):
    text = "Al-Qaeda-linked 28,000 Netanyahu’s don't ﬁnance café"
    analysis.drop_words()
    compiled = analysis.indexed(text)
    spans = analysis.word_spans(text, {"financ"}, {"cafe"})
    for name in ("findall", "starts", "words_and_starts", "joined", "joined_pair", "marked"):
        monkeypatch.setattr(scan, name, getattr(scan, f"py_{name}"))
    analysis.drop_words()
    assert analysis.indexed(text) == compiled
    assert analysis.word_spans(text, {"financ"}, {"cafe"}) == spans == [(41, 47), (48, 52)]


def test_reuters_texts_give_the_patterns_words():
    files = sorted(REUTERS.glob("reut2-*.sgm.gz"))
    if not files:
        pytest.skip(f"Reuters-21578 not found at {REUTERS}")
    checked = 0
    for file in files[::3]:  # every third file: ~7,000 articles, a few seconds
        with gzip.open(file, "rt", encoding="latin-1") as raw:
            for text in raw.read().split("<BODY>")[1:]:
                assert _scan.findall(text) == scan.TOKEN_RE.findall(text)
                checked += 1
    assert checked > 5_000
