"""Work a long-lived process reuses: parsed text, derivatives, lowered programs.

Each stage's result is cached by its inputs (least recently used first out), so a
second request for the same expression (a warm server, a REPL, a Python program in a
loop, or the points read for a check and then the check itself) skips parsing and
differentiating. A failure is not cached: it is raised again, afresh, next time.
The values are immutable once made (sympy expressions, Derivatives, Programs).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

ENTRIES_PER_STAGE = 32


class Session:
    """Caches per stage (a name: "prepare", "derivatives", "lowered"), each bounded."""

    def __init__(self, size: int = ENTRIES_PER_STAGE):
        self.size = size
        self._stages: dict[str, OrderedDict] = {}
        self._lock = threading.Lock()

    def cached(self, stage: str, key, make: Callable[[], T]) -> T:
        """make()'s value for key, made once while it stays in the cache; an unhashable
        key is not cached."""
        try:
            hash(key)
        except TypeError:
            return make()
        with self._lock:
            cache = self._stages.setdefault(stage, OrderedDict())
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        value = make()  # outside the lock: threads may make different values at once
        with self._lock:
            cache[key] = value
            while len(cache) > self.size:
                cache.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._stages.clear()

    def __len__(self) -> int:
        return sum(len(cache) for cache in self._stages.values())


_CURRENT = Session()


def current() -> Session:
    """The process's session."""
    return _CURRENT


def frozen(value):
    """value as a cache key: lists and tuples as tuples (of keys), the rest as it is."""
    if isinstance(value, list | tuple):
        return tuple(frozen(item) for item in value)
    return value
