"""Saved web pages and WARC crawls: the article, its paragraphs and metadata, nothing else."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta, timezone

import pytest

from newsearch import Index
from newsearch.paragraphs import split_article
from newsearch.readers import ReadProgress, read_file, read_paths
from newsearch.readers.html import parse_html
from tests.conftest import SEED_FILE, run_cli
from tests.web_helpers import Record, page, render_page, write_warc

HARBOUR = "https://www.harbourtimes.example/business/2024/03/12/port-strike-grain"
LEDGER = "https://gulfledger.example/economy/central-bank-holds-rates"
STORM = "https://coastline.example/live/2024/feb/09/storm-ciara-live"


def roles_and_texts(article) -> list[tuple[str, str]]:
    return [(p.role, p.text) for p in split_article(article, "x")]


def extract(name: str, **kwargs):
    parsed = parse_html(page(name), name, **kwargs)
    assert parsed.skip_reason is None
    return parsed.article


def test_news_page_gives_its_paragraphs_with_roles():
    assert roles_and_texts(extract("article.html")) == [
        ("title", "Port strike halts grain exports"),
        ("standfirst", "Dockworkers walk out over pay as ships queue outside the harbour"),
        ("caption", "Idle cranes at the grain terminal on Tuesday. Reuters"),
        (
            "body",
            "VALENCIA, March 12 — Grain exports from the port of Valencia stopped on Tuesday "
            "after dockworkers walked out in a dispute over pay, leaving more than twenty bulk "
            "carriers waiting at anchor.",
        ),
        (
            "body",
            "The union said its members had not had a pay rise in four years while the volume "
            "of cargo handled at the terminal had doubled. “We are not asking for a favour, we "
            "are asking for our share,” said Ana Ruiz, the union’s spokeswoman.",
        ),
        (
            "body",
            "The port authority said talks would resume on Thursday and that perishable cargo "
            "would be handled by a skeleton crew in the meantime.",
        ),
        ("body", "Traders look elsewhere"),
        (
            "body",
            "Grain traders said they were already diverting some cargoes to Tarragona and "
            "Sines, where terminals have spare capacity this month.",
        ),
        (
            "body",
            "A prolonged strike could push up freight rates across the western Mediterranean, "
            "analysts at a shipping consultancy said.",
        ),
    ]


def test_news_page_metadata():
    article = extract("article.html")
    assert (article.title, article.author, article.source) == (
        "Port strike halts grain exports",
        "Maria Lopez",
        "Harbour Times",
    )
    assert article.url == HARBOUR
    # The page's own clock and offset are kept (08:15+01:00).
    assert article.date == datetime(2024, 3, 12, 8, 15, tzinfo=timezone(timedelta(hours=1)))
    assert (article.section, article.tags, article.language) == (
        "Business",
        ("shipping", "labour"),
        "en",
    )


@pytest.mark.parametrize(
    "furniture",
    [
        "cookie",  # banner
        "News",  # navigation
        "Opinion",
        "By Maria Lopez",  # byline (it is the author)
        "Related stories",
        "Freight rates climb",  # related story link
        "About time the workers",  # comments
        "sailor42",
        "storage fees",
        "All rights reserved",  # footer
        "Privacy policy",
    ],
)
def test_news_page_furniture_is_gone(furniture):
    text = "\n".join(text for _, text in roles_and_texts(extract("article.html")))
    assert furniture not in text


def test_pull_quote_repeating_the_body_is_indexed_once():
    texts = [text for _, text in roles_and_texts(extract("article.html"))]
    assert sum("asking for our share" in t for t in texts) == 1


def test_live_blog_keeps_every_post_and_drops_the_consent_banner():
    article = extract("liveblog.html")
    # Every post's headline and text, newest first as on the page; trafilatura 2.3 drops
    # the posts' timestamps and the "Key events" box above them.
    assert roles_and_texts(article) == [
        ("title", "Storm Ciara live: flights cancelled as gusts reach 90mph"),
        ("body", "Ferries suspended in the Channel"),
        (
            "body",
            "All ferry crossings between Dover and Calais have been suspended until at least "
            "mid-afternoon, the port said.",
        ),
        ("body", "Rail operators urge passengers not to travel"),
        (
            "body",
            "Network operators have imposed speed limits on several main lines after trees "
            "fell across the tracks near Reading.",
        ),
        ("body", "Passengers with tickets for Friday can use them on Saturday instead."),
        ("body", "Good morning"),
        (
            "body",
            "Welcome to our live coverage of Storm Ciara, which is bringing gusts of up to "
            "90mph to exposed coasts this morning.",
        ),
    ]
    assert (article.url, article.date, article.section, article.language) == (
        STORM,
        datetime(2024, 2, 9, 6, 0, tzinfo=timezone.utc),
        "Weather",
        "en",  # from lang="en-GB"
    )


def test_json_ld_news_article_gives_the_metadata():
    article = extract("jsonld.html")
    assert article.title == "Central bank holds rates steady as inflation cools"
    assert article.author == "Omar Haddad, Lena Park"
    assert article.url == LEDGER  # mainEntityOfPage: the page has no canonical link
    assert article.date == datetime(2024, 2, 8, 14, 30, tzinfo=timezone(timedelta(hours=4)))
    assert (article.source, article.section, article.tags, article.language) == (
        "Gulf Ledger",
        "Economy",
        ("interest rates", "inflation"),
        "en",
    )
    assert [text[:30] for _, text in roles_and_texts(article)] == [
        "Central bank holds rates stead",
        "The central bank kept its benc",
        "Governor Samir Aziz told repor",
        "Economists had expected the de",
    ]


def test_page_without_metadata_decodes_its_charset_and_drops_link_tables():
    article = extract("plain.html")  # windows-1252, a table of navigation links
    assert roles_and_texts(article) == [
        ("title", "Village fête raises record sum for the lifeboat station"),
        ("body", "Posted 3 June 2023 by the parish clerk"),
        (
            "body",
            "This year’s summer fête raised £4,210 for the lifeboat station, the most in its "
            "forty-year history.",
        ),
        (
            "body",
            "The cake stall alone took £640, and the tug-of-war between the two pubs drew the "
            "biggest crowd anyone could remember.",
        ),
        (
            "body",
            "The committee thanks everyone who baked, ran a stall or simply came along on the day.",
        ),
        ("body", "Page last changed 4 June 2023"),
    ]
    # No url, site name or language on the page: the date is htmldate's reading of it.
    assert (article.url, article.source, article.language) == (None, None, None)
    assert article.date == datetime(2023, 6, 4)


def test_seed_rendered_as_a_web_page_gives_the_seed_paragraphs():
    seed = next(iter(read_file(SEED_FILE))).article
    expected = roles_and_texts(seed)
    web = parse_html(render_page(split_article(seed, "x")), "seed.html").article
    assert roles_and_texts(web) == expected
    assert len(expected) == 34
    assert web.date == seed.date.replace(tzinfo=timezone.utc)  # the page says 09:30Z


def test_fetched_url_is_the_fallback_and_makes_a_relative_canonical_absolute():
    relative = page("article.html").replace(HARBOUR.encode(), b"/a/port-strike")
    article = parse_html(relative, "x", url="https://harbourtimes.example/x?utm=1").article
    assert article.url == "https://harbourtimes.example/a/port-strike"
    no_canonical = page("plain.html")
    article = parse_html(no_canonical, "x", url="https://village.example/fete").article
    assert (article.url, article.source) == ("https://village.example/fete", "village.example")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no article found"),
        (b"<html><head><title>Only a title</title></head><body></body></html>", "no article"),
        (b"", "no article found"),
    ],
)
def test_page_without_an_article_is_a_skip(content, reason):
    parsed = parse_html(content, "empty.html")
    assert parsed.article is None
    assert parsed.skip_reason.startswith(reason)


def test_extractor_failure_is_a_skip_naming_the_page(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("tree too deep")

    monkeypatch.setattr("trafilatura.bare_extraction", broken)
    parsed = parse_html(page("article.html"), "https://x.example/a")
    assert (parsed.where, parsed.skip_reason) == (
        "https://x.example/a",
        "extraction failed: ValueError: tree too deep",
    )


def test_html_files_and_gzipped_ones_are_read_by_suffix(tmp_path):
    (tmp_path / "a.html").write_bytes(page("article.html"))
    (tmp_path / "b.htm.gz").write_bytes(gzip.compress(page("jsonld.html")))
    (tmp_path / "c.html").write_bytes(b"  \n")
    results = list(read_paths([tmp_path]))
    assert [(r.where.rsplit("/", 1)[1], r.skip_reason) for r in results] == [
        ("a.html", None),
        ("b.htm.gz", None),
        ("c.html", "empty file"),
    ]
    assert [r.article.url for r in results[:2]] == [HARBOUR, LEDGER]


# -- WARC -------------------------------------------------------------------------------

NAV_ONLY = b"<html><body><nav><a href='/'>Home</a> <a href='/b'>B</a></nav></body></html>"
FRENCH = page("jsonld.html").replace(b'"inLanguage": "en"', b'"inLanguage": "fr-FR"')


def crawl(path, *, extra=()):
    return write_warc(
        path,
        [
            Record("https://example.org/", kind="request"),
            Record("https://www.harbourtimes.example/p?id=7", page("article.html")),
            Record("https://coastline.example/storm.jpg", b"\xff\xd8", content_type="image/jpeg"),
            Record("https://coastline.example/live", page("liveblog.html")),
            Record("https://coastline.example/gone", b"gone", status="404 Not Found"),
            Record("https://coastline.example/old", b"", status="301 Moved Permanently"),
            Record("https://coastline.example/live", kind="revisit"),
            Record("https://village.example/fete", page("plain.html"), date="2023-06-05T08:00:00Z"),
            Record("https://coastline.example/", NAV_ONLY),
            Record("https://gulfledger.example/fr", FRENCH),
            Record("https://coastline.example/logo.png", b"\x89PNG", content_type="image/png"),
            Record("https://coastline.example/app.js", b"x", content_type="text/javascript"),
            *extra,
        ],
    )


def test_warc_pages_are_articles_and_the_rest_is_counted(tmp_path):
    results = list(read_paths([crawl(tmp_path / "crawl.warc.gz")]))
    articles = [r.article for r in results if r.article is not None]
    assert [a.url for a in articles] == [
        HARBOUR,  # the canonical link, not the fetched url
        STORM,
        "https://village.example/fete",  # no canonical link: the record's target URI
        LEDGER,
    ]
    # The page gives no time; its date is not the WARC date because htmldate finds one.
    assert articles[2].date == datetime(2023, 6, 4)
    where = str(tmp_path / "crawl.warc.gz")
    skips = {(r.where, r.skip_reason, r.count) for r in results if r.article is None}
    assert skips == {
        (where, "not HTML (image/jpeg)", 1),
        (where, "not HTML (image/png)", 1),
        (where, "not HTML (text/javascript)", 1),
        (where, "HTTP 404", 1),
        (where, "HTTP 301", 1),
        (where, "revisit record", 1),
        (where, "no article found: no title", 1),
    }


def test_warc_date_is_the_fallback_date(tmp_path):
    undated = (
        b"<html><head><title>Tide tables</title></head><body><article>"
        + (b"<p>High water at the harbour mouth comes forty minutes later each day.</p>" * 3)
        + b"</article></body></html>"
    )
    path = write_warc(
        tmp_path / "c.warc",
        [Record("https://tides.example/t", undated, date="2024-05-01T06:30:00Z")],
        gzip=False,
    )
    (parsed,) = read_paths([path])
    assert (parsed.article.date, parsed.article.url) == (
        datetime(2024, 5, 1, 6, 30, tzinfo=timezone.utc),
        "https://tides.example/t",
    )


def test_language_filter_keeps_one_language(tmp_path):
    results = list(read_paths([crawl(tmp_path / "crawl.warc.gz")], language="en"))
    assert [r.article.url for r in results if r.article] == [HARBOUR, STORM]
    # The French page is skipped, and so is plain.html, which names no language.
    counted = {r.skip_reason: r.count for r in results if r.article is None}
    assert counted["language fr, not en"] == 1
    assert counted["language unknown, not en"] == 1


def test_same_page_in_two_crawls_replaces_itself(tmp_path, engine):
    first = crawl(tmp_path / "monday.warc.gz")
    second = write_warc(
        tmp_path / "tuesday.warc.gz",
        [Record("https://www.harbourtimes.example/p?id=7&ref=rss", page("article.html"))],
    )
    with Index.open(tmp_path / "idx", create=True, engine=engine) as index:
        report = index.add_paths([first])
        assert (report.added, report.replaced, report.skipped_count) == (4, 0, 7)
        report = index.add_paths([second])
        assert (report.added, report.replaced) == (0, 1)
        assert index.stats().articles == 4
        hits = index.search('"asking for our share"')
        assert [(h.article_id, h.paragraph) for h in hits] == [(HARBOUR, 5)]


def test_cli_indexes_a_warc_and_summarises_the_skips(tmp_path, runner):
    path = crawl(tmp_path / "crawl.warc.gz")
    index = str(tmp_path / "idx")
    result = run_cli(runner, "index", "--index", index, "--json", str(path))
    assert result.exit_code == 2  # something was skipped
    report = json.loads(result.stdout)
    assert (report["added"], sum(s["count"] for s in report["skipped"])) == (4, 7)
    result = run_cli(runner, "index", "--index", index, "--language", "en", str(path))
    lines = result.stderr.splitlines()
    assert f"newsearch: skipped {path}: HTTP 404" in lines
    assert f"newsearch: skipped {path}: language fr, not en" in lines
    assert f"newsearch: skipped {path}: language unknown, not en" in lines
    assert "indexed 2 articles (0 added, 2 replaced)" in result.stdout


def test_damaged_warc_is_a_skip_and_keeps_what_came_before(tmp_path):
    path = crawl(tmp_path / "crawl.warc.gz")
    data = path.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) // 2] + b"garbage" * 10)
    results = list(read_paths([cut]))
    assert [r.article.url for r in results if r.article][:1] == [HARBOUR]
    assert any(
        r.skip_reason.startswith(("damaged WARC file", "not a readable WARC file"))
        for r in results
        if r.article is None
    )


def test_reading_progress_counts_records_bytes_articles_and_skips(tmp_path, engine):
    path = crawl(tmp_path / "crawl.warc.gz")
    seen = []
    reading = ReadProgress(on_update=lambda p: seen.append(p.records), interval=0)
    with Index.open(tmp_path / "idx", create=True, engine=engine) as index:
        index.add_paths([path], reading=reading)
    # Every record read counts, the request too; only pages become articles.
    assert (reading.records, reading.articles) == (12, 4)
    assert reading.bytes_read == path.stat().st_size
    assert reading.skips == {
        "not HTML (image/jpeg)": 1,
        "not HTML (image/png)": 1,
        "not HTML (text/javascript)": 1,
        "HTTP 404": 1,
        "HTTP 301": 1,
        "revisit record": 1,
        "no article found: no title": 1,
    }
    # interval=0: an update after every record read and every item counted
    assert seen == sorted(seen) and set(seen) == set(range(1, 13))


def test_language_filter_applies_to_every_format(tmp_path, runner):
    lines = [
        {"id": "a", "title": "Grain", "text": "Exports stopped.", "language": "en-GB"},
        {"id": "b", "title": "Blé", "text": "Les exportations ont cessé.", "language": "fr"},
        {"id": "c", "title": "Unknown", "text": "No language given."},
    ]
    data = "\n".join(json.dumps(line) for line in lines) + "\n"
    (tmp_path / "a.jsonl").write_text(data)
    results = list(read_paths([tmp_path / "a.jsonl"], language="en"))
    assert [(r.where, r.skip_reason) for r in results] == [
        (f"{tmp_path / 'a.jsonl'}:1", None),
        (f"{tmp_path / 'a.jsonl'}:2", "language fr, not en"),
        (f"{tmp_path / 'a.jsonl'}:3", "language unknown, not en"),
    ]
    index = str(tmp_path / "idx")
    result = run_cli(runner, "index", "--index", index, "--language", "fr", "-", input=data)
    assert "indexed 1 article (1 added, 0 replaced)" in result.stdout
    assert result.exit_code == 2


def test_benchmark_pages_give_back_their_articles_paragraphs():
    from benchmarks.web import expected_paragraphs, render

    article = {
        "id": "reuters-9",
        "title": "COCOA SHOWERS CONTINUE",
        "paragraphs": [
            "Showers continued throughout the week in the Bahia cocoa zone.",
            "The dry period means the temporao will be late this year.",
            "Arrivals for the week were 155,221 bags of 60 kilos.",
        ],
        "date": "1987-02-26T15:01:01",
    }
    for n in (0, 1):  # with and without JSON-LD
        parsed = parse_html(render(article, n), "x").article
        assert list(parsed.body) == expected_paragraphs(article)
        assert (parsed.title, parsed.date) == (
            "COCOA SHOWERS CONTINUE",
            datetime(1987, 2, 26, 15, 1, 1),
        )
