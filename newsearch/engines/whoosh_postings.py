"""A batch's postings, prepared away from whoosh's writer.

whoosh's writer spends most of its time one posting at a time: each field of each
document analysed (``field.index``), each posting added to its pool as a tuple, sorted,
spilled to runs and merged back at the commit, then encoded block by block. Only the
copy fields (``story``, ``bands``) need the copy plan, made once the write lock is held;
every other indexed field (``ANALYSED``: the text fields, ``exact`` and ``joined``;
``KEY_FIELDS``: id, day, language, role) is known from the batch alone: 96% of the postings
on Reuters. Given a batch's paragraphs in the order the engine adds them (documents 0,
1, ... of the commit's new segment), ``prepare`` builds each such field's
terms with their postings encoded as whoosh's writer encodes them
(``whoosh_writing.encode_term``), and each document's field lengths, with one dict
operation a posting. The analysis worker (``newsearch.parallel``) runs it while the
indexer writes the batch before; the first batch, or every batch in one process, is
prepared by the engine itself, which still costs less than whoosh's pool. The indexer
adds each document's stored values and copy fields with ``Prepared.add``, and the
commit writes the prepared terms among the pooled ones (``whoosh_writing.BulkPostings``).
The segment is the same, byte for byte (tests/test_whoosh_postings.py).

Weights are a term's frequency times the paragraph's role boost (``ROLE_BOOST``), exact
in 32 bits, which is what lets a term that also has pooled postings (articles rewritten
for their copies, merged segments) be decoded and written again unchanged.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import whoosh_imports  # noqa: F401  (first: see its docstring)

# isort: split
from whoosh.fields import FieldType

from .base import ROLE_BOOST, ArticleBatch
from .whoosh import KEY_FIELDS

# A paragraph as ``prepare`` takes it: its text, its role, its article's metadata and its
# values of ``KEY_FIELDS``.
Job = list[tuple[str, str, tuple[str | None, ...], tuple[Any, ...]]]
ANALYSED = ("author", "exact", "joined", "section", "source", "tags", "text", "title")
# ``KEY_FIELDS`` are indexed as whoosh's own fields index them, and their values are
# known before the copy plan (unlike ``story`` and ``bands``): prepared too.
PREPARED = ANALYSED + KEY_FIELDS
_INDEX = FieldType.index
_ABSENT = -1  # a document's length in a field it does not have


@dataclass(frozen=True)
class Prepared:
    """``prepare``'s answer: ``count`` documents (``digest`` of their texts), each
    analysed field's terms and each document's length in that field."""

    count: int
    digest: int
    terms: dict[str, Any]  # field name -> whoosh_writing.PreparedTerms
    lengths: dict[str, array]  # field name -> a length per document, or _ABSENT

    def fits(self, batch: ArticleBatch) -> bool:
        """Whether this was prepared from ``batch`` (the same paragraphs in order)."""
        texts = [p.text for _, paragraphs in batch for p in paragraphs]
        return len(texts) == self.count and _digest(texts) == self.digest

    def add(self, writer: Any, number: int, fields: dict[str, Any]) -> None:
        """Add document ``number`` of the batch (the writer's next one) to ``writer``:
        ``fields`` without the analysed ones, as whoosh's ``SegmentWriter.add_document``
        would with them, their postings left to the commit."""
        if writer.docnum != number:
            raise ValueError(f"document {number} of a prepared batch added as {writer.docnum}")
        schema = writer.schema
        perdoc = writer.perdocwriter
        add_posting = writer.pool.add
        lengths = {}
        for name in PREPARED:  # names of this process: a stored field's pickle shares them
            length = self.lengths[name][number]
            if length != _ABSENT:
                lengths[name] = length
        boost = float(fields.get("_boost", 1.0))
        writer._check_state()
        perdoc.start_doc(number)
        try:
            for name in sorted({*(n for n in fields if n[0] != "_"), *lengths}):
                field = schema[name]
                stored = fields.get("_stored_" + name, fields.get(name))
                if name in lengths:
                    perdoc.add_field(name, field, stored if field.stored else None, lengths[name])
                    continue
                value = fields[name]
                if value is None:
                    continue
                length = 0
                if field.indexed:
                    scorable = field.scorable
                    for text, freq, weight, encoded in field.index(value):
                        if scorable:
                            length += freq
                        add_posting((name, text, number, weight * boost, encoded))
                perdoc.add_field(name, field, stored if field.stored else None, length)
                if field.column_type and stored is not None:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(stored))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        writer._added = True
        writer.docnum += 1


def job(batch: ArticleBatch) -> Job:
    """``prepare``'s input for ``batch``: each paragraph in the order the engine adds them."""
    from .base import metadata_values
    from .whoosh import key_values

    return [
        (p.text, p.role, metadata_values(p), key_values(p))
        for _, paragraphs in batch
        for p in paragraphs
    ]


def prepare(paragraphs: Job) -> Prepared:
    """The analysed fields' postings of ``paragraphs``, documents 0, 1, ... in order."""
    from .whoosh import _schema, text_values

    schema = _schema()
    count = len(paragraphs)
    # Each field's terms, each with its postings one after another: document, weight
    # and value. Weights repeat: one object each, not one a posting.
    postings: dict[str, dict[Any, list[Any]]] = {name: {} for name in PREPARED}
    weights: dict[float, float] = {}
    lengths = {name: array("i", [_ABSENT]) * count for name in PREPARED}
    # An article's values (title, source, id, ...) repeat on each of its paragraphs.
    repeated: dict[tuple[str, Any, float], tuple[list[tuple[Any, float, Any, int]], int]] = {}
    for number, (text, role, metadata, keys) in enumerate(paragraphs):
        boost = float(ROLE_BOOST[role])
        values: dict[str, Any] = text_values(text, metadata)
        values.update(zip(KEY_FIELDS, keys, strict=True))
        for name, value in values.items():
            if value is None:
                continue
            if name in _OWN:
                found, length = _postings(schema[name], value, boost, weights)
            else:
                key = (name, value, boost)
                if key not in repeated:
                    repeated[key] = _postings(schema[name], value, boost, weights)
                found, length = repeated[key]
                if length != 0:
                    found = _copied(found)
            terms = postings[name]
            for term, weight, encoded, _ in found:
                held = terms.get(term)
                if held is None:
                    terms[term] = [number, weight, encoded]
                else:
                    held += (number, weight, encoded)
            lengths[name][number] = length
    prepared = {name: _encoded(schema[name], postings.pop(name)) for name in PREPARED}
    texts = [text for text, *_ in paragraphs]
    return Prepared(count, _digest(texts), prepared, lengths)


def _copied(found: list[tuple[Any, float, Any, int]]) -> list[tuple[Any, float, Any, int]]:
    """``found`` with each value of several positions a new object: whoosh's writer
    encodes them again for each document, and a block's pickle refers back to an object
    it has already written instead of writing it again (one position's values are shared
    objects either way)."""
    return [(t, w, bytes(bytearray(e)) if n > 1 else e, n) for t, w, e, n in found]


# The fields whose values are the paragraph's own (not its article's).
_OWN = frozenset(("text", "exact", "joined"))


def _postings(
    field: Any, value: Any, boost: float, weights: dict[float, float]
) -> tuple[list[tuple[Any, float, Any, int]], int]:
    """What whoosh's ``field.index(value)`` yields for a document boosted by ``boost``:
    (term, weight, value, frequency) (text fields' terms not yet encoded), and the
    field's length."""
    if field.analyzer is not None and field.format is not None and field.__class__.index is _INDEX:
        # whoosh's FieldType.index but for encoding each term: done once per term
        found = field.format.word_values(value, field.analyzer, mode="index")
    else:
        found = field.index(value)
    made = []
    length = 0
    for term, freq, weight, encoded in found:
        weight *= boost
        made.append((term, weights.setdefault(weight, weight), encoded, freq))
        length += freq
    return made, length if field.scorable else 0


def _encoded(field: Any, terms: dict[Any, list[Any]]) -> Any:
    """One field's ``whoosh_writing.PreparedTerms`` from its terms' postings."""
    from .whoosh_writing import PreparedTerms, codec, encode_term

    made = codec()
    limit, compression = made._blocklimit, made._compression
    fixed_size = field.format.fixed_value_size()
    heads, encoded = [], []
    # Code point order is UTF-8's byte order: the order of whoosh's term bytes.
    ordered = sorted(terms)
    for term in ordered:
        found = terms.pop(term)
        docnums, weights = found[0::3], found[1::3]
        postings, head = encode_term(docnums, weights, found[2::3], limit, compression, fixed_size)
        heads.append(head)
        encoded.append(postings)
    return PreparedTerms.build(
        [term if isinstance(term, bytes) else term.encode("utf-8") for term in ordered],
        heads,
        encoded,
    )


def _digest(texts: Sequence[str]) -> int:
    return zlib.crc32("\x1e".join(texts).encode("utf-8", "surrogatepass"))
