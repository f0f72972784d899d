"""F1: the keys of the current screen and what the focused widget does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="help.close")]

    def __init__(self, screen: Screen, focused: Widget | None) -> None:
        super().__init__()
        self.target = screen
        self.focused_widget = focused

    def _lines(self) -> list[str]:
        """The keys that work now: the screen's live bindings (the focused widget's, the
        screen's, the app's), so a key remapped in ``[ui.keymap]`` shows as remapped. Only
        bindings with an id: ours; Textual's editing keys would bury them."""
        lines = []
        about = getattr(self.focused_widget, "HELP", None)
        if about:
            lines += [about.strip(), ""]
        keys: dict[str, list[str]] = {}
        texts: dict[str, str] = {}
        for active in self.target.active_bindings.values():
            binding = active.binding
            if not binding.id:
                continue
            display = self.app.get_key_display(binding)
            if display not in keys.setdefault(binding.id, []):
                keys[binding.id].append(display)
            texts.setdefault(binding.id, binding.tooltip or binding.description)
        for binding_id, shown in keys.items():
            lines.append(f"{', '.join(shown):<12} {texts[binding_id]}")
        return lines

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static("Keys", classes="screen-title", markup=False)
            yield Static("\n".join(self._lines()), id="help-keys", markup=False)
            yield Static("ctrl+p opens the command palette · Esc closes this help",
                         classes="hint", markup=False)
