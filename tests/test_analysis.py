"""The one analyzer: folding, possessives, stemming, offsets into the original text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newsearch import analysis, scan


def test_offsets_point_into_the_original_text():
    text = "Netanyahu’s café, 28,000 people"
    tokens = list(analysis.tokenize(text))
    assert [text[t.start : t.end] for t in tokens] == ["Netanyahu’s", "café", "28,000", "people"]
    assert [t.position for t in tokens] == [0, 1, 2, 3]


def test_possessive_matches_the_name_with_either_apostrophe():
    assert analysis.terms("Netanyahu’s") == analysis.terms("Netanyahu's") == ["netanyahu"]
    assert analysis.terms("Hamas's") == analysis.terms("Hamas")


def test_accents_case_and_ligatures_fold():
    assert analysis.terms("CAFÉ") == analysis.terms("cafe") == ["cafe"]
    assert analysis.terms("e\u0301tude") == analysis.terms("étude") == ["etud"]
    assert analysis.terms("ﬁnance") == analysis.terms("finance")


def test_stemming_joins_inflections():
    assert analysis.terms("negotiation") == analysis.terms("negotiations") == ["negoti"]


def test_stop_words_are_kept_for_exact_phrases():
    assert analysis.terms("the talks are held") == ["the", "talk", "are", "held"]


def test_dashes_and_dots_split_words():
    assert analysis.terms("Israel-Gaza") == ["israel", "gaza"]
    assert analysis.terms("Israel–Gaza") == ["israel", "gaza"]
    assert analysis.terms("U.S.") == ["u", "s"]


def test_numbers_keep_inner_separators():
    assert analysis.terms("28,000 and 2.3 million") == ["28000", "and", "2.3", "million"]


def test_multi_valued_fields_leave_a_position_gap():
    tokens = list(analysis.tokenize(f"Middle East{analysis.VALUE_SEPARATOR}Gaza"))
    assert tokens[2].position - tokens[1].position > 1
    assert tokens[2].start == len("Middle East") + 1


def test_prefix_also_matches_shorter_stems():
    assert analysis.term_matches_prefix("negoti", "negotiat")
    assert analysis.term_matches_prefix("netanyahu", "netan")
    assert not analysis.term_matches_prefix("neg", "negotiat")
    assert not analysis.term_matches_prefix("israel", "gaza")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_ascii_pattern_finds_the_words_of_the_full_pattern(text):
    # The fast pattern for ASCII text must find the very same words at the same offsets.
    fast = [m.span() for m in scan._ASCII_TOKEN_RE.finditer(text)]
    assert fast == [m.span() for m in scan.TOKEN_RE.finditer(text)]


def test_ascii_pattern_on_numbers_apostrophes_and_underscores():
    text = "don't O`Neil 28,000 1,5 2.3.4 a_b __x 7up x'' 'y"
    assert scan._ASCII_TOKEN_RE.findall(text) == scan.TOKEN_RE.findall(text)
    assert analysis.terms(text) == [t.term for t in analysis._value_tokens(text)]


def test_indexed_forms_are_the_fields_analysed_one_by_one():
    for text in ["Netanyahu’s co-operation, 28,000 people", "ﬁnance e\u0301tude U.S.-led", ""]:
        forms = analysis.indexed(text)
        assert forms.terms == analysis.joined_terms(text)
        assert forms.exact.split() == analysis.exact_terms(text)
        assert forms.joined.split() == [c.term for c in analysis.compounds(text)]


WORDS = ["Oil", "oil's", "prices", "ﬁnance", "café", "28,000", "don’t", "U.S.", "naïve", "x"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([*WORDS, "1986", "e", "-", "\u2010", "\u2011", " ", "--"]), max_size=20
    )
)
def test_compound_terms_are_those_of_compounds_run_by_run(parts):
    # Cached by run of non-space characters: the same terms as the whole text's compounds.
    text = "".join(parts)
    for _ in range(2):  # analysed, then from the cache
        assert analysis.compound_terms(text) == " ".join(c.term for c in analysis.compounds(text))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from([*WORDS, " ", ", ", "-", "\n", analysis.VALUE_SEPARATOR]), max_size=30
    ),
    st.sets(st.sampled_from(WORDS), max_size=3),
    st.sets(st.sampled_from(WORDS), max_size=2),
)
def test_word_spans_are_the_tokens_whose_term_or_form_is_wanted(parts, stemmed, exact):
    # The highlighter's shortcut for queries of words must mark exactly what the tokens do.
    text = " ".join(parts)
    terms = {term for word in stemmed for term in analysis.terms(word)}
    forms = {analysis.solid(t.folded) for word in exact for t in analysis.tokens(word)}
    expected = [
        (t.start, t.end)
        for t in analysis.tokens(text)
        if t.term in terms or analysis.solid(t.folded) in forms
    ]
    assert analysis.word_spans(text, terms, forms) == expected


_TRICKY_WORDS = (
    "Skies dying lying tying idly gently ugly early only singly news Yes yearly York "
    "İstanbul ıdle ﬁnance Ǆemal Ærø Øresund ẞtraße straße Σίσυφος 28,000 1,5 2.3 "
    "O'Neill Netanyahu’s don't ½ ⑴ ℌilbert Ｆｕｌｌ"
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(categories=("L", "N", "M", "Pd", "Zs")), max_size=40))
def test_a_words_initial_is_its_terms_first_character(text):
    """``word_spans`` skips the stemming of words whose initial no query term has: that
    is only right if stemming never changes a folded word's first character."""
    for word in scan.TOKEN_RE.findall(text + " " + _TRICKY_WORDS):
        assert analysis.initial(word) == analysis.stem(analysis.fold(word))[:1]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(categories=("L", "N", "M", "Pd", "Zs")), max_size=40),
    st.lists(st.text(alphabet="abcdeéxyzAÉ1", min_size=1, max_size=3), max_size=3),
)
def test_initials_rule_out_only_words_whose_term_cannot_match(text, query_words):
    terms = {analysis.stem(analysis.fold(w)) for w in query_words}
    terms |= {"skie", "die", "elan", "possibl", "agricultur"}
    initials = analysis.Initials(terms, prefixes={"negotiat"})
    heads = (*(t[: max(1, len(t) - 3)] for t in terms), "n")
    words = text + " " + _TRICKY_WORDS + " Élan ÉLAN élan possibility Agricultural agri"
    for word in scan.TOKEN_RE.findall(words + " negotiation negoti nation"):
        folded = analysis.fold(word)
        term = analysis.stem(folded)
        if term in terms or analysis.term_matches_prefix(term, "negotiat"):
            assert initials.may_match(word)
        assert initials.may_match(word) == folded.startswith(heads)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(categories=("L", "N", "M", "Pd", "Zs")), max_size=40),
    st.lists(st.text(alphabet="abcdeéxyzAÉ1ñ", min_size=1, max_size=3), max_size=3),
)
def test_initials_analyse_exactly_the_words_that_may_match(text, query_words):
    """``analyse`` tests a word's first character with one pattern before ``may_match``:
    it must analyse the same words as ``may_match`` alone would."""
    terms = {analysis.stem(analysis.fold(w)) for w in query_words}
    words = set(scan.TOKEN_RE.findall(text + " " + _TRICKY_WORDS + " 1987 ½ ⑴ Ñandú"))
    for prefixes in ((), ("negotiat",), ("ñ",)):
        initials = analysis.Initials(terms, prefixes=prefixes)
        analysis.drop_words()
        initials.analyse(words)
        analysed = {word for word in words if word in analysis._TERMS}
        assert analysed == {word for word in words if initials.may_match(word)}


def test_terms_and_folded_forms_are_those_of_the_tokens():
    texts = [
        _TRICKY_WORDS,
        "Hamas's ’s ' ` … — 28,000 dlrs, U.S.-based co-operation",
        f"first tag{analysis.VALUE_SEPARATOR}second tag's",
        "",
    ]
    for text in texts:
        assert analysis.terms(text) == [t.term for t in analysis.tokenize(text)]
        assert analysis.folded_forms(text) == [t.folded for t in analysis.tokenize(text)]


def test_initials_need_the_start_of_long_terms():
    initials = analysis.Initials({"agricultur", "die"}, prefixes={"negotiat"})
    assert initials.may_match("Agricultural") and initials.may_match("AGRICULTURE")
    assert not initials.may_match("agri") and not initials.may_match("Agrarian")
    assert initials.may_match("dying") and initials.may_match("Dust")  # a short term
    assert initials.may_match("negoti") and initials.may_match("nation")  # a prefix
    assert not initials.may_match("Oil")


def test_word_spans_find_the_same_words_with_unseen_words_skipped():
    text = "Skies darkened as dying embers lit the skies; Sky-high prices, 28,000 dlrs."
    for terms in ({"sky"}, {"die", "price"}, {"28000"}, {"lit", "dlrs"}, {"nothing"}):
        analysis._TERMS.clear()  # every word unseen
        skipped = analysis.word_spans(text, terms, ())
        expected = [(t.start, t.end) for t in analysis.tokens(text) if t.term in terms]
        assert skipped == expected
    assert analysis.word_spans(text, {"sky"}, ()) == [(0, 5), (39, 44), (46, 49)]


def test_tokens_with_initials_give_the_terms_that_can_match_and_real_positions():
    text = "Skies darkened as dying embers lit the skies; Sky-high prices, 28,000 dlrs. Élan!"
    full = analysis.tokens(text)
    for terms in ({"sky"}, {"die", "price"}, {"28000"}, {"elan", "lit"}, {"nothing"}):
        analysis._PAIRS.clear()  # every word unseen
        initials = analysis.Initials(terms)
        only = analysis.tokens(text, initials)
        assert analysis.tokens(text, initials) == only  # with the words it ruled out kept
        for word in scan.findall(text):
            assert initials.may_match_new(word) == initials.may_match(word)
        assert [(t.position, t.start, t.end, t.folded) for t in only] == [
            (t.position, t.start, t.end, t.folded) for t in full
        ]
        assert [t.term for t in only if t.term in terms] == [
            t.term for t in full if t.term in terms
        ]
        assert all(t.term in ("", f.term) for t, f in zip(only, full, strict=True))


def test_the_word_caches_keep_one_string_where_a_word_its_form_and_its_term_are_equal():
    analysis.drop_words()
    assert analysis.indexed("Gaza oil talks") == ("gaza oil talk", "gaza oil talks", "")
    word = {key: key for key in analysis._FORMS}  # the word objects the caches hold
    forms, terms = analysis._FORMS, analysis._TERMS
    assert forms["oil"] is terms["oil"] is word["oil"]
    assert forms["talks"] is word["talks"] and terms["talks"] == "talk"
    assert forms["Gaza"] is terms["Gaza"] == "gaza"


def test_a_word_cache_keeps_the_words_in_use_within_twice_its_limit():
    made: list[str] = []

    def make(word: str) -> str:
        made.append(word)
        return word.upper()

    cache = analysis.Cache(make, limit=3)
    assert [cache[w] for w in "abc"] == ["A", "B", "C"]
    assert cache["d"] == "D"  # full: a, b, c become the previous generation
    assert cache["a"] == "A"  # brought back, not made again
    assert cache["e"] == "E"
    assert cache["f"] == "F"  # full again: d, a, e are the previous generation
    assert cache["a"] == "A" and cache["b"] == "B"  # a in use, b two generations old
    assert made == ["a", "b", "c", "d", "e", "f", "b"]
    assert len(cache) <= 3 and len(cache._previous) <= 3
    cache.clear()
    assert cache["a"] == "A" and made[-1] == "a"  # clear forgets both generations


def test_a_word_whose_script_casefolds_upper_is_highlighted():
    # Casefolding leaves Cherokee upper case, and the stemmer lowercases: the word's
    # initial must be its term's, or the highlighter rules the word out unanalysed.
    analysis.drop_words()
    text = "ᏣᎳᎩ and more"
    term = analysis.terms("ᏣᎳᎩ")[0]
    analysis.drop_words()
    assert term == "ꮳꮃꭹ"
    assert analysis.initial("ᏣᎳᎩ") == "ꮳ"
    assert analysis.word_spans(text, {term}, ()) == [(0, 3)]


def test_initials_leave_the_words_they_are_given_alone():
    initials = analysis.Initials({"oil"})
    words = {"zebra", "oil"}
    initials.analyse(words)
    initials.analyse(words)  # "zebra" is rejected by now, and stays in the caller's set
    assert words == {"zebra", "oil"}
    assert "oil" in analysis._TERMS


def test_analysis_is_the_same_when_the_word_caches_start_new_generations(monkeypatch):
    """The word caches are bounded (``WORDS_LIMIT``): with a bound of four words, hit
    on almost every word, every analysis gives what unbounded caches give."""
    texts = [
        _TRICKY_WORDS,
        "Hamas's ’s ' ` … — 28,000 dlrs, U.S.-based co-operation with Al-Qaeda-linked men",
        "The ﷺ prayer: ﬁnance, finance, FINANCE and Finance's year-earlier e-mail",
        f"first tag{analysis.VALUE_SEPARATOR}second tag's",
        "oil oil OIL Oil's prices, oil prices and the price of oil",
    ] * 3
    texts += [f"word{n} Oil-{n} the co-op {n * 7},000 x{n % 5}" for n in range(40)]

    def analyses() -> list[object]:
        return [
            (
                analysis.indexed(text),
                analysis.tokens(text),
                analysis.terms(text),
                analysis.exact_terms(text),
                analysis.folded_forms(text),
                analysis.joined_terms(text),
                analysis.word_spans(text, {"oil", "financ"}, {"finance"}),
            )
            for text in texts
        ]

    analysis.drop_words()
    unbounded = analyses()
    analysis.drop_words()
    made = [0]
    for cache in (analysis._PAIRS, analysis._TERMS, analysis._FORMS, analysis._RUNS):
        monkeypatch.setattr(cache, "_limit", 4)

        def counted(key: str, make=cache._make) -> object:
            made[0] += 1
            return make(key)

        monkeypatch.setattr(cache, "_make", counted)
    try:
        bounded = analyses()
        sizes = [
            (len(c), len(c._previous))
            for c in (analysis._PAIRS, analysis._TERMS, analysis._FORMS, analysis._RUNS)
        ]
    finally:
        monkeypatch.undo()
        analysis.drop_words()
    assert bounded == unbounded
    assert all(now <= 4 and previous <= 4 for now, previous in sizes)
    distinct = {word for text in texts for word in scan.TOKEN_RE.findall(text)}
    assert made[0] > 3 * len(distinct)  # words made again after their generation went
