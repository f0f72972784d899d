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
        lines = []
        about = getattr(self.focused_widget, "HELP", None)
        if about:
            lines += [about.strip(), ""]
        seen = set()
        for namespace in (self.target, self.app):
            for binding in getattr(namespace, "BINDINGS", []):
                if not isinstance(binding, Binding) or binding.id in seen:
                    continue
                seen.add(binding.id)
                keys = self.app.get_key_display(binding)
                text = binding.tooltip or binding.description
                lines.append(f"{keys:<12} {text}")
        return lines

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static("Keys", classes="screen-title", markup=False)
            yield Static("\n".join(self._lines()), id="help-keys", markup=False)
            yield Static("ctrl+p opens the command palette · Esc closes this help",
                         classes="hint", markup=False)
