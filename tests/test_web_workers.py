"""Pages extracted by worker processes: same articles, same order; workers die with
their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsearch.readers import read_paths
from tests.web_helpers import Record, page, write_warc

pytestmark = pytest.mark.slow


def many_pages(path: Path, count: int) -> Path:
    records = []
    for n in range(count):
        body = page("article.html").replace(b"grain exports", f"grain exports {n}".encode())
        body = body.replace(b"port-strike-grain", f"port-strike-grain-{n}".encode())
        records.append(Record(f"https://harbour.example/{n}", body))
        if n % 7 == 0:
            image = Record(f"https://harbour.example/{n}.png", b"x", content_type="image/png")
            records.append(image)
        if n % 11 == 0:
            records.append(Record(f"https://harbour.example/e{n}", b"x", status="500 Error"))
    return write_warc(path, records)


def test_workers_give_the_same_articles_in_the_same_order(tmp_path):
    crawl = many_pages(tmp_path / "crawl.warc.gz", 60)
    (tmp_path / "page.html").write_bytes(page("liveblog.html"))
    alone = list(read_paths([crawl, tmp_path / "page.html"]))
    assert list(read_paths([crawl, tmp_path / "page.html"], workers=2)) == alone
    assert len([r for r in alone if r.article]) == 61
    assert {(r.skip_reason, r.count) for r in alone if r.article is None} == {
        ("not HTML (image/png)", 9),
        ("HTTP 500", 6),
    }


def children(pid: int) -> set[int]:
    """Live child processes of ``pid`` (Linux /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_sigkilled_parent(tmp_path):
    crawl = many_pages(tmp_path / "crawl.warc.gz", 40)
    # A reader that holds its workers busy: it takes one article, then waits for ever.
    script = (
        "import sys, time\n"
        "from newsearch.readers import read_paths\n"
        f"items = read_paths([{str(crawl)!r}], workers=2)\n"
        "next(items)\n"
        "print('reading', flush=True)\n"
        "time.sleep(120)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "reading"
        workers = children(proc.pid)
        assert len(workers) >= 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 20
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [w for w in workers if alive(w)]
    finally:
        proc.kill()
        proc.wait()
