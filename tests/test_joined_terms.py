"""Indexing through joined terms matches exactly what ``analysis.tokenize`` indexes.

The engines index the analyzer's terms joined by spaces (``analysis.joined_terms``) and
fall back to ``tokenize`` only where spaces cannot carry them. These tests build each
index twice, once that way and once with the fallback everywhere (the reference path),
and compare the term dictionaries with their document frequencies and the hits and
scores of generated queries.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsearch import Index, analysis
from newsearch.engines import engine_class

from .conftest import ENGINES
from .test_engine_parity import REUTERS, ROOT, generated_queries

# Text the fast path must get right: folding, apostrophes, numbers, ligatures (U+FDFA
# spells out as four words with spaces between them), marks, digits of other scripts.
TRICKY = [
    "Netanyahu’s café, 28,000 people; 2.3 million; U.S.-led talks",
    "ﬁnance ÉTUDE e\u0301tude naïve coöperate Straße ǅemal",
    "Prayer \ufdfa mark and a word after it",
    "rock 'n' roll, o'clock, `quoted` and ‘single’ quotes, Hamas's",
    "٣٤ Arabic digits, १२३ Devanagari, and ² superscripts ¼",
    "  leading and trailing spaces, tabs\tand\nnewlines  ",
    "",
    "!!! ... ---",
]


def test_joined_terms_split_into_the_analyzer_terms() -> None:
    for text in TRICKY:
        joined = analysis.joined_terms(text)
        if "\ufdfa" in text:
            assert joined is None  # a term with spaces: the engines use tokenize
        else:
            assert joined is not None and joined.split() == analysis.terms(text), text


def test_several_values_are_left_to_tokenize_for_their_position_gap() -> None:
    assert analysis.joined_terms(f"Middle East{analysis.VALUE_SEPARATOR}Gaza") is None


@pytest.fixture(scope="module")
def reuters_articles() -> list[dict]:
    if not (REUTERS / "reut2-000.sgm.gz").exists():
        pytest.skip(f"Reuters-21578 not found at {REUTERS}")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.reuters import iter_articles

    return list(iter_articles(REUTERS, limit=1000))


def test_reuters_text_joins_to_the_same_terms(reuters_articles: list[dict]) -> None:
    texts = [t for a in reuters_articles for t in (a["title"], *a["paragraphs"])]
    differ = [t for t in texts if (analysis.joined_terms(t) or "").split() != analysis.terms(t)]
    assert len(texts) > 4000
    assert differ == []


def _articles(reuters: list[dict]) -> list[dict]:
    extra = [
        {
            "id": f"tricky-{n}",
            "title": text or "untitled",
            "paragraphs": [text or "empty", "A second paragraph about finance."],
            "tags": ["Middle East", "finance", "Gaza Strip"],
            "source": "Prayer \ufdfa desk",
        }
        for n, text in enumerate(TRICKY)
    ]
    return reuters[:300] + extra


@pytest.fixture
def reference_analysis(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every value goes through ``tokenize``: the engines' fallback everywhere."""
    _clear_engine_caches()
    monkeypatch.setattr(analysis, "joined_terms", lambda text: None)
    yield
    _clear_engine_caches()


def _clear_engine_caches() -> None:
    # The engines cache the indexed form of repeated metadata (titles, tags).
    for name in ENGINES:
        module = sys.modules[engine_class(name).__module__]
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def _build(path: Path, engine: str, articles: list[dict]) -> Index:
    index = Index.open(path, create=True, engine=engine)
    index.add_stream(io.StringIO("".join(json.dumps(a) + "\n" for a in articles)))
    return index


def _vocabulary(index: Index) -> dict[tuple[str, str], int]:
    """Every (field, term) of the text fields with its document frequency."""
    fields = ("text", "title", "source", "author", "section", "tags")
    return {
        (field, term): freq
        for field in fields
        for term, freq in index.engine.vocabulary(field).items()
    }


def _answers(index: Index, queries: list[str]) -> list[list[tuple[str, int, float]]]:
    return [
        [
            (h.article_id, h.paragraph, round(h.score, 5))
            for h in index.search(q, limit=20, highlight=False).hits
        ]
        for q in queries
    ]


@pytest.fixture(scope="module")
def joined_indexes(
    tmp_path_factory: pytest.TempPathFactory, reuters_articles: list[dict]
) -> Iterator[dict[str, Index]]:
    base = tmp_path_factory.mktemp("joined")
    built = {e: _build(base / e, e, _articles(reuters_articles)) for e in ENGINES}
    yield built
    for index in built.values():
        index.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_index_holds_the_reference_terms_and_answers_alike(
    engine: str,
    tmp_path: Path,
    reuters_articles: list[dict],
    joined_indexes: dict[str, Index],
    reference_analysis: None,
) -> None:
    fast = joined_indexes[engine]
    with _build(tmp_path / "reference", engine, _articles(reuters_articles)) as reference:
        vocabulary = _vocabulary(reference)
        assert len(vocabulary) > 5000
        ligature = analysis.terms("\ufdfa")[0]
        assert " " in ligature and ("text", ligature) in vocabulary
        assert _vocabulary(fast) == vocabulary
        queries = [
            *generated_queries(reuters_articles[:300], 150),
            '"prayer \ufdfa desk"',
            'source:"\ufdfa desk"',
            'tags:"east finance"',
            'tags:"middle east"',
        ]
        answers = _answers(reference, queries)
        assert sum(1 for hits in answers if hits) > 100
        assert _answers(fast, queries) == answers
