"""Boolean queries match exactly the paragraphs that a brute-force reading of the AST
finds, on every engine, and ``total`` counts exactly the hits.

Found two bugs in whoosh's ``AndNotMatcher``: ``Rafah -Israel`` returned a paragraph naming
Israel whenever Israel also occurred in an earlier paragraph, and ``-(date:2024 NOT Rafah)``
raised IndexError.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from newsearch import Index, analysis
from newsearch.model import Paragraph
from newsearch.query import ast, parse

WORDS = ["Rafah", "Egypt", "Israel", "Gaza", "Hamas", "talks", "Qatar", "border", "crossing"]
WORDS += ["the", "of", "aid", "oil", "said", "and", "Palestinians", "war", "zzabsent"]
OTHER_LEAVES = [
    "negotiat*",
    "Rafa~1",
    "Egipt~2",
    "crosing~1",
    "Isr*",
    "Pal*",
    "bor*",
    '"border crossing"',
    '"Gaza war"',
    '"of the"',
    "“the Rafah”",
    "title:talks",
    "title:Rafah",
    "role:body",
    "role:title",
    "date:2024",
    "date:2024-02",
    "date:<2024",
    "date:[2024-02-01 TO 2024-02-09]",
]
leaves = st.sampled_from(WORDS + OTHER_LEAVES)
queries = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" ", " AND ", " OR ", " NOT ", " -"]), inner).map(
            "".join
        ),
        inner.map(lambda q: f"({q})"),
        inner.map(lambda q: f"-({q})"),
    ),
    max_leaves=6,
)


def _terms(text: str) -> list[str]:
    return analysis.terms(text)


def matches(node: ast.Node, p: Paragraph) -> bool:
    """Whether ``node`` matches paragraph ``p``, by reading the AST (slop 0 phrases)."""
    if isinstance(node, ast.And):
        return all(
            not matches(c.child, p) if isinstance(c, ast.Not) else matches(c, p)
            for c in node.children
        )
    if isinstance(node, ast.Or):
        return any(matches(c, p) for c in node.children)
    if isinstance(node, ast.MatchAll):
        return True
    if isinstance(node, ast.MatchNone):
        return False
    if isinstance(node, ast.Keyword):
        return node.field == "role" and p.role == node.value
    if isinstance(node, ast.DateRange):
        return (
            p.date is not None
            and (node.start is None or node.start <= p.date)
            and (node.end is None or p.date < node.end)
        )
    assert isinstance(node, (ast.Term, ast.Phrase, ast.Prefix, ast.Fuzzy)), node
    terms = _terms(p.text if node.field == "text" else p.title)
    if isinstance(node, ast.Fuzzy):
        return any(OSA.distance(t, node.term) <= node.distance for t in terms)
    if isinstance(node, ast.Term):
        return node.term in terms
    if isinstance(node, ast.Prefix):
        return any(analysis.term_matches_prefix(t, node.prefix) for t in terms)
    assert node.slop == 0
    width = len(node.terms)
    return any(tuple(terms[i : i + width]) == node.terms for i in range(len(terms)))


def all_paragraphs(index: Index) -> list[Paragraph]:
    titles = index.search("role:title", limit=1000)
    found = [p for hit in titles for p in index.article(hit.article_id)]
    assert len(found) == 34 + 5 + 3 + 3
    return found


@settings(max_examples=250, deadline=None)
@given(queries)
def test_hits_are_exactly_the_paragraphs_the_query_describes(archive_index, query):
    node = parse(query)
    expected = {(p.article_id, p.number) for p in all_paragraphs(archive_index) if matches(node, p)}
    results = archive_index.search(query, limit=1000)
    assert {(h.article_id, h.paragraph) for h in results} == expected
    assert results.total == len(expected)


def test_a_word_in_an_earlier_paragraph_still_excludes(archive_index):
    found = archive_index.search("Rafah -Israel", limit=100)
    assert found.total == len(found.hits) > 0
    assert all("israel" not in _terms(hit.text) for hit in found)
    assert {(h.article_id, h.paragraph) for h in found} == {
        (p.article_id, p.number)
        for p in all_paragraphs(archive_index)
        if "rafah" in _terms(p.text) and "israel" not in _terms(p.text)
    }


def test_an_exclusion_inside_an_exclusion_is_answered(archive_index):
    for query in ["-(date:2024 NOT Rafah)", "Gaza -(Rafah -Egypt)", "-(-(Rafah -Egypt) Gaza)"]:
        node = parse(query)
        found = archive_index.search(query, limit=1000)
        assert {(h.article_id, h.paragraph) for h in found} == {
            (p.article_id, p.number) for p in all_paragraphs(archive_index) if matches(node, p)
        }
