"""The query language: a recursive-descent parser from a query string to the AST.

Grammar (``AND``, ``OR``, ``NOT`` are operators only in upper case)::

    query    := or_expr
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := unary (["AND"] unary)*          # juxtaposition is AND
    unary    := ("NOT" | "-" | "+")* primary    # "-"/"+" only when attached: -Israel
    primary  := [FIELD ":"] value               # "title:" scopes the value
    value    := "(" or_expr ")" | phrase ["~" N] | "[" A TO B "]" (date only) | word

Words and quoted phrases go through ``newsearch.analysis``: a word with one term is a
``Term``, with several (``empty-handed``, ``U.S.``) a ``Phrase`` with slop 0, with none
(``…``, a lone ``-``) it is dropped. A word ending in ``~1`` or ``~2`` is ``Fuzzy``
(``volker~1``: index terms within one edit); it must be one word. A word ending in
``*`` is a ``Prefix`` of its last term (``Israel-Ga*`` is the phrase before it AND the
prefix). A colon makes a field only after a known field name followed directly by a
value; ``9:30``, ``note: hi`` and
``https://…`` are text. ``role:``/``language:`` give lower-cased ``Keyword``s; ``date:``
values are date expressions (``newsearch.query.dates``). Every error is a
``QuerySyntaxError`` whose position is an offset into the query as given.

Normal form of the AST, which engines rely on:

- ``And``/``Or`` children are flattened (an ``And`` never has an ``And`` child, an ``Or``
  never an ``Or`` child) and never fewer than two; a single child is unwrapped.
- ``Not`` is only ever a child of an ``And`` that has at least one child that is not a
  ``Not``. A negation with nothing positive beside it gets ``MatchAll()`` as the first
  child: ``-Israel`` is ``And((MatchAll(), Not(israel)))``.
- ``MatchAll`` only appears as that first child (never elsewhere, never alone);
  ``MatchNone`` only as the whole result, when every word analyzes to nothing.
- Double negation cancels: ``NOT NOT x`` and ``-(-x)`` are ``x``.
- A ``DateRange`` is a positive child like any other: ``date:2024`` alone is just the
  ``DateRange``, ``Hamas date:2024`` is ``And((Term, DateRange))``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from newsearch import analysis
from newsearch.errors import QuerySyntaxError
from newsearch.query import dates
from newsearch.query.ast import (
    EXACT_FIELD,
    KEYWORD_FIELDS,
    And,
    DateRange,
    Fuzzy,
    Keyword,
    MatchAll,
    MatchNone,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
)
from newsearch.query.habits import phrase_habit, word_habit

MAX_DEPTH = 100
MAX_SLOP = 1000
MAX_FUZZY = 2
ROLES = ("title", "standfirst", "caption", "body")
# Query field name (lower case) → AST field. "tags" is accepted as well as "tag".
FIELDS = {
    "text": "text",
    "title": "title",
    "source": "source",
    "author": "author",
    "section": "section",
    "tag": "tags",
    "tags": "tags",
    "role": "role",
    "language": "language",
    "date": "date",
    "exact": EXACT_FIELD,
}
_KNOWN = "title, source, author, section, tag, role, language, date, text, exact"
_QUOTES = '"“”'
_BINARY = ("AND", "OR")

_SPACE_RE = re.compile(r"\s*")
_WORD_RE = re.compile(r'[^\s()"“”]+')
_QUOTE_RE = re.compile(r'["“”]')
_FIELD_RE = re.compile(r"([A-Za-z]+):(?=[^\s)])")
_EMPTY_FIELD_RE = re.compile(r"([A-Za-z]+):(?=[\s)]|\Z)")
_SLOP_RE = re.compile(r"[0-9]+")
_FUZZY_RE = re.compile(r"(.*[^\W_])~([0-9]+)")
_EDGE_PUNCTUATION_RE = re.compile(r"^[\W_]+|[\W_]+$")


def parse(query: str) -> Node:
    """Parse a query string into the AST; raise ``QuerySyntaxError`` naming the position."""
    node = plain_parse(query)
    return full_parse(query) if node is None else node


def full_parse(query: str) -> Node:
    """``parse`` by the recursive-descent parser alone (every query, every error)."""
    if _SPACE_RE.fullmatch(query):
        raise QuerySyntaxError("empty query", query, 0)
    node = _Parser(query).parse_query()
    return MatchNone() if node is None else node


# The commonest queries: words of letters and digits, quoted phrases of such words,
# ``field:word`` in a text field or ``exact:``, and ``date:[A TO B]``, separated by
# whitespace. Group 1 is a word, 2 a field and 3 its word, 4 a phrase's opening quote
# and 5 its words, 6 a date range.
_PLAIN_ITEM_RE = re.compile(
    r"\s*(?:"
    r"([^\W_]+)"
    r"|(text|title|source|author|section|tags?|exact):([^\W_]+)"
    r'|(["“”])(\s*[^\W_]+(?:\s+[^\W_]+)*\s*)["“”]'
    r"|date:(\[[^\]]*\])"
    r")(?=\s|\Z)"
)
_PLAIN_END_RE = re.compile(r"\s*\Z")


def plain_parse(query: str) -> Node | None:
    """The AST ``full_parse`` gives ``query`` when the query is only plain items (see
    ``_PLAIN_ITEM_RE``), made by the same calls as the full parser's (``text_node``,
    ``make_and``, ``parse_date_expression``); None for any other query, errors included,
    which ``full_parse`` then parses (and reports at the same positions). About 15
    method calls and 10 regex matches a word in the full parser: a two-word query
    ~37 → ~12 µs. ``tests/test_query_plain.py`` checks it against ``full_parse``."""
    children: list[Node | None] = []
    position = 0
    end = len(query)
    match_item = _PLAIN_ITEM_RE.match
    while True:
        item = match_item(query, position)
        if item is None:
            break
        position = item.end()
        word, field, value, quote, inner, span = item.groups()
        if word is not None:
            if word in _RESERVED:
                return None  # an operator
            children.append(text_node("text", word))
        elif field is not None:
            if value in _RESERVED:
                return None
            children.append(text_node(FIELDS[field], value))
        elif quote is not None:
            node = text_node("text", inner.strip(), 0)
            children.append(replace(node, quoted=True) if isinstance(node, Phrase) else node)
        else:
            try:
                children.append(dates.parse_date_expression(span))
            except ValueError:
                return None  # the full parser's error
    if not children or (position < end and _PLAIN_END_RE.match(query, position) is None):
        return None
    node = make_and(children)
    return MatchNone() if node is None else node


_RESERVED = (*_BINARY, "NOT")  # the words the full parser reads as operators


def make_and(children: list[Node | None]) -> Node | None:
    """``And`` of the children in normal form (dropped children are ``None``)."""
    flat: list[Node] = []
    for child in children:
        if isinstance(child, And):
            flat.extend(child.children)
        elif child is not None:
            flat.append(child)
    kept = [child for child in flat if not isinstance(child, MatchAll)]
    if not kept:
        return MatchAll() if flat else None
    if all(isinstance(child, Not) for child in kept):
        kept.insert(0, MatchAll())
    return kept[0] if len(kept) == 1 else And(tuple(kept))


def make_or(children: list[Node | None]) -> Node | None:
    """``Or`` of the children in normal form (dropped children are ``None``)."""
    flat: list[Node] = []
    for child in children:
        if isinstance(child, Or):
            flat.extend(child.children)
        elif child is not None:
            flat.append(child)
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def make_not(child: Node) -> Node:
    """The negation of ``child`` in normal form; a double negation cancels."""
    if (
        isinstance(child, And)
        and len(child.children) == 2
        and isinstance(child.children[0], MatchAll)
        and isinstance(child.children[1], Not)
    ):
        return child.children[1].child
    return And((MatchAll(), Not(child)))


def text_node(field: str, text: str, slop: int = 0) -> Term | Phrase | None:
    """The analyzed form of a word or phrase: a ``Term``, a ``Phrase`` or ``None``.

    In the ``exact`` field the words are folded but not stemmed.
    """
    terms = analysis.exact_terms(text) if field == EXACT_FIELD else analysis.terms(text)
    if not terms:
        return None
    if len(terms) == 1:
        return Term(field, terms[0], text=text)
    return Phrase(field, tuple(terms), slop, text=text)


class _Parser:
    """One parse of one query string; ``pos`` is the offset of the next character."""

    def __init__(self, query: str) -> None:
        self.query = query
        self.pos = 0
        self.depth = 0

    def parse_query(self) -> Node | None:
        """The whole query; anything left over can only be an unmatched ``)``."""
        node = self.parse_expression("text")
        self.skip_space()
        if self.pos < len(self.query):
            raise self.error("unmatched ')'", self.pos)
        return node

    # -- helpers -------------------------------------------------------------------

    def error(self, message: str, position: int) -> QuerySyntaxError:
        """A syntax error at ``position`` in the query."""
        return QuerySyntaxError(message, self.query, position)

    def skip_space(self) -> None:
        """Move past whitespace."""
        self.pos = _SPACE_RE.match(self.query, self.pos).end()  # type: ignore[union-attr]

    def peek(self) -> str:
        """The next character, or ``""`` at the end."""
        return self.query[self.pos : self.pos + 1]

    def word_at(self, position: int) -> str:
        """The run of non-space, non-bracket, non-quote characters at ``position``."""
        match = _WORD_RE.match(self.query, position)
        return match.group() if match else ""

    def binary_operator_at(self, position: int) -> str | None:
        """``AND`` or ``OR`` when that whole word starts at ``position``."""
        word = self.word_at(position)
        return word if word in _BINARY else None

    def attached_operand_at(self, position: int) -> bool:
        """True when an operand starts right at ``position`` (no space, not ``)``)."""
        following = self.query[position : position + 1]
        return bool(following) and not following.isspace() and following != ")"

    def expect_operand(self, operator: str, position: int) -> None:
        """Raise unless an operand follows the operator found at ``position``."""
        self.skip_space()
        following = self.peek()
        if not following or following == ")" or self.binary_operator_at(self.pos):
            raise self.error(f"'{operator}' needs a term after it", position)

    # -- grammar -------------------------------------------------------------------

    def parse_expression(self, field: str) -> Node | None:
        """``or_expr``: runs of AND-ed operands separated by ``OR``.

        Both precedence levels share one loop so that each level of parentheses costs
        only three stack frames (expression, operand, primary).
        """
        alternatives: list[Node | None] = []
        conjuncts = [self.parse_operand(field)]
        while True:
            self.skip_space()
            if not self.peek() or self.peek() == ")":
                break
            operator = self.binary_operator_at(self.pos)
            if operator is not None:
                position = self.pos
                self.pos += len(operator)
                self.expect_operand(operator, position)
            if operator == "OR":
                alternatives.append(make_and(conjuncts))
                conjuncts = []
            conjuncts.append(self.parse_operand(field))
        alternatives.append(make_and(conjuncts))
        return make_or(alternatives)

    def parse_operand(self, field: str) -> Node | None:
        """Any number of ``NOT``/``-``/``+`` (a loop, not recursion) and one primary."""
        negated = False
        attached = False
        while True:
            self.skip_space()
            sign = self.peek()
            if sign in ("-", "+") and self.attached_operand_at(self.pos + 1):
                negated ^= sign == "-"
                attached = True
                self.pos += 1
            elif not attached and self.word_at(self.pos) == "NOT":
                position = self.pos
                self.pos += len("NOT")
                self.expect_operand("NOT", position)
                negated = not negated
            else:
                break
        node = self.parse_primary(field, attached)
        return make_not(node) if negated and node is not None else node

    def parse_primary(self, field: str, attached: bool) -> Node | None:
        """An optional ``field:``, then a group, a phrase, a date range or a word.

        ``attached`` means right after ``-``/``+``; there, and right after ``field:``,
        ``AND``/``OR`` are ordinary words. A field's value is never another field.
        """
        self.check_empty_field()
        field_match = _FIELD_RE.match(self.query, self.pos)
        direct = False
        if field_match is not None and not self.is_url(field_match):
            field = self.enter_field(field_match)
            direct = True
            self.check_field_value(field_match.group(1))
        if self.peek() == "=" and self.attached_operand_at(self.pos + 1):
            field = self.enter_exact(field)
        start = self.pos
        first = self.peek()
        if first == "(":
            self.open_group()
            node = self.parse_expression(field)
            self.close_group(start)
            return node
        if first == ")":
            raise self.error("unmatched ')'", start)
        if first and first in _QUOTES:
            return self.parse_phrase(field)
        if first == "[" and field == "date":
            return self.parse_date_range()
        word = self.word_at(start)
        if not (attached or direct) and word in _BINARY:
            raise self.error(f"'{word}' needs a term before it", start)
        self.pos += len(word)
        return self.word_node(field, word, start, direct)

    def check_empty_field(self) -> None:
        """A known field name with nothing right after its colon (``title:``, ``date: x``)."""
        empty = _EMPTY_FIELD_RE.match(self.query, self.pos)
        if empty is not None and empty.group(1).lower() in FIELDS:
            name = empty.group(1)
            raise self.error(
                f"'{name}:' needs a value right after the colon, as in {name}:oil", self.pos
            )

    def check_field_value(self, name: str) -> None:
        """A field's value is never a sign or the operator NOT (``title:-oil``)."""
        following = self.peek()
        if following in ("-", "+"):
            raise self.error(
                f"'{following}' goes before the field: write {following}{name}:… "
                f"(inside '{name}:' it would be ignored)",
                self.pos,
            )
        if self.word_at(self.pos) == "NOT":
            raise self.error(
                f"'{name}:NOT' is not an exclusion: write NOT {name}:… or -{name}:…, "
                f"or {name}:not for the word",
                self.pos,
            )

    def is_url(self, field_match: re.Match[str]) -> bool:
        """``https://…`` and other ``scheme://`` text that is not a known field."""
        unknown = field_match.group(1).lower() not in FIELDS
        return unknown and self.query.startswith("//", field_match.end())

    def enter_field(self, field_match: re.Match[str]) -> str:
        """Move past ``name:`` and return its AST field; ``name`` must be a known field."""
        name = field_match.group(1)
        field = FIELDS.get(name.lower())
        if field is None:
            raise self.error(f"unknown field '{name}' (known: {_KNOWN})", field_match.start())
        self.pos = field_match.end()
        return field

    def enter_exact(self, field: str) -> str:
        """Move past the ``=`` of ``=word``: the paragraph text's unstemmed words."""
        if field not in ("text", EXACT_FIELD):
            raise self.error(
                f"'=' (exact words) searches the paragraph text, not {field}:", self.pos
            )
        self.pos += 1
        return EXACT_FIELD

    def open_group(self) -> None:
        """Move past ``(``, at most ``MAX_DEPTH`` deep and never empty."""
        start = self.pos
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"query nests parentheses too deeply (limit {MAX_DEPTH})", start)
        self.pos += 1
        self.skip_space()
        if not self.peek():
            raise self.error("'(' is never closed", start)
        if self.peek() == ")":
            raise self.error("empty parentheses", start)

    def close_group(self, start: int) -> None:
        """Move past the ``)`` that closes the ``(`` at ``start``."""
        self.skip_space()
        if self.peek() != ")":
            raise self.error("'(' is never closed", start)
        self.pos += 1
        self.depth -= 1

    def parse_phrase(self, field: str) -> Node | None:
        """A quoted phrase (straight or curly quotes), with an optional ``~N`` slop."""
        start = self.pos
        closing = _QUOTE_RE.search(self.query, start + 1)
        if closing is None:
            raise self.error("unbalanced quote: this quote is never closed", start)
        inner = self.query[start + 1 : closing.start()]
        habit = phrase_habit(inner)
        if habit is not None:
            raise self.error(habit[0], start + 1 + habit[1])
        self.pos = closing.end()
        slop = self.parse_slop()
        if field == "date":
            return self.date_node(inner.strip(), start)
        if field in KEYWORD_FIELDS:
            return self.keyword_node(field, inner, start)
        node = text_node(field, inner.strip(), slop)
        return replace(node, quoted=True) if isinstance(node, Phrase) else node

    def parse_slop(self) -> int:
        """The ``N`` of ``~N`` right after a closing quote; 0 when there is no ``~``."""
        tilde = self.pos
        if self.peek() != "~":
            return 0
        digits = _SLOP_RE.match(self.query, tilde + 1)
        end = digits.end() if digits else tilde + 1
        following = self.query[end : end + 1]
        if digits is None or (following and not _ends_slop(following)):
            raise self.error("'~' after a phrase needs a whole number, as in \"a b\"~3", tilde)
        if len(digits.group()) > len(str(MAX_SLOP)) or int(digits.group()) > MAX_SLOP:
            raise self.error(f"slop after '~' is too large (limit {MAX_SLOP})", tilde)
        self.pos = end
        return int(digits.group())

    def parse_date_range(self) -> DateRange:
        """``[A TO B]`` in the ``date`` field."""
        start = self.pos
        closing = self.query.find("]", start)
        if closing < 0:
            raise self.error("'[' is never closed: use date:[START TO END]", start)
        self.pos = closing + 1
        return self.date_node(self.query[start : closing + 1], start)

    # -- leaves --------------------------------------------------------------------

    def word_node(self, field: str, word: str, start: int, direct: bool) -> Node | None:
        """The node of one unquoted word in ``field``; ``direct`` means right after ``:``."""
        if field == "date":
            return self.date_node(word, start)
        if field in KEYWORD_FIELDS:
            return self.keyword_node(field, word, start)
        habit = word_habit(word)
        if habit is not None:
            raise self.error(habit[0], start + habit[1])
        if word.endswith("*"):
            if field == EXACT_FIELD:
                raise self.error("an exact word ('=' or 'exact:') cannot be a prefix", start)
            return self.prefix_node(field, word, start, direct)
        fuzzy = _FUZZY_RE.fullmatch(word)
        if fuzzy is not None and field != EXACT_FIELD:
            return self.fuzzy_node(field, fuzzy, start)
        return text_node(field, word)

    def fuzzy_node(self, field: str, match: re.Match[str], start: int) -> Fuzzy:
        """``volker~1``: one word and an edit distance of 1 or 2."""
        head, digits = match.group(1), match.group(2)
        tilde = start + match.start(2) - 1
        distance = int(digits) if len(digits) <= 2 else MAX_FUZZY + 1
        if not 1 <= distance <= MAX_FUZZY:
            raise self.error("'~' after a word takes an edit distance of 1 or 2", tilde)
        tokens = list(analysis.tokenize(head))
        if len(tokens) != 1:
            raise self.error(f"'~{digits}' (fuzzy) applies to one word, not '{head}'", start)
        return Fuzzy(field, tokens[0].term, distance, text=head)

    def prefix_node(self, field: str, word: str, start: int, direct: bool) -> Node | None:
        """``netan*``: a prefix of the last term, ANDed with any words before it."""
        head = word.rstrip("*")
        tokens = list(analysis.tokenize(head))
        if not tokens:
            if direct:
                raise self.error("a prefix needs letters or digits before '*'", start)
            return None
        last = tokens[-1]
        prefix = Prefix(field, analysis.fold_prefix(head[last.start : last.end]))
        return make_and([text_node(field, head[: last.start]), prefix])

    def keyword_node(self, field: str, raw: str, start: int) -> Keyword | None:
        """``role:`` or ``language:``: an exact lower-cased value."""
        value = _EDGE_PUNCTUATION_RE.sub("", raw.strip().lower())
        if raw.rstrip().endswith("*"):
            raise self.error(f"'{field}:' takes an exact value, not a prefix", start)
        if not value:
            return None
        if field == "role" and value not in ROLES:
            raise self.error(f"unknown role '{raw}' (known: {', '.join(ROLES)})", start)
        return Keyword(field, value)

    def date_node(self, text: str, start: int) -> DateRange:
        """A ``date:`` value; a malformed one is an error at its position."""
        try:
            return dates.parse_date_expression(text)
        except ValueError as exc:
            raise self.error(str(exc), start) from None


def _ends_slop(character: str) -> bool:
    """True when ``character`` may directly follow ``~N``."""
    return character.isspace() or character in "()" or character in _QUOTES
