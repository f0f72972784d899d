"""Editors for one card field each: a line, a block of text, or a list of lines.

They know nothing of cards or files. Each reports what the user did as a message naming the
field path (``psychological_profile.goals[2]``); the screen applies it to the edit session and
hands back the value and any error to show. ``show`` puts a value in without reporting it, so
undo and redo never echo back as new edits.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Static, TextArea


def widget_id(path: str) -> str:
    """A CSS-safe id for a field path (ids may not hold dots or brackets)."""
    return "f-" + path.replace(".", "--").replace("[", "-").replace("]", "")


@dataclass
class FieldEdited(Message):
    path: str
    value: str


@dataclass
class ListEdit(Message):
    """The item at ``index`` removed, or moved by ``offset`` (-1 up, +1 down)."""

    path: str
    op: str
    index: int
    offset: int = 0


class FieldInput(Input):
    """One line of the card page: ↑/↓ go to the previous or next field, so the whole card
    reads as one document."""

    BINDINGS = [
        Binding("down", "app.focus_next", "Next field", show=False),
        Binding("up", "app.focus_previous", "Previous field", show=False),
    ]


class FieldArea(TextArea):
    """A block of text in the card page: ↓ on its last row and ↑ on its first go on to the
    next or previous field, so the whole card reads as one document."""

    #: the width its text was last wrapped at, as its resize events said
    _wrapped_at: int | None = None

    def on_resize(self) -> None:
        self._wrapped_at = self.wrap_width

    def rewrap_if_stale(self) -> None:
        """Wrap again if the field's width changed without a resize event reaching it.

        Textual (8.2) can skip them: when the page was scrolled just before a re-layout
        (the preview opening beside it, after a mouse-wheel scroll), the fields kept the
        old width's wrapping and their long lines were cut off at the new edge. The page
        calls this after every layout; the field gets the resize it missed."""
        if self._wrapped_at is not None and self.wrap_width != self._wrapped_at:
            self.post_message(events.Resize(self.size, self.virtual_size,
                                            self.container_size))

    def _row(self, location: tuple[int, int]) -> int:
        """The screen row of a location (a long line wraps onto several rows)."""
        return self.wrapped_document.location_to_offset(location).y

    def action_cursor_down(self, select: bool = False) -> None:
        here = self._row(self.cursor_location)
        if not select and self._row(self.get_cursor_down_location()) == here:
            self.screen.focus_next()
            return
        super().action_cursor_down(select)

    def action_cursor_up(self, select: bool = False) -> None:
        here = self._row(self.cursor_location)
        if not select and self._row(self.get_cursor_up_location()) == here:
            self.screen.focus_previous()
            return
        super().action_cursor_up(select)


class ItemsArea(FieldArea):
    """A list edited as lines: one item per line, so a list of 500 items is one widget
    (the screen stays cheap to lay out) and Enter starts a new item as in any editor."""

    HELP = "A list, one item per line: Enter starts a new item, the keys below change it."
    BINDINGS = [
        Binding("ctrl+r", "remove_item", "Remove item", id="cards.item.remove",
                tooltip="Remove the item under the cursor"),
        Binding("alt+up", "move_item(-1)", "Move up", id="cards.item.up",
                tooltip="Move the item under the cursor up the list"),
        Binding("alt+down", "move_item(1)", "Move down", id="cards.item.down",
                tooltip="Move the item under the cursor down the list"),
    ]

    def __init__(self, items: list[str], path: str) -> None:
        super().__init__(as_lines(items), id=widget_id(path), compact=True,
                         show_line_numbers=True, classes="field-items",
                         placeholder="one item per line: type to add the first")
        self.list_path = path

    @property
    def row(self) -> int:
        return self.cursor_location[0]

    async def _on_key(self, event: events.Key) -> None:
        """Enter at the start of an item opens an empty item above it, and the cursor goes
        to that new item, as at the end of an item it goes to the new one below: the item
        the user just made is the one under the cursor, the one ctrl+r removes."""
        row, column = self.cursor_location
        if event.key == "enter" and not self.read_only and self.selection.is_empty \
                and column == 0 and self.document.get_line(row):
            event.stop()
            event.prevent_default()
            self.insert("\n", (row, 0))
            self.cursor_location = (row, 0)
            return
        await super()._on_key(event)

    def action_remove_item(self) -> None:
        self.post_message(ListEdit(self.list_path, "remove", self.row))

    def action_move_item(self, offset: int) -> None:
        self.post_message(ListEdit(self.list_path, "move", self.row, offset))


def as_lines(items: list[str]) -> str:
    """Items as the lines of a text; a line break inside an item becomes a space."""
    return "\n".join(" ".join(item.splitlines()) for item in items)


class _Field(Vertical):
    DEFAULT_CLASSES = "field"
    _error: str | None = None

    @staticmethod
    def _error_line() -> Static:
        """Where the field's validation error appears; hidden while there is none."""
        error = Static("", classes="field-error", markup=False)
        error.display = False
        return error

    def set_error(self, message: str | None) -> None:
        error = self.query_one(".field-error", Static)
        if message != self._error:
            self._error = message
            error.update(message or "")
            error.display = bool(message)
            self.set_class(bool(message), "-invalid")


class TextField(_Field):
    """A single line (``Input``) or a block of text (``TextArea``)."""

    def __init__(self, path: str, label: str, value: str, *, multiline: bool = False) -> None:
        super().__init__()
        self.path = path
        self.label = label
        self.value = value
        self.multiline = multiline

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="field-label", markup=False)
        if self.multiline:
            yield FieldArea(self.value, id=widget_id(self.path), compact=True,
                            classes="field-text")
        else:
            yield FieldInput(self.value, id=widget_id(self.path), compact=True,
                             select_on_focus=False)
        yield self._error_line()

    @property
    def editor(self) -> Widget:
        return self.query_one(FieldArea if self.multiline else FieldInput)

    def show(self, value: str) -> None:
        if self.multiline:
            area = self.query_one(FieldArea)
            if area.text != value:
                with area.prevent(TextArea.Changed):
                    area.load_text(value)
        else:
            line = self.query_one(FieldInput)
            if line.value != value:
                with line.prevent(Input.Changed):
                    line.value = value

    @on(Input.Changed)
    def _line_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(FieldEdited(self.path, event.value))

    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.post_message(FieldEdited(self.path, event.text_area.text))


class ListField(_Field):
    """A list of one-line items: added, removed and moved by keys."""

    def __init__(self, path: str, label: str, items: list[str]) -> None:
        super().__init__()
        self.path = path
        self.label = label
        self.items = list(items)

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="field-label", markup=False)
        yield ItemsArea(self.items, self.path)
        yield self._error_line()

    @property
    def editor(self) -> ItemsArea:
        return self.query_one(ItemsArea)

    def show(self, items: list[str], row: int | None = None) -> None:
        """Show ``items`` (after undo, a move, a removal) with the cursor on ``row``."""
        area = self.editor
        text = as_lines(items)
        if area.text != text:
            column = area.cursor_location[1]
            with area.prevent(TextArea.Changed):
                area.load_text(text)
            if row is not None:
                row = max(0, min(row, len(items) - 1))
                area.cursor_location = (row, min(column, len(items[row]) if items else 0))
        self.items = list(items)

    @on(TextArea.Changed)
    def _lines_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.post_message(FieldEdited(self.path, event.text_area.text))
