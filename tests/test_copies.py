"""Copy detection: shingles, MinHash, the story rule, and stories kept right in the index
as copies arrive, are replaced and deleted."""

from __future__ import annotations

import os
import zlib
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from newsearch import Article, Index, NewsearchError
from newsearch.copies import (
    BANDS,
    NUM_PERM,
    Member,
    Rule,
    assign_stories,
    fingerprints,
    shingle_hashes,
    signatures,
    similarity,
    words,
)
from newsearch.copies.fingerprint import _permutations
from newsearch.engines import whoosh as whoosh_engine
from newsearch.paragraphs import split_article

from .copies_helpers import ARAB_COPY, GULF_COPY, OTHER_STORY, WIRE_ARTICLE


def stories(index: Index) -> dict[str, str]:
    """Every article's story, from the copy records the engine keeps."""
    titles = index.search("role:title", limit=1000)
    ids = [hit.article_id for hit in titles]
    return {aid: r.story for aid, r in index.engine.copy_records(ids).items()}


# -- shingles, signatures, band keys ---------------------------------------------------


def fingerprint(article: Article):
    return fingerprints([split_article(article, article.id or "x")])[0]


def test_words_ignore_case_punctuation_and_quote_style():
    curly = Article("", ("\u201cOPEC\u2019s\u201d output \u2014 steady, it said.",))
    straight = Article("", ('"opec\'s" output - steady it said',))
    assert words(split_article(curly, "x")) == words(split_article(straight, "y"))
    assert words(split_article(curly, "x")) == ["opec", "s", "output", "steady", "it", "said"]


def test_shingles_are_ordered_word_triples_without_repeats():
    assert len(shingle_hashes(["a", "b", "c", "d"])) == 2
    assert shingle_hashes(["a", "b", "c"]).tolist() != shingle_hashes(["c", "b", "a"]).tolist()
    assert len(shingle_hashes(["a", "b", "c", "a", "b", "c"])) == 3  # abc, bca, cab
    assert len(shingle_hashes(["a", "b"])) == 0


@pytest.mark.parametrize(("num_perm", "seed"), [(64, 1), (128, 1), (256, 7)])
def test_permutations_are_datasketchs(num_perm, seed):
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed).permutations
    mine = _permutations(num_perm, seed)
    assert mine[0].tolist() == a.tolist() and mine[1].tolist() == b.tolist()


def test_a_batch_of_tiny_bodies_has_no_fingerprints():
    tiny = [Article("One", ("x",)), Article("Two", ("x y",)), Article("Three", ())]
    assert fingerprints([split_article(a, a.title) for a in tiny]) == [None, None, None]
    assert shingle_hashes(["x", "y", "x"]).tolist() == shingle_hashes(["x", "y", "x"]).tolist()


def test_a_batch_gives_each_article_the_fingerprint_it_has_alone():
    batch = [WIRE_ARTICLE, Article("Short", ("too few words",)), OTHER_STORY, GULF_COPY]
    alone = [fingerprint(a) for a in batch]
    together = fingerprints([split_article(a, a.id or "x") for a in batch])
    assert together == alone and together[1] is None and None not in together[::2]


@pytest.mark.parametrize("at_once", [1, 2, 3])
def test_bodies_fingerprinted_a_few_at_a_time_give_the_batch_s_fingerprints(monkeypatch, at_once):
    from newsearch.copies import fingerprint as fingerprint_mod

    batch = [WIRE_ARTICLE, Article("Short", ("too few words",)), OTHER_STORY, GULF_COPY]
    bodies = [" ".join(p.text for p in split_article(a, "x")[1:]) for a in batch]
    whole = fingerprint_mod.Batch.of_bodies(bodies)
    monkeypatch.setattr(fingerprint_mod, "BODIES_AT_ONCE", at_once)
    parts = fingerprint_mod.Batch.of_bodies(bodies)
    assert parts.usable.tolist() == whole.usable.tolist() == [0, 2, 3]
    assert parts.rows.tolist() == whole.rows.tolist()
    assert parts.keys.tolist() == whole.keys.tolist()


# Bodies whose words are hard to find in bytes: whitespace other than ASCII's (no-break,
# em and ideographic spaces, NEL, the ASCII separators), a NUL, case folding that
# changes a word's length, accents, quotes, and words longer than 255 and 65,535 bytes.
AWKWARD_BODIES = [
    "Stra\u00dfe \u00c9TAT \u03a3\u03bf\u03c6\u03af\u03b1\u00a0caf\u00e9\u2003na\u00efve"
    "\u3000\u201cquoted\u201d\x85next\x1cfield\x1frecord \u2014 dash",
    "",
    " \t\n\r\x0b\x0c ",
    "a NUL\0inside, tabs\tand\nlines",
    "x" * 300 + " short " + "\u00e9" * 200,
    "y" * 65_540 + " tail",
    "!!! ... ,,,",
]


def words_of(body: str) -> list[str]:
    """``words`` of a body given as text (a NUL is a space: the batch's separator)."""
    from newsearch.copies.fingerprint import _fold

    return _fold(body.replace("\0", " "))


def test_a_batch_s_word_ids_are_each_word_s_crc32():
    from newsearch.copies import fingerprint as fingerprint_mod

    expected: list[int] = []
    for n, body in enumerate(AWKWARD_BODIES):
        if n:
            expected.append(fingerprint_mod._SEPARATOR_ID)
        expected.extend(zlib.crc32(w.encode("utf-8")) for w in words_of(body))
    assert fingerprint_mod._batch_ids(AWKWARD_BODIES).tolist() == expected


@pytest.mark.parametrize("chunk", [7, 100, 8192])
def test_a_batch_s_signatures_are_each_body_s_alone(monkeypatch, chunk):
    """Blocks of shingles (``_CHUNK``: several groups in one, a group larger than one)
    give each body the signature its own words' shingles give."""
    from newsearch.copies import fingerprint as fingerprint_mod

    monkeypatch.setattr(fingerprint_mod, "_CHUNK", chunk)
    batch = [WIRE_ARTICLE, OTHER_STORY, GULF_COPY, ARAB_COPY]
    bodies = [" ".join(p.text for p in split_article(a, "x")[1:]) for a in batch]
    bodies.append(" ".join(AWKWARD_BODIES) + " " + bodies[0])
    found = fingerprint_mod.Batch.of_bodies(bodies)
    alone = signatures([shingle_hashes(words_of(body)) for body in bodies])
    assert found.usable.tolist() == [0, 1, 2, 3, 4]
    assert found.rows.tolist() == alone.tolist()


def test_signatures_are_datasketch_minhash():
    from datasketch import MinHash

    sets = [shingle_hashes(words(split_article(a, a.id))) for a in (WIRE_ARTICLE, OTHER_STORY)]
    for found, shingles in zip(signatures(sets), sets, strict=True):
        reference = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int)
        reference.update_batch(shingles.tolist())
        assert found.tolist() == reference.hashvalues.tolist()


def test_fingerprint_ignores_the_title_and_tiny_bodies():
    one = fingerprint(WIRE_ARTICLE)
    retitled = fingerprint(replace(WIRE_ARTICLE, title="Other words"))
    assert one is not None and retitled is not None
    assert one.signature == retitled.signature
    assert len(one.bands) == len(set(one.bands)) == BANDS
    assert fingerprint(Article("Div", ("Qtly div 10 cts vs 10 cts prior, pay April 1",))) is None


def test_copies_are_similar_and_other_stories_are_not():
    wire, gulf, other = (fingerprint(a) for a in (WIRE_ARTICLE, GULF_COPY, OTHER_STORY))
    assert similarity(wire.signature, wire.signature) == 1.0
    assert similarity(wire.signature, gulf.signature) >= 0.5
    assert similarity(wire.signature, other.signature) < 0.1
    assert set(wire.bands) & set(gulf.bands)
    assert not set(wire.bands) & set(other.bands)


# -- the story rule ----------------------------------------------------------------------


def sig(*ranges: tuple[int, int]) -> bytes:
    """A signature whose values are ``range(start, stop)`` pieces padded with unique ones:
    two signatures agree exactly where they share a piece at the same places."""
    values = np.arange(10_000, 10_000 + NUM_PERM, dtype=np.uint32)
    for start, stop in ranges:
        values[start:stop] = np.arange(start, stop)
    return values.tobytes()


def member(aid: str, hour: int | None, signature: bytes) -> Member:
    return Member(aid, datetime(1987, 3, 2, hour) if hour is not None else None, signature)


def test_story_is_the_earliest_member_ties_by_id():
    members = {
        "b": member("b", 2, sig((0, 100))),
        "c": member("c", 1, sig((0, 100))),
        "a": member("a", 1, sig((0, 100))),
        "undated": member("undated", None, sig((0, 100))),
    }
    everyone = {aid: set(members) - {aid} for aid in members}
    assert assign_stories(members, everyone) == {"a": "a", "b": "a", "c": "a", "undated": "a"}


def test_copies_are_similar_and_published_within_a_day():
    text, first = sig((0, 128)), Member("a", datetime(1987, 3, 2, 11), sig((0, 128)))
    assert Rule().score(first, Member("b", datetime(1987, 3, 3, 10), text)) == 1.0
    assert Rule().score(first, Member("b", datetime(1987, 3, 3, 12), text)) == 0.0
    assert Rule().score(first, Member("b", None, text)) == 1.0
    assert Rule().score(first, Member("b", None, sig((0, 64)))) == 0.5
    assert Rule().score(first, Member("b", None, sig((0, 63)))) == 0.0


def test_a_chain_of_half_similar_pairs_does_not_make_one_story():
    # a~b and b~c share 80 of 128 values; a and c share 32.
    members = {
        "a": member("a", 1, sig((0, 80))),
        "b": member("b", 2, sig((0, 128))),
        "c": member("c", 3, sig((48, 128))),
    }
    copies = {"a": {"b"}, "b": {"a", "c"}, "c": {"b"}}
    assert assign_stories(members, copies) == {"a": "a", "b": "a", "c": "c"}


def test_a_copy_of_a_twin_joins_through_half_the_story():
    # r2 re-sends r1 (100 of 128 values); m copies r2 (88) but is further from r1 (60).
    r1 = np.arange(128, dtype=np.uint32)
    r2 = np.concatenate([r1[:100], np.arange(500, 528, dtype=np.uint32)])
    m = np.concatenate([np.arange(900, 940, dtype=np.uint32), r2[40:]])
    members = {
        "r1": member("r1", 1, r1.tobytes()),
        "r2": member("r2", 2, r2.tobytes()),
        "m": member("m", 3, m.tobytes()),
    }
    copies = {"r1": {"r2"}, "r2": {"r1", "m"}, "m": {"r2"}}
    assert assign_stories(members, copies) == {"r1": "r1", "r2": "r1", "m": "r1"}
    # Not when m is more than a day after the story's first article.
    later = {**members, "m": Member("m", datetime(1987, 3, 3, 2), m.tobytes())}
    assert assign_stories(later, copies)["m"] == "m"
    # Nor through a third of the story: r3 re-sends r1 too, m is a copy of r2 only.
    third = {**members, "r3": member("r3", 2, r1.tobytes())}
    copies_3 = {**copies, "r1": {"r2", "r3"}, "r2": {"r1", "r3", "m"}, "r3": {"r1", "r2"}}
    assert assign_stories(third, copies_3)["m"] == "m"


def test_a_bridging_article_joins_the_story_it_is_closest_to():
    members = {
        "s1": member("s1", 1, sig((0, 70))),
        "s2": member("s2", 2, sig((58, 128))),
        "x": member("x", 3, sig((0, 128))),  # 70 values of s1, 70 of s2, ...
        "y": member("y", 4, sig((40, 128))),  # ... closer to s2 than to s1 (30 vs 70)
    }
    copies = {"s1": {"x"}, "s2": {"x", "y"}, "x": {"s1", "s2", "y"}, "y": {"s2", "x"}}
    found = assign_stories(members, copies)
    assert found["s1"] == "s1" and found["s2"] == "s2"  # the two stories stay apart
    assert found["y"] == "s2"
    assert found["x"] == "s1"  # equally close to both: the earlier story


# -- in the index, on every engine ---------------------------------------------------------


def test_copies_share_the_earliest_article_as_story(new_index):
    new_index.add_articles([GULF_COPY, OTHER_STORY, WIRE_ARTICLE])
    assert stories(new_index) == {"wire": "wire", "gulf": "wire", "other": "other"}
    copies = new_index.copies("gulf")
    assert [c.article_id for c in copies] == ["wire"]
    assert copies[0].source == "Reuters" and copies[0].date == datetime(1987, 3, 2, 8)
    assert 0.5 <= copies[0].similarity < 1.0
    assert new_index.copies("other") == []


def test_an_earlier_copy_arriving_later_becomes_the_story_of_all(new_index):
    new_index.add_articles([GULF_COPY, ARAB_COPY])
    assert stories(new_index) == {"gulf": "gulf", "arab": "gulf"}
    new_index.add(WIRE_ARTICLE)
    assert stories(new_index) == {"wire": "wire", "gulf": "wire", "arab": "wire"}
    assert [c.article_id for c in new_index.copies("arab")] == ["wire", "gulf"]
    assert len(new_index.article("gulf")) == len(split_article(GULF_COPY, "gulf"))


def test_replacing_and_deleting_the_first_article_moves_the_story_on(new_index):
    new_index.add_articles([WIRE_ARTICLE, GULF_COPY, ARAB_COPY, OTHER_STORY])
    correction = (
        "A correction: the figures in this story were wrong and it was withdrawn "
        "by the agency, which regrets the error and will issue a new version later.",
    )
    new_index.add(replace(WIRE_ARTICLE, body=correction))  # no longer a copy of anything
    assert stories(new_index) == {"wire": "wire", "gulf": "gulf", "arab": "gulf", "other": "other"}
    new_index.add(WIRE_ARTICLE)
    new_index.delete("wire")
    assert stories(new_index) == {"gulf": "gulf", "arab": "gulf", "other": "other"}


def test_stories_do_not_depend_on_arrival_order(tmp_path, engine):
    found = []
    for n, order in enumerate(
        [
            [WIRE_ARTICLE, GULF_COPY, ARAB_COPY, OTHER_STORY],
            [ARAB_COPY],
            [OTHER_STORY, ARAB_COPY],
        ]
    ):
        with Index.open(tmp_path / str(n), create=True, engine=engine) as index:
            index.batch_paragraphs = 1  # one article a commit
            index.add_articles(order)
            rest = [a for a in (WIRE_ARTICLE, GULF_COPY, ARAB_COPY, OTHER_STORY) if a not in order]
            index.add_articles(rest[::-1])
            found.append(stories(index))
    assert found[0] == found[1] == found[2]
    assert found[0]["arab"] == "wire"


def test_copies_of_an_unknown_article_is_an_error(new_index):
    with pytest.raises(NewsearchError, match="no article with id 'nope'"):
        new_index.copies("nope")


def test_detection_off_makes_every_article_its_own_story(new_index):
    new_index.detect_copies = False
    new_index.add_articles([WIRE_ARTICLE, GULF_COPY])
    assert stories(new_index) == {"wire": "wire", "gulf": "gulf"}


def test_replacing_without_detection_moves_the_story_of_its_former_copies_on(new_index):
    new_index.add_articles([WIRE_ARTICLE, GULF_COPY, ARAB_COPY])
    new_index.detect_copies = False
    new_index.add(WIRE_ARTICLE)  # now without a fingerprint: no one's copy
    assert stories(new_index) == {"wire": "wire", "gulf": "gulf", "arab": "gulf"}
    assert new_index.copies("wire") == []


# -- collapsed results and stats -----------------------------------------------------------


def test_collapse_gives_one_hit_per_story_with_its_copies(new_index):
    new_index.add_articles([WIRE_ARTICLE, GULF_COPY, ARAB_COPY, OTHER_STORY])
    plain = new_index.search("barrels", limit=50)
    collapsed = new_index.search("barrels", collapse=True)
    assert collapsed.total == plain.total == 7
    assert plain.total_stories is None
    assert collapsed.total_stories == 2
    assert sorted(h.story for h in collapsed.hits) == ["other", "wire"]
    by_story = {h.story: h for h in collapsed.hits}
    wire_hit = by_story["wire"]
    others = {wire_hit.article_id} | {c.article_id for c in wire_hit.copies}
    assert others == {"wire", "gulf", "arab"}
    assert by_story["other"].copies == ()
    page = new_index.search("barrels", collapse=True, limit=1, offset=1)
    assert len(page.hits) == 1 and page.hits[0].story == collapsed.hits[1].story


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_collapse_pages_are_the_same_when_it_ranks_only_a_prefix(
    new_index, engine, monkeypatch, sort
):
    # Four stories of copies and eight single articles, all mentioning barrels; a
    # collapsed page ranks a prefix of the hits (tantivy) or all of them, same pages.
    singles = [
        replace(OTHER_STORY, id=f"single-{n}", date=datetime(1987, 3, 10 + 2 * n, 8))
        for n in range(8)
    ]
    stories_of_copies = [
        replace(a, id=f"{a.id}-{n}", date=a.date.replace(day=a.date.day + 2 * n))
        for n in range(4)
        for a in (WIRE_ARTICLE, GULF_COPY, ARAB_COPY)
    ]
    new_index.add_articles([*stories_of_copies, *singles])

    def pages() -> list[tuple[int | None, int | None, list[tuple[str, tuple[str, ...]]]]]:
        found = []
        for offset in range(0, 14, 3):
            result = new_index.search("barrels", collapse=True, limit=3, offset=offset, sort=sort)
            hits = [(h.article_id, tuple(c.article_id for c in h.copies)) for h in result.hits]
            found.append((result.total_stories, result.total_articles, hits))
        return found

    whole = pages()
    assert whole[0][:2] == (12, 20)
    assert sum(len(hits) for _, _, hits in whole) == 12
    if engine == "tantivy":
        monkeypatch.setattr("newsearch.engines.tantivy._STORY_PREFIX", 1)
        assert pages() == whole


def test_collapsed_json_lists_copies(new_index):
    new_index.add_articles([WIRE_ARTICLE, GULF_COPY])
    data = new_index.search('"emergency session"', collapse=True).to_dict()
    assert data["total"] == 2 and data["total_stories"] == 1
    (hit,) = data["hits"]
    assert hit["story"] == "wire"
    (copy,) = hit["copies"]
    assert set(copy) == {"article_id", "title", "date", "source", "url", "similarity"}
    assert "total_stories" not in new_index.search("session").to_dict()


def test_stats_count_stories_with_copies(new_index):
    new_index.add_articles([WIRE_ARTICLE, GULF_COPY, ARAB_COPY, OTHER_STORY])
    stats = new_index.stats()
    assert stats.stories_with_copies == 1
    assert stats.largest_story == ("wire", 3)
    assert stats.to_dict()["largest_story"] == {"story": "wire", "articles": 3}


def test_timeline_counts_stories_once(new_index):
    new_index.add_articles([WIRE_ARTICLE, GULF_COPY, ARAB_COPY, OTHER_STORY])
    articles = new_index.timeline("barrels", unit="articles")
    stories = new_index.timeline("barrels", unit="stories")
    (a,), (s,) = articles.series, stories.series
    assert a.matching == 4 and s.matching == 2
    by_day = {b.start.isoformat(): (b.matching, b.total) for b in s.buckets if b.total}
    assert by_day == {"1987-03-02": (1, 1), "1987-03-03": (1, 1), "1987-03-09": (1, 1)}


def test_a_story_counts_once_in_each_week_month_and_year_it_ran_in(new_index):
    # The wire story ran on Monday 2 and Tuesday 3 March 1987, the other story on the
    # next Monday: a week counts the wire story once, not once per day.
    new_index.add_articles([WIRE_ARTICLE, GULF_COPY, ARAB_COPY, OTHER_STORY])

    def counts(interval: str) -> dict[str, tuple[int, int]]:
        (series,) = new_index.timeline("barrels", unit="stories", interval=interval).series
        assert series.matching == 2
        return {b.start.isoformat(): (b.matching, b.total) for b in series.buckets}

    assert counts("week") == {"1987-03-02": (1, 1), "1987-03-09": (1, 1)}
    assert counts("month") == {"1987-03-01": (2, 2)}
    assert counts("year") == {"1987-01-01": (2, 2)}
    years = new_index.facets("barrels", "year", unit="stories")
    assert [(v.value, v.stories, v.articles) for v in years.values] == [("1987", 2, 4)]


def test_a_story_crossing_the_end_of_a_week_counts_in_both_weeks(new_index):
    # A copy ran late on Sunday 1 March: the story ran in February's last week and in
    # March's first, so each of those buckets counts it.
    sunday = replace(GULF_COPY, id="sunday", date=datetime(1987, 3, 1, 23))
    new_index.add_articles([WIRE_ARTICLE, sunday, OTHER_STORY])
    assert stories(new_index) == {"sunday": "sunday", "wire": "sunday", "other": "other"}
    (weeks,) = new_index.timeline("barrels", unit="stories", interval="week").series
    by_week = {b.start.isoformat(): b.matching for b in weeks.buckets}
    assert by_week == {"1987-02-23": 1, "1987-03-02": 1, "1987-03-09": 1}
    assert (weeks.matching, weeks.undated) == (2, 0)
    (months,) = new_index.timeline("barrels", unit="stories", interval="month").series
    assert {b.start.isoformat(): b.matching for b in months.buckets} == {"1987-03-01": 2}


# -- fingerprints from the analysis worker ---------------------------------------------------


def test_the_analysis_worker_fingerprints_bodies_as_the_indexer_does():
    from newsearch import parallel
    from newsearch.copies.fingerprint import Batch
    from newsearch.index import _batch_bodies, _batch_texts

    short = Article("Short", ("too few words",), id="short")
    articles = [WIRE_ARTICLE, short, OTHER_STORY, GULF_COPY]
    batch = {a.id: split_article(a, a.id) for a in articles}
    worker = parallel.AnalysisWorker()
    try:
        worker.send(_batch_texts(batch), _batch_bodies(batch))
        answer = worker.receive()
    finally:
        worker.close()
    assert answer is not None and answer[1] is not None
    here = Batch.of(list(batch.values()))
    there = answer[1]
    assert there.usable.tolist() == here.usable.tolist() == [0, 2, 3]
    assert there.rows.tolist() == here.rows.tolist()
    assert there.keys.tolist() == here.keys.tolist()


def test_stories_are_the_same_with_fingerprints_from_the_worker(tmp_path, engine, monkeypatch):
    from newsearch.copies import fingerprint

    used = []
    lent = fingerprint.lent
    monkeypatch.setattr(fingerprint, "lent", lambda batch: used.append(lent(batch)) or lent(batch))
    found = []
    for worker in (True, False):
        with Index.open(tmp_path / str(worker), create=True, engine=engine) as index:
            index.analysis_process = worker
            index.batch_paragraphs = 6  # a batch of one or two articles
            index.add_articles([WIRE_ARTICLE, OTHER_STORY, GULF_COPY, ARAB_COPY])
            found.append(stories(index))
    assert (
        found[0] == found[1] == {"wire": "wire", "gulf": "wire", "arab": "wire", "other": "other"}
    )
    lent_batches = [b for b in used if b is not None]
    # Every batch: the worker fingerprints the first one too.
    assert len(lent_batches) >= 3 and all(b.size >= 1 for b in lent_batches)


# -- the band keys a writer knows ----------------------------------------------------------


def test_a_build_looks_up_only_the_keys_already_committed(tmp_path, engine, monkeypatch):
    asked: list[int] = []
    with Index.open(tmp_path / "index", create=True, engine=engine) as index:
        lookup = index.engine.copy_candidates

        def spy(keys, near=None):
            keys = list(keys)
            asked.append(len(keys))
            return lookup(keys, near)

        monkeypatch.setattr(index.engine, "copy_candidates", spy)
        index.add(WIRE_ARTICLE)
        index.add(OTHER_STORY)
        assert asked == []  # no key of the other story is in the index: nothing to ask
        index.add(GULF_COPY)
        # The copy's keys shared with the wire story (a few of its 16), then those of
        # the wire story it reached.
        assert 0 < asked[0] < BANDS
        assert stories(index) == {"wire": "wire", "gulf": "wire", "other": "other"}


def test_copy_candidates_are_the_live_articles_holding_any_key(tmp_path, engine):
    assert_copy_candidates(tmp_path, engine)


@pytest.mark.parametrize("read_at", [0.0, float("inf")], ids=["keys-read", "keys-looked-up"])
def test_whoosh_finds_the_same_candidates_whether_it_reads_a_segments_keys(
    tmp_path, monkeypatch, read_at
):
    # A batch asking for few keys looks each up; one asking for many reads the segment's.
    monkeypatch.setattr(whoosh_engine, "_KEYS_READ_AT", read_at)
    engine = assert_copy_candidates(tmp_path, "whoosh")
    assert bool(engine._band_keys) == (read_at == 0.0)


def assert_copy_candidates(tmp_path, engine):
    """Ask ``engine`` for the candidates of several key sets over several segments, one
    with a deleted article; return the engine."""
    text = (
        "A correction: the figures in this story were wrong and it was withdrawn "
        "by the agency, which regrets the error and will issue a new version later. "
        "Readers who relied on the earlier numbers should wait for that version, due "
        "once the ministry has confirmed what its officials told our correspondent."
    )
    correction = replace(WIRE_ARTICLE, body=(text,))
    with Index.open(tmp_path / "index", create=True, engine=engine) as index:
        index.batch_paragraphs = 1  # one article a commit: several segments
        index.add_articles([WIRE_ARTICLE, GULF_COPY, OTHER_STORY, ARAB_COPY])
        index.add(correction)  # the wire story's first version is deleted
        wire, gulf, other = (fingerprint(a).bands for a in (WIRE_ARTICLE, GULF_COPY, OTHER_STORY))
        absent = [k + 1 for k in wire if k + 1 not in set(wire) | set(gulf) | set(other)]

        def found(keys):
            records = index.engine.copy_candidates(keys)
            ids = [r.article_id for r in records]
            assert len(ids) == len(set(ids))  # each article once
            return sorted(ids), records

        assert found(absent) == ([], [])
        ids, records = found(list(wire) + absent)
        assert ids == ["arab", "gulf"]  # the copies; not the deleted first version
        assert {r.article_id: r.story for r in records} == {"arab": "gulf", "gulf": "gulf"}
        assert found(list(other))[0] == ["other"]
        assert found([*other, *gulf, *absent])[0] == ["arab", "gulf", "other"]
        assert found(fingerprint(correction).bands)[0] == ["wire"]
        return index.engine


def test_a_plan_looks_each_key_up_once(tmp_path, engine, monkeypatch):
    asked: list[list[int]] = []
    with Index.open(tmp_path / "index", create=True, engine=engine) as index:
        lookup = index.engine.copy_candidates

        def spy(keys, near=None):
            asked.append(list(keys))
            return lookup(asked[-1], near)

        monkeypatch.setattr(index.engine, "copy_candidates", spy)
        index.add_articles([WIRE_ARTICLE, ARAB_COPY])
        index.add(GULF_COPY)  # reaches the wire story and its copy, sharing its keys
        keys = [k for found in asked for k in found]
        assert len(asked) == 2 and len(keys) == len(set(keys))
        assert set(keys) <= set(fingerprint(GULF_COPY).bands) | set(
            fingerprint(WIRE_ARTICLE).bands
        ) | set(fingerprint(ARAB_COPY).bands)
        assert stories(index) == {"wire": "wire", "arab": "wire", "gulf": "wire"}


def test_a_commit_by_another_writer_makes_the_known_keys_unknown(tmp_path, engine):
    path = tmp_path / "index"
    with (
        Index.open(path, create=True, engine=engine) as first,
        Index.open(path, engine=engine) as second,
    ):
        first.add(OTHER_STORY)  # the first writer knows the index: only these keys
        second.add(WIRE_ARTICLE)  # another writer's commit
        first.add(GULF_COPY)  # must look the wire story up in the index
        assert stories(first) == {"other": "other", "wire": "wire", "gulf": "wire"}
        first.delete("wire")
        second.add(ARAB_COPY)
        assert stories(second) == {"other": "other", "gulf": "gulf", "arab": "gulf"}


def test_candidates_are_read_only_when_dated_near_enough_to_be_copies():
    from newsearch.copies.stories import _near

    members = [Member("a", datetime(1987, 3, 2, 12), b""), Member("b", None, b"")]
    assert _near(members) is None  # an undated article may be a copy of any date
    near = _near([members[0], Member("c", datetime(1987, 3, 9, 12), b"")])
    assert near is not None
    # A day's limit, and a day more for a date on its publication's clock.
    assert near(datetime(1987, 3, 4, 11)) and not near(datetime(1987, 3, 4, 13))
    assert near(datetime(1987, 3, 7, 13)) and not near(datetime(1987, 3, 7, 11))
    assert near(datetime(1987, 2, 28, 13)) and not near(datetime(1987, 2, 28, 11))
    assert near(datetime(1987, 3, 4, 21, tzinfo=timezone(timedelta(hours=10))))  # 11:00 UTC
    assert _near(members[:1], Rule(max_hours=None)) is None


def test_a_template_on_another_day_is_not_read_from_a_tantivy_index(tmp_path, monkeypatch):
    read: list[list[str]] = []
    with Index.open(tmp_path / "index", create=True, engine="tantivy") as index:
        lookup = index.engine.copy_candidates

        def spy(keys, near=None):
            found = lookup(keys, near)
            read.append(sorted(r.article_id for r in found))
            return found

        monkeypatch.setattr(index.engine, "copy_candidates", spy)
        index.add(WIRE_ARTICLE)
        # The same text a week later: every band key shared, not a copy (MAX_HOURS).
        index.add(replace(WIRE_ARTICLE, id="week", date=datetime(1987, 3, 9, 8)))
        assert read == [[]]  # looked up, left out by its date: no record read
        index.add(GULF_COPY)
        assert ["wire"] in read and not any("week" in found for found in read)
        assert stories(index) == {"wire": "wire", "week": "week", "gulf": "wire"}


def _mapped(folder) -> list[str]:
    """The files under ``folder`` this process has memory-mapped."""
    with open("/proc/self/maps") as maps:
        return [line.split()[-1] for line in maps if str(folder) in line]


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs Linux's /proc")
def test_whoosh_copy_lookups_while_writing_map_no_index_file(tmp_path, monkeypatch):
    mapped: list[list[str]] = []
    with Index.open(tmp_path / "index", create=True, engine="whoosh") as index:
        index.add(WIRE_ARTICLE)
        index.add(OTHER_STORY)
        lookup = index.engine.copy_candidates

        def spy(keys, near=None):
            found = lookup(keys, near)
            mapped.append(_mapped(tmp_path))
            return found

        monkeypatch.setattr(index.engine, "copy_candidates", spy)
        index.add(GULF_COPY)
        # Two lookups (the copy's keys, then the wire story's), no index file mapped
        # meanwhile, and the copy found through them.
        assert mapped == [[], []]
        assert stories(index) == {"wire": "wire", "gulf": "wire", "other": "other"}
        assert [h.article_id for h in index.search("correspondent").hits] == ["gulf"]
        assert _mapped(tmp_path)  # searches still read the index memory-mapped
