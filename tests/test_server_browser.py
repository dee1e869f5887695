"""The search page in real headless Chromium (Playwright driving Debian's chromium, which
.ci/run installs): typing a query, highlights, following a hit to its article, paging
Reuters results, injected markup staying text, the keyboard and a phone-width window."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from newsearch import Index

from .conftest import SEEDS
from .server_helpers import get_json, png_pixels, served
from .test_reuters import FIRST_FILE, needs_corpus

CHROMIUM = os.environ.get("NEWSEARCH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEED_ID = "sha1-2b3cad97df90255a"
INJECTION_TITLE = '<script>window.pwned = 1</script> Injection <img src=x onerror="window.pwned=2">'
INJECTION_BODY = '<img src=x onerror="window.pwned=3"> the injection body <b>bold</b>'
EXTRA = [
    {"id": "inject-1", "title": INJECTION_TITLE, "paragraphs": [INJECTION_BODY]},
    {
        "id": "emoji-1",
        "title": "Party 🎉🎉 in Rafah",
        "paragraphs": ["🎉 A 🎈 celebration 🎉 ended."],
    },
]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"chromium not found at {CHROMIUM}; .ci/run installs it")
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def seed_url(tmp_path_factory):
    base = tmp_path_factory.mktemp("browser")
    (base / "extra.jsonl").write_text("".join(json.dumps(a) + "\n" for a in EXTRA))
    with Index.open(base / "index", create=True) as index:
        assert index.add_paths([SEEDS, base / "extra.jsonl"]).added == 3
    with served(base / "index") as (url, _):
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 800, "height": 600})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(str(exc)))
    tab.on(
        "dialog", lambda dialog: (problems.append("dialog: " + dialog.message), dialog.dismiss())
    )
    yield tab
    context.close()
    assert problems == []


def search(page, url: str, query: str) -> None:
    page.goto(url)
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")  # the shortcut puts the cursor in the search box
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type(query)
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-state=done]")


def test_typing_a_query_shows_highlighted_hits_by_article(page, seed_url, tmp_path):
    search(page, seed_url, '"Gaza side"')
    expected = get_json(seed_url, "/api/search", q='"Gaza side"', limit=10)
    assert page.inner_text("#status") == f"{expected['total']} hits (showing 1–{expected['total']})"
    assert expected["total"] == 2
    marks = page.locator("#results mark").all_inner_texts()
    wanted = [
        h["snippet"]["text"][a:b] for h in expected["hits"] for a, b in h["snippet"]["highlights"]
    ]
    assert marks == wanted and {m.lower() for m in marks} == {"gaza side"}
    assert page.locator("#results > li").count() == 1  # both hits are in one article
    assert page.locator("#results h2").inner_text().startswith("Blinken leaves Middle East")
    numbers = page.locator("#results .where").all_inner_texts()
    assert numbers == [f"¶{h['paragraph']}" for h in expected["hits"]]
    assert page.url.endswith("/?q=%22Gaza+side%22")
    assert not page.is_visible("#pager")  # one page: no paging buttons
    assert not page.is_visible("#timeline")  # one day: no chart

    shot = tmp_path / "results.png"
    page.screenshot(path=str(shot))
    colours = Counter(png_pixels(shot.read_bytes()))
    background_share = colours.most_common(1)[0][1] / sum(colours.values())
    assert len(colours) > 50 and background_share < 0.97
    # The yellow of a highlight is on screen.
    assert any(p[0] > 240 and p[1] > 200 and p[2] < 150 for p in colours)


def test_following_a_hit_by_keyboard_opens_the_article_at_its_paragraph(page, seed_url):
    search(page, seed_url, "Netanyahu")
    first = get_json(seed_url, "/api/search", q="Netanyahu", limit=1)["hits"][0]
    assert first["article_id"] == SEED_ID
    for _ in range(30):  # Tab through the form to the first result
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#results') !== null"):
            break
    page.keyboard.press("Enter")
    page.wait_for_selector("#article h1")
    assert page.url == f"{seed_url}article/{first['article_id']}#p{first['paragraph']}"
    article = get_json(seed_url, f"/api/articles/{first['article_id']}")
    assert page.locator("#article p[id^=p]").count() == len(article["paragraphs"]) == 34
    assert page.evaluate("document.activeElement.id") == f"p{first['paragraph']}"
    anchored = page.inner_text(f"#p{first['paragraph']}")
    assert anchored == f"¶{first['paragraph']}\t{first['text']}" or anchored.endswith(first["text"])
    page.go_back()
    page.wait_for_selector("#results mark")
    assert page.input_value("#q") == "Netanyahu"
    page.go_forward()
    page.wait_for_selector("#article h1")
    page.click("text=← Back to the results")
    page.wait_for_selector("#results mark")
    assert page.url == f"{seed_url}?q=Netanyahu"


def test_injected_markup_renders_as_text(page, seed_url):
    search(page, seed_url, "injection")
    assert page.inner_text("#results h2") == INJECTION_TITLE
    hits = page.locator("#results .hit").all_inner_texts()
    assert hits == [f"¶1 title {INJECTION_TITLE}", f"¶2 {INJECTION_BODY}"]
    assert page.locator("#results img, #results script, #results b").count() == 0
    page.click("#results h2 a")
    page.wait_for_selector("#article h1")
    assert page.inner_text("#article h1") == INJECTION_TITLE
    assert page.inner_text("#p2").endswith(INJECTION_BODY)
    assert page.locator("main img, main script, main b").count() == 0
    assert page.evaluate("window.pwned") is None


def test_highlights_count_characters_beyond_the_basic_plane(page, seed_url):
    search(page, seed_url, "celebration OR party")
    assert page.locator("#results mark").all_inner_texts() == ["Party", "celebration"]


def test_a_bad_query_shows_the_message_and_where(page, seed_url):
    search(page, seed_url, "Hamas AND (Egypt")
    assert page.is_visible("#error")
    assert page.inner_text("#error strong") == "'(' is never closed (at position 10)"
    assert page.inner_text("#error pre") == "Hamas AND (Egypt\n          ^"


def test_a_phone_width_window_needs_no_sideways_scrolling(browser, seed_url):
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True)
    try:
        tab = context.new_page()
        search(tab, seed_url, "Rafah")
        tab.wait_for_selector("#results mark")
        assert tab.evaluate("document.documentElement.scrollWidth") <= 360
        tab.click("#results h2 a")
        tab.wait_for_selector("#article h1")
        assert tab.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


@pytest.fixture(scope="module")
def reuters_url(tmp_path_factory):
    if not FIRST_FILE.exists():
        pytest.skip(f"Reuters-21578 not found at {FIRST_FILE.parent}")
    from benchmarks import reuters

    base = tmp_path_factory.mktemp("reuters")
    with open(base / "reut2-000.jsonl", "w", encoding="utf-8") as out:
        for record in reuters.read_file(FIRST_FILE):
            out.write(json.dumps(record) + "\n")
    with Index.open(base / "index", create=True, engine="tantivy") as index:
        assert index.add_paths([base / "reut2-000.jsonl"]).added == 1000
    with served(base / "index") as (url, _):
        yield url


@needs_corpus
def test_paging_through_reuters_results(page, reuters_url):
    from playwright.sync_api import expect

    total = get_json(reuters_url, "/api/search", q="oil prices", limit=0)["total"]
    pages = -(-total // 10)
    assert total > 30
    search(page, reuters_url, "oil prices")
    assert page.inner_text("#page") == f"page 1 of {pages}"
    # The query's timeline as an inline SVG chart: by day, since the first file of the
    # collection covers six days (26 February to 3 March 1987).
    months = get_json(reuters_url, "/api/timeline", q="oil prices", interval="month")
    assert len(months["series"][0]["buckets"]) == 2
    days = get_json(reuters_url, "/api/timeline", q="oil prices", interval="day")
    buckets = days["series"][0]["buckets"]
    assert [b["start"] for b in buckets][::5] == ["1987-02-26", "1987-03-03"]
    bars = page.locator("#timeline svg rect title").all_text_contents()
    assert bars == [f"{b['start']}: {b['matching']} of {b['total']} articles" for b in buckets]
    assert page.is_disabled("#prev")
    for number in (2, 3):
        page.click("#next")
        expect(page.locator("#page")).to_have_text(f"page {number} of {pages}")
        page.wait_for_selector("#results mark")
        first, last = (number - 1) * 10 + 1, number * 10
        assert page.inner_text("#status") == f"{total} hits (showing {first}–{last})"
    expected = get_json(reuters_url, "/api/search", q="oil prices", limit=10, offset=20)["hits"]
    shown = page.locator("#results .where").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    # The page groups the page's hits by article, articles in the order of their best hit.
    grouped: dict[str, list[str]] = {}
    for h in expected:
        grouped.setdefault(h["article_id"], []).append(
            f"/article/{h['article_id']}#p{h['paragraph']}"
        )
    assert shown == [link for links in grouped.values() for link in links]
    page.click("#prev")
    expect(page.locator("#page")).to_have_text(f"page 2 of {pages}")
    assert page.url.endswith("page=2")
