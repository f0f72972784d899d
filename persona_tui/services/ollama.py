"""Local models for the app: the comparison with qualification records, and qualification
runs whose output streams to the screen."""

from __future__ import annotations

from collections.abc import Callable

from persona_tui.core.discovery.ollama_models import (
    ModelComparisonResult,
    OllamaModelRegistry,
    QualificationRecord,
    acompare_ollama_models,
    qualify_model,
)
from persona_tui.core.providers.ollama import OllamaProvider
from persona_tui.services.context import AppContext


class OllamaService:
    def __init__(self, context: AppContext) -> None:
        self.context = context
        self.paths = context.paths
        self.registry = OllamaModelRegistry(self.paths.ollama_registry_file)

    def base_url(self) -> str:
        return self.context.base_url("ollama")

    async def compare(self) -> ModelComparisonResult:
        self.registry = OllamaModelRegistry(self.paths.ollama_registry_file)
        return await acompare_ollama_models(self.base_url(), registry=self.registry)

    async def qualify(self, model: str, on_text: Callable[[str], None] | None = None
                      ) -> QualificationRecord:
        async with OllamaProvider(self.base_url()) as provider:
            return await qualify_model(provider, model, registry=self.registry,
                                       on_text=on_text)


__all__ = ["ModelComparisonResult", "OllamaService", "QualificationRecord"]
