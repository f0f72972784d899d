"""The event loop while Generate works: the worst delay of a key press while it estimates a
100 MB folder and while it finishes and saves a run, next to the same probe on the idle
screen (the baseline), measured in the same run.

    uv run python tests/benchmarks/bench_event_loop.py [--mb 100] [--rounds 5] [--corpus DIR]

Each round opens the app on Generate headless (120x40) and, in turn: probes the idle screen
for a second; types the path of a generated mixed corpus (--mb, see bench_loader.py) into the
data field and probes until the estimate is shown; types ``sample`` and starts a run against
the local vendor server (a 20,000-token reply at full speed, in its own process), probing
through the stream and then from the stream's last token until the run is saved and its
summary is on the screen (the first frame drawn after the run ended).
The path is posted as keys all at once (a paste): "typing" is from then until the screen
asks the service for the estimate (the keys, the field's redraw, the pause); "estimating" is
from that call until the estimate is shown.
A probe is a key press from another thread, timed from posting to its action (one every 5 ms
after the last was handled); a press waiting when a phase begins counts from then on.
Targets: worst key delay <= 50 ms while estimating and while saving.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from textual import events  # noqa: E402

from persona_tui.core.providers.ollama import OllamaProvider  # noqa: E402
from persona_tui.tui.widgets.stream_view import StreamView  # noqa: E402
from tests.benchmarks._probe import (  # noqa: E402
    KeyPresser,
    ProbeApp,
    count_output,
    machine_load,
    spread,
)
from tests.benchmarks.bench_loader import make_corpus  # noqa: E402
from tests.benchmarks.bench_providers import RemoteServer  # noqa: E402
from tests.benchmarks.bench_streaming import long_reply  # noqa: E402

#: time of the last text chunk the provider handed on (the end of the stream)
LAST_CHUNK: list[float] = []
#: when the Generate screen's estimate asked the service (after the pause in typing)
ESTIMATE_STARTED: list[float] = []
#: when the service answered that estimate (cleared when another starts)
ESTIMATE_ANSWERED: list[float] = []
#: how long the estimate's text may stay the same after the service answered
UNCHANGED_S = 10.0


def watch_estimate_start() -> None:
    from persona_tui.services.generation import GenerationService

    original = GenerationService.estimate

    async def estimate(self, *args, **kwargs):
        ESTIMATE_STARTED[:] = [time.perf_counter()]
        ESTIMATE_ANSWERED.clear()
        answer = await original(self, *args, **kwargs)
        ESTIMATE_ANSWERED[:] = [time.perf_counter()]
        return answer

    GenerationService.estimate = estimate


def watch_stream_end() -> None:
    original = OllamaProvider.stream

    async def stream(self, *args, **kwargs):
        async for chunk in original(self, *args, **kwargs):
            if chunk.text:
                LAST_CHUNK[:] = [time.perf_counter()]
            yield chunk

    OllamaProvider.stream = stream


def estimate_text(app) -> str:
    return str(app.screen.query_one("#estimate").content)


def type_into(app, selector: str, text: str) -> None:
    """Replace a field's value the way a user does: focus, clear, one key per character."""
    field = app.screen.query_one(selector)
    field.focus()
    field.value = ""
    for char in text:
        app.post_message(events.Key(char, char))


class BenchError(Exception):
    """The app never reached the state a phase waits for; the message says which and why."""


async def wait_until(condition, timeout: float = 300.0, what: str = "the app never got "
                     "there") -> None:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise BenchError(f"{what} (waited {timeout:.0f} s)")
        await asyncio.sleep(0.005)


async def wait_for_estimate(app, before: str, folder: Path) -> None:
    """Until the estimate for ``folder`` is shown: its text changes from ``before``. A
    folder whose estimate reads like ``before`` (the same data as ``sample``, which the
    screen estimated first) never changes it: that fails once the service has answered and
    the text stayed the same for UNCHANGED_S, instead of waiting for ever."""
    def shown() -> bool:
        text = estimate_text(app)
        if text != before and text.startswith("estimate:"):
            return True
        if ESTIMATE_ANSWERED and time.perf_counter() - ESTIMATE_ANSWERED[0] > UNCHANGED_S:
            raise BenchError(
                f"the estimate of {folder} was answered {UNCHANGED_S:.0f} s ago but the "
                f"screen still reads {text!r}, as before it was typed: is it the same data "
                "as `sample`? Pass --corpus a folder that differs from it (add a file).")
        return False

    await wait_until(shown, what=f"the estimate of {folder} was never shown")


async def one_round(url: str, folder: Path) -> dict[str, list[float]]:
    from persona_tui.core.platform import PathManager
    from tests.config_files import write_config

    write_config({"providers": {"ollama": {"base_url": url}}}, PathManager.default())
    app = ProbeApp(start="generate")
    found: dict[str, list[float]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.6)
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        presser = KeyPresser(app)
        presser.start()
        try:
            idle = time.perf_counter()
            await asyncio.sleep(1.0)
            idle_end = time.perf_counter()

            before = estimate_text(app)
            typing = time.perf_counter()
            type_into(app, "#data", str(folder))
            # the keys of the path, posted at once (a paste): handling them, and the screen's
            # redraw, is "typing"; "estimating" runs from the estimate's start (the screen
            # asks the service after its pause in typing) until the estimate is shown
            ESTIMATE_STARTED.clear()
            await wait_until(lambda: app.screen.query_one("#data").value == str(folder)
                             and ESTIMATE_STARTED, what="the screen never asked for the "
                             "estimate of the typed folder")
            typed = ESTIMATE_STARTED[0]
            await wait_for_estimate(app, before, folder)
            estimated = time.perf_counter()

            type_into(app, "#data", "sample")
            await pilot.pause(0.1)
            await app.workers.wait_for_complete()
            LAST_CHUNK.clear()
            started = time.perf_counter()
            app.post_message(events.Key("ctrl+g", None))
            await wait_until(lambda: getattr(app.screen, "running", False),
                             what="the run never started")
            await wait_until(lambda: not getattr(app.screen, "running", False),
                             what="the run never ended")
            # the screen has the summary now (it is set as the run ends); it is shown by
            # the next frame drawn, which lays the screen out again if the summary grew
            ended = time.perf_counter()
            await wait_until(lambda: app.frames and app.frames[-1][0] > ended,
                             what="no frame was drawn after the run ended")
            finished = min(t for t, _ in app.frames[-20:] if t > ended)
        finally:
            presser.stop()
        stream_end = LAST_CHUNK[0] if LAST_CHUNK else finished
        found["idle"] = presser.delays(idle, idle_end)
        found["typing"] = presser.delays(typing, typed)
        found["estimate"] = presser.delays(typed, estimated)
        found["estimate_s"] = [estimated - typed]
        found["stream"] = presser.delays(started, stream_end)
        found["save"] = presser.delays(stream_end, finished)
        found["save_s"] = [finished - stream_end]
        stats = str(app.screen.query_one("#stats").content)
        # finished and saved, whatever the quality gate says of it; failed or cancelled is
        # not a figure
        if "saved to" not in stats or stats.startswith(("Failed", "Cancelled")):
            raise RuntimeError(f"the run did not finish: {stats!r}")
    return found


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus", metavar="FOLDER",
                        help="estimate this folder instead of generating one (--mb is ignored)")
    args = parser.parse_args()
    count_output(StreamView)
    watch_stream_end()
    watch_estimate_start()
    print(machine_load())
    server = RemoteServer()
    rounds: list[dict[str, list[float]]] = []
    try:
        server.control(reply=long_reply())
        with tempfile.TemporaryDirectory() as made:
            corpus = args.corpus or made
            size = make_corpus(Path(corpus), args.mb) if not args.corpus else \
                sum(f.stat().st_size for f in Path(corpus).rglob("*") if f.is_file())
            print(f"corpus: {size / 1e6:.0f} MB in {sum(1 for _ in Path(corpus).iterdir())} "
                  "files")
            for number in range(args.rounds):
                gc.collect()
                with tempfile.TemporaryDirectory() as home:
                    os.environ["PERSONA_TUI_HOME"] = home
                    found = await one_round(server.url, Path(corpus))
                rounds.append(found)
                print(f"  round {number + 1}: worst idle {max(found['idle']) * 1000:.1f} ms, "
                      f"estimate {max(found['estimate']) * 1000:.1f} ms over "
                      f"{found['estimate_s'][0]:.1f} s, stream "
                      f"{max(found['stream'], default=0) * 1000:.1f} ms, save "
                      f"{max(found['save'], default=0) * 1000:.1f} ms over "
                      f"{found['save_s'][0] * 1000:.0f} ms")
    finally:
        server.close()
    print(machine_load())

    def worst(kind: str) -> list[float]:
        return [max(r[kind]) for r in rounds if r[kind]]

    idle = worst("idle")
    print(f"worst key delay per round, median (min–max) of {len(rounds)} rounds, ms:")
    print(f"  idle Generate screen (baseline) : {spread(idle, 1000, '.1f')}")
    for kind, label in (("typing", "typing the path, the pause "),
                        ("estimate", "estimating the folder      "),
                        ("stream", "streaming the reply        "),
                        ("save", "after the stream: saving   ")):
        values = worst(kind)
        ratio = statistics.median(values) / statistics.median(idle) if values else float("nan")
        target = "" if kind in ("stream", "typing") else " (target <= 50 ms)"
        print(f"  {label}     : {spread(values, 1000, '.1f')}  = {ratio:.1f}x idle{target}")
    probes = sum(len(r["save"]) for r in rounds)
    print(f"  ({probes} probes during saves, "
          f"{sum(len(r['estimate']) for r in rounds)} during estimates; estimate took "
          f"{spread([r['estimate_s'][0] for r in rounds], 1, '.1f')} s)")


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except BenchError as exc:
        sys.exit(f"bench_event_loop: {exc}")
