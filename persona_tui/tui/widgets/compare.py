"""The audit viewer's side panes: a title that fits its width and a text with one highlighted
span kept in view.

A pane is a few lines high at 80×24, so the span (the text a finding flags) must not sit
below the fold: :class:`SpanView` scrolls it to the middle of the pane whenever the text or
the pane's size changes. :class:`FittedTitle` shows the longest of several wordings that fits
on its one line, so "where" survives a narrow terminal as "which file, which line" rather
than being cut mid-word. Neither does any I/O; both only show what they are given.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

#: how the highlighted span is drawn (also how tests find it on screen)
SPAN_STYLE = "bold reverse"


def highlighted(before: str, match: str, after: str) -> Text:
    """``before`` + ``match`` (highlighted) + ``after``; the caller has sanitised them."""
    text = Text(before)
    text.append(match, style=SPAN_STYLE)
    text.append(after)
    return text


def fit(candidates: list[str], width: int) -> str:
    """The first of ``candidates`` (longest, most telling first) that fits ``width`` cells;
    else the last one cut to fit, ending in "…"."""
    for text in candidates:
        if cell_len(text) <= width:
            return text
    last = candidates[-1] if candidates else ""
    if width <= 1:
        return "…"[:width]
    while last and cell_len(last) > width - 1:
        last = last[:-1]
    return last + "…"


class FittedTitle(Static):
    """One line: the longest of its wordings that fits, chosen again on every resize; the
    full wording is its tooltip."""

    DEFAULT_CSS = "FittedTitle { height: 1; width: 1fr; }"

    def __init__(self, *candidates: str, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.candidates = list(candidates)

    def show(self, *candidates: str) -> None:
        self.candidates = list(candidates)
        self.tooltip = candidates[0] if candidates else None
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        width = self.content_size.width
        self.update(fit(self.candidates, width) if width else (self.candidates or [""])[0])


class SpanView(VerticalScroll):
    """A scrolling text whose highlighted span is centred in view (its start always shown,
    when the span is longer than the pane)."""

    DEFAULT_CSS = "SpanView > Static { width: 1fr; }"

    def __init__(self, *, text_id: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._text_id = text_id
        #: the plain text up to the span's first word, and up to its end ('' with no span)
        self._marks: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id=self._text_id, markup=False)

    def show(self, text: Text | str) -> None:
        """Show ``text``; its span drawn in :data:`SPAN_STYLE`, if any, is scrolled to the
        middle."""
        self.query_one(Static).update(text)
        span = next((s for s in text.spans if s.style == SPAN_STYLE), None) \
            if isinstance(text, Text) else None
        if span is not None and span.end > span.start:
            plain = text.plain
            match = plain[span.start:span.end]
            first_word = match.split(maxsplit=1)[0] if match.strip() else match
            start = span.start + match.index(first_word)
            self._marks = (plain[:start + len(first_word)], plain[:span.end])
        else:
            self._marks = None
        self.scroll_to(y=0, animate=False, immediate=True)
        self.call_after_refresh(self.centre)

    def on_resize(self) -> None:
        self.call_after_refresh(self.centre)

    def _line_of(self, prefix: str, width: int) -> int:
        """The line (0-based) that the end of ``prefix`` falls on when wrapped to ``width``.

        Wrapping is greedy, so the breaks up to a whole word are the same in the prefix as
        in the full text."""
        return max(0, len(Content(prefix).wrap(width)) - 1)

    def centre(self) -> None:
        if self._marks is None:
            return
        width = self.query_one(Static).content_size.width
        height = self.scrollable_content_region.height
        if width <= 0 or height <= 0:
            return
        first = self._line_of(self._marks[0], width)
        last = max(first, self._line_of(self._marks[1], width))
        middle = (first + last) // 2
        top = min(first, max(0, middle - (height - 1) // 2))
        self.scroll_to(y=top, animate=False, immediate=True)
