"""The stream view follows the end of a stream, also after being cleared for a second run,
and its scrollbar catches up with the text it follows."""

from __future__ import annotations

import time

from textual.app import App, ComposeResult

from persona_tui.tui.widgets.stream_view import BAR_EVERY_S, StreamView


class ViewApp(App):
    def compose(self) -> ComposeResult:
        yield StreamView(id="view")


def lines(start: int, count: int) -> str:
    return "".join(f"line {n}\n" for n in range(start, start + count))


async def test_follows_the_end_and_again_after_a_clear():
    app = ViewApp()
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(StreamView)
        bar = view.vertical_scrollbar
        drawn: list[float] = []
        original = bar.refresh

        def refresh(*args, **kwargs):
            drawn.append(time.monotonic())
            return original(*args, **kwargs)

        bar.refresh = refresh
        started = time.monotonic()
        for start in range(0, 400, 10):  # a stream in forty pieces, ~20 ms apart
            view.append(lines(start, 10))
            await pilot.pause(0.02)
        last_text = time.monotonic()
        assert view.scroll_y == view.max_scroll_y > 0
        # while it flowed, the bar was redrawn at most every BAR_EVERY_S, not on each of the
        # forty pieces (a layout pass may redraw it too: a few more allowed)
        assert len(drawn) <= (last_text - started) / BAR_EVERY_S + 3
        await pilot.pause(2 * BAR_EVERY_S + 0.1)
        assert drawn and drawn[-1] >= last_text  # caught up once the text paused
        assert bar.position == view.scroll_y
        assert bar.window_virtual_size == len(view.lines)  # the empty last line included
        view.clear()  # a second run
        await pilot.pause()
        for start in range(0, 100, 20):
            view.append(lines(start, 20))
            await pilot.pause()
        assert view.scroll_y == view.max_scroll_y > 0  # following again, not left at the top


async def test_scrolling_up_stops_following_and_moves_the_bar_at_once():
    app = ViewApp()
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(StreamView)
        view.append(lines(0, 100))
        await pilot.pause()
        view.focus()
        await pilot.press("home")
        await pilot.pause()
        assert view.scroll_y == 0
        assert view.vertical_scrollbar.position == 0  # the user's scroll: no waiting
        view.append(lines(100, 50))
        await pilot.pause()
        assert view.scroll_y == 0  # reading at the top: new text does not pull the view down
