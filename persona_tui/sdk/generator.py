"""The sync persona generator, for scripts and notebooks (works with a running loop too)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from persona_tui.core.cost import CostEstimate
from persona_tui.core.generation.events import GenerationEvent
from persona_tui.core.models.options import PersonaConfig
from persona_tui.core.models.result import GenerationResultModel
from persona_tui.core.utils.async_helpers import run_sync
from persona_tui.sdk.async_generator import AsyncPersonaGenerator


class PersonaGenerator:
    def __init__(self, provider: str = "ollama", model: str | None = None, *,
                 base_url: str | None = None, api_key: str | None = None,
                 **options: Any) -> None:
        self._async = AsyncPersonaGenerator(provider, model, base_url=base_url,
                                            api_key=api_key, **options)

    @property
    def provider(self) -> str:
        return self._async.provider_name

    @property
    def model(self) -> str:
        return self._async.model

    def __repr__(self) -> str:
        return repr(self._async).replace("AsyncPersonaGenerator", "PersonaGenerator")

    def generate(self, data_path: Any, config: PersonaConfig | None = None, *,
                 on_progress: Callable[[GenerationEvent], Any] | None = None,
                 output_dir: str | Path | None = None) -> GenerationResultModel:
        """See :meth:`AsyncPersonaGenerator.agenerate` (``output_dir`` saves the run)."""
        return run_sync(self._async.agenerate(data_path, config, on_progress=on_progress,
                                              output_dir=output_dir))

    def persona_config(self, **options: Any) -> PersonaConfig:
        return self._async.persona_config(**options)

    def estimate_cost(self, data_path: Any, count: int | None = None,
                      config: PersonaConfig | None = None) -> CostEstimate:
        return run_sync(self._async.aestimate_cost(data_path, count, config))
