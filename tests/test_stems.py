"""The index keeps the stems it computed: a query of words the index has seen answers
without loading the stemmer (nltk), and answers the same."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from newsearch import Article, Index, analysis, stems

QUERY = """
import json, sys
from newsearch import Index
with Index.open(sys.argv[1]) as index:
    found = index.search(sys.argv[2])
print(json.dumps({"ids": [[h.article_id, h.paragraph] for h in found],
                  "nltk": "nltk" in sys.modules}))
"""


def _query(index: Path, query: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", QUERY, str(index), query], capture_output=True, check=True
    )
    return json.loads(done.stdout)


def _index(path: Path) -> Path:
    with Index.open(path, create=True) as index:
        index.add(
            Article(
                "Negotiations resume",
                ("Mediators were negotiating in Doha.", "The talks stalled over crossings."),
                id="talks",
            )
        )
    return path


def test_seen_words_need_no_stemmer_and_answer_alike(tmp_path: Path) -> None:
    index = _index(tmp_path / "index")
    lines = (index / stems.FILE_NAME).read_text(encoding="utf-8").splitlines()
    assert "negotiating\tnegoti" in lines and "crossings\tcross" in lines
    with Index.open(index) as opened:  # this process has the stemmer loaded
        expected = {
            q: [[h.article_id, h.paragraph] for h in opened.search(q)]
            for q in ('"talks stalled" OR negotiations', "negotiation")
        }
    assert expected['"talks stalled" OR negotiations'] == [["talks", 3], ["talks", 1], ["talks", 2]]
    seen = _query(index, '"talks stalled" OR negotiations')
    assert seen == {"ids": expected['"talks stalled" OR negotiations'], "nltk": False}
    # A word the index never saw goes to the stemmer, and still finds its stem. (The
    # file holds every stem this process computed, from other tests too: drop that one.)
    kept = [line for line in lines if not line.startswith("negotiation\t")]
    (index / stems.FILE_NAME).write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
    unseen = _query(index, "negotiation")
    assert unseen == {"ids": expected["negotiation"], "nltk": True}
    assert len(unseen["ids"]) == 2


def test_a_line_cut_short_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / stems.FILE_NAME
    path.write_text("talks\ttalk\nnegotiating\tneg", encoding="utf-8")
    assert stems._read(path) == {"talks": "talk"}


def test_rebuild_removes_the_stems_file(tmp_path: Path) -> None:
    index = _index(tmp_path / "index")
    Index.open(index, rebuild=True).close()
    assert not (index / stems.FILE_NAME).exists()


def test_stems_match_the_stemmer() -> None:
    path_terms = {w: analysis.terms(w)[0] for w in ("negotiating", "crossings", "leaves")}
    assert path_terms == {"negotiating": "negoti", "crossings": "cross", "leaves": "leav"}
