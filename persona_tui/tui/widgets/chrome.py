"""The two lines at the top of every screen and the one at the bottom.

``ScreenHeader`` names the app and the screen; ``NavBar`` names every destination with its
key, the current one highlighted, so no screen is only discoverable from the README or the
palette; ``KeyFooter`` shows the keys that work now, most important first, as many as fit
whole, and always the help key. Keys are read from the live bindings, so a key remapped in
``[ui.keymap]`` shows as remapped. None of them does any I/O.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from persona_tui.tui.navigation import DESTINATIONS, HELP_BINDING_ID, destination


def live_key(widget: Widget, binding_id: str) -> tuple[str, Binding] | None:
    """The key now bound to ``binding_id`` as the user sees it (after any remap)."""
    for active in widget.screen.active_bindings.values():
        if active.binding.id == binding_id:
            return widget.app.get_key_display(active.binding), active.binding
    return None


class ScreenHeader(Widget):
    """``Persona TUI — <screen>``: the screen's own name, whatever state it is in."""

    DEFAULT_CSS = """
    ScreenHeader {
        height: 1;
        background: $panel;
        color: $foreground;
        text-style: bold;
        padding: 0 1;
    }
    """

    def render(self) -> Text:
        here = destination(self.screen.name)
        title = here.title if here is not None else (self.screen.title or "")
        text = Text(self.app.title)
        if title:
            text.append(" — ")
            text.append(title, style="bold")
        return text


class NavBar(Widget):
    """Every destination and its key on one line; the current one is highlighted."""

    COMPONENT_CLASSES = {"nav-bar--key", "nav-bar--current"}
    DEFAULT_CSS = """
    NavBar {
        height: 1;
        background: $panel-darken-1;
        color: $text-muted;
        & > .nav-bar--key {
            color: $accent;
            text-style: bold;
        }
        & > .nav-bar--current {
            color: $text;
            background: $accent 40%;
            text-style: bold reverse;
        }
        &:nocolor > .nav-bar--current {
            text-style: bold reverse;
        }
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen) -> None:
        self.refresh()

    def entries(self) -> list[tuple[str, str, bool]]:
        """(key, name, is current) for each destination, keys as bound now."""
        current = self.screen.name
        rows = []
        for place in DESTINATIONS:
            found = live_key(self, place.binding_id)
            rows.append((found[0] if found else place.key.upper(), place.label,
                         place.mode == current))
        return rows

    def render(self) -> Text:
        key_style = self.get_component_rich_style("nav-bar--key")
        current_style = self.get_component_rich_style("nav-bar--current")
        entries = self.entries()
        width = self.size.width or self.app.size.width
        full = sum(cell_len(k) + cell_len(n) + 3 for k, n, _ in entries)
        text = Text()
        for key, name, current in entries:
            # too narrow for every name: keys only, except the current screen's
            shown = name if (full <= width or current) else ""
            if current:
                text.append(f" {key} {shown} ", style=current_style)
            else:
                text.append(f" {key}", style=key_style)
                text.append(f" {shown} " if shown else " ")
        return text


class ScreenTop(Vertical):
    """The header and the navigation bar, docked at the top of a screen."""

    DEFAULT_CSS = """
    ScreenTop {
        dock: top;
        height: 2;
    }
    """

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        yield NavBar()


class KeyFooter(Footer):
    """The footer with what fits: the bindings in order of importance (the focused widget's,
    then the screen's as each screen declares them, most important first), each shown whole
    or not at all, and the help key pinned at the right so it is never cut off."""

    DEFAULT_CSS = """
    KeyFooter FooterKey.-help {
        dock: right;
        padding-right: 1;
        border-left: vkey $foreground 20%;
    }
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("show_command_palette", False)
        kwargs.setdefault("compact", True)
        super().__init__(**kwargs)
        self._fitted_width = 0

    def shown(self) -> list[tuple[Binding, bool, str]]:
        """Every binding the footer would show, most important first (before fitting)."""
        seen: set[str] = set()
        rows = []
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or binding.action in seen or binding.id == HELP_BINDING_ID:
                continue
            seen.add(binding.action)
            rows.append((binding, active.enabled, active.tooltip))
        return rows

    @staticmethod
    def width_of(key_display: str, description: str) -> int:
        # compact FooterKey: key, a space, the description, then a one-cell margin
        return cell_len(key_display) + 1 + cell_len(description) + 1

    def _keys(self) -> list[tuple[tuple[str, str, str, str], bool, str, str]]:
        """What the footer shows at its width: ((key, key display, description, action),
        disabled, tooltip, classes) for each key, the help key first."""
        width = self.size.width or self.app.size.width
        compact = " -compact" if self.compact else ""
        keys = []
        help_key = live_key(self, HELP_BINDING_ID)
        room = width - 2  # the help key's border and padding
        if help_key is not None:
            key_display, binding = help_key
            room -= self.width_of(key_display, binding.description)
            keys.append(((binding.key, key_display, binding.description, binding.action),
                         False, binding.tooltip or binding.description, "-help" + compact))
        for binding, enabled, tooltip in self.shown():
            key_display = self.app.get_key_display(binding)
            needed = self.width_of(key_display, binding.description)
            if needed > room:
                break  # most important first: a later, shorter key never jumps the queue
            room -= needed
            keys.append(((binding.key, key_display, binding.description, binding.action),
                         not enabled, tooltip or binding.description, compact.strip()))
        return keys

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._fitted_width = self.size.width or self.app.size.width
        # each key is made in the class its compact state gives it: bound to
        # Footer.compact it would be restyled once more as it mounts
        for (key, key_display, description, action), disabled, tooltip, classes \
                in self._keys():
            yield FooterKey(key, key_display, description, action, disabled=disabled,
                            tooltip=tooltip, classes=classes
                            ).data_bind(compact=Footer.compact)

    def on_resize(self) -> None:
        if self._bindings_ready and self.size.width != self._fitted_width:
            self.call_after_refresh(self.recompose)
