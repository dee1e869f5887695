"""Phrases without slop are highlighted from their words' offsets
(``Highlighter._offset_spans``), the same spans as from the text's tokens
(``_token_spans``), for any text and any phrases, words and joined words beside them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newsearch import analysis
from newsearch.highlight import Highlighter
from newsearch.query import ast, parse

from .test_highlight_properties import GLUE, VOCABULARY, paragraphs

words = st.sampled_from([*VOCABULARY, "the the", "ʼs the", "border ʼs crossing"])


@st.composite
def queries(draw: st.DrawFn) -> ast.Node:
    """Phrases of vocabulary words (repeats too) with words, exact words, joined words
    and split phrases beside them, as the parser and ``lexicon.resolve`` make them."""
    leaves: list[ast.Node] = []
    for _ in range(draw(st.integers(1, 3))):
        text = " ".join(draw(st.lists(words, min_size=1, max_size=4)))
        terms = tuple(analysis.terms(text))
        if terms:
            leaves.append(ast.Phrase("text", terms, 0, text=text, quoted=True))
    for word in draw(st.lists(words, max_size=2)):
        for term in analysis.terms(word):
            leaves.append(ast.Term("text", term, text=word))
        for form in analysis.exact_terms(word)[:1]:
            leaves.append(ast.Term(draw(st.sampled_from(["exact", "joined"])), form))
    if not any(isinstance(leaf, ast.Phrase) for leaf in leaves):
        leaves.append(parse('"border crossing"'))
    return leaves[0] if len(leaves) == 1 else ast.Or(tuple(leaves))


texts = st.one_of(
    paragraphs,
    st.lists(st.tuples(words, st.sampled_from(GLUE)), max_size=30).map(
        lambda parts: "".join(word + glue for word, glue in parts)
    ),
)


@settings(max_examples=500, deadline=None)
@given(queries(), texts)
def test_phrases_from_offsets_are_the_phrases_from_tokens(query, text):
    highlighter = Highlighter(query)
    assert highlighter._by_offsets
    assert highlighter.spans(text) == highlighter._token_spans(text)


def test_a_phrase_is_found_across_a_word_that_folds_to_nothing():
    highlighter = Highlighter(parse('"border crossing"'))
    text = "the border ʼs crossing, border x crossing"
    assert [(s.start, s.end) for s in highlighter.spans(text)] == [(4, 22)]
    assert highlighter.spans(text) == highlighter._token_spans(text)


def test_sloppy_phrases_and_prefixes_take_the_tokens():
    assert not Highlighter(parse('"border crossing"~1'))._by_offsets
    assert not Highlighter(parse('"border crossing" netan*'))._by_offsets
    assert not Highlighter(parse('exact:"border crossing"'))._by_offsets
    assert not Highlighter(parse("border crossing"))._by_offsets  # words only: their path
