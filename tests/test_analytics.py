"""Coverage analytics through the library: every count against a brute-force count over
the input records and against the engine's own search results, on every engine."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from itertools import pairwise

import pytest

from newsearch import Index, NewsearchError
from newsearch.analytics import bucket_start, export, next_bucket
from newsearch.significance import min_foreground, surface_form

from . import coverage_helpers as cov
from .conftest import ENGINES

RECORDS = cov.records()
WORDS = ["flood", "court", "border", "train"]


@pytest.fixture(scope="module", params=ENGINES)
def coverage_index(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"coverage-{request.param}")
    index = Index.open(base / "index", create=True, engine=request.param)
    report = index.add_paths([cov.write(base / "in", RECORDS)])
    assert report.added == len(RECORDS) and not report.skipped
    yield index
    index.close()


def _day_key(interval):
    def key(record):
        day = cov.day_of(record)
        return [bucket_start(day, interval)] if day else []

    return key


def test_vocabulary_words_are_their_own_terms():
    cov.check_vocabulary()


def test_weeks_start_on_monday_and_months_roll_over():
    assert bucket_start(date(2024, 2, 11), "week") == date(2024, 2, 5)  # a Sunday
    assert bucket_start(date(2024, 2, 12), "week") == date(2024, 2, 12)  # a Monday
    assert next_bucket(date(2024, 12, 1), "month") == date(2025, 1, 1)
    assert next_bucket(date(2024, 2, 26), "week") == date(2024, 3, 4)


@pytest.mark.parametrize("interval", ["day", "week", "month", "year"])
def test_timeline_counts_equal_brute_force_counts(coverage_index, interval):
    found = coverage_index.timeline(WORDS, interval=interval)
    paragraphs = coverage_index.timeline(WORDS, interval=interval, unit="paragraphs")
    all_articles, all_paragraphs = cov.brute_counts(RECORDS, None, _day_key(interval))
    for word, series, by_paragraph in zip(WORDS, found.series, paragraphs.series, strict=True):
        articles, paras = cov.brute_counts(RECORDS, word, _day_key(interval))
        assert {b.start: b.matching for b in series.buckets if b.matching} == articles
        assert {b.start: b.matching for b in by_paragraph.buckets if b.matching} == paras
        assert {b.start: b.total for b in series.buckets if b.total} == all_articles
        assert {b.start: b.total for b in by_paragraph.buckets if b.total} == all_paragraphs


def test_timeline_buckets_are_contiguous_and_shared(coverage_index):
    found = coverage_index.timeline(WORDS, interval="week")
    starts = found.starts
    assert starts[0] == date(2024, 1, 1)  # a Monday, the first dated article's week
    assert all(b - a == timedelta(weeks=1) for a, b in pairwise(starts))
    assert all(tuple(b.start for b in s.buckets) == starts for s in found.series)
    empty = [b for b in found.series[0].buckets if b.total == 0]
    assert all(b.matching == 0 and b.ratio == 0.0 for b in empty)


def test_timeline_sums_equal_the_search_totals(coverage_index):
    for word in WORDS:
        search = coverage_index.search(word, limit=1000)
        articles = search.total_articles
        assert articles == len({hit.article_id for hit in search})
        by_paragraph = coverage_index.timeline(word, unit="paragraphs").series[0]
        by_article = coverage_index.timeline(word).series[0]
        assert by_paragraph.matching == search.total
        assert sum(b.matching for b in by_paragraph.buckets) + by_paragraph.undated == search.total
        assert by_article.matching == articles
        assert sum(b.matching for b in by_article.buckets) + by_article.undated == articles
        undated = [r for r in RECORDS if "date" not in r]
        assert by_article.undated == cov.brute_counts(undated, word, lambda r: [0])[0][0]


def test_a_date_filter_and_a_week_bucket_agree(coverage_index):
    monday, sunday = date(2024, 2, 5), date(2024, 2, 11)
    bucket = next(
        b
        for b in coverage_index.timeline("", interval="week", unit="paragraphs").series[0].buckets
        if b.start == monday
    )
    assert bucket.total == coverage_index.search("", since=monday, until=sunday).total > 0
    filtered = coverage_index.timeline("", interval="day", since=monday, until=sunday)
    assert filtered.starts == tuple(monday + timedelta(days=n) for n in range(7))
    assert (filtered.since, filtered.until) == (monday, sunday)


def test_several_queries_report_each_ratio(coverage_index):
    found = coverage_index.timeline(["flood", "court"], interval="month")
    for series in found.series:
        for bucket in series.buckets:
            assert bucket.ratio == (round(bucket.matching / bucket.total, 6) if bucket.total else 0)
    assert [s.query for s in found.series] == ["flood", "court"]


def _values(record, field):
    value = record.get(field)
    return value if isinstance(value, list) else [value] if value else []


@pytest.mark.parametrize(
    ("by", "field"),
    [("source", "source"), ("author", "author"), ("tag", "tags"), ("language", "language")],
)
def test_facet_counts_equal_brute_force_counts(coverage_index, by, field):
    for word in ["flood", "court", ""]:
        found = coverage_index.facets(word, by, limit=100)
        articles, paragraphs = cov.brute_counts(RECORDS, word or None, lambda r: _values(r, field))
        assert {v.value: v.articles for v in found.values} == articles
        assert {v.value: v.paragraphs for v in found.values} == paragraphs
        missing_a, missing_p = cov.brute_counts(
            RECORDS, word or None, lambda r: [] if _values(r, field) else [None]
        )
        assert (found.missing_articles, found.missing_paragraphs) == (
            missing_a[None],
            missing_p[None],
        )


def test_single_valued_facets_sum_to_the_matches(coverage_index):
    search = coverage_index.search("flood", limit=1000)
    for by in ("source", "year", "role", "language"):
        found = coverage_index.facets("flood", by)
        assert found.paragraphs == search.total
        assert sum(v.paragraphs for v in found.values) + found.missing_paragraphs == search.total
    years = coverage_index.facets("flood", "year")
    assert sum(v.articles for v in years.values) + years.missing_articles == years.articles
    assert years.articles == search.total_articles


def test_role_facet_counts_articles_per_role(coverage_index):
    found = coverage_index.facets("flood", "role")
    titles = sum(1 for r in RECORDS if cov.has_word(r["title"], "flood"))
    with_body = sum(1 for r in RECORDS if any(cov.has_word(p, "flood") for p in r["paragraphs"]))
    assert {v.value: v.articles for v in found.values} == {"title": titles, "body": with_body}


def test_facets_are_ordered_and_limited(coverage_index):
    found = coverage_index.facets("", "source", limit=2)
    assert len(found.values) == 2 and found.distinct == 3
    assert [v.articles for v in found.values] == sorted(
        (v.articles for v in found.values), reverse=True
    )


def test_significant_terms_count_the_sample_and_the_index(coverage_index):
    found = coverage_index.terms("flood", limit=100, sample=1000)
    matching = [t for r in RECORDS for _, t in cov.paragraphs(r) if cov.has_word(t, "flood")]
    everything = [t for r in RECORDS for _, t in cov.paragraphs(r)]
    assert (found.matched, found.sample, found.sampled) == (len(matching), len(matching), False)
    assert found.background == len(everything)
    assert found.terms and all(t.term != "flood" for t in found.terms)
    for term in found.terms:
        assert term.foreground == sum(cov.has_word(t, term.form.lower()) for t in matching)
        assert term.background == sum(cov.has_word(t, term.form.lower()) for t in everything)
        assert term.foreground / found.sample > term.background / found.background
    scores = [t.score for t in found.terms]
    assert scores == sorted(scores, reverse=True)


def test_terms_say_when_they_sample(coverage_index):
    found = coverage_index.terms("flood OR court", sample=5)
    assert (found.sample, found.sampled) == (5, True)
    assert found.matched == coverage_index.search("flood OR court").total


def test_terms_show_the_usual_surface_form_and_skip_stop_words(new_index):
    body = ["The negotiations stalled in Doha.", "Negotiations resumed; the negotiations went on."]
    filler = ["Weather was mild in the north."] * 6  # a background larger than the matches
    report = new_index.add_paths(
        [
            cov.write(
                new_index.path.parent / "in",
                [
                    {"id": "a", "title": "Doha", "paragraphs": body},
                    {"id": "b", "title": "Other", "paragraphs": filler},
                ],
            )
        ]
    )
    assert report.added == 2
    found = new_index.terms("Doha OR resumed")
    forms = {t.term: t.form for t in found.terms}
    assert forms.get("negoti") == "negotiations"
    assert not {"the", "in", "doha", "resum"} & set(forms)


def test_export_yields_every_hit_once_in_a_stable_order(coverage_index):
    search = coverage_index.search("flood OR court", limit=1000, sort="oldest")
    exported = list(coverage_index.export("flood OR court"))
    assert [h.anchor for h in exported] == [h.anchor for h in search.hits]
    paged = list(
        export(
            lambda o, n: coverage_index.search("flood OR court", limit=n, offset=o, sort="oldest"),
            size=7,
        )
    )
    assert [h.anchor for h in paged] == [h.anchor for h in search.hits]
    assert len(set(h.anchor for h in paged)) == search.total


def test_engines_give_the_same_numbers(tmp_path):
    if len(ENGINES) < 2:
        pytest.skip("only one engine installed")
    answers = []
    for engine in ENGINES:
        with Index.open(tmp_path / engine, create=True, engine=engine) as index:
            index.add_paths([cov.write(tmp_path / "in", RECORDS)])
            answers.append(
                (
                    index.timeline(WORDS, interval="week").to_dict(),
                    index.facets("flood OR court", "tag").to_dict(),
                    index.terms("flood", limit=10).to_dict(),
                    [h.anchor for h in index.export("border")],
                )
            )
    assert answers[0] == answers[1]


def test_anchors_name_a_paragraph_and_its_context(archive_index):
    hit = archive_index.search('"aid trucks"').hits[0]
    assert hit.anchor == "old-1#p2" and hit.to_dict()["anchor"] == "old-1#p2"
    assert [p.number for p in archive_index.article("old-1#p2")] == [1, 2, 3]
    assert [p.number for p in archive_index.article("old-1#p2", context=0)] == [2]
    assert [p.number for p in archive_index.article("old-1#p3", context=1)] == [2, 3]
    assert len(archive_index.article("old-1")) == 3
    assert archive_index.article("old-1#p9") == []


def test_bad_arguments_are_clear_errors(archive_index):
    with pytest.raises(NewsearchError, match="unknown interval"):
        archive_index.timeline("aid", interval="fortnight")  # type: ignore[arg-type]
    with pytest.raises(NewsearchError, match="unknown facet"):
        archive_index.facets("aid", "colour")  # type: ignore[arg-type]
    with pytest.raises(NewsearchError, match="unknown unit"):
        archive_index.timeline("aid", unit="words")  # type: ignore[arg-type]
    assert Counter(type(h).__name__ for h in archive_index.export("zzzz")) == Counter()


def test_counts_follow_replaced_and_deleted_articles(new_index, tmp_path):
    first = [
        {"id": "x", "title": "Flood warning", "paragraphs": ["flood river"], "date": "2024-01-03"}
    ]
    new_index.add_paths([cov.write(tmp_path / "a", first)])
    assert new_index.facets("", "year").to_dict()["values"] == [
        {"value": "2024", "articles": 1, "paragraphs": 2}
    ]
    moved = [{**first[0], "date": "2023-05-01", "paragraphs": ["flood", "river"]}]
    new_index.add_paths([cov.write(tmp_path / "b", moved)])
    timeline = new_index.timeline("flood", interval="year", unit="paragraphs").series[0]
    assert [(b.start.year, b.matching, b.total) for b in timeline.buckets] == [(2023, 2, 3)]
    new_index.delete("x")
    assert new_index.timeline("flood").series[0].matching == 0
    assert new_index.facets("", "year").paragraphs == 0


def test_headline_capitals_are_the_form_only_when_nothing_else_is_written():
    assert surface_form(Counter({"COLOMBIA": 4, "Colombia": 2, "colombia": 1})) == "Colombia"
    assert surface_form(Counter({"ICO": 3})) == "ICO"
    assert (min_foreground(8), min_foreground(1000)) == (2, 5)
