"""Line framings used by the vendors: server-sent events and newline-delimited JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SSEEvent:
    event: str
    data: str


async def sse_events(lines: AsyncIterator[str]) -> AsyncIterator[SSEEvent]:
    """Parse server-sent events as the WHATWG spec defines them.

    ``data:`` lines accumulate (joined with newlines) until a blank line dispatches the event;
    lines starting with ``:`` are comments (keep-alives); the event type defaults to "message".
    An event still open when the stream ends is dropped, as the spec requires: it was cut off.
    """
    event = ""
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield SSEEvent(event or "message", "\n".join(data))
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
        # "id" and "retry" are not used by any vendor we speak to
