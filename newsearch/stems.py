"""Stems the index has already computed, kept beside it in ``stems.tsv``, so that a
query word the index has seen needs no stemmer: importing nltk takes longer than a whole
query. ``analysis.stem`` asks here before it loads the stemmer, and reports each stem
it computes; the indexer appends those to the file after each commit.

The file is a cache of a pure function (folded word → term): a line that is missing
only costs the stemmer's import, and lines are only appended, whole.
"""

from __future__ import annotations

import contextlib
import itertools
from pathlib import Path

FILE_NAME = "stems.tsv"
# A larger file takes longer to read than the stemmer takes to import: not read then.
MAX_FILE_BYTES = 16_000_000
_MAX_COMPUTED = 1_000_000

_files: list[Path] = []
_known: dict[str, str] | None = None
# Every stem this process computed, in order (cleared, with a new generation, when full).
_computed: dict[str, str] = {}
_generation = 0


def use(path: Path) -> None:
    """Look up stems in ``path`` too (an index's ``stems.tsv``)."""
    global _known
    if path not in _files:
        _files.append(path)
        _known = None


def known(folded: str) -> str | None:
    """The term of ``folded`` if an index's file holds it."""
    global _known
    if _known is None:
        _known = {}
        for path in _files:
            _known.update(_read(path))
    return _known.get(folded)


def _read(path: Path) -> dict[str, str]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return {}
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    # The last piece has no newline: empty, or a line cut short by a crash. Not used.
    pairs = (line.split("\t") for line in text.split("\n")[:-1])
    return {p[0]: p[1] for p in pairs if len(p) == 2 and p[0] and p[1]}


def computed(folded: str, term: str) -> None:
    """(analysis) The stemmer turned ``folded`` into ``term``."""
    global _generation
    if len(_computed) >= _MAX_COMPUTED:
        _computed.clear()
        _generation += 1
    _computed[folded] = term


def note(pairs: dict[str, str]) -> None:
    """Stems computed in another process (the analysis worker)."""
    for folded, term in pairs.items():
        computed(folded, term)


Mark = tuple[int, int]
START: Mark = (-1, 0)


def since(mark: Mark) -> tuple[dict[str, str], Mark]:
    """The stems this process computed after ``mark`` (all of them from ``START``), and
    the mark to pass next time. Each index saves every stem of the process that wrote
    to it, whichever index the word came from: the file is a cache of a pure function."""
    generation, count = mark
    if generation != _generation:
        count = 0
    pairs = dict(itertools.islice(_computed.items(), count, None))
    return pairs, (_generation, len(_computed))


_taken: Mark = START


def take() -> dict[str, str]:
    """(worker) The stems computed since the last ``take``."""
    global _taken
    pairs, _taken = since(_taken)
    return pairs


def save(path: Path, pairs: dict[str, str]) -> None:
    """Append ``pairs`` to ``path``; a failure to write loses only a cache."""
    if not pairs:
        return
    lines = "".join(f"{folded}\t{term}\n" for folded, term in pairs.items())
    with contextlib.suppress(OSError), path.open("a", encoding="utf-8") as handle:
        handle.write(lines)
