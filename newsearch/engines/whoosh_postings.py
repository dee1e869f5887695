"""A batch's postings of the analysed fields, prepared away from whoosh's writer.

whoosh's writer spends most of its time one posting at a time: each field of each
document analysed (``field.index``), each posting added to its pool as a tuple, sorted,
spilled to runs and merged back at the commit, then encoded block by block. For the
fields newsearch analyses itself (the text fields, ``exact`` and ``joined``: about three
quarters of a paragraph's postings) none of that needs the writer. Given a batch's
paragraphs in the order the engine adds them (documents 0, 1, ... of the commit's new
segment), ``prepare`` builds each such field's terms with their postings encoded as
whoosh's writer encodes them (``whoosh_writing.encode_term``) and each document's field
lengths. The analysis worker (``newsearch.parallel``) runs it while the indexer writes
the batch before; the indexer then adds each document's other fields with
``Prepared.add`` and the commit writes the prepared terms among the pooled ones
(``whoosh_writing.BulkPostings``). The segment is the same, byte for byte.

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

from .base import ROLE_BOOST, ArticleBatch

# A paragraph as ``prepare`` takes it: its text, its role and its article's metadata.
Job = list[tuple[str, str, tuple[str | None, ...]]]
ANALYSED = ("author", "exact", "joined", "section", "source", "tags", "text", "title")
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
        for name in ANALYSED:  # names of this process: a stored field's pickle shares them
            length = self.lengths[name][number]
            if length != _ABSENT:
                lengths[name] = length
        boost = float(fields.get("_boost", 1.0))
        writer._check_state()
        perdoc.start_doc(number)
        try:
            for name in sorted([*(n for n in fields if n[0] != "_"), *lengths]):
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
    from .whoosh import _metadata

    return [(p.text, p.role, _metadata(p)) for _, paragraphs in batch for p in paragraphs]


def prepare(paragraphs: Job) -> Prepared:
    """The analysed fields' postings of ``paragraphs``, documents 0, 1, ... in order."""
    from .whoosh import _schema, text_values

    schema = _schema()
    count = len(paragraphs)
    # Each field's terms, each with its postings one after another: document, weight
    # and value. Weights repeat: one object each, not one a posting.
    postings: dict[str, dict[str, list[Any]]] = {name: {} for name in ANALYSED}
    weights: dict[float, float] = {}
    lengths = {name: array("i", [_ABSENT]) * count for name in ANALYSED}
    formats = {name: (schema[name].format.word_values, schema[name].analyzer) for name in ANALYSED}
    for number, (text, role, metadata) in enumerate(paragraphs):
        boost = float(ROLE_BOOST[role])
        for name, value in text_values(text, metadata).items():
            terms = postings[name]
            word_values, analyzer = formats[name]
            length = 0
            # what whoosh's field.index(value) yields, its terms not yet encoded
            for term, freq, weight, encoded in word_values(value, analyzer, mode="index"):
                weight *= boost
                found = terms.get(term)
                if found is None:
                    terms[term] = [number, weights.setdefault(weight, weight), encoded]
                else:
                    found += (number, weights.setdefault(weight, weight), encoded)
                length += freq  # every analysed field is scorable
            lengths[name][number] = length
    prepared = {name: _encoded(schema[name], postings.pop(name)) for name in ANALYSED}
    texts = [text for text, _, _ in paragraphs]
    return Prepared(count, _digest(texts), prepared, lengths)


def _encoded(field: Any, terms: dict[str, list[Any]]) -> Any:
    """One field's ``whoosh_writing.PreparedTerms`` from its terms' postings."""
    from .whoosh_writing import TERM_HEAD, PreparedTerms, codec, encode_term

    made = codec()
    limit, compression = made._blocklimit, made._compression
    fixed_size = field.format.fixed_value_size()
    heads, encoded = [], []
    # Code point order is UTF-8's byte order: the order of whoosh's term bytes.
    ordered = sorted(terms)
    for term in ordered:
        found = terms.pop(term)
        docnums, weights = found[0::3], found[1::3]
        postings, total, top = encode_term(
            docnums, weights, found[2::3], limit, compression, fixed_size
        )
        heads.append(TERM_HEAD.pack(False, total, len(docnums), 0, 0, top, docnums[0], docnums[-1]))
        encoded.append(postings)
    return PreparedTerms.build([term.encode("utf-8") for term in ordered], heads, encoded)


def _digest(texts: Sequence[str]) -> int:
    return zlib.crc32("\x1e".join(texts).encode("utf-8", "surrogatepass"))
