"""Streaming text reaches the screen in batches: at most one update every ``interval``
seconds (about twenty a second), and ``flush()`` always hands on what is left, so a stream
that ends, fails or is cancelled never loses its last tokens.

A batch that is not due yet is not left waiting for the next token: the first token held
back arms a trailing timer on the running event loop that hands the batch on when the
interval is up. Without it the tail of a burst stayed off screen until the model sent
something else, which after a pause in the stream could be seconds.

A stream faster than anyone reads (``fast_chars_per_s``, measured over each batch) is handed
on every ``fast_interval`` instead: each frame drawn is then time taken from the stream, and
the pages in between were never readable.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Coalescer:
    def __init__(self, emit: Callable[[str], None], interval: float = 0.05, *,
                 fast_interval: float | None = None,
                 fast_chars_per_s: float = float("inf")) -> None:
        self._emit = emit
        self._normal = interval
        self._fast = interval if fast_interval is None else fast_interval
        self._fast_rate = fast_chars_per_s
        #: seconds between two batches now (the normal or the fast interval)
        self.interval = interval
        self._parts: list[str] = []
        self._last = time.monotonic()
        self._timer: asyncio.TimerHandle | None = None

    def add(self, text: str) -> None:
        self._parts.append(text)
        waited = time.monotonic() - self._last
        if waited >= self.interval:
            self.flush()
        elif self._timer is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no loop in this thread: the next add or flush hands it on
                return
            self._timer = loop.call_later(self.interval - waited, self._due)

    def _due(self) -> None:
        self._timer = None
        self.flush()

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        now = time.monotonic()
        if self._parts:
            text = "".join(self._parts)
            self._parts.clear()
            rate = len(text) / max(now - self._last, 1e-3)
            self.interval = self._fast if rate > self._fast_rate else self._normal
            self._emit(text)
        self._last = now
