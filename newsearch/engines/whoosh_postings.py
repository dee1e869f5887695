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
    from .whoosh_writing import TERM_HEAD, PreparedTerms, codec, encode_term

    schema = _schema()
    count = len(paragraphs)
    postings: dict[str, dict[bytes, tuple[array, list[float], list[Any]]]] = {
        name: {} for name in ANALYSED
    }
    lengths = {name: array("i", [_ABSENT]) * count for name in ANALYSED}
    for number, (text, role, metadata) in enumerate(paragraphs):
        boost = float(ROLE_BOOST[role])
        for name, value in text_values(text, metadata).items():
            terms = postings[name]
            length = 0
            for term, freq, weight, encoded in schema[name].index(value):
                found = terms.get(term)
                if found is None:
                    found = terms[term] = (array("i"), [], [])
                found[0].append(number)
                found[1].append(weight * boost)
                found[2].append(encoded)
                length += freq  # every analysed field is scorable
            lengths[name][number] = length
    made = codec()
    prepared = {}
    for name, terms in postings.items():
        fixed_size = schema[name].format.fixed_value_size()
        ready = PreparedTerms([], [], [])
        for term in sorted(terms):
            docnums, weights, values = terms.pop(term)
            encoded, total, top = encode_term(
                docnums, weights, values, made._blocklimit, made._compression, fixed_size
            )
            ready.terms.append(term)
            ready.heads.append(
                TERM_HEAD.pack(False, total, len(docnums), 0, 0, top, docnums[0], docnums[-1])
            )
            ready.postings.append(encoded)
        prepared[name] = ready
    texts = [text for text, _, _ in paragraphs]
    return Prepared(count, _digest(texts), prepared, lengths)


def _digest(texts: Sequence[str]) -> int:
    return zlib.crc32("\x1e".join(texts).encode("utf-8", "surrogatepass"))
