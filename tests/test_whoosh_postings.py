"""The whoosh engine's postings prepared by the analysis worker (engines.whoosh_postings):
the index is the one the engine writes on its own, byte for byte."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest

from newsearch import Article, Index

from .copies_helpers import ARAB_COPY, GULF_COPY, OTHER_STORY, WIRE_ARTICLE
from .synthetic import synthetic_articles
from .test_engines import _index_files, _whoosh_postings


def _articles() -> list[Article]:
    """Synthetic articles with every analysed field (tags with several values, a
    standfirst, a term that holds a space), and copies of one story in later batches."""
    found = [
        Article(
            title=record["title"],
            body=tuple(record["paragraphs"]),
            id=record["id"],
            date=datetime.fromisoformat(record["date"]) + timedelta(hours=n % 24),
            source=record["source"],
            author="Dana Reyes" if n % 3 else None,
            section="World" if n % 4 else None,
            tags=("oil", "Middle East") if n % 5 else (),
            standfirst="The cease-fire talks resumed in Doha." if n % 7 == 0 else None,
        )
        for n, record in enumerate(synthetic_articles(90))
    ]
    found.insert(3, WIRE_ARTICLE)
    found.insert(40, GULF_COPY)  # joins the wire's story: articles of earlier commits rewritten
    found.insert(70, ARAB_COPY)
    found.append(OTHER_STORY)
    found.append(Article(title="Ligature", body=("The \ufb01nal of\u00a0the cup.",), id="lig"))
    return found


def _build(where, articles: list[Article], monkeypatch, *, worker: bool) -> dict[str, bytes]:
    from whoosh.codec import base

    ids = itertools.count()
    monkeypatch.setattr(base.Segment, "_random_id", classmethod(lambda cls: f"s{next(ids)}"))
    with Index.open(where, create=True, engine="whoosh") as index:
        index.analysis_process = worker
        index.batch_paragraphs = 60  # many commits: whoosh merges the small segments
        index.add_articles(articles)
        index.add_articles(articles[10:30])  # replaced
    return _index_files(where)


@pytest.mark.slow
def test_whoosh_index_from_prepared_postings_is_byte_for_byte_the_same(tmp_path, monkeypatch):
    """Postings prepared in this process or by the worker make every file of the index the
    one whoosh's own writer makes from the documents, over several commits, merged
    segments, articles rewritten for their copies and replaced articles."""
    from newsearch.engines import whoosh_postings, whoosh_writing
    from newsearch.engines.whoosh import WhooshEngine

    prepared, decoded = [], []
    add = whoosh_postings.Prepared.add
    monkeypatch.setattr(
        whoosh_postings.Prepared,
        "add",
        lambda self, writer, number, fields: (
            prepared.append(number) or add(self, writer, number, fields)
        ),
    )
    decode = whoosh_writing.decode_term
    monkeypatch.setattr(
        whoosh_writing,
        "decode_term",
        lambda postings, size: decoded.append(1) or decode(postings, size),
    )
    lent = []
    lend = WhooshEngine.prepared
    monkeypatch.setattr(
        WhooshEngine, "prepared", lambda self, answer: lent.append(1) or lend(self, answer)
    )
    articles = _articles()
    built = {}
    for name, worker in (("here", False), ("worker", True)):
        built[name] = _build(tmp_path / name, articles, monkeypatch, worker=worker)
        assert len(prepared) > 500 and decoded
        # terms with pooled postings too: rewritten articles, merged segments
        prepared.clear(), decoded.clear()
    assert len(lent) > 5  # batches the worker prepared
    with monkeypatch.context() as patched:
        patched.setattr(WhooshEngine, "_prepared_for", lambda self, writer, batch: None)
        built["whoosh"] = _build(tmp_path / "whoosh", articles, monkeypatch, worker=False)
    assert not prepared
    assert built["here"] == built["worker"] == built["whoosh"]
    terms = _whoosh_postings(tmp_path / "worker" / "data")
    fields = {fieldname for fieldname, *_ in terms}
    assert {"text", "exact", "joined", "title", "tags", "author", "section"} <= fields


def test_whoosh_prepared_postings_of_another_batch_are_not_used(tmp_path):
    from newsearch.engines import whoosh_postings
    from newsearch.paragraphs import split_article

    batch = [(a.id, split_article(a, a.id)) for a in _articles()[:6]]
    other = whoosh_postings.prepare(whoosh_postings.job(batch[1:]))
    assert not other.fits(batch) and other.fits(batch[1:])
    found = []
    for name, lent in (("lent", other), ("none", None)):
        with Index.open(tmp_path / name, create=True, engine="whoosh") as index:
            with index.engine.prepared(lent):
                index.engine.replace_articles(batch, lock_timeout=0)
            found.append(len(index.search("title:story", limit=50)))
        found.append(_whoosh_postings(tmp_path / name / "data"))
    assert found[0] == found[2] == 29  # every paragraph of the 5 synthetic articles
    assert found[1] == found[3]
