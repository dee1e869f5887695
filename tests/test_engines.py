"""Engine choice and the tantivy adapter's own behaviour: registry, metadata, atomic
replace and delete, the write lock, stats, date sorting and regex-safe prefixes."""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import datetime

import pytest

from newsearch import Article, Index, IndexLockedError, NewsearchError, analysis
from newsearch.cli import EXIT_ERROR, EXIT_FOUND
from newsearch.engines import engine_class, engine_names
from newsearch.errors import EngineUnavailableError
from newsearch.query import parse

from .conftest import ENGINES, SEEDS, article, run_cli

needs_tantivy = pytest.mark.skipif("tantivy" not in ENGINES, reason="tantivy is not installed")


def test_tantivy_is_a_registered_engine():
    assert engine_names() == ["tantivy", "whoosh"]


def test_missing_tantivy_package_names_the_extra_to_install(monkeypatch, tmp_path, runner):
    # ``None`` in sys.modules makes ``import tantivy`` fail as if it were not installed.
    monkeypatch.setitem(sys.modules, "tantivy", None)
    monkeypatch.delitem(sys.modules, "newsearch.engines.tantivy", raising=False)
    message = "the tantivy engine is not installed: pip install 'newsearch[tantivy]'"
    with pytest.raises(EngineUnavailableError) as err:
        engine_class("tantivy")
    assert str(err.value) == message
    with pytest.raises(EngineUnavailableError):
        Index.open(tmp_path / "index", create=True, engine="tantivy")
    assert not (tmp_path / "index" / "newsearch.json").exists()
    result = run_cli(runner, "index", "--index", str(tmp_path / "i"), "--engine", "tantivy", "x")
    assert result.exit_code == EXIT_ERROR
    assert result.stderr == f"newsearch: error: {message}\n"


@needs_tantivy
def test_engine_is_recorded_and_used_on_open(tmp_path, runner):
    where = tmp_path / "index"
    result = run_cli(runner, "index", "--index", str(where), "--engine", "tantivy", str(SEEDS))
    assert result.exit_code == EXIT_FOUND, result.stderr
    meta = json.loads((where / "newsearch.json").read_text(encoding="utf-8"))
    assert meta["engine"] == "tantivy"
    with Index.open(where) as index:
        assert index.engine.name == "tantivy"
        assert index.search('"Rafah border crossing"').total == 1
    stats = json.loads(run_cli(runner, "stats", "--index", str(where), "--json").stdout)
    assert (stats["engine"], stats["articles"], stats["paragraphs"]) == ("tantivy", 1, 34)
    assert "engine:     tantivy" in run_cli(runner, "stats", "--index", str(where)).stdout


@needs_tantivy
def test_opening_with_another_engine_is_an_error(tmp_path):
    Index.open(tmp_path / "index", create=True, engine="tantivy").close()
    with pytest.raises(NewsearchError, match="uses the tantivy engine, not whoosh"):
        Index.open(tmp_path / "index", engine="whoosh")


@pytest.fixture
def tantivy_index(tmp_path):
    if "tantivy" not in ENGINES:
        pytest.skip("tantivy is not installed")
    index = Index.open(tmp_path / "index", create=True, engine="tantivy")
    yield index
    index.close()


def numbers(index: Index, aid: str) -> list[int]:
    return [p.number for p in index.article(aid)]


def test_replace_is_per_article_and_reports_what_was_there(tantivy_index):
    a = article("a", "Harbour one.", "Harbour two.", "Harbour three.")
    b = article("b", "Quay one.")
    assert tantivy_index.add_articles([a, b]).added == 2
    report = tantivy_index.add(article("a", "Pier only."))
    assert (report.added, report.replaced, report.paragraphs) == (0, 1, 2)
    assert numbers(tantivy_index, "a") == [1, 2]
    assert numbers(tantivy_index, "b") == [1, 2]
    assert tantivy_index.search("harbour").total == 0
    assert tantivy_index.search("pier").total == 1
    existing = tantivy_index.engine.replace_articles(
        [("a", tantivy_index.article("a")), ("c", [])], lock_timeout=1
    )
    assert existing == {"a"}


def test_a_failed_batch_changes_nothing(tantivy_index):
    tantivy_index.add(article("a", "Harbour one.", "Harbour two."))

    class Exploding(list):
        def __iter__(self):
            yield ("a", [])  # would delete every paragraph of "a"
            yield ("n", article_paragraphs("n", "New one."))
            raise RuntimeError("reader failed mid-batch")

    with pytest.raises(RuntimeError):
        tantivy_index.engine.replace_articles(Exploding(), lock_timeout=1)
    assert numbers(tantivy_index, "a") == [1, 2, 3]
    assert tantivy_index.article("n") == []
    # The lock was released: the next write goes through at once.
    assert tantivy_index.engine.delete_articles(["a"], lock_timeout=0) == {"a"}


def article_paragraphs(aid: str, *body: str):
    from newsearch.paragraphs import split_article

    return split_article(article(aid, *body), aid)


def test_delete_removes_every_paragraph_of_the_named_articles(tantivy_index):
    tantivy_index.add_articles([article("a", "Harbour one.", "Harbour two."), article("b", "x")])
    assert tantivy_index.delete("a", "ghost") == {"a"}
    assert tantivy_index.article("a") == []
    assert tantivy_index.search("harbour").total == 0
    assert numbers(tantivy_index, "b") == [1, 2]
    assert tantivy_index.stats().paragraphs == 2


def test_second_writer_waits_for_the_lock_then_fails(tantivy_index):
    import tantivy

    # tantivy's lock file is exclusive even within one process: a writer opened
    # directly on the data folder holds it like another process would.
    held = tantivy.Index.open(str(tantivy_index.path / "data")).writer(15_000_000, 1)
    try:
        tantivy_index.lock_timeout = 0.3
        started = time.monotonic()
        with pytest.raises(IndexLockedError, match="being written by another process"):
            tantivy_index.add(article("a", "Harbour."))
        assert time.monotonic() - started >= 0.3
        assert tantivy_index.search("harbour").total == 0  # readers are not blocked
    finally:
        held.wait_merging_threads()  # releases the lock
    tantivy_index.lock_timeout = 0
    assert tantivy_index.add(article("a", "Harbour.")).added == 1


def test_stats_count_articles_dates_and_sources(tantivy_index):
    assert tantivy_index.stats().articles == 0 and tantivy_index.stats().first_date is None
    tantivy_index.add_articles(
        [
            Article("One", ("x",), id="1", date=datetime(2024, 2, 9, 9, 30), source="Wire"),
            Article("Two", ("x", "y"), id="2", date=datetime(1999, 1, 1), source="Wire"),
            Article("Three", ("x",), id="3", source="Paper"),
            Article("Four", ("x",), id="4"),
        ]
    )
    stats = tantivy_index.stats()
    assert (stats.articles, stats.paragraphs) == (4, 9)
    assert (stats.first_date, stats.last_date) == (
        datetime(1999, 1, 1),
        datetime(2024, 2, 9, 9, 30),
    )
    assert stats.sources == {"Wire": 2, "Paper": 1}
    assert list(stats.sources) == ["Wire", "Paper"]


def test_date_sort_puts_undated_last_and_ties_in_indexing_order(tantivy_index):
    day = datetime(2024, 5, 1)
    # 28 paragraphs share one date, so pages of 5 end inside the tie.
    tied = [Article("Storm", ("storm",) * 6, id=f"s{n}", date=day) for n in range(4)]
    tantivy_index.add_articles(
        [
            Article("Storm", ("storm",), id="undated"),
            *tied,
            Article("Storm", ("storm",), id="early", date=datetime(1600, 1, 1)),
            Article("Storm", ("storm",), id="late", date=datetime(9000, 1, 1)),
        ]
    )

    def article_order(*ids: str) -> list[tuple[str, int]]:
        return [(aid, n) for aid in ids for n in range(1, len(tantivy_index.article(aid)) + 1)]

    tie = ("s0", "s1", "s2", "s3")
    expected = {
        "newest": article_order("late", *tie, "early", "undated"),
        "oldest": article_order("early", *tie, "late", "undated"),
    }
    for sort, order in expected.items():
        everything = tantivy_index.search("storm", sort=sort, limit=100)
        assert [(h.article_id, h.paragraph) for h in everything] == order
        assert {h.score for h in everything} == {0.0}
        paged = [
            (h.article_id, h.paragraph)
            for offset in range(0, everything.total, 5)
            for h in tantivy_index.search("storm", sort=sort, limit=5, offset=offset)
        ]
        assert paged == order


def test_dates_outside_tantivys_own_date_range_filter_and_sort(tantivy_index):
    tantivy_index.add_articles(
        [
            Article("Comet seen", ("x",), id="old", date=datetime(1066, 10, 14)),
            Article("Comet back", ("x",), id="new", date=datetime(2999, 12, 31, 23, 59)),
        ]
    )
    assert {h.article_id for h in tantivy_index.search("comet date:<1500")} == {"old"}
    assert {h.article_id for h in tantivy_index.search("comet", since="2999-12-31")} == {"new"}
    (hit,) = tantivy_index.search("comet", sort="oldest", limit=1).hits
    assert hit.date == datetime(1066, 10, 14)


def test_prefix_is_escaped_for_the_regex_engine(tantivy_index):
    tantivy_index.add_articles(
        [
            Article("Rates", ("Rates rose 1.55 points.",), id="dot"),
            Article("Codes", ("Code 1x55 failed.",), id="x"),
        ]
    )
    assert {(h.article_id, h.paragraph) for h in tantivy_index.search("1.5*")} == {("dot", 2)}


def test_concurrent_searches_from_threads_agree(tantivy_index):
    tantivy_index.add_paths([SEEDS])
    expected = tantivy_index.search("Rafah OR Egypt", limit=100).to_dict()
    answers: list[dict] = []

    def search() -> None:
        for _ in range(20):
            answers.append(tantivy_index.search("Rafah OR Egypt", limit=100).to_dict())

    threads = [threading.Thread(target=search) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 80 and all(a == expected for a in answers)


def test_a_tantivy_search_looks_for_a_new_commit_once(tantivy_index, monkeypatch):
    # Resolving asks the lexicons of three fields (a word the index has seen
    # hyphenated: ``text``, ``joined`` and ``exact``), the search and the suggestions
    # read the index too: one ``meta.json`` stat for the whole search.
    from newsearch.engines import tantivy as adapter

    tantivy_index.add_articles([article("a", "Co-operation in the harbour.", "Ports.")])
    meta = tantivy_index.engine._meta_file
    stats: list[str] = []
    real_stat = adapter.os.stat

    def stat(path, *args, **kwargs):
        if path == meta:
            stats.append(path)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(adapter.os, "stat", stat)
    found = tantivy_index.search("cooperation harbour")
    assert [h.text for h in found.hits] == ["Co-operation in the harbour."]
    assert found.suggestions == () and len(stats) == 1
    assert tantivy_index.search("cooperation hrbour").total == 0 and len(stats) == 2


def test_a_tantivy_reading_block_reads_the_commit_it_began_on(tantivy_index):
    tantivy_index.add_articles([article("a", "The harbour closed.")])
    other = Index.open(tantivy_index.path)
    try:
        engine = tantivy_index.engine
        with engine.reading():
            other.add_articles([article("b", "The harbour opened.")])
            assert tantivy_index.search("harbour").total == 1
            assert tantivy_index.lexicon().count("open") == 0
            with engine.reading():  # nested: still the outer block's commit
                assert tantivy_index.search("harbour").total == 1
            assert tantivy_index.search("harbour").total == 1
            # Another thread is not in the block: it sees the new commit.
            seen: list[int] = []
            thread = threading.Thread(target=lambda: seen.append(engine.count(parse("harbour"))))
            thread.start()
            thread.join()
            assert seen == [2]
        assert tantivy_index.search("harbour").total == 2
        assert tantivy_index.lexicon().count("open") == 1
    finally:
        other.close()


def test_a_hits_paragraph_is_read_back_with_every_stored_value(tantivy_index):
    """A hit's paragraph is read value by value from tantivy's document: the same as the
    generic reading of all its stored fields (``stored_paragraph``), every value set or
    none."""
    from newsearch.engines import tantivy as adapter
    from newsearch.engines.base import stored_paragraph

    full = Article(
        "Harbour reopens",
        ("The harbour reopened on Friday.", "Ships queued."),
        id="full",
        date=datetime.fromisoformat("2024-02-09T23:30:00-05:00"),
        source="The Wire",
        author="A. Writer",
        url="https://example.org/harbour",
        section="World",
        tags=("ports", "trade"),
        language="en",
    )
    bare = Article("Harbour closed", ("The harbour closed.",), id="bare")
    tantivy_index.add_articles([full, bare])
    engine = tantivy_index.engine
    searcher = engine._searcher()
    query = engine._compile(searcher, tantivy_index._node("harbour", None))
    docs = [searcher.doc(address) for _, address in searcher.search(query, 10).hits]
    assert len(docs) == 4
    for doc in docs:
        fields = adapter._fields(doc)
        assert adapter._paragraph(doc) == stored_paragraph(fields, adapter._stored_date(fields))
    read = {(p.article_id, p.number): p for p in map(adapter._paragraph, docs)}
    assert read["full", 2].meta == full.meta("full")
    assert read["full", 2].date.utcoffset().total_seconds() == -5 * 3600
    assert read["bare", 2].meta == bare.meta("bare")
    assert (read["bare", 2].role, read["bare", 2].text) == ("body", "The harbour closed.")


def test_tantivy_errors_in_a_block_become_newsearch_errors(tmp_path):
    from newsearch.engines.tantivy import _engine_errors
    from newsearch.errors import IndexCorruptError

    path = tmp_path / "index"
    corrupt = pytest.raises(IndexCorruptError, match="ValueError: bad segment")
    with corrupt as reading, _engine_errors(path):
        raise ValueError("bad segment")
    assert isinstance(reading.value.__cause__, ValueError)
    writing = r"cannot write the index in .*OSError: full"
    with pytest.raises(NewsearchError, match=writing), _engine_errors(path, writing=True):
        raise OSError("full")
    with pytest.raises(KeyError), _engine_errors(path):  # not tantivy's: left alone
        raise KeyError("x")
    with _engine_errors(path):
        pass


def test_the_index_holds_the_analyzers_terms_at_its_positions(tantivy_index):
    import tantivy

    text = "Netanyahu’s café talks — 28,000 Israelis' “empty-handed” return"
    tags = ("Middle East", "Élysée talks")
    tantivy_index.add(Article("T", (text,), id="a", tags=tags))
    raw = tantivy.Index.open(str(tantivy_index.path / "data"))
    searcher, schema = raw.searcher(), raw.schema
    # The body paragraph holds the text; both paragraphs (title, body) carry the tags.
    for field, value, docs in (("text", text, 1), ("tags", analysis.VALUE_SEPARATOR.join(tags), 2)):
        exact = [(t.position, t.term) for t in analysis.tokenize(value)]
        # Every term at exactly its position (tags: the 100-position gap included)...
        query = tantivy.Query.phrase_query(schema, field, exact)
        assert searcher.search(query, 10, count=True).count == docs
        # ...and nowhere else: one position off and the phrase is gone.
        shifted = [*exact[:-1], (exact[-1][0] + 1, exact[-1][1])]
        query = tantivy.Query.phrase_query(schema, field, shifted)
        assert searcher.search(query, 10, count=True).count == 0


@pytest.mark.parametrize(
    "value",
    ["oil price oil rise oil", "a b c d e f g h i j k l m n o p q r s t u v w x y z a", "x"],
)
def test_whoosh_postings_are_whoosh_s_own_encoding(value):
    """Positions the whoosh engine writes (cached for single positions) decode and read
    exactly as whoosh's ``Positions`` format writes them."""
    from whoosh.formats import Positions

    from newsearch.engines.whoosh import TermPositions

    for _ in range(2):  # the second time from the cache
        found = list(TermPositions().word_values(value, None))
        words = value.split()
        expected = {
            word: [i for i, w in enumerate(words) if w == word] for word in dict.fromkeys(words)
        }
        assert [term for term, *_ in found] == list(expected)
        for term, frequency, weight, encoded in found:
            assert encoded == Positions().encode(expected[term])
            assert Positions().decode_positions(encoded) == expected[term]
            assert frequency == weight == len(expected[term])


def test_whoosh_ranks_the_same_without_block_length_statistics(tmp_path, monkeypatch):
    """The whoosh engine's writer skips whoosh's per-block field lengths (only block
    quality skipping reads them, and newsearch never skips): every score stays the same."""
    from whoosh.codec.whoosh3 import W3Codec

    from newsearch.engines import whoosh_writing

    articles = [
        article(
            f"a{n}",
            " ".join(["ceasefire talks in Rafah"] * (1 + n % 4)),
            f"Aid convoys waited {'long ' * n}at the crossing while talks stalled",
            title=f"Report {n}",
        )
        for n in range(12)
    ]
    ranked = []
    for name, codec in (("stats", W3Codec), ("ours", whoosh_writing.codec)):
        monkeypatch.setattr(whoosh_writing, "codec", codec)
        with Index.open(tmp_path / name, create=True) as index:
            index.add_articles(articles[:6])
            index.add_articles(articles[6:])  # two segments
            ranked.append(
                [
                    [(h.article_id, h.paragraph, h.score) for h in index.search(q, limit=50)]
                    for q in ("talks", "rafah OR crossing", '"aid convoys"', "long")
                ]
            )
    assert ranked[0] == ranked[1]
    assert [len(hits) for hits in ranked[1]] == [24, 24, 12, 11]


def test_whoosh_scores_with_lengths_read_once_equal_whoosh_s_own(tmp_path):
    """The whoosh engine scores with field lengths read once per segment; whoosh's own
    BM25F reads them per document: the same scores, on several segments with deletions."""
    from whoosh import query as wq
    from whoosh import scoring

    from newsearch.engines import whoosh as whoosh_engine

    articles = [
        article(
            f"a{n}",
            " ".join(["ceasefire talks in Rafah"] * (1 + n % 4)),
            f"Aid convoys waited {'long ' * n}at the crossing while talks stalled",
            title=f"Report {n} on talks" if n % 3 else f"Report {n}",
        )
        for n in range(12)
    ]
    with Index.open(tmp_path / "index", create=True) as index:
        index.add_articles(articles[:6])
        index.add_articles(articles[6:])
        index.delete("a2", "a7")
        ix = index.engine._ix
    scored = []
    for model in (scoring.BM25F(B=0.6, K1=1.4), whoosh_engine._BM25F(B=0.6, K1=1.4)):
        with ix.searcher(weighting=model) as searcher:
            scored.append(
                [
                    [(hit.docnum, hit.score) for hit in searcher.search(query, limit=None)]
                    for query in (
                        wq.Term("text", "talk"),
                        wq.Or([wq.Term("text", "long"), wq.Term("title", "talk")]),
                        wq.Phrase("text", ["aid", "convoy"]),
                    )
                ]
            )
    assert scored[0] == scored[1]
    assert [len(hits) for hits in scored[1]] == [26, 21, 10]


@pytest.mark.parametrize("chunk", [1, 3, 2048])
def test_whoosh_chunked_runs_give_whoosh_s_own_order(tmp_path, monkeypatch, chunk):
    """The whoosh engine's posting pool spills and merges its runs in chunks; the
    postings come out exactly as whoosh's own pool gives them."""
    import random

    from whoosh.filedb.filestore import FileStorage
    from whoosh.writing import PostingPool

    from newsearch.engines import whoosh_writing

    monkeypatch.setattr(whoosh_writing, "RUN_CHUNK", chunk)
    rng = random.Random(7)
    postings = [
        (rng.choice("ab"), rng.choice([b"oil", b"rafah", b"talks"]), doc, 1.0, bytes([doc % 7]))
        for doc in rng.sample(range(5000), 700)
    ]
    found, runs = [], []
    for name, pool_class in (("whoosh", PostingPool), ("ours", whoosh_writing.ChunkedPool)):
        storage = FileStorage(str(tmp_path / name)).create()
        pool = pool_class(storage, None, limitmb=0.002)  # a run every ~12 postings
        for posting in postings:
            pool.add(posting)
        assert len(pool.runs) > 40
        runs.append((len(pool.runs), pool.currentsize))  # the same size estimates
        found.append(list(pool.items(maxfiles=8)))  # runs merged into runs first, too
        assert list(storage.list()) == []  # every run file removed
    assert runs[0] == runs[1]
    assert found[0] == found[1] == sorted(postings)


def test_whoosh_index_is_the_same_when_the_pool_spills(tmp_path, monkeypatch):
    from newsearch.engines import whoosh_writing

    articles = [
        article(f"a{n}", f"talks {n} in Rafah " * (n % 5 + 1), f"oil price {n}") for n in range(40)
    ]
    runs = []
    write_run = whoosh_writing.ChunkedPool._write_run
    monkeypatch.setattr(
        whoosh_writing.ChunkedPool,
        "_write_run",
        lambda pool, f, items: runs.append(1) or write_run(pool, f, items),
    )
    found = []
    for name, pool_mb in (("memory", 32), ("spilled", 0.0004)):
        monkeypatch.setattr(whoosh_writing, "WRITER_POOL_MB", pool_mb)
        runs.clear()
        with Index.open(tmp_path / name, create=True) as index:
            index.add_articles(articles)
            found.append(
                [
                    [(h.article_id, h.paragraph, h.score) for h in index.search(q, limit=100)]
                    for q in ("talks", '"oil price"', "rafah OR 17", "talk*")
                ]
            )
    assert len(runs) > 10  # the second index was written through spilled runs
    assert found[0] == found[1]
    assert [len(hits) for hits in found[1]] == [40, 40, 41, 40]


def _index_files(where) -> dict[str, bytes]:
    """Every file of an index by name, a whoosh compound segment's as its member files
    (without the modification times of its directory)."""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import FileStorage

    found = {}
    for path in where.rglob("*"):
        if path.suffix == ".seg":
            storage = FileStorage(str(path.parent))
            members = CompoundStorage(storage.open_file(path.name), use_mmap=False)
            for name in members.list():
                found[f"{path.name}/{name}"] = members.open_file(name).read()
            members.close()
        elif path.is_file():
            found[str(path.relative_to(where))] = path.read_bytes()
    return found


@pytest.mark.parametrize("block_limit, compression", [(128, 3), (2, 3), (3, 0)])
def test_whoosh_bulk_postings_write_whoosh_s_own_bytes(
    tmp_path, monkeypatch, block_limit, compression
):
    """The whoosh engine writes each term's postings in bulk: every file of the index is
    byte for byte the one whoosh's own postings writer makes, over terms of one posting
    (ids), of several blocks (common words, small block limits), fields with positions
    (text) and without (ids, dates), several commits, deletions and merged segments."""
    import itertools

    from whoosh.codec import base
    from whoosh.codec.whoosh3 import W3Codec

    from newsearch.engines import whoosh_writing

    from .synthetic import synthetic_articles

    def codec():
        made = W3Codec(blocklimit=block_limit, compression=compression)
        made.length_stats = False
        return made

    monkeypatch.setattr(whoosh_writing, "codec", codec)
    monkeypatch.setattr(whoosh_writing, "STORED_BELOW", 0)  # every block compressed
    articles = [
        article(
            record["id"],
            *record["paragraphs"],
            title=record["title"],
            date=datetime.fromisoformat(record["date"]),
        )
        for record in synthetic_articles(150)
    ]
    calls = []
    encode = whoosh_writing.encode_term
    monkeypatch.setattr(
        whoosh_writing,
        "encode_term",
        lambda docnums, *args: calls.append(len(docnums)) or encode(docnums, *args),
    )
    files = []
    for bulk in (False, True):
        monkeypatch.setattr(
            whoosh_writing.BulkPostings, "handles", staticmethod(lambda c, bulk=bulk: bulk)
        )
        ids = itertools.count()
        monkeypatch.setattr(
            base.Segment, "_random_id", classmethod(lambda cls, ids=ids: f"s{next(ids)}")
        )
        where = tmp_path / str(bulk)
        with Index.open(where, create=True, engine="whoosh") as index:
            # whoosh merges the small segments as it goes
            for low, high in ((0, 100), (100, 110), (110, 120), (120, 150)):
                index.add_articles(articles[low:high])
            index.delete("syn-3", "syn-40")
            index.add_articles(articles[:2])  # replaced
            hits = [(h.article_id, h.paragraph, h.score) for h in index.search("oil", limit=500)]
        files.append(
            (
                _index_files(where),
                hits,
            )
        )
        assert (not calls) is not bulk
    assert files[0] == files[1]
    names = files[1][0]
    assert len(names) > 3 and any(name.endswith(".pst") for name in names)
    assert len(files[1][1]) > 0 and max(calls) > block_limit and min(calls) == 1


def _whoosh_postings(where) -> list[tuple]:
    """Every term of a whoosh engine's index with its statistics and postings."""
    from whoosh.filedb.filestore import FileStorage

    from newsearch.engines.whoosh import INDEX_NAME

    found = []
    with FileStorage(str(where)).open_index(INDEX_NAME).reader() as reader:
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            matcher = reader.postings(fieldname, text)
            postings = []
            while matcher.is_active():
                postings.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            stats = (info.doc_frequency(), info.weight(), info.max_weight())
            found.append((fieldname, text, stats, postings))
    return found


def test_whoosh_short_blocks_stored_uncompressed_read_back_the_same(tmp_path, monkeypatch):
    """Blocks of postings under ``STORED_BELOW`` bytes are stored without zlib: other
    bytes than whoosh's own writer's, but every term, statistic, posting and score reads
    back the same."""
    import zlib
    from types import SimpleNamespace

    from whoosh.codec.whoosh3 import W3Codec

    from newsearch.engines import whoosh_writing

    from .synthetic import synthetic_articles

    def codec():
        made = W3Codec(blocklimit=8)
        made.length_stats = False
        return made

    monkeypatch.setattr(whoosh_writing, "codec", codec)
    articles = [
        article(record["id"], *record["paragraphs"], title=record["title"])
        for record in synthetic_articles(30)
    ]
    compressed = []  # the sizes of the blocks the bulk writer compresses
    monkeypatch.setattr(
        whoosh_writing,
        "zlib",
        SimpleNamespace(
            compress=lambda data, level: compressed.append(len(data)) or zlib.compress(data, level)
        ),
    )
    blocks = []
    encode = whoosh_writing.encode_term
    monkeypatch.setattr(
        whoosh_writing,
        "encode_term",
        lambda docnums, *args: blocks.append(-(-len(docnums) // 8)) or encode(docnums, *args),
    )
    found = []
    for bulk in (False, True):
        monkeypatch.setattr(
            whoosh_writing.BulkPostings, "handles", staticmethod(lambda c, bulk=bulk: bulk)
        )
        with Index.open(tmp_path / str(bulk), create=True, engine="whoosh") as index:
            index.add_articles(articles[:20])
            index.add_articles(articles[20:])
            hits = [(h.article_id, h.paragraph, h.score) for h in index.search("oil OR vote")]
        found.append((_whoosh_postings(tmp_path / str(bulk) / "data"), hits))
    assert found[0] == found[1]
    assert len(found[1][0]) > 100 and len(found[1][1]) > 5
    assert 0 < len(compressed) < sum(blocks)  # the short blocks stored as they are
    assert min(compressed) >= whoosh_writing.STORED_BELOW


@pytest.mark.parametrize("engine", ENGINES)
def test_vocabulary_lookups_equal_the_whole_vocabulary(tmp_path, engine):
    """A vocabulary answers one term from the term table without reading every term,
    and the same counts as reading them all (several segments, a deletion)."""
    articles = [
        article(f"v{n}", f"Co-operation talks {'grain ' * (n % 3)}in round {n}", "Wheat")
        for n in range(9)
    ]
    with Index.open(tmp_path / "index", create=True, engine=engine) as index:
        index.add_articles(articles[:4])
        index.add_articles(articles[4:])
        index.delete("v1")
        for field, term in (("text", "talk"), ("exact", "talks"), ("joined", "cooper")):
            looked_up = index.engine.vocabulary(field)
            assert looked_up[term] == looked_up.get(term, 0) > 0
            assert looked_up.get("absent", 0) == 0 and "absent" not in looked_up
            assert looked_up._all is None  # nothing read but the terms asked for
            every = dict(looked_up)
            fresh = type(looked_up)(looked_up._count, looked_up._read)
            assert every[term] == looked_up[term] == looked_up.get(term)
            assert looked_up.get("absent") is None and looked_up.get("absent", 0) == 0
            # One prefix's terms, read from the index, as in the whole vocabulary.
            for prefix in (term[:1], term[:3], "zz"):
                expected = {word: n for word, n in every.items() if word.startswith(prefix)}
                assert fresh.starting_with(prefix) == expected
            assert fresh._all is None
            assert all(fresh[word] == count for word, count in every.items())
        assert len(index.engine.vocabulary("text")) > 10


def test_whoosh_vocabulary_of_a_replaced_searcher_still_answers(tmp_path):
    with Index.open(tmp_path / "index", create=True) as index:
        index.add_articles([article("w1", "Grain talks", "Wheat prices")])
        old = index.engine.vocabulary("text")
        index.add_articles([article("w2", "More grain", "Grain again")])
        assert index.search("grain").total == 3  # a new searcher: the old one is closed
        assert old.get("grain", 0) >= 1 and old.get("absent", 0) == 0
        assert dict(old)["wheat"] == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_stats_count_live_articles_their_sources_and_local_dates(tmp_path, engine):
    from datetime import timedelta, timezone

    east = timezone(timedelta(hours=5))
    articles = [
        Article(title="A", body=("One.",), id="s1", source="Wire", date=datetime(1987, 3, 2, 1)),
        Article(
            title="B",
            body=("Two.",),
            id="s2",
            source="Wire",
            date=datetime(1987, 1, 5, 23, 30, tzinfo=east),
        ),
        Article(title="C", body=("Three.", "More."), id="s3", source="Post"),
        Article(title="D", body=("Four.",), id="s4", date=datetime(1988, 6, 1)),
    ]
    with Index.open(tmp_path / "index", create=True, engine=engine) as index:
        index.add_articles(articles[:2])
        index.add_articles(articles[2:])
        index.delete("s4")
        stats = index.stats()
        assert (stats.articles, stats.paragraphs) == (3, 7)
        assert stats.sources == {"Wire": 2, "Post": 1}
        # Dates on the publication's own clock: 23:30 at +05:00 stays 23:30.
        assert (stats.first_date, stats.last_date) == (
            datetime(1987, 1, 5, 23, 30),
            datetime(1987, 3, 2, 1),
        )


def test_whoosh_term_counts_read_in_place_equal_whoosh_s_term_infos(tmp_path):
    from newsearch.engines import whoosh as whoosh_engine

    articles = [
        article(
            f"t{n}", f"Grain talks {'wheat ' * (n % 4)}round {n}", "Café owner", title=f"Report {n}"
        )
        for n in range(30)
    ]
    with Index.open(tmp_path / "index", create=True) as index:
        index.add_articles(articles[:12])
        index.add_articles(articles[12:])
        index.delete("t3")
        searcher = index.engine._current_searcher()
        for field in ("text", "exact", "title", "article_id"):
            expected: dict[str, int] = {}
            for reader, _ in searcher.reader().leaf_readers():
                for term, info in reader.iter_field(field):
                    name = term.decode("utf-8")
                    expected[name] = expected.get(name, 0) + info.doc_frequency()
            assert whoosh_engine._term_counts(searcher, field) == expected
            assert len(expected) > 5
        assert whoosh_engine._term_counts(searcher, "text")["wheat"] == 22
