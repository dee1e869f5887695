"""Every engine answers every query the same way: hits, highlights, snippets, date order
and paging, on the test archive, on real Reuters articles, and against an oracle for
sloppy phrases ("in order, at most N other positions between neighbours")."""

from __future__ import annotations

import io
import json
import os
import random
import re
import sys
from datetime import datetime
from pathlib import Path

import pytest

from newsearch import Article, Index, analysis

from .conftest import ENGINES, write_archive

ROOT = Path(__file__).resolve().parents[1]
REUTERS = Path(os.environ.get("NEWSEARCH_REUTERS") or ROOT.parent / "shared/corpora/reuters21578")

pytestmark = pytest.mark.skipif(len(ENGINES) < 2, reason="only one engine is installed")

# Clear cases for relevance: the expected best paragraph must come first on every engine.
RANKING = [
    Article(
        "Bridge works",
        (
            "The harbour bridge reopened and the harbour bridge toll was scrapped.",
            "The harbour bridge reopened after the long repairs were finished.",
            "Ferry crews said the ferry and the ferry terminal stayed busy.",
            "Ferry crews said the old terminal stayed busy all through spring.",
            "A glacier walk and an avalanche drill drew visitors to the valley.",
            "A glacier walk drew visitors to the valley on a quiet day.",
        ),
        id="ranking",
        date=datetime(2024, 4, 2, 7, 0),
        source="Local Post",
        tags=("transport",),
    ),
    Article("Undated harbour note", ("The harbour is busy today.",), id="undated"),
    # "alpha beta beta x gamma": the chain alpha-beta(2nd)-gamma fits slop 1.
    Article("Chains", ("alpha beta beta x gamma", "beta alpha gamma"), id="chains"),
]
TOP_HITS = {
    '"harbour bridge"': ("ranking", 2),
    "ferry": ("ranking", 4),
    "glacier OR avalanche": ("ranking", 6),
}

QUERIES = [
    # words, folding, stemming
    "Rafah",
    "Egypt",
    "negotiation",
    "NETANYAHU",
    "Netanyahu’s",
    "talks",
    "28,000",
    # fuzzy words
    "Rafa~1",
    "negotiaton~2",
    "talk~1 -Qatar",
    # phrases
    '"Rafah border crossing"',
    "“Rafah border crossing”",
    '"border crossing"',
    '"ceasefire talks"',
    "empty-handed",
    "Israel-Gaza",
    '"harbour bridge"',
    # slop: exact phrases with offsets, and (beyond 64 spacings) checked candidates
    '"Rafah crossing"~3',
    '"Rafah crossing"~1',
    '"Qatar talks"~5',
    '"Hamas Israel"~10',
    '"the of"~2',
    '"alpha beta gamma"~1',
    '"alpha gamma"~1',
    '"Blinken Netanyahu Hamas"~40',
    '"the Rafah"~200',
    '"harbour bridge toll"~70',
    # boolean
    "Hamas AND Egypt",
    "Hamas OR Qatar",
    "Hamas NOT Israel",
    "Hamas -Israel",
    "-Israel",
    "NOT Gaza",
    "(Qatar OR Doha) AND talks",
    "Doha OR Hamas Egypt",
    "Rafah -(Israel OR Egypt)",
    'Hamas -"ceasefire talks"',
    'Israel -"Rafah crossing"~3',
    # prefixes
    "netan*",
    "negotiat*",
    "talk*",
    "ceasef* OR hostag*",
    "Israel-Ga*",
    # fields
    "title:Blinken",
    'title:"empty-handed"',
    'source:"Gulf Times"',
    "author:Smith",
    "section:business",
    "tag:oil",
    'tag:"middle east"',
    'tag:"east diplomacy"',
    'tag:"east diplomacy"~99',
    'tag:"east diplomacy"~100',
    "role:caption",
    "role:standfirst",
    "language:en",
    'source:"Gulf Times" Rafah',
    "title:(Oil OR Qatar) talks",
    "text:Rafah",
    "title:negotiat*",
    # dates
    "date:2024-02-09",
    "date:2024-02",
    "date:2024",
    "date:[2024-02-01 TO 2024-02-09]",
    "date:[2024-02-06 TO *]",
    "date:[* TO 2024-02-05]",
    "date:>=2024-02-06",
    "date:>2024-02-09",
    "date:<2024-03-01",
    "date:<=2023-11",
    "talks date:2024-02",
    "harbour -date:2024",
]


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    """The test archive plus RANKING, indexed by every engine."""
    base = tmp_path_factory.mktemp("parity")
    files = write_archive(base / "files")
    opened = {}
    for engine in ENGINES:
        index = Index.open(base / engine, create=True, engine=engine)
        index.add_paths([files])
        index.add_articles(RANKING)
        opened[engine] = index
    yield opened
    for index in opened.values():
        index.close()


def answer(index: Index, query: str, **kwargs) -> tuple[int, dict]:
    """The total, and each hit's highlights and snippet, keyed by (article, paragraph)."""
    results = index.search(query, limit=1000, **kwargs)
    hits = {
        (h.article_id, h.paragraph): (h.to_dict()["highlights"], h.to_dict()["snippet"])
        for h in results
    }
    return results.total, hits


def test_the_query_list_covers_enough():
    assert len(QUERIES) >= 40


@pytest.mark.parametrize("query", QUERIES)
def test_same_hits_highlights_and_snippets(indexes, query):
    answers = {engine: answer(index, query) for engine, index in indexes.items()}
    reference = answers["whoosh"]
    assert reference[0] == len(reference[1])
    for engine, found in answers.items():
        assert found == reference, engine


@pytest.mark.parametrize(
    "options",
    [
        {"since": "2024-02-06"},
        {"until": "2024-02-05"},
        {"since": "2024-02", "until": "2024-02"},
        {"since": "2023", "until": "2024-02-09"},
    ],
)
@pytest.mark.parametrize("query", ["talks", "Rafah OR oil", ""])
def test_since_and_until_agree(indexes, query, options):
    answers = [answer(index, query, **options) for index in indexes.values()]
    assert all(a == answers[0] for a in answers)


@pytest.mark.parametrize("sort", ["newest", "oldest"])
@pytest.mark.parametrize("query", ["talks OR crossing OR oil", "harbour OR Rafah", "-Israel"])
def test_date_order_and_pages_agree(indexes, query, sort):
    orders = []
    for index in indexes.values():
        everything = [
            (h.article_id, h.paragraph) for h in index.search(query, sort=sort, limit=500)
        ]
        paged = [
            (h.article_id, h.paragraph)
            for offset in range(0, len(everything), 7)
            for h in index.search(query, sort=sort, limit=7, offset=offset)
        ]
        assert paged == everything
        orders.append(everything)
    assert all(order == orders[0] for order in orders)


@pytest.mark.parametrize("query", ["Rafah", "talks OR Egypt", "-Israel"])
def test_relevance_pages_are_consistent(indexes, query):
    for index in indexes.values():
        everything = index.search(query, limit=500)
        paged = [
            h
            for offset in range(0, everything.total, 4)
            for h in index.search(query, limit=4, offset=offset)
        ]
        assert [(h.article_id, h.paragraph) for h in paged] == [
            (h.article_id, h.paragraph) for h in everything
        ]


@pytest.mark.parametrize(("query", "best"), TOP_HITS.items())
def test_clearly_better_paragraph_ranks_first(indexes, query, best):
    for engine, index in indexes.items():
        top = index.search(query, limit=1).hits[0]
        assert (top.article_id, top.paragraph) == best, engine


def test_a_chain_that_is_not_the_first_one_still_matches(indexes):
    # beta(1) is too far from gamma(4); beta(2) is not: the phrase is there.
    for index in indexes.values():
        assert {(h.article_id, h.paragraph) for h in index.search('"alpha beta gamma"~1')} == {
            ("chains", 2)
        }


# -- an oracle for sloppy phrases ------------------------------------------------------

VOCABULARY = ["alpha", "beta", "gamma", "delta", "x", "y"]


def oracle(text: str, terms: tuple[str, ...], slop: int) -> bool:
    """Brute force: some chain of positions, in order, each gap at most ``slop``."""
    tokens = list(analysis.tokenize(text))
    chains = {t.position for t in tokens if t.term == terms[0]}
    for term in terms[1:]:
        chains = {
            t.position
            for t in tokens
            if t.term == term and any(0 < t.position - p <= slop + 1 for p in chains)
        }
    return bool(chains)


@pytest.fixture(scope="module")
def random_texts(tmp_path_factory):
    rng = random.Random(17)
    texts = [" ".join(rng.choices(VOCABULARY, k=rng.randint(2, 14))) for _ in range(300)]
    base = tmp_path_factory.mktemp("slop")
    opened = {}
    for engine in ENGINES:
        index = Index.open(base / engine, create=True, engine=engine)
        index.add_articles(Article("t", (text,), id=f"r{n}") for n, text in enumerate(texts))
        opened[engine] = index
    yield texts, opened
    for index in opened.values():
        index.close()


def test_sloppy_phrases_match_the_oracle(random_texts):
    texts, opened = random_texts
    rng = random.Random(5)
    cases = [
        (tuple(rng.choices(VOCABULARY[:4], k=rng.randint(2, 4))), rng.choice([0, 1, 2, 3, 70]))
        for _ in range(120)
    ]
    wrong = []
    for terms, slop in cases:
        query = f'"{" ".join(terms)}"~{slop}'
        expected = {(f"r{n}", 2) for n, text in enumerate(texts) if oracle(text, terms, slop)}
        for engine, index in opened.items():
            found = {(h.article_id, h.paragraph) for h in index.search(query, limit=1000)}
            if found != expected:
                wrong.append((engine, query, sorted(found ^ expected)[:3]))
    assert wrong == []


# -- real text: a few hundred Reuters articles ------------------------------------------


@pytest.fixture(scope="module")
def reuters(tmp_path_factory):
    if not (REUTERS / "reut2-000.sgm.gz").exists():
        pytest.skip(f"Reuters-21578 not found at {REUTERS} (set NEWSEARCH_REUTERS to its folder)")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.reuters import iter_articles

    articles = list(iter_articles(REUTERS, limit=400))
    lines = "".join(json.dumps(a) + "\n" for a in articles)
    base = tmp_path_factory.mktemp("reuters")
    opened = {}
    for engine in ENGINES:
        index = Index.open(base / engine, create=True, engine=engine)
        index.add_stream(io.StringIO(lines))
        opened[engine] = index
    yield articles, opened
    for index in opened.values():
        index.close()


def generated_queries(articles: list[dict], count: int, seed: int = 3) -> list[str]:
    """Queries of every kind, built from the articles' own words, tags and dates."""
    rng = random.Random(seed)
    paragraphs = [re.findall(r"[A-Za-z][A-Za-z']+", p) for a in articles for p in a["paragraphs"]]
    paragraphs = [words for words in paragraphs if len(words) >= 6]
    tags = sorted({t for a in articles for t in a["tags"]})
    days = sorted({a["date"][:10] for a in articles if a["date"]})

    def word() -> str:
        return rng.choice(rng.choice(paragraphs))

    def run(n: int) -> list[str]:
        words = rng.choice(paragraphs)
        start = rng.randrange(len(words) - n + 1)
        return words[start : start + n]

    def sloppy_pair() -> str:
        words = run(rng.randint(3, 5))  # the ends are len - 2 words apart
        return f'"{words[0]} {words[-1]}"~{rng.randint(len(words) - 3, len(words))}'

    def sloppy_triple() -> str:
        words = run(5)
        return f'"{words[0]} {words[2]} {words[4]}"~{rng.randint(0, 3)}'

    def date_range() -> str:
        start, end = sorted(rng.sample(days, 2))
        return f"{word()} date:[{start} TO {end}]"

    kinds = [
        word,
        lambda: f"{word()} {word()}",
        lambda: f"{word()} OR {word()}",
        lambda: f"{word()} -{word()}",
        lambda: f"-{word()}",
        lambda: '"' + " ".join(run(rng.randint(2, 4))) + '"',
        sloppy_pair,
        sloppy_triple,
        lambda: f'"{" ".join(run(2))}"~{rng.choice([80, 300])}',  # checked candidates
        lambda: word()[: rng.randint(3, 6)] + "*",
        date_range,
        lambda: f"{word()} date:>={rng.choice(days)}",
        lambda: f"title:{word()} {word()}",
        lambda: f"tag:{rng.choice(tags)} {word()}",
        lambda: f'({word()} OR "{" ".join(run(2))}") -{word()[:4]}*',
    ]
    return [rng.choice(kinds)() for _ in range(count)]


def test_reuters_hit_sets_agree(reuters):
    articles, opened = reuters
    differences = []
    for query in generated_queries(articles, 400):
        found = {}
        for engine, index in opened.items():
            results = index.search(query, limit=10**5, highlight=False)
            found[engine] = (results.total, {(h.article_id, h.paragraph) for h in results})
        reference = found["whoosh"]
        for engine, (total, hits) in found.items():
            if (total, hits) != reference:
                only = sorted(hits ^ reference[1])[:5]
                differences.append(f"{engine}: {query!r}: {total} vs {reference[0]} {only}")
    print("\n".join(differences))
    assert differences == []


def test_reuters_date_order_agrees(reuters):
    articles, opened = reuters
    for query in generated_queries(articles, 40, seed=9):
        orders = [
            [(h.article_id, h.paragraph) for h in index.search(query, sort="newest", limit=50)]
            for index in opened.values()
        ]
        assert all(order == orders[0] for order in orders), query
