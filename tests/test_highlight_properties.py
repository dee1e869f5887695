"""Highlights and snippets are sound for any paragraph and any query: spans lie inside
the text, in order, without overlap, each on a word the query asks for; snippet spans
mark the same words in the snippet; snippets stay near ``SNIPPET_CHARS`` characters."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, reject, settings
from hypothesis import strategies as st

from newsearch import QuerySyntaxError, analysis
from newsearch.highlight import ELLIPSIS, SNIPPET_CHARS, find_spans, make_snippet
from newsearch.model import Snippet, Span
from newsearch.query import ast, parse

# Words that fold, stem, split or change length under the analyzer, so that queries made
# of the same words really match: apostrophes, dashes, accents, combining marks, ligatures.
VOCABULARY = [
    "Netanyahu",
    "Netanyahu’s",
    "NETANYAHU'S",
    "negotiation",
    "negotiations",
    "negotiate",
    "empty-handed",
    "empty–handed",
    "Israel-Gaza",
    "U.S.",
    "us",
    "9:30",
    "28,000",
    "28000",
    "2.3",
    "café",
    "cafe\u0301",
    "CAFE",
    "naïve",
    "Rafah",
    "border",
    "crossing",
    "the",
    "don't",
    "d’Alembert",
    "İstanbul",
    "straße",
    "ﬁnance",
    "x²",
    "١٢٣",
    "שלום",
    "😀",
    "e\u0301\u0301",
    "ʼs",  # folds to nothing: no position of its own
]
GLUE = [" ", " ", " ", "", "  ", "\n", ". ", ", ", "-", "’", "\u0301", "—", "…", "“", "» ", "/"]

vocabulary_text = st.lists(
    st.tuples(st.sampled_from(VOCABULARY), st.sampled_from(GLUE)), max_size=60
).map(lambda parts: "".join(word + glue for word, glue in parts))
paragraphs = st.one_of(vocabulary_text, st.text(max_size=300))

words = st.sampled_from(VOCABULARY)
prefixes = words.flatmap(lambda w: st.integers(1, len(w)).map(lambda k: w[:k] + "*"))
phrases = st.tuples(st.lists(words, min_size=1, max_size=3), st.sampled_from(["", "~1", "~3"]))
leaves = st.one_of(
    words,
    prefixes,
    phrases.map(lambda p: '"' + " ".join(p[0]) + '"' + p[1]),
    phrases.map(lambda p: "“" + " ".join(p[0]) + "”" + p[1]),
    words.map(lambda w: f"title:{w}"),
)
queries = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" ", " AND ", " OR "]), inner).map("".join),
        inner.map(lambda q: f"({q})"),
        inner.map(lambda q: f"NOT ({q})"),
        st.tuples(inner, inner).map(lambda pair: f"{pair[0]} -({pair[1]})"),
    ),
    max_leaves=8,
)


def parsed(query: str) -> ast.Node:
    try:
        return parse(query)
    except QuerySyntaxError:
        reject()
        raise


def matches_query(term: str, leaves: list[ast.Term | ast.Phrase | ast.Prefix]) -> bool:
    """True when ``term`` is a word, a phrase word or matches a prefix of the query."""
    for leaf in leaves:
        if isinstance(leaf, ast.Term) and leaf.term == term:
            return True
        if isinstance(leaf, ast.Phrase) and term in leaf.terms:
            return True
        if isinstance(leaf, ast.Prefix) and analysis.term_matches_prefix(term, leaf.prefix):
            return True
    return False


def assert_in_order(spans: tuple[Span, ...], length: int) -> None:
    """Inside ``[0, length]``, non-empty, sorted and not overlapping."""
    for span in spans:
        assert 0 <= span.start < span.end <= length, (span, length)
    for before, after in pairwise(spans):
        assert before.end <= after.start, (before, after)


def assert_sound_highlights(text: str, spans: tuple[Span, ...], node: ast.Node) -> None:
    """Spans in order, each on a word the query mentions outside a ``NOT`` and a field."""
    assert_in_order(spans, len(text))
    positive = [leaf for leaf in ast.positive_leaves(node) if leaf.field == "text"]
    for span in spans:
        found = analysis.terms(text[span.start : span.end])
        assert any(matches_query(term, positive) for term in found), (text, span, found)


def assert_sound_snippet(text: str, spans: tuple[Span, ...], snippet: Snippet) -> None:
    """Snippet spans are a run of the paragraph's spans moved by one offset, on the same
    characters; the snippet is about ``SNIPPET_CHARS`` long and shows a match if any."""
    marks = snippet.highlights
    assert_in_order(marks, len(snippet.text))
    assert bool(marks) == bool(spans), "the snippet shows none of the matches"
    runs = (
        [
            spans[k : k + len(marks)]
            for k in range(len(spans))
            if [
                Span(
                    s.start - spans[k].start + marks[0].start,
                    s.end - spans[k].start + marks[0].start,
                )
                for s in spans[k : k + len(marks)]
            ]
            == list(marks)
        ]
        if marks
        else [()]
    )
    assert runs, (spans, marks)
    for span, mark in zip(runs[0], marks, strict=True):
        assert snippet.text[mark.start : mark.end] == text[span.start : span.end]
    body = snippet.text.removeprefix(ELLIPSIS + " ").removesuffix(" " + ELLIPSIS)
    assert body in text, (snippet.text, text)
    longest = max((s.end - s.start for s in spans), default=0)
    assert len(body) <= SNIPPET_CHARS + longest, (len(body), longest)


@settings(max_examples=300, deadline=None)
@given(paragraphs, queries)
def test_highlights_are_in_order_and_on_query_words(text, query):
    node = parsed(query)
    assert_sound_highlights(text, find_spans(text, node), node)


@settings(max_examples=300, deadline=None)
@given(paragraphs, queries)
def test_snippet_marks_the_same_words_as_the_paragraph(text, query):
    spans = find_spans(text, parsed(query))
    assert_sound_snippet(text, spans, make_snippet(text, spans))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=400).map(" ".join))
def test_every_word_of_a_paragraph_is_highlighted_when_asked_for(text):
    query = parse(" OR ".join(f'"{w}"' for w in set(text.split())))
    spans = find_spans(text, query)
    assert_sound_highlights(text, spans, query)
    for token in analysis.tokenize(text):
        assert any(s.start <= token.start and token.end <= s.end for s in spans), token
    assert_sound_snippet(text, spans, make_snippet(text, spans))


@settings(max_examples=100, deadline=None)
@given(
    vocabulary_text,
    st.sampled_from(["-x", "/", "—", ".", "_", "|"]),
    st.integers(100, 300),
    vocabulary_text,
)
def test_snippet_shows_a_match_followed_by_a_long_run_without_spaces(before, run, n, after):
    text = f"{before} Rafah{run * n} {after}"
    spans = find_spans(text, parse("Rafah"))
    snippet = make_snippet(text, spans)
    assert snippet.highlights, snippet.text
    assert_sound_snippet(text, spans, snippet)


ARCHIVE_WORDS = ["Rafah", "Egypt", "talks", "Israel", "border", "crossing", "Gaza", "oil"]
archive_leaves = st.one_of(
    st.sampled_from(ARCHIVE_WORDS),
    st.sampled_from(["negotiat*", "Isr*", "ceasefire", "Hamas", "title:talks", "role:body"]),
    st.sampled_from(['"Rafah border crossing"', '"Gaza side"~2', "“border crossing”"]),
)
archive_queries = st.recursive(
    archive_leaves,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" ", " AND ", " OR ", " -"]), inner).map("".join),
        inner.map(lambda q: f"({q})"),
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(archive_queries)
def test_every_hit_on_the_archive_has_sound_highlights(archive_index, query):
    node = parsed(query)
    results = archive_index.search(query, limit=50)
    for hit in results:
        assert_sound_highlights(hit.text, hit.highlights, node)
        assert_sound_snippet(hit.text, hit.highlights, hit.snippet)


@given(paragraphs, st.data())
def test_word_spans_find_what_the_tokens_say(text, data):
    # word_spans locates each word by searching on from the word before; tokens has
    # the regex's own offsets: they must agree on any text.
    found = analysis.tokens(text)
    wanted = data.draw(st.sets(st.sampled_from([t.term for t in found] or ["x"])))
    forms = data.draw(st.sets(st.sampled_from([analysis.solid(t.folded) for t in found] or ["x"])))
    expected = [
        (t.start, t.end) for t in found if t.term in wanted or analysis.solid(t.folded) in forms
    ]
    assert analysis.word_spans(text, wanted, forms) == expected
    assert analysis.word_spans(text, wanted, forms, analysis.Initials(wanted)) == expected
