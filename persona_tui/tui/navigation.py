"""The six destinations, declared once: they feed the key bindings, the screens the app can
switch to, the command palette and the help screen."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Destination:
    mode: str
    title: str
    key: str
    binding_id: str
    help: str


DESTINATIONS: tuple[Destination, ...] = (
    Destination("providers", "Providers", "f2", "app.screen.providers",
                "Set up LLM providers: keys, base URLs, default models, connection tests"),
    Destination("ollama", "Ollama models", "f3", "app.screen.ollama",
                "Local models, qualification runs and side-by-side comparison"),
    Destination("generate", "Generate", "f4", "app.screen.generate",
                "Generate personas from research data with live streaming"),
    Destination("cards", "Cards", "f5", "app.screen.cards",
                "Edit character cards made from personas"),
    Destination("audit", "Privacy audit", "f6", "app.screen.audit",
                "Audit a card against its source data"),
    Destination("trial", "Role-play trial", "f7", "app.screen.trial",
                "Talk to the open card; every reply audited for leaks as it streams"),
)
