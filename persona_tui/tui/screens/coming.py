"""Screens still being built say so plainly, and point at what works today."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from persona_tui.tui.navigation import DESTINATIONS

MEANWHILE = {
    "ollama": "persona-tui check        (Ollama's address)\n"
              "Python: persona_tui.core.discovery.ollama_models.compare_ollama_models()",
    "generate": "persona-tui generate --from DATA --provider ollama --model llama3.2",
    "cards": "Python: persona_tui.core.scripts.generator.ScriptGenerator().generate(persona)",
    "audit": "persona-tui audit CARD.json --source DATA",
}


class ComingScreen(Screen):
    CSS_PATH = "coming.tcss"

    def __init__(self, mode: str) -> None:
        super().__init__(name=mode)
        self.destination = next(d for d in DESTINATIONS if d.mode == mode)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="coming"):
            yield Static(self.destination.title, classes="screen-title", markup=False)
            yield Static(f"{self.destination.help}.\n\nThis screen is not built yet in this "
                         "version. Meanwhile, the same job works from the command line:",
                         classes="hint", markup=False)
            yield Static(MEANWHILE[self.destination.mode], id="meanwhile", markup=False)
        yield Footer()
