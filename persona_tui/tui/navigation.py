"""The destinations, declared once: they feed the key bindings, the screens the app can
switch to, the command palette, the help screen and the navigation bar every screen shows.

``title`` names a screen in its header; ``short`` is its name in the one-line navigation bar,
which must fit 80 columns with every destination in it.
"""

from __future__ import annotations

from dataclasses import dataclass

#: the key that opens the help screen; the footer always shows it
HELP_KEY = "f1"
HELP_BINDING_ID = "app.help"


@dataclass(frozen=True)
class Destination:
    mode: str
    title: str
    key: str
    binding_id: str
    help: str
    short: str = ""

    @property
    def label(self) -> str:
        """The name in the navigation bar."""
        return self.short or self.title


DESTINATIONS: tuple[Destination, ...] = (
    Destination("providers", "Providers", "f2", "app.screen.providers",
                "Set up LLM providers: keys, base URLs, default models, connection tests"),
    Destination("ollama", "Ollama models", "f3", "app.screen.ollama",
                "Local models, qualification runs and side-by-side comparison", "Ollama"),
    Destination("generate", "Generate", "f4", "app.screen.generate",
                "Generate personas from research data with live streaming"),
    Destination("cards", "Cards", "f5", "app.screen.cards",
                "Edit character cards made from personas"),
    Destination("audit", "Privacy audit", "f6", "app.screen.audit",
                "Audit a card against its source data", "Audit"),
    Destination("trial", "Role-play trial", "f7", "app.screen.trial",
                "Talk to the open card; every reply audited for leaks as it streams", "Trial"),
    Destination("home", "Home", "f8", "app.screen.home",
                "What Persona TUI does, providers and Ollama at a glance, the sample tour"),
)


def destination(mode: str | None) -> Destination | None:
    """The destination a screen is (screens are named after their mode), or None."""
    return next((d for d in DESTINATIONS if d.mode == mode), None)
