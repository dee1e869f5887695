"""Highlight spans and snippets, from stored text and the query AST."""

from __future__ import annotations

from newsearch import analysis
from newsearch.highlight import find_spans, make_snippet, merge_spans
from newsearch.model import Span
from newsearch.query import ast, parse

TEXT = (
    "Relations between Egypt and Israel have been tense since the Gaza war began, "
    "with Cairo accusing Israel of bombing the Gaza side of the Rafah border crossing."
)


def term(word: str, field: str = "text") -> ast.Term:
    return ast.Term(field, analysis.terms(word)[0], word)


def phrase(words: str, slop: int = 0) -> ast.Phrase:
    return ast.Phrase("text", tuple(analysis.terms(words)), slop, words)


def spans_text(text: str, spans) -> list[str]:
    return [text[s.start : s.end] for s in spans]


def test_term_highlights_every_occurrence():
    assert spans_text(TEXT, find_spans(TEXT, term("Israel"))) == ["Israel", "Israel"]


def test_phrase_is_one_span():
    spans = find_spans(TEXT, phrase("Rafah border crossing"))
    assert spans == (Span(TEXT.index("Rafah"), TEXT.index("crossing") + len("crossing")),)


def test_phrase_only_where_it_occurs():
    assert find_spans(TEXT, phrase("Gaza war")) == (
        Span(TEXT.index("Gaza war"), TEXT.index("Gaza war") + 8),
    )
    assert find_spans(TEXT, phrase("war Gaza")) == ()


def test_slop_allows_words_between():
    assert find_spans(TEXT, phrase("Rafah crossing")) == ()
    spans = find_spans(TEXT, phrase("Rafah crossing", slop=1))
    assert spans_text(TEXT, spans) == ["Rafah border crossing"]


def test_not_words_are_never_highlighted():
    query = ast.And((term("Gaza"), ast.Not(term("Israel"))))
    assert spans_text(TEXT, find_spans(TEXT, query)) == ["Gaza", "Gaza"]


def test_field_scoped_words_do_not_highlight_the_paragraph():
    assert find_spans(TEXT, term("Israel", field="title")) == ()


def test_prefix_highlights_whole_words():
    spans = find_spans("Netanyahu and Netanyahu’s aides", ast.Prefix("text", "netan"))
    assert spans == (Span(0, 9), Span(14, 25))


def test_overlapping_spans_merge_but_touching_ones_do_not():
    assert merge_spans([Span(5, 9), Span(0, 6), Span(9, 12)]) == (Span(0, 9), Span(9, 12))


def test_short_paragraph_snippet_is_the_whole_text():
    spans = find_spans(TEXT[:60], term("Egypt"))
    snippet = make_snippet(TEXT[:60], spans)
    assert snippet.text == TEXT[:60]
    assert snippet.highlights == spans


def test_snippet_offsets_are_into_the_snippet():
    long_text = (
        ("Filler words go here. " * 20)
        + "The Rafah border crossing closed. "
        + ("More filler follows. " * 20)
    )
    spans = find_spans(long_text, phrase("Rafah border crossing"))
    snippet = make_snippet(long_text, spans)
    assert len(snippet.text) <= 200 + 4
    assert snippet.text.startswith("… The Rafah border crossing closed.")
    assert snippet.text.endswith(" …")
    (span,) = snippet.highlights
    assert snippet.text[span.start : span.end] == "Rafah border crossing"


def test_snippet_without_matches_starts_the_paragraph_at_a_word_boundary():
    long_text = "word " * 100
    snippet = make_snippet(long_text, ())
    assert snippet.text.startswith("word word")
    assert snippet.text.endswith("word …")
    assert snippet.highlights == ()


def test_sloppy_phrase_follows_every_chain_not_only_the_first():
    text = "alpha beta beta x gamma"
    assert find_spans(text, phrase("alpha beta gamma", slop=1)) == (Span(0, len(text)),)
    assert find_spans(text, phrase("alpha beta gamma", slop=0)) == ()


def test_one_highlighter_for_many_texts_matches_each_text_alone():
    from newsearch.highlight import Highlighter
    from newsearch.query import parse

    texts = [TEXT, TEXT[:60], "  Israel, Israel.  ", "Nothing here.", TEXT * 3]
    for query in ["Israel", "Israel OR Gaza", '"Rafah border"', "Isra* -Egypt", "exact:Gaza"]:
        highlighter = Highlighter(parse(query))
        for text in texts:
            alone = Highlighter(parse(query))(text)
            assert highlighter(text) == alone
            spans, snippet = alone
            assert spans == merge_spans(spans)  # sorted, not overlapping
            assert [snippet.text[s.start : s.end] for s in snippet.highlights] == [
                text[s.start : s.end] for s in spans
            ][: len(snippet.highlights)]
    # A short paragraph is its own snippet, spans unchanged.
    spans, snippet = Highlighter(parse("Israel"))(TEXT[:60])
    assert snippet.text == TEXT[:60] and snippet.highlights == spans == (Span(28, 34),)


def test_a_word_that_folds_to_nothing_takes_no_position():
    # "ʼs" (a modifier-letter apostrophe) is a word that folds to nothing: the index
    # gives it no position, so "Rafah border" is a phrase here.
    text = "Rafah ʼs border"
    assert find_spans(text, parse('"Rafah border"')) == (Span(0, 15),)
    assert find_spans(text, parse("Rafah border")) == (Span(0, 5), Span(9, 15))
