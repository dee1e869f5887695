"""Did-you-mean accuracy on generated misspellings, and how often stemming merges words.

Usage::

    python benchmarks/suggestions.py [--fraction 0.3] [--engines whoosh,tantivy]
        [--words 400] [--seed 1987] [--out benchmarks/]

Builds a newsearch index of a Reuters slice per engine, then:

- misspellings: real words of the index (folded, 5+ letters, in 5+ paragraphs; names
  included) with one or two edits (a letter dropped, doubled, swapped with its
  neighbour or replaced), leaving out typos that are themselves indexed words; a case
  is correct when the first suggestion is the original word;
- plenty of hits: words held by 20+ paragraphs must get no suggestion;
- over-stemming: the index's words grouped by stem; a group whose words differ by more
  than an inflection (-s, -es, -ed, -ing, -ly, -e) merges different words.

Writes ``suggestions.md`` and ``suggestions.json`` into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import string
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import default_corpus, read_articles, write_slice
from newsearch import Index, analysis

EDITS = ("drop", "double", "swap", "replace")
_INFLECTIONS = ("ing", "ed", "es", "ly", "s", "e", "d")


def misspell(word: str, rng: random.Random, edits: int) -> str:
    """``word`` with ``edits`` random edits (never the first letter: people rarely miss it)."""
    for _ in range(edits):
        kind = rng.choice(EDITS)
        i = rng.randrange(1, len(word))
        if kind == "drop":
            word = word[:i] + word[i + 1 :]
        elif kind == "double":
            word = word[:i] + word[i] + word[i:]
        elif kind == "swap" and i < len(word) - 1:
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            word = (
                word[:i] + rng.choice(string.ascii_lowercase.replace(word[i], "")) + word[i + 1 :]
            )
    return word


def base(word: str) -> str:
    """The word without one inflectional ending."""
    for ending in _INFLECTIONS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def over_stemming(counts: dict[str, int]) -> dict[str, Any]:
    """Stems that join words differing by more than an inflection, with examples."""
    groups: dict[str, list[str]] = defaultdict(list)
    for word in counts:
        if word.isalpha():
            groups[analysis.stem(word)].append(word)
    merged = {s: w for s, w in groups.items() if len(w) > 1}
    derivational = {s: w for s, w in merged.items() if len({base(x) for x in w}) > 1}
    heaviest = sorted(derivational.items(), key=lambda kv: -sum(counts[w] for w in kv[1]))
    return {
        "words": sum(len(w) for w in groups.values()),
        "stems": len(groups),
        "stems_joining_words": len(merged),
        "stems_joining_different_words": len(derivational),
        "words_in_such_stems": sum(len(w) for w in derivational.values()),
        "examples": [
            {"stem": s, "words": sorted(w, key=lambda x: -counts[x])[:6]} for s, w in heaviest[:25]
        ],
    }


def cases(
    counts: dict[str, int], rng: random.Random, n: int
) -> tuple[list[tuple[str, str, int]], int]:
    """(original, misspelling, edits) pairs; also how many typos were real words."""
    words = sorted(
        w for w, c in counts.items() if w.isalpha() and w.isascii() and len(w) >= 5 and c >= 5
    )
    chosen = rng.sample(words, min(n, len(words)))
    found, real = [], 0
    for i, word in enumerate(chosen):
        edits = 1 + i % 2
        typo = misspell(word, rng, edits)
        if typo == word or counts.get(typo):
            real += 1
            continue
        found.append((word, typo, edits))
    return found, real


def measure(index: Index, rng: random.Random, n: int) -> dict[str, Any]:
    counts = dict(index.lexicon("exact").counts)
    pairs, real = cases(counts, rng, n)
    right = {1: 0, 2: 0}
    same_stem = 0
    total = {1: 0, 2: 0}
    none = 0
    wrong: list[dict[str, Any]] = []
    started = time.perf_counter()
    for word, typo, edits in pairs:
        results = index.search(typo, limit=0, highlight=False)
        total[edits] += 1
        first = results.suggestions[0].query if results.suggestions else None
        if first == word:
            right[edits] += 1
        if first is not None and analysis.stem(first) == analysis.stem(word):
            same_stem += 1
        elif first is None:
            none += 1
        if first != word and len(wrong) < 15:
            wrong.append({"word": word, "typo": typo, "first": first})
    seconds = time.perf_counter() - started
    plenty = [w for w, c in counts.items() if w.isalpha() and c >= 20]
    plenty = rng.sample(sorted(plenty), min(300, len(plenty)))
    offered = sum(1 for w in plenty if index.search(w, limit=0, highlight=False).suggestions)
    cases_n = total[1] + total[2]
    return {
        "cases": cases_n,
        "typos_that_are_words_left_out": real,
        "correct_first": (right[1] + right[2]) / cases_n,
        "correct_first_1_edit": right[1] / max(total[1], 1),
        "correct_first_2_edits": right[2] / max(total[2], 1),
        "same_words_first": same_stem / cases_n,
        "no_suggestion": none / cases_n,
        "ms_per_query": 1000 * seconds / cases_n,
        "plenty_queries": len(plenty),
        "plenty_with_suggestion": offered,
        "wrong_examples": wrong,
        "over_stemming": over_stemming(counts),
    }


def markdown(results: dict[str, Any]) -> str:
    """The results file."""
    lines = [
        "# Did you mean: suggestion accuracy, and over-stemming",
        "",
        "Generated by `benchmarks/suggestions.py`; every figure as measured in one run.",
        "",
        f"- corpus: Reuters-21578, fraction {results['fraction']:g} "
        f"({results['articles']:,} articles); seed {results['seed']}",
        "- cases: real indexed words (folded, 5+ letters, in 5+ paragraphs, names included) "
        "with one or two edits (dropped, doubled, swapped or replaced letter, never the "
        "first); typos that are themselves indexed words are left out",
        "- correct first: the first suggestion is the original word; finds the same words: "
        "it has the original word's stem, so it searches for exactly the same paragraphs",
        "",
        "| engine | cases | correct first | 1 edit | 2 edits | first finds the same words "
        "| no suggestion | ms/query | plenty-of-hits queries with a suggestion |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for engine, r in results["engines"].items():
        lines.append(
            f"| {engine} | {r['cases']} | {r['correct_first']:.1%} | "
            f"{r['correct_first_1_edit']:.1%} | {r['correct_first_2_edits']:.1%} | "
            f"{r['same_words_first']:.1%} | "
            f"{r['no_suggestion']:.1%} | {r['ms_per_query']:.1f} | "
            f"{r['plenty_with_suggestion']} of {r['plenty_queries']} |"
        )
    first = next(iter(results["engines"].values()))
    lines += ["", "Wrong or missing first suggestions (examples):", ""]
    lines += [
        f"- `{w['typo']}` ({w['word']}): {w['first'] or '(none)'}" for w in first["wrong_examples"]
    ]
    stem = first["over_stemming"]
    lines += [
        "",
        "## Over-stemming on the corpus vocabulary",
        "",
        f"{stem['words']:,} distinct folded words make {stem['stems']:,} stems; "
        f"{stem['stems_joining_words']:,} stems join two or more words, and "
        f"{stem['stems_joining_different_words']:,} of them "
        f"({stem['stems_joining_different_words'] / stem['stems']:.1%} of all stems, "
        f"{stem['words_in_such_stems']:,} words) join words that differ by more than an "
        "inflection (-s, -es, -ed, -ing, -ly, -e) — related derivations "
        "(`operate`/`operation`) and unrelated merges (`private`/`privatization`, "
        "`general`/`generate`) alike. The heaviest, by paragraphs:",
        "",
    ]
    lines += [f"- `{e['stem']}`: {', '.join(e['words'])}" for e in stem["examples"]]
    lines += [
        "",
        "`=word` (exact form) searches one of these words alone; a plain word ranks its "
        "exact form first.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--fraction", type=float, default=0.3)
    parser.add_argument("--engines", default="whoosh,tantivy")
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1987)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="newsearch-suggest-"))
    try:
        data = write_slice(args.corpus, workdir, args.fraction)
        results: dict[str, Any] = {
            "fraction": args.fraction,
            "articles": data.articles,
            "seed": args.seed,
            "engines": {},
        }
        for engine in args.engines.split(","):
            with Index.open(workdir / engine, create=True, engine=engine) as index:
                index.add_articles(read_articles(data.articles_path))
                results["engines"][engine] = measure(index, random.Random(args.seed), args.words)
            print(
                engine,
                {
                    k: v
                    for k, v in results["engines"][engine].items()
                    if k not in ("wrong_examples", "over_stemming")
                },
                flush=True,
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    (args.out / "suggestions.json").write_text(
        json.dumps(results, indent=2) + "\n", encoding="utf-8"
    )
    (args.out / "suggestions.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
