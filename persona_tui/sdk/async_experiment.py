"""Experiments: named, repeatable generations whose runs are recorded on disk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from persona_tui.core.errors import PersonaError
from persona_tui.core.experiments import ExperimentStore
from persona_tui.core.models.options import ExperimentConfig
from persona_tui.core.models.result import GenerationResultModel
from persona_tui.core.utils.async_helpers import to_thread
from persona_tui.sdk.async_generator import AsyncPersonaGenerator


class AsyncExperimentSDK:
    def __init__(self, base_dir: str | Path | None = None, *,
                 generator_factory: Callable[[ExperimentConfig], AsyncPersonaGenerator]
                 | None = None) -> None:
        self.store = ExperimentStore(base_dir)
        self._factory = generator_factory or (
            lambda config: AsyncPersonaGenerator(config.provider, config.model))

    async def create(self, config: ExperimentConfig) -> ExperimentConfig:
        return await to_thread(self.store.create, config)

    async def get(self, name: str) -> ExperimentConfig:
        return await to_thread(self.store.get, name)

    async def list(self) -> list[ExperimentConfig]:
        return await to_thread(self.store.list)

    async def delete(self, name: str) -> None:
        await to_thread(self.store.delete, name)

    async def runs(self, name: str) -> list[dict[str, Any]]:
        return await to_thread(self.store.runs, name)

    async def run(self, name: str, *, on_progress: Callable | None = None
                  ) -> GenerationResultModel:
        """Run the experiment; the run is recorded whether it succeeds or fails."""
        config = await self.get(name)
        generator = self._factory(config)
        run_dir = self.store.new_run_dir(name)
        started = datetime.now(UTC)
        try:
            result = await generator.arun(config.data_paths, config.persona,
                                          on_progress=on_progress)
        except PersonaError as exc:
            await to_thread(self.store.record_run, name, run_dir, config, error=exc,
                            started=started, partial_text=getattr(exc, "partial_text", ""))
            raise
        await to_thread(self.store.record_run, name, run_dir, config, result=result,
                        started=started)
        return result.to_model(output_dir=str(run_dir))
