"""The query language: ``parse`` a query string into the AST, ``date_range`` for options."""

from __future__ import annotations

from newsearch.query.dates import date_range, date_span
from newsearch.query.parser import parse

__all__ = ["date_range", "date_span", "parse"]
