"""F1: the keys that work now, grouped by where they act, laid out to fit 80×24.

Read from the live bindings (the focused widget's, the screen's, the app's), so a key
remapped in ``[ui.keymap]`` shows as remapped. Each key sits in a column of its own and its
text wraps in the next column, never back under the keys. The box's border names the screen
and says how to close it, so that stays in view however far the list scrolls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static

from persona_tui.tui.navigation import destination

#: the key column never grows past this (a long chord wraps inside it instead)
MAX_KEY_WIDTH = 16


@dataclass
class KeyGroup:
    """Keys that act in one place: the focused field, the screen, anywhere, other screens."""

    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # (keys shown, what it does)


def _origin(node: DOMNode, screen: Screen) -> str:
    if node is screen.app:
        return "app"
    return "screen" if node is screen else "focused"


def key_groups(screen: Screen) -> list[KeyGroup]:
    """The keys that work on ``screen`` now, most local first. Only bindings with an id
    (ours: Textual's editing keys would bury them), plus the command palette's key."""
    app = screen.app
    place = destination(screen.name)
    groups = {"focused": KeyGroup("At the cursor"),
              "screen": KeyGroup(place.title if place else (screen.title or "This screen")),
              "app": KeyGroup("Everywhere"), "screens": KeyGroup("Go to a screen")}
    keys: dict[str, list[str]] = {}
    where: dict[str, tuple[str, str]] = {}
    palette: list[str] = []
    for active in screen.active_bindings.values():
        binding = active.binding
        shown = app.get_key_display(binding)
        if binding.action in ("command_palette", "app.command_palette"):
            palette.append(shown)
            continue
        if not binding.id:
            continue
        if binding.id not in where:
            origin = _origin(active.node, screen)
            if binding.id.startswith("app.screen."):
                origin = "screens"
                target = destination(binding.action.partition("'")[2].partition("'")[0])
                text = binding.tooltip
                if target is not None:
                    text = f"{target.title} — {text[:1].lower()}{text[1:]}"
            else:
                text = binding.tooltip or binding.description
            where[binding.id] = (origin, text)
        if shown not in keys.setdefault(binding.id, []):
            keys[binding.id].append(shown)
    # each group in the order its node declares its bindings: the most important first
    declared: dict[str, int] = {}
    for node in {id(active.node): active.node for active in screen.active_bindings.values()
                 }.values():
        for index, (_key, binding) in enumerate(node._bindings):
            if binding.id:
                declared.setdefault(binding.id, index)
    for binding_id in sorted(keys, key=lambda b: declared.get(b, len(declared))):
        origin, text = where[binding_id]
        groups[origin].rows.append((", ".join(keys[binding_id]), text))
    if palette:
        groups["app"].rows.append((", ".join(palette),
                                   "Command palette: every action of this screen, by name"))
    return [group for group in groups.values() if group.rows]


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="help.close")]

    def __init__(self, screen: Screen, focused: Widget | None) -> None:
        super().__init__()
        self.target = screen
        self.focused_widget = focused
        self.groups = key_groups(screen)

    @property
    def about(self) -> str:
        """What the focused widget is for, when it says (``HELP``)."""
        return (getattr(self.focused_widget, "HELP", None) or "").strip()

    def compose(self) -> ComposeResult:
        width = max((cell_len(keys) for group in self.groups for keys, _ in group.rows),
                    default=4)
        width = min(max(width, 4), MAX_KEY_WIDTH)
        box = VerticalScroll(id="help")
        place = destination(self.target.name)
        box.border_title = f"Keys — {place.title if place else self.target.title or 'help'}"
        with box:
            if self.about:
                yield Static(self.about, classes="help-about", markup=False)
            for group in self.groups:
                yield Static(group.title, classes="help-group", markup=False)
                rows = Grid(classes="help-rows")
                rows.styles.grid_columns = f"{width} 1fr"
                with rows:
                    for keys, text in group.rows:
                        yield Static(keys, classes="help-key", markup=False)
                        yield Static(text, classes="help-text", markup=False)

    def on_mount(self) -> None:
        box = self.query_one("#help", VerticalScroll)
        # the close keys as bound now (a keymap may move them), the first one named
        closing = [self.app.get_key_display(active.binding)
                   for active in self.active_bindings.values()
                   if active.binding.id == "help.close"]
        if closing:
            first = closing[0]
            box.border_subtitle = f"{first[:1].upper()}{first[1:]} closes"
        box.focus()  # ↑/↓ and the page keys scroll a long list
