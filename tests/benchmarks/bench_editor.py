"""Typing in the card editor on a big card: 500 list items and ~50 KB of text, next to the
same typing on the small sample card in the same run.

    uv run python tests/benchmarks/bench_editor.py

A key's delay runs from posting the key event to the app until both the edit has reached the
edit session (validated, errors shown) and a frame showing the typed character has been drawn
(the first ``App._display`` after the field's text changed; headless, the frame is composed
but not written). Keys
come in bursts with pauses between, so the live audit badge (a worker thread, ~1 s after
typing stops) and the preview run while later keys arrive — as when a person types.
Target: worst key delay <= 50 ms on the big card.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from textual import events  # noqa: E402

from persona_tui.resources import sample_project  # noqa: E402
from persona_tui.tui.app import PersonaApp  # noqa: E402

SAMPLE_CARD = sample_project() / "cards" / "ledger-keeper.json"
LISTS = ("psychological_profile.goals", "psychological_profile.motivations",
         "psychological_profile.pain_points", "knowledge_boundaries.knows",
         "guidelines.additional_rules")


def big_card(folder: Path) -> Path:
    card = json.loads(SAMPLE_CARD.read_text())
    for number, path in enumerate(LISTS):
        section, name = path.split(".")
        card[section][name] = [
            f"Item {i} of {name.replace('_', ' ')}: keeps a careful eye on shared costs, "
            f"week {i % 52}" for i in range(number * 100, number * 100 + 100)]
    card["identity"]["demographics_summary"] = ("Lives with three others and keeps the "
                                                "household's accounts. " * 24)[:1990]
    card["guidelines"]["response_style"] = "Short, dry answers that list criteria. " * 60
    path = folder / "big.json"
    path.write_text(json.dumps(card))
    return path


def text_size(path: Path) -> tuple[int, int]:
    card = json.loads(path.read_text())
    items = sum(len(card[p.split(".")[0]][p.split(".")[1]]) for p in LISTS)
    return items, len(json.dumps(card, ensure_ascii=False))


async def type_into(card: Path, targets: list[str], preview: bool) -> tuple[float, list[float]]:
    app = PersonaApp(start="cards", card=str(card))
    delays: list[float] = []
    frames: list[float] = []
    display = app._display

    def drawn(screen, renderable) -> None:
        display(screen, renderable)
        if renderable is not None:
            frames.append(time.perf_counter())

    app._display = drawn
    async with app.run_test(size=(120, 40)) as pilot:
        started = time.perf_counter()
        while not app.screen.query("#f-identity--name"):
            await asyncio.sleep(0.01)
        await app.workers.wait_for_complete()
        await pilot.pause()
        opened = time.perf_counter() - started
        if preview:
            await pilot.press("ctrl+t")
        session = app.services.cards.current
        for target in targets:
            app.screen.focus_field(target)
            await pilot.pause()
            for burst in range(3):
                for char in "persona":
                    widget = app.focused
                    before, text = session.version, _text(widget)
                    sent = time.perf_counter()
                    app.post_message(events.Key(char, char))
                    changed = applied = None
                    while changed is None or applied is None:
                        await asyncio.sleep(0)
                        now = time.perf_counter()
                        if changed is None and _text(widget) != text:
                            changed = now
                        if applied is None and session.version != before:
                            applied = now
                    while not frames or frames[-1] < changed:
                        await asyncio.sleep(0.0005)
                    drawn = next(f for f in frames if f >= changed)
                    delays.append(max(applied, drawn) - sent)
                    await asyncio.sleep(0.03)  # a fast typist: ~25 keys a second
                await asyncio.sleep(1.0 if burst < 2 else 0)  # the badge re-audits now
        await app.workers.wait_for_complete()
    return opened, delays


def _text(widget) -> str:
    return widget.value if hasattr(widget, "value") else widget.text


def report(label: str, opened: float, delays: list[float]) -> None:
    print(f"{label}: opened in {opened * 1000:.0f} ms; {len(delays)} keys, median "
          f"{statistics.median(delays) * 1000:.1f} ms, p95 "
          f"{sorted(delays)[int(len(delays) * 0.95)] * 1000:.1f} ms, worst "
          f"{max(delays) * 1000:.1f} ms")


async def main() -> None:
    targets = ["identity.name", "psychological_profile.pain_points[50]",
               "guidelines.additional_rules[99]", "guidelines.response_style"]
    small_targets = ["identity.name", "psychological_profile.pain_points[1]",
                     "guidelines.additional_rules[0]", "guidelines.response_style"]
    with tempfile.TemporaryDirectory() as home:
        os.environ["PERSONA_TUI_HOME"] = home
        big = big_card(Path(home))
        items, size = text_size(big)
        small = Path(home) / "small.json"
        small.write_bytes(SAMPLE_CARD.read_bytes())
        small_open, small_delays = await type_into(small, small_targets, preview=True)
        big_open, big_delays = await type_into(big, targets, preview=os.environ.get("NOPREVIEW") is None)
    print(f"big card: {items} list items, {size / 1000:.1f} KB as JSON")
    report("sample card (baseline)", small_open, small_delays)
    report("big card              ", big_open, big_delays)
    print(f"worst key delay on the big card: {max(big_delays) * 1000:.1f} ms (target <= 50 ms);"
          f" median ratio big/sample "
          f"{statistics.median(big_delays) / statistics.median(small_delays):.2f}")


if __name__ == "__main__":
    asyncio.run(main())
