"""The data types: objects made without their generated ``__init__`` (``assembled``)."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import datetime

import pytest

from newsearch.model import ArticleMeta, Hit, Paragraph, Snippet, Span, assembled, span

META = {
    "id": "a1",
    "title": "Wheat",
    "date": datetime(1987, 3, 2),
    "source": "Reuters",
    "author": None,
    "url": None,
    "section": "grain",
    "tags": ("wheat", "usa"),
    "language": "en",
}


def test_an_assembled_object_equals_the_constructed_one():
    made = assembled(ArticleMeta, **META)
    built = ArticleMeta(**META)
    assert made == built
    assert hash(made) == hash(built)
    assert repr(made) == repr(built)
    assert dataclasses.asdict(made) == dataclasses.asdict(built)


def test_an_assembled_object_stays_frozen():
    made = assembled(ArticleMeta, **META)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.title = "Corn"  # type: ignore[misc]


def test_a_made_span_is_a_constructed_span():
    made = span(3, 8)
    assert made == Span(3, 8) and hash(made) == hash(Span(3, 8)) and type(made) is Span
    assert made.to_list() == [3, 8] and repr(made) == "Span(start=3, end=8)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.start = 4  # type: ignore[misc]


def test_fields_left_out_keep_their_defaults():
    made = assembled(ArticleMeta, id="a2", title="Corn")
    assert made == ArticleMeta(id="a2", title="Corn")
    assert (made.date, made.tags, made.language) == (None, (), None)


def test_a_hit_of_a_paragraph_equals_the_constructed_hit():
    p = Paragraph(ArticleMeta(**META), number=2, role="body", text="Wheat rose.")
    snippet = Snippet("Wheat rose.", (Span(0, 5),))
    hit = Hit.of(p, 1.5, (Span(0, 5),), snippet)
    assert hit == Hit(p.meta, 2, "body", "Wheat rose.", 1.5, (Span(0, 5),), snippet)
    assert (hit.context, hit.story, hit.copies) == ((), None, ())
    assert hit.title == "Wheat" and hit.anchor == "a1#p2"
    assert dataclasses.replace(hit, story="s1").story == "s1"


def test_an_assembled_object_keeps_its_own_values():
    # It takes the call's keyword dict as its attributes: never the caller's mapping.
    values = dict(META)
    made = assembled(ArticleMeta, **values)
    values["title"] = "Corn"
    assert made.title == "Wheat" and made == ArticleMeta(**META)
    assert pickle.loads(pickle.dumps(made)) == made
