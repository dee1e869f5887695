"""Web pages and WARC files for the web reader tests, written here with warcio."""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsearch.model import Paragraph

PAGES = Path(__file__).resolve().parent / "web"


def page(name: str) -> bytes:
    """A test page of ``tests/web/``."""
    return (PAGES / name).read_bytes()


@dataclass(frozen=True)
class Record:
    """One WARC record to write: a response unless ``kind`` says otherwise."""

    url: str
    body: bytes = b""
    status: str = "200 OK"
    content_type: str = "text/html; charset=utf-8"
    kind: str = "response"
    date: str = "2024-02-10T12:00:00Z"


def write_warc(path: Path, records: list[Record], *, gzip: bool = True) -> Path:
    """A WARC file of ``records``, each gzipped on its own as crawlers write them."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        for record in records:
            headers = {"WARC-Date": record.date}
            http = StatusAndHeaders(
                record.status, [("Content-Type", record.content_type)], protocol="HTTP/1.1"
            )
            if record.kind == "revisit":
                made = writer.create_revisit_record(
                    record.url,
                    digest="sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ",
                    refers_to_uri=record.url,
                    refers_to_date="2024-02-01T00:00:00Z",
                    http_headers=http,
                )
            elif record.kind == "request":
                request = StatusAndHeaders(
                    "GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True
                )
                made = writer.create_warc_record(
                    record.url, "request", payload=io.BytesIO(b""), http_headers=request
                )
            else:
                made = writer.create_warc_record(
                    record.url,
                    record.kind,
                    payload=io.BytesIO(record.body),
                    http_headers=http,
                    warc_headers_dict=headers,
                )
            writer.write_record(made)
    return path


def render_page(paragraphs: list[Paragraph], *, site: str = "The National") -> str:
    """An article's paragraphs as a news site would serve them: a cookie banner,
    navigation, the headline, standfirst, a figure with its caption, the body, a
    related-stories box, comments and a footer around it."""
    esc = html.escape
    title = next(p.text for p in paragraphs if p.role == "title")
    standfirst = next((p.text for p in paragraphs if p.role == "standfirst"), "")
    parts = []
    for p in paragraphs:
        if p.role == "caption":
            parts.append(
                f'<figure><img src="/photo.jpg" alt=""><figcaption>{esc(p.text)}'
                "</figcaption></figure>"
            )
            parts.append('<div class="note">Powered by automated translation</div>')
        elif p.role == "body":
            parts.append(f"<p>{esc(p.text)}</p>")
    body = "\n".join(parts)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{esc(title)} | {esc(site)}</title>
<meta property="og:site_name" content="{esc(site)}">
<meta property="og:title" content="{esc(title)}">
<meta name="description" content="{esc(standfirst)}">
<meta property="article:published_time" content="2024-02-09T09:30:00Z">
</head><body>
<div class="cookie-notice"><p>This site uses cookies. Continue browsing to accept.</p></div>
<header><nav><ul><li><a href="/news">News</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li></ul></nav></header>
<main><article>
<h1>{esc(title)}</h1>
<p class="standfirst">{esc(standfirst)}</p>
<div class="byline">Kamal Tabikha, Cairo</div>
{body}
<aside class="related"><h3>More on this story</h3><ul>
<li><a href="/r/1">Egypt warns Israel over Rafah</a></li>
<li><a href="/r/2">Hostage talks resume in Cairo</a></li></ul></aside>
</article></main>
<footer><p>Copyright The National. All rights reserved.</p></footer>
</body></html>"""
