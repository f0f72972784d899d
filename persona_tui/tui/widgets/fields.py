"""Editors for one card field each: a line, a block of text, or a list of lines.

They know nothing of cards or files. Each reports what the user did as a message naming the
field path (``psychological_profile.goals[2]``); the screen applies it to the edit session and
hands back the value and any error to show. ``show`` puts a value in without reporting it, so
undo and redo never echo back as new edits.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
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
    """An item added (after ``index``; -1 for the top), removed or moved by ``offset``."""

    path: str
    op: str
    index: int
    offset: int = 0


class _Moves:
    """Up and down move between fields, so a long card reads like one document."""

    def action_focus_next_field(self) -> None:
        self.screen.focus_next()

    def action_focus_previous_field(self) -> None:
        self.screen.focus_previous()


class FieldInput(_Moves, Input):
    BINDINGS = [
        Binding("down", "focus_next_field", "Next field", show=False),
        Binding("up", "focus_previous_field", "Previous field", show=False),
    ]


class ItemInput(_Moves, Input):
    """One list item. Its keys show in the footer while it has focus."""

    HELP = ("A list item. Enter adds an item below, ctrl+r removes this one, alt+↑/alt+↓ "
            "move it (also in the command palette, ctrl+p).")
    BINDINGS = [
        Binding("enter", "add", "New item", id="cards.item.add",
                tooltip="Add an empty item below this one"),
        Binding("ctrl+r", "remove", "Remove item", id="cards.item.remove",
                tooltip="Remove this item from the list"),
        Binding("alt+up", "move(-1)", "Move up", id="cards.item.up",
                tooltip="Move this item up the list"),
        Binding("alt+down", "move(1)", "Move down", id="cards.item.down",
                tooltip="Move this item down the list"),
        Binding("down", "focus_next_field", "Next field", show=False),
        Binding("up", "focus_previous_field", "Previous field", show=False),
    ]

    def __init__(self, value: str, path: str, index: int) -> None:
        super().__init__(value, compact=True, select_on_focus=False,
                         id=widget_id(f"{path}[{index}]"))
        self.list_path = path
        self.index = index

    def action_add(self) -> None:
        self.post_message(ListEdit(self.list_path, "add", self.index))

    def action_remove(self) -> None:
        self.post_message(ListEdit(self.list_path, "remove", self.index))

    def action_move(self, offset: int) -> None:
        self.post_message(ListEdit(self.list_path, "move", self.index, offset))


class ListHeader(Static, can_focus=True):
    """The list's title; focusable so an empty list can still get its first item."""

    BINDINGS = [
        Binding("enter", "add", "Add item", id="cards.list.add",
                tooltip="Add an item at the top of this list"),
        Binding("down", "focus_next_field", "Next field", show=False),
        Binding("up", "focus_previous_field", "Previous field", show=False),
    ]

    def __init__(self, label: str, path: str) -> None:
        super().__init__(label, markup=False, classes="list-header")
        self.list_path = path

    def action_add(self) -> None:
        self.post_message(ListEdit(self.list_path, "add", -1))

    def action_focus_next_field(self) -> None:
        self.screen.focus_next()

    def action_focus_previous_field(self) -> None:
        self.screen.focus_previous()


class _Field(Vertical):
    DEFAULT_CLASSES = "field"

    def set_error(self, message: str | None) -> None:
        error = self.query_one(".field-error", Static)
        if message != getattr(self, "_error", None):
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
            yield TextArea(self.value, id=widget_id(self.path), compact=True,
                           classes="field-text")
        else:
            yield FieldInput(self.value, id=widget_id(self.path), compact=True,
                             select_on_focus=False)
        error = Static("", classes="field-error", markup=False)
        error.display = False
        yield error

    @property
    def editor(self) -> Widget:
        return self.query_one(TextArea if self.multiline else FieldInput)

    def show(self, value: str) -> None:
        if self.multiline:
            area = self.query_one(TextArea)
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
        yield ListHeader(self._title(len(self.items)), self.path)
        with Vertical(classes="items"):
            for index, item in enumerate(self.items):
                yield ItemInput(item, self.path, index)
        error = Static("", classes="field-error", markup=False)
        error.display = False
        yield error

    def _title(self, count: int) -> str:
        return f"{self.label} ({count})" + ("  — Enter adds the first item" if not count
                                            else "")

    def item(self, index: int) -> ItemInput | None:
        inputs = list(self.query_one(".items").query_children(ItemInput))
        return inputs[index] if 0 <= index < len(inputs) else None

    async def show(self, items: list[str]) -> None:
        """Bring the inputs in line with ``items``: change values, add or drop the tail."""
        box = self.query_one(".items", Vertical)
        inputs = list(box.query_children(ItemInput))
        for widget, value in zip(inputs, items):
            if widget.value != value:
                with widget.prevent(Input.Changed):
                    widget.value = value
        if len(inputs) > len(items):
            await box.remove_children(inputs[len(items):])
        elif len(items) > len(inputs):
            await box.mount_all(ItemInput(value, self.path, index)
                                for index, value in enumerate(items[len(inputs):],
                                                              start=len(inputs)))
        self.items = list(items)
        self.query_one(ListHeader).update(self._title(len(items)))

    @on(Input.Changed)
    def _item_changed(self, event: Input.Changed) -> None:
        event.stop()
        if isinstance(event.input, ItemInput):
            self.post_message(FieldEdited(f"{self.path}[{event.input.index}]", event.value))
