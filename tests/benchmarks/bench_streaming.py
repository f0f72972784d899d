"""Streaming on the Generate screen, next to the bare provider stream of the same reply,
measured in the same run, in alternating rounds.

    uv run python tests/benchmarks/bench_streaming.py [--rounds 5] [--paced-s 3] [--count 3]

1. Full speed: a ~20,000-token reply rendered headless (120x40) vs the bare provider stream
   (OllamaProvider.stream, no UI): time ratio, the worst delay of a key press handled while
   it streams (pressed from another thread, 50 ms after the last was handled; see
   _probe.py), and the display lag. The reply holds 74 personas; the run asks for
   ``--count`` (3, the form's default; at most 50) and lists and keeps that many, so
   ``--count 50`` is the figure with the most personas listed while the reply streams.
2. Paced at 50, 300 and 2,000 tokens/s (the vendor server keeps to a schedule of chunks; the
   rate it reached is printed): display lag p50/p99, and the process CPU time per 1,000
   tokens on the screen vs the bare stream at the same pace.

Display lag: from the moment the provider hands a piece of text on to the first frame the
compositor renders with it (headless: the frame is rendered but not written to a terminal).
Targets: full-speed ratio <= 1.3, worst key delay <= 50 ms, lag p99 <= 100 ms at each pace.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from textual import events  # noqa: E402

from persona_tui.core.providers.ollama import OllamaProvider  # noqa: E402
from persona_tui.resources import sample_project  # noqa: E402
from persona_tui.tui.widgets.stream_view import StreamView  # noqa: E402
from tests.benchmarks._probe import (  # noqa: E402
    KeyPresser,
    ProbeApp,
    count_output,
    lags,
    machine_load,
    percentile,
    spread,
)
from tests.benchmarks.bench_providers import RemoteServer  # noqa: E402

TOKENS_PER_PERSONA = 270  # about, in the vendor server's word-sized tokens
PACES = (50, 300, 2000)

#: (characters so far, time) of every piece of text the provider handed on
ARRIVALS: list[tuple[int, float]] = []
_original_stream = OllamaProvider.stream


async def _recorded_stream(self, *args, **kwargs):
    total = 0
    async for chunk in _original_stream(self, *args, **kwargs):
        if chunk.text:
            total += len(chunk.text)
            ARRIVALS.append((total, time.perf_counter()))
        yield chunk


def long_reply(personas: int = 74) -> str:
    """A reply in the shape the prompt asks for: ``personas`` sample personas, renamed."""
    sample = json.loads((sample_project() / "personas.json").read_text())["personas"]
    many = [dict(sample[i % 3], name=f"{sample[i % 3]['name']} {i}") for i in range(personas)]
    return json.dumps({"personas": many}, indent=1)


async def bare(url: str) -> dict[str, float]:
    ARRIVALS.clear()
    async with OllamaProvider(url) as provider:
        start, cpu = time.perf_counter(), time.process_time()
        count = 0
        async for chunk in provider.stream("hi", model="llama3.2"):
            count += bool(chunk.text)
        return {"time": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                "tokens": count}


async def on_screen(url: str, probe_keys: bool, count: int = 3) -> dict:
    from persona_tui.core.platform import PathManager
    from tests.config_files import write_config

    write_config({"providers": {"ollama": {"base_url": url}}}, PathManager.default())
    app = ProbeApp(start="generate")
    delays: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.6)
        await app.workers.wait_for_complete()
        app.screen.query_one("#count").value = str(count)  # personas asked for
        await pilot.pause(0.1)
        ARRIVALS.clear()
        app.frames.clear()
        start, cpu = time.perf_counter(), time.process_time()
        app.post_message(events.Key("ctrl+g", None))  # pilot.press would wait for the stream
        presser = KeyPresser(app, every=0.05)
        if probe_keys:
            presser.start()
        while not getattr(app.screen, "running", False):
            await asyncio.sleep(0.001)
        while getattr(app.screen, "running", False):
            await asyncio.sleep(0.005)
        elapsed, used = time.perf_counter() - start, time.process_time() - cpu
        if probe_keys:
            presser.stop()
            delays = presser.delays(start, start + elapsed)
        await pilot.pause(0.2)  # the last frames
        view = app.screen.query_one("#output")
        shown, text = view.bench_chars, view.text
        stats = str(app.screen.query_one("#stats").content)
        listed = app.screen.query_one("#personas").option_count
    # a run that finished is saved, whatever the quality gate says of a short paced reply
    # ("Partial: 1 of 3 personas"); one that failed or was cancelled is not a figure
    if "saved to" not in stats or stats.startswith(("Failed", "Cancelled")):
        raise RuntimeError(f"the run did not finish: {stats!r}")
    whole = next((t for t, chars in app.frames if chars >= len(text)), float("nan"))
    return {"time": elapsed, "cpu": used, "delays": delays, "shown": shown, "text": text,
            "lags": lags(list(ARRIVALS), list(app.frames)), "all_shown": whole - start,
            "listed": listed}


async def full_speed(server: RemoteServer, rounds: int, count: int) -> None:
    reply = long_reply()
    server.control(reply=reply, delay=0)
    bares, screens = [], []
    for _ in range(rounds):
        gc.collect()  # each round starts clean: earlier rounds' apps are garbage now
        b = await bare(server.url)
        with tempfile.TemporaryDirectory() as home:
            os.environ["PERSONA_TUI_HOME"] = home
            s = await on_screen(server.url, probe_keys=True, count=count)
        if s["text"] != reply:
            raise RuntimeError(f"the screen shows {len(s['text']):,} of {len(reply):,} "
                               "characters, or different text")
        bares.append(b)
        screens.append(s)
        print(f"  round: bare {b['time']:.3f} s, screen {s['time']:.3f} s "
              f"(ratio {s['time'] / b['time']:.2f}), worst key "
              f"{max(s['delays'], default=0) * 1000:.1f} ms, lag p99 "
              f"{percentile(s['lags'], 99) * 1000:.1f} ms")
    tokens = bares[0]["tokens"]
    b_times, s_times = [b["time"] for b in bares], [s["time"] for s in screens]
    ratios = [s / b for s, b in zip(s_times, b_times)]
    print(f"reply: {tokens:,} tokens, {len(reply):,} characters (all shown on screen, "
          f"checked), 74 personas; {count} asked for, {screens[0]['listed']} listed")
    print(f"bare provider stream  : {spread(b_times)} s "
          f"({tokens / statistics.median(b_times):,.0f} tok/s)")
    print(f"on the Generate screen: {spread(s_times)} s")
    print(f"ratio: medians {statistics.median(s_times) / statistics.median(b_times):.2f}, "
          f"per round {spread(ratios, 1, '.2f')} (target <= 1.3)")
    # the same run up to the frame that showed the whole reply, before the end of the run
    # (final parse, scoring, saving, the summary): what streaming alone costs
    shown = [s["all_shown"] / b["time"] for s, b in zip(screens, bares)]
    print(f"  until the whole reply was on screen: per round {spread(shown, 1, '.2f')}")
    worst = [max(s["delays"]) for s in screens if s["delays"]]
    print(f"worst key delay per round: {spread(worst, 1000, '.1f')} ms over "
          f"{sum(len(s['delays']) for s in screens)} presses (target <= 50 ms)")
    p50 = [percentile(s["lags"], 50) for s in screens]
    p99 = [percentile(s["lags"], 99) for s in screens]
    print(f"display lag per round: p50 {spread(p50, 1000, '.1f')} ms, "
          f"p99 {spread(p99, 1000, '.1f')} ms")


async def paced(server: RemoteServer, rounds: int, seconds: float) -> None:
    print(f"paced: per round median (min–max) of {rounds} rounds; CPU = process time per "
          "1,000 tokens")
    print(f"  {'pace':>9} {'reached':>9} {'lag p50 ms':>18} {'lag p99 ms':>18} "
          f"{'CPU ms screen':>20} {'CPU ms bare':>18} {'CPU ratio':>16}")
    for pace in PACES:
        personas = max(1, round(pace * seconds / TOKENS_PER_PERSONA))
        server.control(reply=long_reply(personas), rate=pace)
        p50, p99, cpu_s, cpu_b, reached, ratio = [], [], [], [], [], []
        for _ in range(rounds):
            gc.collect()
            b = await bare(server.url)
            with tempfile.TemporaryDirectory() as home:
                os.environ["PERSONA_TUI_HOME"] = home
                s = await on_screen(server.url, probe_keys=False)
            tokens = b["tokens"]
            p50.append(percentile(s["lags"], 50))
            p99.append(percentile(s["lags"], 99))
            cpu_s.append(s["cpu"] / tokens * 1000)
            cpu_b.append(b["cpu"] / tokens * 1000)
            ratio.append(cpu_s[-1] / cpu_b[-1])
            reached.append(tokens / b["time"])
        print(f"  {pace:>5} t/s {statistics.median(reached):>5.0f} t/s "
              f"{spread(p50, 1000, '.1f'):>18} {spread(p99, 1000, '.1f'):>18} "
              f"{spread(cpu_s, 1000, '.0f'):>20} {spread(cpu_b, 1000, '.0f'):>18} "
              f"{spread(ratio, 1, '.1f'):>16}")
    print("  (target: lag p99 <= 100 ms at each pace)")
    server.control(rate=None)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--paced-s", type=float, default=3.0,
                        help="about how long each paced stream lasts")
    parser.add_argument("--skip-paced", action="store_true")
    parser.add_argument("--skip-full", action="store_true", help="only the paced streams")
    parser.add_argument("--count", type=int, default=3,
                        help="personas asked for at full speed (the reply holds 74; the run "
                             "lists and keeps at most this many, at most 50)")
    args = parser.parse_args()
    count_output(StreamView)
    OllamaProvider.stream = _recorded_stream
    print(machine_load())
    server = RemoteServer()
    try:
        if not args.skip_full:
            await full_speed(server, args.rounds, args.count)
        if not args.skip_paced:
            await paced(server, args.rounds, args.paced_s)
    finally:
        server.close()
    print(machine_load())


if __name__ == "__main__":
    asyncio.run(main())
