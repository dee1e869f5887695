"""Running ``newsearch serve`` in a subprocess for the browser and load tests, and
looking at a screenshot without an image library."""

from __future__ import annotations

import json
import struct
import subprocess
import urllib.request
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .synthetic import start


@contextmanager
def served(index_dir: Path, *extra: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """``newsearch serve`` on a free localhost port; yields its base URL and process
    (whose stderr can be read once the block has ended)."""
    proc = start("serve", "--index", str(index_dir), "--port", "0", *extra)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "newsearch: serving DIR at http://127.0.0.1:N/ …"
        assert " at http://127.0.0.1:" in line, (line, proc.stderr.read() if proc.stderr else "")
        yield line.split(" at ", 1)[1].split()[0], proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def get_json(url: str, path: str, **params: Any) -> Any:
    """GET ``path`` from the server and decode its JSON answer."""
    query = f"?{urlencode(params)}" if params else ""
    with urllib.request.urlopen(url.rstrip("/") + path + query, timeout=30) as answer:
        return json.loads(answer.read())


def png_pixels(data: bytes) -> list[bytes]:
    """The pixels of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, _, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    pixels = []
    for row_start in range(0, len(raw), stride + 1):
        kind, row = raw[row_start], bytearray(raw[row_start + 1 : row_start + 1 + stride])
        for i in range(stride):
            left = row[i - channels] if i >= channels else 0
            up, up_left = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                row[i] = (row[i] + left) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + up) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                guess = left if pa <= pb and pa <= pc else up if pb <= pc else up_left
                row[i] = (row[i] + guess) & 0xFF
        pixels.extend(bytes(row[i : i + channels]) for i in range(0, stride, channels))
        previous = row
    return pixels
