"""whoosh, imported without three modules that its imports load and a search never uses.

whoosh-reloaded 2.7.5 binds, at the top of modules every search needs:

- ``urllib.request.urlretrieve`` in ``whoosh.compat``, which every whoosh module imports
  (``urllib.request`` loads ``http.client``, ``email``, ``ssl`` and ``socket``), and which
  no whoosh code calls;
- ``asyncio`` in the ``cached_property`` package, which ``whoosh.reading`` imports for one
  property of a segment's reader (``deleted_docs_set``, read by every ``postings`` call);
  the property only asks ``asyncio.iscoroutinefunction`` whether its function is a
  coroutine function, which it is not;
- ``whoosh.lang.morph_en.variations`` in ``whoosh.query.terms``, for the ``Variations``
  query, which newsearch never builds (``morph_en`` compiles a table of English word
  forms into regular expressions when imported).

Together they were about 60 ms of a ``newsearch query``'s 290 on the whoosh engine (see
benchmarks/causes.md, "Eleventh round: start-up"). Importing this module imports whoosh
with each of the three modules replaced in ``sys.modules`` by a stand-in that loads the
real module when one of its names is first called (a function whoosh bound) or read
(any other name). The stand-ins leave ``sys.modules`` as soon as whoosh is imported, so
any later import of those modules, by whoosh or anyone, gets the real ones.

The one name a search does use, ``iscoroutinefunction``, is answered without asyncio
while asyncio is not loaded: ``asyncio.iscoroutinefunction(f)`` is
``inspect.iscoroutinefunction(f)`` or ``f`` carrying a marker object that only asyncio's
own module holds, and no object can carry it before asyncio is imported. Once asyncio is
loaded, its own function answers.

Nothing is replaced when another thread is running (it could import one of the modules
while its stand-in is in ``sys.modules``) or when a module is already loaded.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any


def _real(name: str) -> ModuleType:
    """The real module ``name``, imported now if it was not yet."""
    stand_in = sys.modules.get(name)
    if isinstance(stand_in, _StandIn):
        del sys.modules[name]  # still importing whoosh: the real module takes its place
    return importlib.import_module(name)


class _StandIn(ModuleType):
    """A module standing in for ``name``: every name not set on it is the real one's."""

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            # The import system asks for __path__, __spec__...: no real module for those.
            raise AttributeError(attribute)
        return getattr(_real(self.__name__), attribute)


def _calling(name: str, function: str) -> Callable[..., Any]:
    """A function that calls the real module's ``function``, importing the module then."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_real(name), function)(*args, **kwargs)

    call.__name__ = call.__qualname__ = function
    return call


def _iscoroutinefunction(func: object) -> bool:
    """``asyncio.iscoroutinefunction(func)``, without importing asyncio (see above)."""
    loaded = sys.modules.get("asyncio")
    if loaded is not None and not isinstance(loaded, _StandIn):
        return bool(loaded.iscoroutinefunction(func))
    return inspect.iscoroutinefunction(func)


def _stand_ins() -> dict[str, _StandIn]:
    names: dict[str, dict[str, Callable[..., Any]]] = {
        "urllib.request": {"urlretrieve": _calling("urllib.request", "urlretrieve")},
        "asyncio": {"iscoroutinefunction": _iscoroutinefunction},
        "whoosh.lang.morph_en": {"variations": _calling("whoosh.lang.morph_en", "variations")},
    }
    made = {}
    for name, functions in names.items():
        stand_in = _StandIn(name)
        stand_in.__dict__.update(functions)
        made[name] = stand_in
    return made


@contextmanager
def _standing_in() -> Iterator[None]:
    """The stand-ins in ``sys.modules`` for the modules not loaded yet, while it lasts."""
    if threading.active_count() > 1:
        yield
        return
    placed = {name: mod for name, mod in _stand_ins().items() if name not in sys.modules}
    sys.modules.update(placed)
    try:
        yield
    finally:
        for name, stand_in in placed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


with _standing_in():
    # whoosh.compat binds urlretrieve; whoosh.query imports whoosh.reading (asyncio, in
    # cached_property) and whoosh.query.terms (morph_en).
    import whoosh.compat
    import whoosh.query  # noqa: F401
