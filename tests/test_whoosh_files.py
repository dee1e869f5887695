"""The whoosh engine reads a segment's inner files from the memory map, not from a copy."""

from __future__ import annotations

import io
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsearch import Index
from newsearch.engines.whoosh_files import ViewBufferFile, ViewFile

from .conftest import article

_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("read"), st.integers(-1, 40)),
        st.tuples(st.just("readline"), st.integers(-1, 40)),
        st.tuples(st.just("seek"), st.integers(0, 120), st.sampled_from([0, 1, 2])),
        st.tuples(st.just("tell")),
        st.tuples(st.just("readinto"), st.integers(0, 30)),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=100).map(lambda b: b.replace(b"\x00", b"\n")), _OPS)
def test_a_view_file_reads_as_a_bytes_file_does(data, ops):
    view, copy = ViewFile(memoryview(data)), io.BytesIO(data)
    for op, *args in ops:
        if op == "seek":
            offset, whence = args
            offset = -offset if whence == 2 else offset
            if whence == 2 and offset < -len(data):
                continue
            assert view.seek(offset, whence) == copy.seek(offset, whence)
        elif op == "readinto":
            mine, theirs = bytearray(args[0]), bytearray(args[0])
            assert view.readinto(mine) == copy.readinto(theirs)
            assert mine == theirs
        else:
            assert getattr(view, op)(*args) == getattr(copy, op)(*args)
    assert list(view) == list(copy)


def test_pickles_load_from_a_view_file():
    values = [{"a": 1, "b": [2.5, "x" * 300]}, ("tuple", b"bytes\n"), None]
    data = b"".join(pickle.dumps(v, protocol=p) for v, p in zip(values, (0, 2, 5), strict=True))
    view = ViewFile(memoryview(data))
    assert [pickle.load(view) for _ in values] == values


def test_whoosh_segments_are_read_from_their_map(tmp_path):
    with Index.open(tmp_path / "index", create=True) as index:
        index.add_articles([article(f"f{n}", f"Grain talks {n}", "Wheat prices") for n in range(5)])
        index.add_articles([article("g1", "Grain again", "Barley")])
        assert index.search("grain").total == 6
        for leaf, _ in index.engine._current_searcher().reader().leaf_readers():
            files = leaf._perdoc._storage  # the segment's compound file (and the folder)
            for name in [n for n in files.list() if n.endswith(("._stored.col", ".pst"))]:
                opened = files.open_file(name)
                assert isinstance(opened, ViewBufferFile) and isinstance(opened.file, ViewFile)
        assert sorted(h.article_id for h in index.search("wheat OR barley")) == [
            "f0",
            "f1",
            "f2",
            "f3",
            "f4",
            "g1",
        ]


def test_a_view_buffer_file_reads_pickles_long_and_short_where_they_are():
    values = ["x" * 5000, (1, 2.5, None), {"k": list(range(300))}, b"end"]
    data = b"HEAD" + b"".join(pickle.dumps(v, protocol=2) for v in values) + b"tail"
    with_view = ViewBufferFile(memoryview(data))
    with_view.seek(4)
    assert [with_view.read_pickle() for _ in values] == values
    assert with_view.read(4) == b"tail"
    broken = ViewBufferFile(memoryview(pickle.dumps(values)[:-30]))
    with pytest.raises((EOFError, pickle.UnpicklingError)):
        broken.read_pickle()
