from __future__ import annotations

from datetime import UTC, datetime

from persona_tui.core.providers.ratelimit import parse_duration, retry_after_seconds
from persona_tui.core.providers.wire import SSEDecoder


def test_sse_parser_follows_the_spec():
    lines = [": keep-alive comment", "event: message_start", 'data: {"a":', 'data: 1}', "",
             "data:no-space", "", "id: 7", "retry: 100", "data: last", ""]
    decoder = SSEDecoder()
    events = decoder.feed(lines[:3]) + decoder.feed(lines[3:])  # split across reads
    assert [(e.event, e.data) for e in events] == [
        ("message_start", '{"a":\n1}'), ("message", "no-space"), ("message", "last")]


def test_sse_event_cut_off_before_its_blank_line_is_dropped():
    events = SSEDecoder().feed(["data: complete", "", "data: cut"])
    assert [e.data for e in events] == ["complete"]


def test_retry_after_forms():
    now = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds({"Retry-After": "7"}, now=now) == 7
    assert retry_after_seconds({"retry-after": "Wed, 25 Nov 2026 12:00:30 GMT"}, now=now) == 30
    assert retry_after_seconds({"retry-after-ms": "250"}, now=now) == 0.25
    assert retry_after_seconds({"x-ratelimit-reset-requests": "6m0s",
                                "x-ratelimit-reset-tokens": "20ms"}, now=now) == 360
    assert retry_after_seconds({"anthropic-ratelimit-requests-reset": "2026-11-25T12:00:05Z"},
                               now=now) == 5
    assert retry_after_seconds({"retry-after": "soon"}, now=now) is None
    assert retry_after_seconds({}, now=now) is None


def test_durations():
    assert parse_duration("1s") == 1
    assert parse_duration("1h2m3.5s") == 3723.5
    assert parse_duration("20ms") == 0.02
    assert parse_duration("nonsense") is None
