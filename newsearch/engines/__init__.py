"""Engine adapters behind one interface (``base.Engine``), looked up by name."""

from __future__ import annotations

import importlib

from ..errors import EngineUnavailableError, NewsearchError
from .base import Engine

# name -> (module, class, pip extra that installs the engine's package)
_ENGINES: dict[str, tuple[str, str, str | None]] = {
    "whoosh": ("newsearch.engines.whoosh", "WhooshEngine", None),
    "tantivy": ("newsearch.engines.tantivy", "TantivyEngine", "tantivy"),
}
DEFAULT_ENGINE = "whoosh"


def engine_names() -> list[str]:
    return sorted(_ENGINES)


def engine_class(name: str) -> type[Engine]:
    """The adapter class for ``name``; a clear error when unknown or not installed."""
    if name not in _ENGINES:
        raise NewsearchError(f"unknown engine {name!r} (choose from {', '.join(engine_names())})")
    module_name, class_name, extra = _ENGINES[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        hint = f": pip install 'newsearch[{extra}]'" if extra else ""
        raise EngineUnavailableError(f"the {name} engine is not installed{hint}") from exc
    engine: type[Engine] = getattr(module, class_name)
    return engine
