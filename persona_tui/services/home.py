"""What the home screen shows: the state of every provider and of Ollama at a glance, from
what is on this machine only (environment, config, credentials, qualification records).

Nothing here talks to the network: the home screen asks Ollama only when the user presses
its key (``check_ollama``), as the Ollama screen does. ``overview`` reads files, so the
screen calls it from a worker thread, never on the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from persona_tui.core.errors import PersonaError
from persona_tui.services.context import AppContext
from persona_tui.services.providers import ProviderService, ProviderState
from persona_tui.services.sample import SAMPLE

if TYPE_CHECKING:  # pragma: no cover
    from persona_tui.core.discovery.ollama_models import ModelComparisonResult

# Ollama's qualification records (core.discovery.ollama_models) are imported where they are
# read, in the screen's worker thread: that module brings httpx, the persona parser and the
# name patterns, which the app's first paint does not need.

#: the card the tour opens: made from the sample study's first persona
TOUR_CARD = "ledger-keeper.json"


@dataclass
class Overview:
    providers: list[ProviderState]
    ollama_url: str
    tested_models: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def hosted_ready(self) -> list[str]:
        """Hosted vendors with a key (Ollama needs none, so it is not counted here)."""
        return [s.label for s in self.providers if s.needs_key and s.configured]


class HomeService:
    def __init__(self, context: AppContext) -> None:
        self.context = context
        self._providers = ProviderService(context)

    def nothing_configured(self) -> bool:
        """No config.toml and no provider key anywhere: a first run, so the app opens on
        the home screen. Local only: settings and keys, no request."""
        if self.context.config_found:
            return False
        try:
            states = self._providers.states()
        except PersonaError:
            return False  # a damaged credentials file: Providers says what is wrong
        return not any(s.needs_key and s.configured for s in states)

    def overview(self) -> Overview:
        """Every provider's local state and Ollama's records; reads files (call off-loop)."""
        from persona_tui.core.discovery.ollama_models import OllamaModelRegistry

        problems = []
        try:
            providers = self._providers.states()
        except PersonaError as exc:
            providers, problems = [], [f"{exc.code}: {exc.message}"]
        try:
            tested = OllamaModelRegistry(self.context.paths.ollama_registry_file).tested()
        except (PersonaError, OSError) as exc:
            tested = []
            problems.append(getattr(exc, "message", None) or str(exc))
        return Overview(providers, self.context.base_url("ollama"), tested, problems)

    async def check_ollama(self) -> ModelComparisonResult:
        """Ask the Ollama server for its models (the user pressed the key for it)."""
        from persona_tui.core.discovery.ollama_models import (
            OllamaModelRegistry,
            acompare_ollama_models,
        )

        registry = OllamaModelRegistry(self.context.paths.ollama_registry_file)
        return await acompare_ollama_models(self.context.base_url("ollama"), registry=registry)

    @staticmethod
    def tour_card() -> str:
        from persona_tui.resources import sample_project

        return str(sample_project() / "cards" / TOUR_CARD)

    @staticmethod
    def tour_sources() -> list[str]:
        return [SAMPLE]
