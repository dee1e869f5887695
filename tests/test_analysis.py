"""The one analyzer: folding, possessives, stemming, offsets into the original text."""

from __future__ import annotations

from newsearch import analysis


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
