"""Nothing that touches a file runs on the event loop while the user types, while Generate
estimates, while a run streams and while it is saved.

An audit hook (``sys.addaudithook``) sees every ``open`` in the process, whoever calls it:
Python code, C extensions, ``os.open``, the import system. While a phase is watched it
records the thread of each one; opens on the UI thread (the event loop's) fail the test
with the files named. Threads (``asyncio.to_thread``, thread workers) may open what they like.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field

import pytest
from textual.widgets import Input, Static

from persona_tui.tui.app import PersonaApp

FILE_EVENTS = {"open", "os.listdir", "os.scandir"}


@dataclass
class Watch:
    """The one audit hook's state (a hook cannot be removed, so there is one per process)."""

    thread: int | None = None  # the UI thread while watching, else None
    seen: list[tuple[str, str]] = field(default_factory=list)

    def hook(self, event: str, args: tuple) -> None:
        if self.thread is None or event not in FILE_EVENTS:
            return
        if threading.get_ident() == self.thread:
            self.seen.append((event, str(args[0]) if args else ""))


WATCH = Watch()
sys.addaudithook(WATCH.hook)


class watching:
    """``with watching("typing"): ...`` records file access on this (the UI) thread."""

    def __init__(self, phase: str) -> None:
        self.phase = phase

    def __enter__(self) -> Watch:
        WATCH.seen = []
        WATCH.thread = threading.get_ident()
        return WATCH

    def __exit__(self, *exc) -> None:
        WATCH.thread = None
        touched = list(WATCH.seen)
        assert not touched, (f"the UI thread touched files while {self.phase}: "
                             + ", ".join(f"{event} {path}" for event, path in touched[:40]))


@pytest.fixture
def server(sample_ollama):
    return sample_ollama


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def wait_for(pilot, condition, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}; stats: {text_of(pilot.app, '#stats')!r}"
                         f", estimate: {text_of(pilot.app, '#estimate')!r}")


async def test_typing_estimating_running_and_saving_leave_files_to_threads(server, tmp_path):
    folder = tmp_path / "study"
    folder.mkdir()
    for number in range(5):
        (folder / f"interview-{number}.md").write_text(
            "Interviewer: How do you split the bills?\n"
            f"P{number}: We keep a spreadsheet and settle up each month.\n" * 200, "utf-8")
    app = PersonaApp(start="generate")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.6)
        await app.workers.wait_for_complete()
        await pilot.pause()
        with watching("typing a folder's path and estimating it"):
            # set in one go: typed key by key under load, a pause at "/" would estimate the
            # whole disk
            app.screen.query_one("#data", Input).value = str(folder)
            model = app.screen.query_one("#model", Input)
            model.focus()
            model.value = ""
            await pilot.press(*"llama3.2")  # typing: each pause re-estimates
            await wait_for(pilot, lambda: text_of(app, "#estimate").startswith("estimate:")
                           and "free" in text_of(app, "#estimate"), "the estimate")
            await app.workers.wait_for_complete()
        assert "estimate unavailable" not in text_of(app, "#estimate")

        with watching("a run streamed and was saved"):
            await pilot.press("ctrl+g")
            await wait_for(pilot, lambda: "saved to" in text_of(app, "#stats")
                           and not app.screen.running, "the run to be saved")
            await app.workers.wait_for_complete()
        stats = text_of(app, "#stats")
        assert "3 personas" in stats and "saved to" in stats, stats


async def test_the_watch_sees_an_open_on_the_ui_thread(tmp_path):
    """The check can fail: a file opened on this thread while watched is reported."""
    target = tmp_path / "x.txt"
    target.write_text("x")
    with pytest.raises(AssertionError, match="x.txt"), watching("planting an open"):
        target.read_text()

    def elsewhere() -> None:
        target.read_text()

    with watching("opening in a thread"):  # a thread's open is allowed
        worker = threading.Thread(target=elsewhere)
        worker.start()
        worker.join()
