"""All services, built once for the app and handed to screens (no module-level singletons)."""

from __future__ import annotations

from dataclasses import dataclass

from persona_tui.core.platform import PathManager
from persona_tui.services.generation import GenerationService
from persona_tui.services.providers import ProviderService


@dataclass
class Services:
    paths: PathManager
    providers: ProviderService
    generation: GenerationService

    @classmethod
    def create(cls, paths: PathManager | None = None) -> Services:
        paths = paths or PathManager.default()
        return cls(paths, ProviderService(paths), GenerationService(paths))
