"""Readers on bad input (binary, empty, unreadable, bad encodings), folders, streams,
and property tests: any input gives an article or a reason, never an exception."""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsearch.errors import InputError
from newsearch.model import SkippedInput
from newsearch.readers import Parsed, detect_format, read_paths, read_stream

from .reader_helpers import meta, read_one, reasons, write

# --- bad input of any kind --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.json", b"  \n\n", "empty file"),
        ("blank.jsonl", b"\n  \n", "empty file"),
        ("nul.bin", b"Title\x00\x01\x02", "binary file (not text)"),
        ("nul.txt", b"Title\n\nBody\x00", "binary file (not text)"),
        ("report", b"%PDF-1.7\nlooks like text", "binary file (not text)"),
        ("photo.png", b"not really a png", "binary file (not text)"),
        ("only-boilerplate.txt", b"Advertisement\n\nShare\n", "no paragraphs"),
        ("title-only.txt", b"Just a title\n", "missing body"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(tmp_path, name, content, reason):
    parsed = read_one(write(tmp_path / name, content))
    assert meta(parsed, "where article skip_reason") == (str(tmp_path / name), None, reason)


def test_invalid_utf8_text_is_read_with_a_warning(tmp_path):
    parsed = read_one(write(tmp_path / "a.txt", b"Caf\xe9 title\n\nBody.\n"))
    assert parsed.article.title == "Caf\ufffd title"
    assert parsed.warnings == ("invalid UTF-8 bytes replaced",)


def test_utf8_bom_and_utf16_text_are_read(tmp_path):
    bom = read_one(write(tmp_path / "a.txt", "\ufeffTitle\n\nBody.\n".encode()))
    utf16 = read_one(write(tmp_path / "b.txt", "Title\n\nBody.\n".encode("utf-16")))
    assert (bom.article.title, utf16.article.title) == ("Title", "Title")
    assert utf16.article.body == ("Body.",)


def test_unreadable_file_is_skipped_with_the_os_reason(tmp_path, monkeypatch):
    path = write(tmp_path / "a.txt", "Title\n\nBody.\n")
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    assert read_one(path).skip_reason == "cannot read file: Permission denied"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_file_without_read_permission_is_skipped(tmp_path):
    path = write(tmp_path / "a.txt", "Title\n\nBody.\n")
    path.chmod(0)
    assert read_one(path).skip_reason == "cannot read file: Permission denied"


def test_missing_path_raises_before_anything_is_read(tmp_path):
    good = write(tmp_path / "a.txt", "Title\n\nBody.\n")
    with pytest.raises(InputError, match=r"^no such file or directory: .*nope\.txt$"):
        read_paths([good, tmp_path / "nope.txt"])


# --- folders and sniffing -------------------------------------------------------------


def test_folders_are_walked_sorted_skipping_hidden_names(tmp_path):
    write(tmp_path / "b" / "two.txt", "Two\n\nBody.\n")
    write(tmp_path / "a.txt", "One\n\nBody.\n")
    write(tmp_path / "b" / "c" / "three.txt", "Three\n\nBody.\n")
    write(tmp_path / ".hidden.txt", "Hidden\n\nBody.\n")
    write(tmp_path / ".git" / "x.txt", "Hidden too\n\nBody.\n")
    results = list(read_paths([tmp_path]))
    assert [r.article.title for r in results] == ["One", "Three", "Two"]
    assert len(list(read_paths([tmp_path / "a.txt", tmp_path]))) == 3  # a.txt is read once


def test_files_without_a_suffix_are_sniffed(tmp_path):
    obj = json.dumps({"title": "Obj", "body": "b"})
    assert detect_format(Path("x"), obj.encode()) == "json"
    assert detect_format(Path("x"), b'{\n  "title": "T"\n}') == "json"
    assert detect_format(Path("x"), (obj + "\n" + obj + "\n").encode()) == "jsonl"
    assert detect_format(Path("x"), b"[{}]") == "json"
    assert detect_format(Path("x"), b"Title\n\nBody") == "text"
    assert detect_format(Path("x.TXT"), b"{not json") == "text"
    path = write(tmp_path / "feed", obj + "\n" + obj + "\n")
    assert [r.where for r in read_paths([path])] == [f"{path}:1", f"{path}:2"]


@pytest.mark.parametrize("name", ["table.csv", "feed.log", "x.dat", "notes.rtf", "a.csv.gz"])
def test_unknown_suffixes_are_skipped_not_read_as_text(tmp_path, name):
    path = tmp_path / name
    data = b"Title,Body\nOil,prices rose\n"
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    suffix = ".csv" if name.endswith(".gz") else Path(name).suffix
    assert reasons(list(read_paths([path]))) == [(str(path), f"unsupported file type '{suffix}'")]


# --- streams --------------------------------------------------------------------------


def test_read_stream_reads_json_lines_from_text_and_bytes():
    text = json.dumps({"title": "A", "body": "a"}) + "\n\nnope\n"
    results = list(read_stream(io.StringIO(text), source="stdin-source"))
    assert reasons(results) == [
        ("<stdin>:1", None),
        ("<stdin>:3", "line 3: invalid JSON: Expecting value at column 1"),
    ]
    assert results[0].article.source == "stdin-source"
    [bad_bytes] = read_stream(io.BytesIO(b'{"title": "\xff", "body": "b"}\n'), where="feed")
    assert (bad_bytes.where, bad_bytes.warnings) == ("feed:1", ("invalid UTF-8 bytes replaced",))
    assert reasons(list(read_stream(io.StringIO("\n")))) == [("<stdin>", "empty input")]


def test_read_stream_accepts_pretty_printed_json():
    pretty = json.dumps([{"title": "A", "body": "a"}, {"title": "B", "body": "b"}], indent=2)
    results = list(read_stream(io.StringIO(pretty)))
    assert [(r.where, r.article.title) for r in results] == [
        ("<stdin>[0]", "A"),
        ("<stdin>[1]", "B"),
    ]
    pretty = json.dumps({"title": "A", "body": "a"}, indent=2)
    assert [(r.where, r.ok) for r in read_stream(io.StringIO(pretty))] == [("<stdin>", True)]
    results = list(read_stream(io.StringIO('{bad\n{"title": "B", "body": "b"}\n')))
    assert [(r.where, r.ok) for r in results] == [("<stdin>:1", False), ("<stdin>:2", True)]


# --- the result type ------------------------------------------------------------------


def test_parsed_holds_exactly_one_of_article_and_reason():
    with pytest.raises(ValueError):
        Parsed(where="x", article=None)
    skipped = Parsed(where="x", article=None, skip_reason="empty file")
    assert not skipped.ok
    assert skipped.as_skipped() == SkippedInput(where="x", reason="empty file")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
KEYS = st.sampled_from(
    ["title", "body", "text", "maintext", "paragraphs", "date", "authors", "tags", "id", "source"]
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS, JSON_VALUES, max_size=6))
def test_any_json_object_gives_an_article_or_a_reason(record):
    [parsed] = read_stream(io.StringIO(json.dumps(record) + "\n"))
    assert (parsed.article is None) != (parsed.skip_reason is None)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_on_a_stream_never_raise(data):
    results = list(read_stream(io.BytesIO(data)))
    assert results and all((r.article is None) != (r.skip_reason is None) for r in results)
