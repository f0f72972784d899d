"""A scrolling view of text that arrives in pieces: a model's reply as it streams.

Textual's ``Log`` refreshes line by line as it writes; a flush of a fast stream holds hundreds
of lines, so each flush cost milliseconds of bookkeeping before anything was drawn. This view
takes a whole flush at once: split, measure the new lines, one refresh, one size change. Only
the lines in view are ever turned into strips. Text is shown literally (no markup); callers
strip terminal control sequences first, and tabs are expanded here.

While the view follows a stream, its vertical scrollbar is redrawn at most every BAR_EVERY_S
(and within twice that once the stream pauses): the bar cost nearly as much to draw as the
text (the whole bar is drawn again when its thumb moves), and a thumb a little behind for a
moment is not noticed. A user's own scrolling moves it at once.
"""

from __future__ import annotations

import time

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.timer import Timer

#: the vertical scrollbar is redrawn at most this often while it follows a stream
BAR_EVERY_S = 0.25


class StreamView(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    StreamView {
        background: $surface;
        color: $foreground;
        /* always there: a scrollbar that appears mid-stream changes the height the view
           follows, and the last line would land one row off */
        overflow-x: scroll;
        overflow-y: scroll;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[str] = [""]
        self._width = 0
        #: keep showing the end as text arrives, until the user scrolls up to read
        self._follow = True
        #: strips of finished lines (a finished line never changes; only the last grows)
        self._strips: dict[int, Strip] = {}
        #: the view's style, worked out once per style change, not once per line drawn
        self._style: Style | None = None
        self._bar_timer: Timer | None = None
        self._bar_drawn = 0.0

    @property
    def lines(self) -> list[str]:
        """The lines so far (the last one may still be growing)."""
        return self._lines if self._lines != [""] else []

    @property
    def text(self) -> str:
        return "\n".join(self._lines)

    def clear(self) -> None:
        self._lines = [""]
        self._width = 0
        self._strips.clear()
        self._grow(Size(0, 0))
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._follow = True  # after the scroll to the top, which reads as scrolling up
        self.refresh()

    def append(self, text: str) -> None:
        """Add ``text`` (any number of lines, the last possibly unfinished)."""
        if not text:
            return
        pieces = text.expandtabs().split("\n")
        self._lines[-1] += pieces[0]
        self._lines.extend(pieces[1:])
        changed = self._lines[-len(pieces):]
        self._width = max(self._width, max(cell_len(line) for line in changed))
        self._grow(Size(self._width, len(self._lines)))
        self.refresh()
        if self._follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def _grow(self, size: Size) -> None:
        """Take the new scrollable size without a layout pass. ``virtual_size`` is a layout
        reactive: setting it re-arranges and redraws the whole screen, and at twenty flushes
        a second that was a large part of the cost of streaming. The view's own size does
        not change and its scrollbars are always shown, so only the scrollbars need the new
        size (as ``Widget._scroll_update`` gives it, without redrawing an unchanged bar)."""
        old = self.virtual_size
        if size == old:
            return
        self.set_reactive(ScrollView.virtual_size, size)
        width, height = self.container_size
        # only the bar whose axis grew is redrawn (a bar costs milliseconds to render)
        if size.height != old.height and self.show_vertical_scrollbar:
            bar = self.vertical_scrollbar
            bar.set_reactive(ScrollBar.window_virtual_size, size.height)
            bar.set_reactive(ScrollBar.window_size, height - self.scrollbar_size_horizontal)
            self._bar_moved()
        if size.width != old.width and self.show_horizontal_scrollbar:
            bar = self.horizontal_scrollbar
            bar.window_virtual_size = size.width
            bar.window_size = width - self.scrollbar_size_vertical
        self.scroll_x = self.validate_scroll_x(self.scroll_x)
        self.scroll_y = self.validate_scroll_y(self.scroll_y)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        if self._follow and new_value >= old_value and self.show_vertical_scrollbar:
            # following the end: the text is redrawn now, the bar when it is due
            self.vertical_scrollbar.set_reactive(ScrollBar.position, new_value)
            self._bar_moved()
            if round(old_value) != round(new_value):
                self.refresh(self.size.region)
        else:
            super().watch_scroll_y(old_value, new_value)
        if new_value < old_value:
            self._follow = False  # the user scrolled up to read
        elif new_value >= self.max_scroll_y:
            self._follow = True

    def _bar_moved(self) -> None:
        """Redraw the vertical bar with the text if it was last drawn BAR_EVERY_S ago. While
        text flows, a later append draws it (in the same frame as the text, not in a frame
        of its own); the timer catches up when the stream pauses or ends."""
        due = self._bar_drawn + BAR_EVERY_S - time.monotonic()
        if due <= 0:
            self._draw_bar()
        elif self._bar_timer is None:
            self._bar_timer = self.set_timer(due + BAR_EVERY_S, self._draw_bar)

    def _draw_bar(self) -> None:
        if self._bar_timer is not None:
            self._bar_timer.stop()
            self._bar_timer = None
        self._bar_drawn = time.monotonic()
        self.vertical_scrollbar.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # a new theme: cached strips carry the old colours
        self._style = None

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        style = self._style
        if style is None:
            style = self._style = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, style)
        strip = self._strips.get(index)
        if strip is None:
            line = self._lines[index]
            strip = Strip([Segment(line, style)], cell_len(line))
            if index < len(self._lines) - 1:
                if len(self._strips) > 2000:
                    self._strips.clear()
                self._strips[index] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, style)
