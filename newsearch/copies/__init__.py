"""Syndicated copies: word shingles, MinHash signatures, LSH band keys and the story rule.

An article's fingerprint is the MinHash signature of the word shingles of its body: every
paragraph but the title (outlets rewrite headlines, not bodies), case-folded, with
punctuation and quote styles ignored (``words``). Shingles are ``SHINGLE_WORDS`` words in a
row. The signature has ``NUM_PERM`` values; it is exactly what ``datasketch.MinHash``
computes with its default ``affine32`` scheme (the same permutations, drawn the same way;
the tests compare the two), done in numpy directly because indexing speed matters
(datasketch hashes each shingle with a Python call, copies an object per article, and
its import pulls in scipy), so datasketch is needed by the tests only. Its first
``BANDS * ROWS`` values are cut into ``BANDS`` bands of ``ROWS``; each band's number and
a 56-bit hash of its values make a band key (a number; tantivy indexes it as one, whoosh
as 16 hex digits). The keys are indexed terms of the article's paragraph 1 and the
signature is stored there too, so the copy information commits with the article and
needs no second store. A batch is fingerprinted at once, in numpy, by the analysis
worker when there is one (``newsearch.parallel``).

Two articles are **copies** (``Rule``) when they share a band key (LSH candidates), their
signatures estimate a Jaccard similarity of at least ``THRESHOLD``, and, when both are
dated, they are at most ``MAX_HOURS`` apart: the same template on another day (the daily
Fed operations, weekly crop reports) is another story. A body of fewer than
``MIN_SHINGLES`` shingles has no fingerprint and is never a copy: tiny notices (dividend
lines, "prime rate raised") repeat word for word across companies. These settings were
chosen by measurement (``benchmarks/copies.md``).

The story rule (``assign_stories``) is a function of the articles alone, so the same
articles give the same stories whatever order they arrived in, after a crash and a rerun,
and after a rebuild:

* Articles are taken in order of date (undated last; time zones compared in UTC), ties
  by id.
* An article joins the story of an earlier copy if it is itself a copy of that story's
  first article, or if it is a copy of at least half of the story's members so far and
  still shares ``STORY_FLOOR`` (0.3) of its text with the first article, within
  ``MAX_HOURS`` of it. (The second way keeps a copy with its source when the source
  has an earlier twin, a re-send or correction the copy is less close to.) Of several
  such stories it joins the one whose first article it is most similar to, then the one
  with the largest share of its members among its copies, then the earlier one.
  Otherwise it starts a story of its own.
* So a story's id is its earliest-dated member's id, and every member shares at least
  0.3 of its text with that first article and ran within a day of it: a chain of
  pairwise-similar articles never strings unrelated stories together, nor stretches a
  story past a day. A late article that bridges two stories joins one of them; the two
  stories are not merged.

Incrementally (``Planner``), a batch changes only the stories of the connected groups of
copies it touches: the batch's articles, and the former copies of the articles it
replaces or deletes, are followed through their copies (a breadth-first walk over
band-key lookups), the rule is applied to those groups, and every committed article whose
story changed is rewritten in the same commit as the batch. A writer remembers the band
keys it knows to be committed (``KnownKeys``: from an empty index on, through its own
commits), so a key no committed article holds needs no lookup; a commit by another
process, seen by the engine's commit token, makes them unknown again.
"""

from typing import TYPE_CHECKING, Any

from .fingerprint import (
    BANDS,
    MIN_SHINGLES,
    NUM_PERM,
    ROWS,
    SEED,
    SHINGLE_WORDS,
    Fingerprint,
    band_keys,
    fingerprints,
    keys_of,
    shingle_hashes,
    signatures,
    similarity,
    words,
)

if TYPE_CHECKING:
    from .stories import (
        MAX_HOURS,
        RULE,
        STORY_FLOOR,
        THRESHOLD,
        KnownKeys,
        Member,
        Planner,
        Rule,
        assign_stories,
        order_key,
    )

__all__ = [
    "BANDS",
    "MAX_HOURS",
    "MIN_SHINGLES",
    "NUM_PERM",
    "ROWS",
    "RULE",
    "SEED",
    "SHINGLE_WORDS",
    "STORY_FLOOR",
    "THRESHOLD",
    "Fingerprint",
    "KnownKeys",
    "Member",
    "Planner",
    "Rule",
    "assign_stories",
    "band_keys",
    "fingerprints",
    "keys_of",
    "order_key",
    "shingle_hashes",
    "signatures",
    "similarity",
    "words",
]

# The story rule's names (``stories``) are imported on first use (PEP 562): the analysis
# worker imports ``copies.fingerprint``, hence this package, and needs neither the
# engines' base nor the query AST that ``stories`` brings, nor the OpenSSL library that
# the base's ``hashlib`` loads.
_STORIES = frozenset(
    (
        "MAX_HOURS",
        "RULE",
        "STORY_FLOOR",
        "THRESHOLD",
        "KnownKeys",
        "Member",
        "Planner",
        "Rule",
        "assign_stories",
        "order_key",
    )
)


def __getattr__(name: str) -> Any:
    if name in _STORIES:
        from . import stories

        value = getattr(stories, name)
        globals()[name] = value  # found directly from now on
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
