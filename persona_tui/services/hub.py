"""All services for the app, created on first use and handed to screens (no module-level
singletons). Lazy, so start-up pays only for what the first screen needs. Every service is
built on the one application context, so they all see the same settings."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from persona_tui.core.platform import PathManager
from persona_tui.services.context import AppContext

if TYPE_CHECKING:  # pragma: no cover
    from persona_tui.services.audit import AuditService
    from persona_tui.services.batches import BatchService
    from persona_tui.services.cards import CardService
    from persona_tui.services.generation import GenerationService
    from persona_tui.services.home import HomeService
    from persona_tui.services.ollama import OllamaService
    from persona_tui.services.providers import ProviderService
    from persona_tui.services.trial import TrialService


class Services:
    def __init__(self, context: AppContext) -> None:
        self.context = context

    @classmethod
    def create(cls, paths: PathManager | None = None, *,
               context: AppContext | None = None) -> Services:
        return cls(context or AppContext(paths or PathManager.default()))

    @property
    def paths(self) -> PathManager:
        return self.context.paths

    @cached_property
    def providers(self) -> ProviderService:
        from persona_tui.services.providers import ProviderService

        return ProviderService(self.context)

    @cached_property
    def home(self) -> HomeService:
        from persona_tui.services.home import HomeService

        return HomeService(self.context)

    @cached_property
    def generation(self) -> GenerationService:
        from persona_tui.services.generation import GenerationService

        return GenerationService(self.context)

    @cached_property
    def ollama(self) -> OllamaService:
        from persona_tui.services.ollama import OllamaService

        return OllamaService(self.context)

    @cached_property
    def cards(self) -> CardService:
        from persona_tui.services.cards import CardService

        return CardService(self.context.paths)

    @cached_property
    def audit(self) -> AuditService:
        from persona_tui.services.audit import AuditService

        return AuditService(self.context)

    @cached_property
    def batches(self) -> BatchService:
        from persona_tui.services.batches import BatchService

        return BatchService(self.context)

    @cached_property
    def trial(self) -> TrialService:
        from persona_tui.services.trial import TrialService

        return TrialService(self.context)
