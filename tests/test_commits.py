"""One writer for a whole ingest on tantivy (``Engine.begin``): batches committed
together build exactly the index that a commit per batch builds, and an interrupted or
failing run keeps what was committed and reports only that."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from tantivy import Query

import newsearch.index as index_mod
from newsearch import Article, Index, IndexLockedError, InputError
from newsearch.engines.tantivy import TantivyEngine
from newsearch.engines.tantivy_query import all_hits

from .conftest import SEEDS, run_cli
from .copies_helpers import WIRE, copy_of
from .synthetic import synthetic_articles

START = datetime(1987, 3, 2, 8)


def wire(aid: str, hours: float, source: str, *, tz: bool = False) -> Article:
    when = START + timedelta(hours=hours)
    if tz:
        when = when.replace(tzinfo=timezone(timedelta(hours=2)))
    return Article(f"Oil output {aid}", copy_of(WIRE), id=aid, date=when, source=source)


def fillers(first: int, count: int) -> list[Article]:
    made = synthetic_articles(first + count, seed=5)[first:]
    return [
        Article(a["title"], tuple(a["paragraphs"]), id=a["id"], source=a["source"]) for a in made
    ]


def ingest() -> list[Article]:
    """Copies of one wire story spread over many batches, some arriving after copies
    dated later (their stories move: earlier batches' articles are rewritten), articles
    given again in later batches (one of them a copy), an aware date, fillers between."""
    late = Article("Oil output, corrected", WIRE, id="c3", date=START, source="Wire")
    return [
        wire("c1", 5, "A"),
        *fillers(0, 4),
        wire("c2", 3, "B", tz=True),
        *fillers(4, 4),
        wire("c4", 9, "C"),
        *fillers(8, 3),
        late,  # dated before every copy: the story becomes c3's
        *fillers(11, 3),
        wire("c5", 2, "D"),
        *fillers(14, 2),
        wire("c2", 4, "B2"),  # again, an hour later
        *fillers(1, 2),  # again, the same text
        *fillers(16, 2),
        *fillers(14, 1),  # again, written since the last commit
    ]


def dump(index: Index) -> list[tuple]:
    """Every document: its seq, stored fields and fast fields, in seq order."""
    engine = index.engine
    searcher = engine._searcher()
    addresses = [address for _, address in all_hits(searcher, Query.all_query())]
    columns = [
        searcher.fast_field_values(name, addresses)
        for name in ("seq", "story_key", "article_key", "day", "date", "weight")
    ]
    docs = [sorted((k, repr(v)) for k, v in searcher.doc(a).to_dict().items()) for a in addresses]
    return sorted(zip(*columns, docs, strict=True))


def build(path, commit_seconds: float, articles: list[Article]) -> tuple[Index, dict]:
    index = Index.open(path, create=True, engine="tantivy")
    index.batch_paragraphs = 12  # about two articles a batch
    index.analysis_process = False
    index.commit_seconds = commit_seconds
    report = index.add_articles(articles).to_dict()
    report.pop("seconds")
    return index, report


@pytest.fixture
def counted(monkeypatch):
    """How often the engine committed a kept writer's window and read an article."""
    calls = {"commit": 0, "article": 0}
    commit, article = TantivyEngine.commit, TantivyEngine.article

    def counting_commit(self):
        calls["commit"] += 1 if self._window is not None and self._window.batches else 0
        return commit(self)

    def counting_article(self, article_id):
        calls["article"] += 1
        return article(self, article_id)

    monkeypatch.setattr(TantivyEngine, "commit", counting_commit)
    monkeypatch.setattr(TantivyEngine, "article", counting_article)
    return calls


def test_commits_of_many_batches_build_the_index_of_a_commit_per_batch(
    tmp_path, counted, monkeypatch
):
    articles = ingest()
    each, each_report = build(tmp_path / "each", 0, articles)
    per_batch = counted["commit"]
    together, together_report = build(tmp_path / "together", 3600, articles)
    window_commits = counted["commit"] - per_batch
    monkeypatch.setattr(index_mod, "COMMIT_ARTICLES", 5)
    some, some_report = build(tmp_path / "some", 3600, articles)
    with each, together, some:
        expected = dump(each)
        assert dump(together) == expected
        assert dump(some) == expected
        assert each_report == together_report == some_report
        assert each_report["replaced"] == 4 and each_report["added"] == 23
        stories = {
            aid: r.story
            for aid, r in each.engine.copy_records(["c1", "c2", "c3", "c4", "c5"]).items()
        }
        assert stories == {"c1": "c3", "c2": "c3", "c3": "c3", "c4": "c3", "c5": "c3"}
        for index in (together, some):
            assert index.engine.story_sizes() == each.engine.story_sizes() == {"c3": 5}
            assert index.search("ceiling", collapse=True).total_stories == 1
    # Ten batches committed one by one; kept together, a commit where a story moved
    # an article of the window (read back to be rewritten), and one at the end.
    assert per_batch == 10
    assert window_commits == 3


def test_ctrl_c_rolls_back_what_is_not_committed_and_reports_what_is(tmp_path):
    def interrupted(after: int):
        yield from fillers(0, after)
        raise KeyboardInterrupt

    index, report = build(tmp_path / "index", 3600, [])
    with index:
        report = index.add_articles(interrupted(12))
        assert report.interrupted
        assert (report.added, report.paragraphs) == (0, 0)
        assert index.stats().articles == 0
        index.commit_seconds = 0  # every batch committed: all but the batch being read
        report = index.add_articles(interrupted(13))
        assert report.interrupted and 0 < report.added < 13
        assert index.stats().articles == report.added
        assert index.stats().paragraphs == report.paragraphs
        # The writer was let go: the next run writes.
        index.commit_seconds = 3600
        assert index.add_articles(fillers(0, 12)).added == 12 - report.added


def test_progress_sees_each_batch_written_as_pending_until_its_commit(tmp_path):
    index, _ = build(tmp_path / "index", 3600, [])
    seen = []
    with index:
        report = index.add_articles(
            fillers(0, 9), progress=lambda r: seen.append((r.paragraphs, r.pending))
        )
        total = report.paragraphs
        assert (report.added, report.pending) == (9, 0)
        # Nothing committed until the end: each batch written adds to ``pending``.
        pending = [p for committed, p in seen if committed == 0]
        assert len(pending) >= 3 and pending == sorted(set(pending)) and pending[-1] == total
        assert seen[-1] == (total, 0)
        index.commit_seconds = 0  # a commit each batch: nothing ever pending
        seen.clear()
        index.add_articles(fillers(9, 9), progress=lambda r: seen.append((r.paragraphs, r.pending)))
        assert len(seen) >= 3 and {p for _, p in seen} == {0}
        assert [c for c, _ in seen] == sorted(c for c, _ in seen) and seen[-1][0] > total


def test_ctrl_c_leaves_nothing_pending(tmp_path):
    def interrupted():
        yield from fillers(0, 12)
        raise KeyboardInterrupt

    index, _ = build(tmp_path / "index", 3600, [])
    seen = []
    with index:
        report = index.add_articles(interrupted(), progress=lambda r: seen.append(r.pending))
    assert report.interrupted and (report.paragraphs, report.pending) == (0, 0)
    assert max(seen) > 0


def test_a_failing_input_keeps_every_article_before_it(tmp_path):
    def failing():
        yield from fillers(0, 9)
        yield Article("", ("no title",), id="bad")

    index, _ = build(tmp_path / "index", 3600, [])
    with index:
        with pytest.raises(InputError, match="no title"):
            index.add_articles(failing())
        assert index.stats().articles == 9
        assert sorted(p.number for p in index.article("syn-8")) == list(
            range(1, len(index.article("syn-8")) + 1)
        )


def test_a_failed_write_rolls_back_the_uncommitted_batches_and_releases_the_lock(
    tmp_path, monkeypatch
):
    index, _ = build(tmp_path / "index", 0, fillers(0, 3))  # three articles committed
    writes = []
    write = TantivyEngine._write

    def failing(self, *args):
        writes.append(1)
        if len(writes) == 4:
            raise OSError("disk full")
        return write(self, *args)

    monkeypatch.setattr(TantivyEngine, "_write", failing)
    with index:
        index.commit_seconds = 3600
        with pytest.raises(Exception, match="disk full"):
            index.add_articles(fillers(3, 12))
        assert index.stats().articles == 3  # the three batches before it were not committed
        monkeypatch.setattr(TantivyEngine, "_write", write)
        assert index.add_articles(fillers(3, 12)).added == 12
        assert index.stats().articles == 15


def test_another_writer_waits_for_the_whole_ingest(tmp_path):
    index, _ = build(tmp_path / "index", 3600, [])
    other = Index.open(tmp_path / "index", lock_timeout=0)
    refused = []

    def articles():
        yield from fillers(0, 8)  # three batches written, none committed
        try:
            other.delete("syn-0")
        except IndexLockedError:
            refused.append(True)
        yield from fillers(8, 2)

    with index, other:
        assert index.add_articles(articles()).added == 10
        assert refused == [True]
        assert other.delete("syn-0") == {"syn-0"}


def test_commit_every_sets_the_seconds_between_commits(tmp_path, runner, monkeypatch):
    seen = []
    open_index = Index.open

    def opened(*args, **kwargs):
        index = open_index(*args, **kwargs)
        seen.append(index)
        return index

    monkeypatch.setattr(Index, "open", opened)
    where = str(tmp_path / "index")
    result = run_cli(
        runner, "index", "--index", where, "--engine", "tantivy", "--commit-every", "0", str(SEEDS)
    )
    assert result.exit_code == 0, result.stderr
    assert seen[-1].commit_seconds == 0
    result = run_cli(runner, "index", "--index", where, str(SEEDS))
    assert seen[-1].commit_seconds == index_mod.COMMIT_SECONDS == 20
    assert "1 replaced" in result.stdout
    result = run_cli(runner, "index", "--index", where, "--commit-every", "-1", str(SEEDS))
    assert result.exit_code == 2 and "--commit-every" in result.stderr


def test_another_thread_reads_only_commits_while_an_ingest_keeps_its_writer(tmp_path):
    import threading

    index, _ = build(tmp_path / "index", 3600, [])
    seen = []

    def articles():
        yield from fillers(0, 8)  # three batches written, none committed
        reader = threading.Thread(
            target=lambda: seen.append(
                (index.article("syn-0"), index.engine.copy_records(["syn-0"]))
            )
        )
        reader.start()
        reader.join()
        yield from fillers(8, 2)

    with index:
        assert index.add_articles(articles()).added == 10
        assert seen == [([], {})]  # not committed, and not committed by the reading
        assert len(index.article("syn-0")) > 1
