from __future__ import annotations

import asyncio
import time

from persona_tui.tui.coalesce import Coalescer


def test_batches_and_always_flushes_the_rest():
    emitted: list[str] = []
    coalescer = Coalescer(emitted.append, interval=60)
    for token in ("a", "b", "c"):
        coalescer.add(token)
    assert emitted == []  # nothing before the interval
    coalescer.flush()
    assert emitted == ["abc"]
    coalescer.flush()
    assert emitted == ["abc"]  # nothing left, nothing emitted


def test_emits_when_the_interval_has_passed():
    emitted: list[str] = []
    coalescer = Coalescer(emitted.append, interval=0.0)
    coalescer.add("x")
    coalescer.add("y")
    assert emitted == ["x", "y"]
    slow = Coalescer(emitted.append, interval=0.01)
    slow.add("1")
    time.sleep(0.02)
    slow.add("2")
    assert emitted[-1] == "12"


async def test_the_tail_of_a_burst_is_handed_on_without_another_token():
    emitted: list[tuple[float, str]] = []
    coalescer = Coalescer(lambda text: emitted.append((time.monotonic(), text)), interval=0.05)
    coalescer.add("first")  # due at once: the interval has passed since it was made
    coalescer.flush()
    sent = time.monotonic()
    for token in ("a", "b", "c"):
        coalescer.add(token)
    assert emitted[-1][1] == "first"  # held back: not due yet
    for _ in range(100):  # up to a second on a loaded machine
        if emitted[-1][1] == "abc":
            break
        await asyncio.sleep(0.01)
    assert emitted[-1][1] == "abc"  # the trailing timer handed the tail on
    assert emitted[-1][0] - sent >= 0.045  # not before the interval was up


async def test_flush_disarms_the_trailing_timer():
    emitted: list[str] = []
    coalescer = Coalescer(emitted.append, interval=0.02)
    coalescer.flush()
    coalescer.add("x")
    coalescer.flush()
    await asyncio.sleep(0.06)
    assert emitted == ["x"]  # flushed once, not again by a stale timer


def test_a_stream_faster_than_anyone_reads_is_handed_on_less_often():
    emitted: list[str] = []
    coalescer = Coalescer(emitted.append, interval=0.05, fast_interval=0.2,
                          fast_chars_per_s=10_000)
    coalescer.flush()
    coalescer.add("x" * 5_000)  # 5,000 characters in well under 50 ms: held back
    assert emitted == []
    coalescer.flush()
    assert emitted == ["x" * 5_000]
    assert coalescer.interval == 0.2  # that pace is far above 10,000 characters a second
    time.sleep(0.06)
    coalescer.add("y")
    assert emitted == ["x" * 5_000]  # 60 ms is not yet the fast interval
    coalescer.flush()
    assert emitted[-1] == "y"
    assert coalescer.interval == 0.05  # one character in 60 ms: back to the usual pace
    plain = Coalescer(emitted.append, interval=0.05)
    plain.add("z" * 100_000)
    plain.flush()
    assert plain.interval == 0.05  # no fast interval asked for: never changes
