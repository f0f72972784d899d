"""Line framings used by the vendors: server-sent events and newline-delimited JSON.

Decoders here are synchronous and fed a batch of lines per network read: at tens of
thousands of tokens a second, one async generator hop per line costs more than the parsing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class SSEEvent(NamedTuple):  # a tuple: cheaper to build than a frozen dataclass, per token
    event: str
    data: str


class SSEDecoder:
    """Server-sent events as the WHATWG spec defines them.

    ``data:`` lines accumulate (joined with newlines) until a blank line dispatches the event;
    lines starting with ``:`` are comments (keep-alives); the type defaults to "message". An
    event still open when the stream ends is dropped, as the spec requires: it was cut off.
    """

    __slots__ = ("_data", "_event")

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []

    def feed(self, lines: Iterable[str]) -> list[SSEEvent]:
        events = []
        for line in lines:
            if not line:
                if self._data:
                    events.append(SSEEvent(self._event or "message", "\n".join(self._data)))
                self._event, self._data = "", []
            elif line.startswith("data:"):
                value = line[5:]
                self._data.append(value[1:] if value.startswith(" ") else value)
            elif line.startswith("event:"):
                value = line[6:]
                self._event = value[1:] if value.startswith(" ") else value
            # ":" comments, "id:" and "retry:" are not used by any vendor we speak to
        return events


class LineSplitter:
    """Bytes as they arrive -> complete text lines (``\\n`` or ``\\r\\n`` endings)."""

    __slots__ = ("_pending",)

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, data: bytes) -> list[str]:
        if self._pending:
            data = self._pending + data
        parts = data.split(b"\n")
        self._pending = parts.pop()
        return [part.rstrip(b"\r").decode("utf-8", "replace") for part in parts]

    def close(self) -> list[str]:
        """The last line when the body did not end with a newline."""
        rest, self._pending = self._pending, b""
        return [rest.rstrip(b"\r").decode("utf-8", "replace")] if rest else []
