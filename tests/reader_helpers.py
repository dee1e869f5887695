"""Small fixtures shared by the reader tests."""

from __future__ import annotations

from pathlib import Path

from newsearch.readers import Parsed, read_paths

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

NEWS_PLEASE = {
    "title": "Egypt reinforces Gaza border",
    "description": "Troops put on high alert",
    "maintext": "Egyptian troops were reinforced.\nAdvertisement\nCairo warned Israel.",
    "date_publish": "2024-02-09 09:30:00",
    "date_modify": None,
    "source_domain": "thenational.ae",
    "url": "https://www.thenational.ae/a/1",
    "authors": ["Kamal Tabikha", "Nagham Mohanna"],
    "language": "en",
    "image_url": "https://img/1.jpg",
}


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def read_one(path: Path, source: str | None = None) -> Parsed:
    results = list(read_paths([path], source=source))
    assert len(results) == 1, results
    return results[0]


def meta(article, names: str) -> tuple:
    """The article's fields named in ``names`` (space separated), as a tuple."""
    return tuple(getattr(article, name) for name in names.split())


def reasons(results: list[Parsed]) -> list[tuple[str, str | None]]:
    return [(r.where, r.skip_reason) for r in results]
