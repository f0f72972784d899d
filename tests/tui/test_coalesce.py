from __future__ import annotations

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
