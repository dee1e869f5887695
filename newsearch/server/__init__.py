"""The HTTP front end: a JSON API and a search page over ``Index``, like ``cli``.

It holds no search logic: every answer is what ``Index`` returns, as the same JSON
objects the command line prints with ``--json``.

>>> from newsearch.server import create_app
>>> app = create_app("indexes/default")  # an ASGI application; run it with uvicorn
"""

from __future__ import annotations

from .app import create_app
from .limits import Limits

__all__ = ["Limits", "create_app"]
