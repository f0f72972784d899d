"""What the UI benchmarks share: the app with a probe key, the key-delay probe, a clock of
what reached the screen, and figures printed as medians and spreads.

Key delay: a thread (as a terminal's input thread does) posts a key event to the app every
few milliseconds and times it until its action runs on the event loop. The delay is how long
the loop was busy with something else: what a user pressing a key at that moment would feel.
Pressing from outside the loop matters: a probe running on the loop itself could only press
between two pieces of work, and would never see the loop blocked.
"""

from __future__ import annotations

import asyncio
import bisect
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from textual import events  # noqa: E402
from textual.binding import Binding  # noqa: E402

import persona_tui.tui.app as app_module  # noqa: E402


class ProbeApp(app_module.PersonaApp):
    """The real app plus one hidden priority key whose action records when it ran, and a
    record of every frame the compositor produced (time, characters of output shown)."""

    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))
    BINDINGS = [*app_module.PersonaApp.BINDINGS,
                Binding("f12", "probe", "probe", show=False, priority=True, id="bench.probe")]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.handled: list[float] = []
        self.frames: list[tuple[float, int]] = []
        self.probe_done = threading.Event()

    def action_probe(self) -> None:
        self.handled.append(time.perf_counter())
        self.probe_done.set()

    def _display(self, screen, renderable) -> None:  # called with each rendered update
        super()._display(screen, renderable)
        if renderable is not None:
            self.frames.append((time.perf_counter(), shown_chars(self)))


def shown_chars(app) -> int:
    """Characters of model output in the Generate screen's output view (0 elsewhere)."""
    try:
        view = app.screen.query_one("#output")
    except Exception:
        return 0
    return getattr(view, "bench_chars", 0)


def count_output(view_class) -> None:
    """Count the characters appended to the output view (its text property joins every line,
    too slow to call on every frame)."""
    if getattr(view_class, "_bench_counted", False):
        return
    original = view_class.append

    def append(self, text: str) -> None:
        original(self, text)
        self.bench_chars = getattr(self, "bench_chars", 0) + len(text)

    original_clear = view_class.clear

    def clear(self) -> None:
        original_clear(self)
        self.bench_chars = 0

    view_class.append, view_class.clear, view_class._bench_counted = append, clear, True


class KeyPresser(threading.Thread):
    """Presses the probe key from its own thread every ``every`` seconds until stopped;
    ``presses`` holds (sent, handled) for each."""

    def __init__(self, app: ProbeApp, every: float = 0.005) -> None:
        super().__init__(daemon=True)
        self.app, self.every = app, every
        self.presses: list[tuple[float, float]] = []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.app.probe_done.clear()
            sent = time.perf_counter()
            self.app.post_message(events.Key("f12", None))
            while not self.app.probe_done.wait(0.5):
                if self._halt.is_set():
                    return
            self.presses.append((sent, self.app.handled[-1]))
            self._halt.wait(self.every)

    def stop(self) -> list[tuple[float, float]]:
        self._halt.set()
        self.join()
        return self.presses

    def delays(self, start: float = 0.0, end: float = float("inf")) -> list[float]:
        """What a press felt during [start, end): a press waiting when the window opened
        counts from then on."""
        return [h - max(s, start) for s, h in self.presses if s < end and h > start]


def lags(arrivals: list[tuple[int, float]], frames: list[tuple[float, int]]) -> list[float]:
    """For each piece of text (characters so far, time it arrived), the time until the first
    frame that showed it. ``frames`` are (time, characters shown), in time order."""
    times = [t for t, _ in frames]
    result = []
    for chars, arrived in arrivals:
        start = bisect.bisect_left(times, arrived)
        for index in range(start, len(frames)):
            if frames[index][1] >= chars:
                result.append(frames[index][0] - arrived)
                break
    return result


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def spread(values: list[float], scale: float = 1.0, fmt: str = ".3f") -> str:
    """``median (min–max)`` of per-round figures."""
    if not values:
        return "n/a"
    m = statistics.median(values) * scale
    return f"{m:{fmt}} ({min(values) * scale:{fmt}}–{max(values) * scale:{fmt}})"


def machine_load() -> str:
    try:
        one, five, _ = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        return "load unknown"
    import os

    return f"load average {one} (1 min), {five} (5 min) on {os.cpu_count()} CPUs"
