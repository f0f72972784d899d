"""Streaming text reaches the screen in batches: at most one update every ``interval``
seconds (about twenty a second), and ``flush()`` always hands on what is left, so a stream
that ends, fails or is cancelled never loses its last tokens."""

from __future__ import annotations

import time
from collections.abc import Callable


class Coalescer:
    def __init__(self, emit: Callable[[str], None], interval: float = 0.05) -> None:
        self._emit = emit
        self._interval = interval
        self._parts: list[str] = []
        self._last = time.monotonic()

    def add(self, text: str) -> None:
        self._parts.append(text)
        if time.monotonic() - self._last >= self._interval:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            self._emit("".join(self._parts))
            self._parts.clear()
        self._last = time.monotonic()
