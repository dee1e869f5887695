"""Saved web pages (``.html``, ``.htm``): the article, found by ``trafilatura``.

trafilatura drops the page's furniture (navigation, cookie banners, ads, related-link
boxes, footers; comments are asked for with ``include_comments=False``) and gives the
main text as XML whose ``<p>``, ``<head>``, ``<list>``, ``<quote>`` and ``<table>``
elements keep the page's own paragraph boundaries. Each becomes one body paragraph:

* ``<p>`` and sub-headings: one paragraph each (a sub-heading is body text: the model
  has no heading role); a heading that repeats the title is dropped;
* list items: one paragraph each; table rows: one paragraph, cells joined by " | ";
* a quote block whose text already appears in another paragraph is a pull quote and is
  dropped (its words are indexed once); other quotes are body paragraphs;
* photo captions (``<figcaption>``, which trafilatura would drop with the figure) are
  kept as a paragraph where the figure was; they get the caption role by the rule every
  reader shares (``paragraphs.is_caption``: a credit such as "Reuters" at the end);
* a byline ("By Maria Lopez · 12 March") left in the text is dropped: a paragraph of at
  most 120 characters that starts with "By" and names the author;
* the first paragraph becomes the standfirst when it is the page's description.

Metadata: title, author, site name (else the host name) as source, section (the first
category), tags (keywords and further categories) come from trafilatura. The url is the
page's canonical link (made absolute), else ``og:url``, else the JSON-LD article's
``url`` or ``mainEntityOfPage``, else the url the page was fetched from (a WARC
record's target URI). The date is the page's own publication time
(JSON-LD ``datePublished`` or ``article:published_time``), else trafilatura's date, else
the fallback (a WARC record's date). The language is the page's ``<html lang>`` (or
JSON-LD ``inLanguage``, ``og:locale``, ``Content-Language``) as its primary subtag,
lower-cased: ``en`` for ``en-GB``.

Before extraction, cookie and consent banners (by id or class) and tables or lists made
of nothing but links (navigation) are removed. trafilatura runs with its fallback
comparison (not ``fast``), and accepts a main text however short (see ``_config``).

Skips: a page without a title or without any text is "no article found: …"; an
exception inside the extractor is "extraction failed: …"; neither stops a run.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
from collections.abc import Iterator
from copy import deepcopy
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from newsearch.model import Article
from newsearch.readers.base import Parsed, coerce_date, coerce_tags, skip
from newsearch.readers.pipeline import Page

# trafilatura logs pages it cannot use; the skip reason already says so.
for _name in ("trafilatura", "htmldate", "courlan", "justext", "readability"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

NO_TITLE = "no article found: no title"
NO_TEXT = "no article found: no text"
EXTRACTION_FAILED = "extraction failed"
BYLINE_MAX = 120  # a longer paragraph starting "By …" is text

# schema.org types whose JSON-LD object describes the article itself.
_ARTICLE_TYPE_RE = re.compile(r"(?:\w*Article|BlogPosting|LiveBlogPosting|Report)\Z")
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datePublished",
    "date",
    "pubdate",
    "publishdate",
)
# Cookie and consent banners trafilatura may keep as text (it dropped one marked
# "cookie-banner" but kept one with the id "consent" in a test page).
BANNERS = [
    "//*["
    + " or ".join(
        f"contains(@{attr}, '{word}')"
        for attr in ("id", "class")
        for word in ("cookie", "consent", "gdpr", "Cookie", "Consent")
    )
    + "]"
]
_WORD_RE = re.compile(r"\w+")
_LANGUAGE_RE = re.compile(r"[A-Za-z]{2,3}(?=$|[-_])")


def _clean(text: str) -> str:
    return " ".join(text.split())


def _same(a: str, b: str) -> bool:
    return _clean(a).casefold() == _clean(b).casefold()


def _words(text: str) -> str:
    return " ".join(_WORD_RE.findall(text.casefold()))


def _text(element: Any) -> str:
    # A <lb/> (a <br> in the page) separates words; no other element carries text
    # boundaries, as formatting and links are not asked for.
    return _clean(" ".join(element.itertext()))


def _json_ld(tree: Any) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object of the page (nested @graph members and lists included)."""
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(reversed(item["@graph"]))


def _is_article(item: dict[str, Any]) -> bool:
    kinds = item.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and _ARTICLE_TYPE_RE.search(k) for k in kinds)


def _meta(tree: Any, *names: str) -> str | None:
    """The content of the first ``<meta>`` whose property, name or itemprop is in names."""
    wanted = {n.casefold() for n in names}
    for meta in tree.iterfind(".//meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        content = (meta.get("content") or "").strip()
        if key.casefold() in wanted and content:
            return content
    return None


def _page_facts(tree: Any, base_url: str | None) -> dict[str, Any]:
    """What the page says about itself that trafilatura does not keep: canonical url,
    precise publication time, language."""
    articles = [item for item in _json_ld(tree) if _is_article(item)]
    url = None
    for link in tree.iterfind(".//link[@href]"):
        if "canonical" in (link.get("rel") or "").lower().split():
            url = link.get("href")
            break
    url = (url or _meta(tree, "og:url") or _json_ld_url(articles) or "").strip() or None
    if url is not None and base_url:
        url = urljoin(base_url, url)
    published = next(
        (a["datePublished"] for a in articles if isinstance(a.get("datePublished"), str)),
        None,
    ) or _meta(tree, *_DATE_META)
    language = (
        tree.get("lang")
        or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
        or next((a["inLanguage"] for a in articles if isinstance(a.get("inLanguage"), str)), None)
        or _meta(tree, "og:locale", "content-language", "language")
    )
    match = _LANGUAGE_RE.match((language or "").strip())
    keywords = next((a["keywords"] for a in articles if a.get("keywords")), None)
    return {
        "url": url if url and url.startswith(("http://", "https://")) else None,
        "date": coerce_date(published) if published else None,
        "language": match.group(0).lower() if match else None,
        "tags": coerce_tags(keywords) or (),
    }


def _json_ld_url(articles: list[dict[str, Any]]) -> str | None:
    for article in articles:
        for value in (article.get("url"), article.get("mainEntityOfPage")):
            value = value.get("@id") if isinstance(value, dict) else value
            if isinstance(value, str) and value.strip():
                return value
    return None


_CONFIG: Any = None


def _config() -> Any:
    """trafilatura's settings, with every main text accepted however short.

    By default a main text under 250 characters sends trafilatura to its fallbacks,
    which return a short article (a wire brief, a one-paragraph story) as one block
    with its headline and byline; measured on 300 Reuters pages, 39 lost their
    paragraphs that way, 13 with this setting, and extraction took a third of the time.
    """
    from trafilatura.settings import DEFAULT_CONFIG

    config = deepcopy(DEFAULT_CONFIG)
    config["DEFAULT"]["MIN_EXTRACTED_SIZE"] = "1"
    return config


def _drop_link_lists(tree: Any) -> None:
    """Remove tables and lists that are nothing but links: site navigation.

    trafilatura keeps an old-style layout table of links as article text.
    """
    for element in list(tree.iter("table", "ul", "ol", "menu")):
        links = element.findall(".//a")
        text = _text(element)
        if (
            len(links) >= 2
            and text
            and len(_clean(" ".join(_text(a) for a in links)))
            >= 0.9 * len(text.replace(" | ", " "))
        ):
            element.drop_tree()


def _keep_captions(tree: Any) -> None:
    """Put each figure's caption before the figure as a paragraph of its own.

    trafilatura removes ``<figure>`` elements whole, caption included.
    """
    from lxml import html

    for figure in list(tree.iter("figure")):
        captions = [_text(c) for c in figure.iter("figcaption")]
        for caption in filter(None, captions):
            paragraph = html.Element("p")
            paragraph.text = caption
            figure.addprevious(paragraph)


def _blocks(body: Any) -> list[tuple[str, str]]:
    """(kind, text) of each block of trafilatura's XML body, in reading order."""
    found: list[tuple[str, str]] = []
    for element in body:
        if element.tag == "list":
            found += [("item", _text(item)) for item in element.iter("item")]
        elif element.tag == "table":
            for row in element.iter("row"):
                cells = [_text(cell) for cell in row.iter("cell")]
                found.append(("row", " | ".join(c for c in cells if c)))
        elif element.tag == "quote":
            parts = [_text(p) for p in element.iter("p")] or [_text(element)]
            found += [("quote", part) for part in parts]
        elif element.tag != "graphic":
            found.append((element.tag, _text(element)))
    return [(kind, text) for kind, text in found if text]


def _is_byline(text: str, author: str | None) -> bool:
    """True for a short "By <author> …" line (trafilatura keeps some)."""
    if not author or len(text) > BYLINE_MAX or text[:3].casefold() != "by ":
        return False
    return _words(author.split(",")[0]) in _words(text)


def _paragraphs(
    body: Any, title: str, description: str | None, author: str | None
) -> tuple[str | None, list[str]]:
    """The standfirst (or None) and the body paragraphs of trafilatura's XML body."""
    blocks = [(kind, text) for kind, text in _blocks(body) if not _is_byline(text, author)]
    plain = " | ".join(_words(text) for kind, text in blocks if kind != "quote")
    kept: list[str] = []
    for kind, text in blocks:
        if kind == "head" and _same(text, title):
            continue
        if kind == "quote" and f" {_words(text)} " in f" {plain} ":
            continue  # a pull quote repeats words of the article (quote marks aside)
        kept.append(text)
    if description and kept and _same(kept[0], description):
        return kept[0], kept[1:]
    return None, kept


def _names(value: str | None) -> str | None:
    # trafilatura joins several authors with "; "; the other readers use ", ".
    return ", ".join(n.strip() for n in value.split(";") if n.strip()) if value else None


def read_page_file(path: Path, source: str | None = None) -> Iterator[Parsed | Page]:
    """A saved page (gzipped when its name ends in ``.gz``), to be extracted."""
    try:
        opener = gzip.open if path.suffix.lower() == ".gz" else open
        with opener(path, "rb") as handle:
            data = handle.read()
    except (OSError, EOFError) as exc:
        yield skip(str(path), f"cannot read file: {getattr(exc, 'strerror', None) or exc}")
        return
    if not data.strip():
        yield skip(str(path), "empty file")
    else:
        yield Page(data=data, where=str(path), source=source)


def parse_html(
    data: bytes | str,
    where: str,
    *,
    url: str | None = None,
    date: datetime | None = None,
    source: str | None = None,
) -> Parsed:
    """Read one web page into a ``Parsed``; never raises.

    ``url`` is where the page came from (used when it names no canonical url, and to make
    a relative canonical link absolute); ``date`` is the fallback date; ``source`` fills
    the source only when the page gives neither a site name nor a host name.
    """
    try:
        return _parse_html(data, where, url, date, source)
    except Exception as exc:  # a page that breaks the extractor is a skip, never a crash
        return skip(where, f"{EXTRACTION_FAILED}: {type(exc).__name__}: {exc}")


def _parse_html(
    data: bytes | str,
    where: str,
    url: str | None,
    date: datetime | None,
    source: str | None,
) -> Parsed:
    from trafilatura import bare_extraction
    from trafilatura.settings import set_date_params
    from trafilatura.utils import load_html

    global _CONFIG
    if _CONFIG is None:
        _CONFIG = _config()
    tree = load_html(data)
    if tree is None:
        return skip(where, NO_TEXT)
    facts = _page_facts(tree, url)
    _keep_captions(tree)
    _drop_link_lists(tree)
    document = bare_extraction(
        tree,
        url=facts["url"] or url,
        include_comments=False,
        include_tables=True,
        with_metadata=True,
        prune_xpath=BANNERS,
        config=_CONFIG,
        # Not fast=True: the fallback comparison it skips is what finds a live blog's
        # later posts (13% of extraction time on benchmark pages).
        # With the page's own publication time known, trafilatura's date is not used:
        # skip its extensive search (dateparser over every locale, seconds per process).
        date_extraction_params=set_date_params(extensive=facts["date"] is None),
    )
    if document is None or document.body is None:
        return skip(where, NO_TEXT)
    title = _clean(document.title or "")
    if not title:
        return skip(where, NO_TITLE)
    author = _names(document.author)
    standfirst, body = _paragraphs(document.body, title, document.description, author)
    if not body and standfirst is None:
        return skip(where, NO_TEXT)
    categories = [c for c in (document.categories or []) if c.strip()]
    tags = [t.strip() for t in [*categories[1:], *(document.tags or facts["tags"])] if t.strip()]
    article = Article(
        title=title,
        body=tuple(body),
        standfirst=standfirst,
        date=facts["date"] or coerce_date(document.date or "") or date,
        source=document.sitename or document.hostname or source,
        author=author,
        url=facts["url"] or document.url or url,
        section=categories[0].strip() if categories else None,
        tags=tuple(dict.fromkeys(tags)),
        language=facts["language"] or document.language,
    )
    return Parsed(where=where, article=article)
