"""Dates with a time zone keep the publication's own calendar day and show their offset;
articles without a title are refused by the library, as the readers skip them."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from newsearch import Article, InputError

from .conftest import run_cli

NEW_YORK = {
    "id": "ny",
    "title": "Late council vote in New York",
    "text": "The council voted late in the evening.",
    "date": "2024-02-09T23:30:00-05:00",  # 04:30 on 10 February in UTC
}
TOKYO = {
    "id": "tokyo",
    "title": "Morning council vote in Tokyo",
    "text": "The council voted early in the morning.",
    "date": "2024-02-10T08:00:00+09:00",  # 23:00 on 9 February in UTC
}


@pytest.fixture
def zoned(new_index, tmp_path):
    path = tmp_path / "zoned.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in (NEW_YORK, TOKYO)), encoding="utf-8")
    new_index.add_paths([path])
    return new_index


def test_a_day_filter_uses_the_publications_own_calendar_day(zoned):
    assert {h.article_id for h in zoned.search("council date:2024-02-09")} == {"ny"}
    assert {h.article_id for h in zoned.search("council date:2024-02-10")} == {"tokyo"}
    assert {h.article_id for h in zoned.search("council", since="2024-02-10")} == {"tokyo"}


def test_json_shows_the_offset(zoned):
    (hit,) = zoned.search("evening").hits
    assert hit.to_dict()["date"] == "2024-02-09T23:30:00-05:00"
    assert hit.date.utcoffset() == timedelta(hours=-5)
    assert zoned.article("tokyo")[0].date.isoformat() == "2024-02-10T08:00:00+09:00"


def test_dates_sort_by_the_publications_clock(zoned):
    newest = zoned.search("council", sort="newest")
    assert [h.article_id for h in newest] == ["tokyo", "tokyo", "ny", "ny"]


def test_an_aware_datetime_given_to_add_keeps_its_day(new_index):
    evening = datetime(2024, 2, 9, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    report = new_index.add(Article(title="Vote", body=("Late vote.",), id="a", date=evening))
    assert report.added == 1
    (hit,) = new_index.search("late date:2024-02-09").hits
    assert hit.to_dict()["date"] == "2024-02-09T23:30:00-05:00"
    new_index.add(Article(title="Day", body=("A plain day.",), id="b", date=date(2024, 2, 9)))
    assert new_index.search("plain").hits[0].date == datetime(2024, 2, 9)
    assert new_index.stats().articles == 2


def test_mixed_naive_and_aware_dates_give_stats(new_index):
    utc = timezone.utc
    new_index.add(Article(title="A", body=("x",), id="a", date=datetime(2024, 1, 1, tzinfo=utc)))
    new_index.add(Article(title="B", body=("x",), id="b", date=datetime(2024, 3, 1)))
    stats = new_index.stats()
    assert (stats.first_date, stats.last_date) == (datetime(2024, 1, 1), datetime(2024, 3, 1))


def test_cli_json_prints_the_offset(runner, tmp_path):
    path = tmp_path / "ny.json"
    path.write_text(json.dumps(NEW_YORK), encoding="utf-8")
    run_cli(runner, "index", "--index", str(tmp_path / "i"), str(path))
    found = run_cli(runner, "query", "--index", str(tmp_path / "i"), "date:2024-02-09", "--json")
    assert json.loads(found.stdout)["hits"][0]["date"] == "2024-02-09T23:30:00-05:00"
    shown = run_cli(runner, "show", "--index", str(tmp_path / "i"), "ny", "--json")
    assert json.loads(shown.stdout)["date"] == "2024-02-09T23:30:00-05:00"


@pytest.mark.parametrize("title", ["", "   "])
def test_an_article_without_a_title_is_an_input_error(new_index, title):
    with pytest.raises(InputError, match="no title"):
        new_index.add(Article(title=title, body=("Text.",), id="untitled"))
    assert new_index.stats().articles == 0
    assert not new_index.article("untitled")


def test_add_articles_indexes_those_before_an_untitled_one(new_index):
    good = Article(title="Good", body=("Text.",), id="good")
    with pytest.raises(InputError):
        new_index.add_articles([good, Article(title="", body=("x",)), good])
    assert new_index.stats().articles == 1


def test_a_date_that_is_not_a_datetime_is_an_input_error(new_index):
    with pytest.raises(InputError, match="date of type str"):
        new_index.add(Article(title="T", body=("x",), id="s", date="2024-02-09"))  # type: ignore[arg-type]
