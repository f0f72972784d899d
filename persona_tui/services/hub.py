"""All services for the app, created on first use and handed to screens (no module-level
singletons). Lazy, so start-up pays only for what the first screen needs."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from persona_tui.core.platform import PathManager

if TYPE_CHECKING:  # pragma: no cover
    from persona_tui.services.audit import AuditService
    from persona_tui.services.cards import CardService
    from persona_tui.services.generation import GenerationService
    from persona_tui.services.ollama import OllamaService
    from persona_tui.services.providers import ProviderService


class Services:
    def __init__(self, paths: PathManager) -> None:
        self.paths = paths

    @classmethod
    def create(cls, paths: PathManager | None = None) -> Services:
        return cls(paths or PathManager.default())

    @cached_property
    def providers(self) -> ProviderService:
        from persona_tui.services.providers import ProviderService

        return ProviderService(self.paths)

    @cached_property
    def generation(self) -> GenerationService:
        from persona_tui.services.generation import GenerationService

        return GenerationService(self.paths)

    @cached_property
    def ollama(self) -> OllamaService:
        from persona_tui.services.ollama import OllamaService

        return OllamaService(self.paths)

    @cached_property
    def cards(self) -> CardService:
        from persona_tui.services.cards import CardService

        return CardService(self.paths)

    @cached_property
    def audit(self) -> AuditService:
        from persona_tui.services.audit import AuditService

        return AuditService(self.paths)
