"""Split an article into ordered paragraphs with a role, dropping boilerplate.

This module knows nothing about files or text layout: readers hand it an ``Article``.

Roles (``split_article``): the title is paragraph 1, then the standfirst if any, then the
body paragraphs, each ``caption`` when ``is_caption`` says so, else ``body``. Body
paragraphs that are empty or boilerplate (``is_boilerplate``) are dropped, and so is a
first body paragraph that only repeats the title.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timezone

from newsearch.model import Article, Paragraph, Role

# Whole lines (case-insensitive) that are site furniture, not article text. Kept short on
# purpose: a line wrongly dropped is text lost from search.
BOILERPLATE: tuple[str, ...] = (
    r"powered by automated translation",
    r"live updates?:.*",  # "Live updates: Follow the latest news on Israel-Gaza"
    r"follow (?:the|our) latest\b.*",  # "Follow the latest news on …"
    r"read more:.*",
    r"(?:sign up|subscribe)\b.*\b(?:newsletters?|inbox)\b.*",  # newsletter prompts
    r"subscribe(?: now)?[.!]?",
    r"advertisement",
    r"share",
    r"comments?",
    # Wire sign-offs and end marks: "Reuter" closes every Reuters-21578 story.
    r"reuters?",
    r"ap",
    r"afp",
    r"upi",
    r"-{2,}",
    r"(?:end|ends)",
)
_BOILERPLATE_RE = re.compile("|".join(f"(?:{p})" for p in BOILERPLATE), re.IGNORECASE)
_BOILERPLATE_MAX = 200  # longer lines are never boilerplate

# Photo credits that end a caption, after a sentence end or a separator. Longest first.
CREDITS: tuple[str, ...] = (
    "AFP / Getty Images",
    "AFP via Getty Images",
    "Getty Images",
    "The National",
    "Shutterstock",
    "Bloomberg",
    "Reuters",
    "EPA-EFE",
    "AFP",
    "EPA",
    "AP",
    "PA",
)
_CREDIT = "|".join(r"\s+".join(map(re.escape, c.split())) for c in CREDITS)
_CAPTION_RE = re.compile(
    rf"(?:(?:[.!?][\"'”’)]*\s+|\s[-–—|/]\s*|\b(?:photo|picture|image)s?:\s*)(?:{_CREDIT})"
    rf"|\((?:photo:\s*)?(?:{_CREDIT})\))\.?\Z",
    re.IGNORECASE,
)
CAPTION_MAX = 400  # paragraphs longer than this are never captions
# A caption ends in the last word of a credit, then at most ")" and ".": a test that costs
# far less than the search above (which starts at every position), for ASCII text, where
# ``lower`` is what IGNORECASE does.
_CREDIT_ENDS = tuple(sorted({credit.split()[-1].lower() for credit in CREDITS}))


def is_boilerplate(line: str) -> bool:
    """True when a whole (stripped) line is site furniture listed in ``BOILERPLATE``."""
    line = line.strip()
    return len(line) <= _BOILERPLATE_MAX and _BOILERPLATE_RE.fullmatch(line) is not None


def is_caption(paragraph: str) -> bool:
    """True for a photo caption: a paragraph ending in a credit listed in ``CREDITS``.

    The credit must follow a sentence end (". Reuters"), a separator (" | AFP",
    " / Getty Images"), a "Photo:" label, or stand in parentheses ("(Reuters)"); so
    "…, he told Reuters." is body text. Paragraphs over 400 characters are never captions.
    """
    text = paragraph.strip()
    if len(text) > CAPTION_MAX:
        return False
    if text.isascii() and not text.rstrip(".)").lower().endswith(_CREDIT_ENDS):
        return False
    return _CAPTION_RE.search(text) is not None


def article_id(article: Article) -> str:
    """The article's id, else its url, else "sha1-" + 16 hex digits of its content."""
    if article.id.strip():
        return article.id.strip()
    if article.url and article.url.strip():
        return article.url.strip()
    stamp = ""
    if article.date is not None:
        # As UTC without an offset: ids stay what they were before dates kept their zone.
        moment = article.date
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        stamp = moment.isoformat()
    content = f"{article.title}\n{stamp}\n" + "\n".join(article.body)
    return "sha1-" + hashlib.sha1(content.encode("utf-8")).hexdigest()[:16]


def body_paragraphs(article: Article) -> list[str]:
    """The article's body paragraphs as indexed: stripped, empty and boilerplate dropped."""
    body = (p.strip() for p in article.body)
    return [p for p in body if p and not is_boilerplate(p)]


def split_article(article: Article, article_id: str) -> list[Paragraph]:
    """The article's paragraphs in reading order, numbered from 1, each with a role.

    Title first, then the standfirst, then body paragraphs (``caption`` or ``body``).
    A first body paragraph that only repeats the title (scrapers and wire briefs often
    start the body with the headline) is dropped. Every paragraph carries the article's
    metadata.
    """
    title = article.title.strip()
    body = body_paragraphs(article)
    if body and body[0].strip() == title:
        body = body[1:]
    parts: list[tuple[Role, str]] = [
        ("title", title),
        ("standfirst", (article.standfirst or "").strip()),
    ]
    parts += [("caption" if is_caption(p) else "body", p) for p in body]
    kept = [(role, text) for role, text in parts if text]
    meta = article.meta(article_id)
    return [
        Paragraph(meta, number, role, text) for number, (role, text) in enumerate(kept, start=1)
    ]
