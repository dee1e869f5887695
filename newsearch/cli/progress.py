"""The indexing progress bar on a terminal: articles, paragraphs per second and an ETA.

A thread redraws the line every ``interval`` seconds, whatever the indexer is doing (a
commit can take longer than that). The ETA comes from the bytes read of the inputs'
total size; with stdin (size unknown) there is none.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..model import IndexReport

if TYPE_CHECKING:
    from ..readers import ReadProgress

BAR_CELLS = 20
_EIGHTHS = " ▏▎▍▌▋▊▉"


def input_bytes(paths: Iterable[str]) -> int | None:
    """The total size of the files under ``paths`` (None with ``-``, stdin)."""
    total = 0
    for given in paths:
        if given == "-":
            return None
        root = Path(given)
        if root.is_dir():
            for folder, dirnames, filenames in os.walk(root):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                total += sum(_size(Path(folder, n)) for n in filenames if not n.startswith("."))
        else:
            total += _size(root)
    return total


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def bar(fraction: float, cells: int = BAR_CELLS) -> str:
    """A bar ``cells`` wide, filled to ``fraction`` in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, fraction)) * cells * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")).ljust(cells)


def duration(seconds: float) -> str:
    """``1:02:03`` or ``2:03``."""
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProgressBar:
    """Draws the progress line on ``stream`` until closed; ``update`` is the indexer's
    callback after each batch written."""

    def __init__(
        self,
        reading: ReadProgress,
        total_bytes: int | None,
        stream: TextIO,
        interval: float = 0.5,
    ) -> None:
        self.reading = reading
        self.total_bytes = total_bytes
        self.stream = stream
        self.interval = interval
        self.started = time.monotonic()
        self.report = IndexReport()
        self.rate = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="progress", daemon=True)

    def update(self, report: IndexReport) -> None:
        """(indexer callback) A batch is written: ``report`` counts what is committed,
        and its ``pending`` what is written since."""
        self.report = report
        written = report.paragraphs + report.pending
        self.rate = written / max(time.monotonic() - self.started, 1e-9)

    def line(self) -> str:
        """The progress line as it stands."""
        reading, report = self.reading, self.report
        parts = [
            f"{reading.articles:,} articles read",
            f"{report.paragraphs + report.pending:,} paragraphs indexed"
            + (f" ({report.paragraphs:,} committed)" if report.pending else ""),
            f"{self.rate:,.0f} paragraphs/s",
        ]
        head = "indexing…"
        if self.total_bytes:
            done = min(1.0, reading.bytes_read / self.total_bytes)
            head = f"indexing ▕{bar(done)}▏ {done:4.0%}"
            if 0 < done < 1:
                elapsed = time.monotonic() - self.started
                parts.append(f"ETA {duration(elapsed * (1 - done) / done)}")
        if reading.records:
            parts.append(
                f"{reading.records:,} WARC records, {reading.bytes_per_second / 1e6:.1f} MB/s"
            )
        if reading.skips:
            top = ", ".join(f"{n:,} {why}" for why, n in reading.skips.most_common(2))
            parts.append(f"skipped {sum(reading.skips.values()):,} ({top})")
        return f"{head} {', '.join(parts)}"

    def draw(self) -> None:
        import shutil  # not with the module: a query never needs it (bz2, lzma)

        width = shutil.get_terminal_size().columns
        self.stream.write("\r\033[K" + self.line()[: max(width - 1, 20)])
        self.stream.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.draw()

    def __enter__(self) -> ProgressBar:
        self.draw()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.draw()
        self.stream.write("\n")
        self.stream.flush()
