"""Generation for the app: cost estimates before spending, the live event stream, and saving
each run (finished, failed or cancelled) as an experiment run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


from persona_tui.core.cost import CostEstimate
from persona_tui.core.errors import GenerationError
from persona_tui.core.experiments import (
    ExperimentStore,
    RunObserver,
    persona_markdown,
    run_pricer,
)
from persona_tui.core.generation.events import (
    Failed,
    Finished,
    GenerationEvent,
    GenerationWarning,
    PersonaParsed,
    RetryWait,
    TextDelta,
    UsageUpdate,
)
from persona_tui.core.models.options import ExperimentConfig, PersonaConfig
from persona_tui.core.providers.registry import PROVIDER_NAMES
from persona_tui.sdk.async_generator import AsyncPersonaGenerator
from persona_tui.services.context import AppContext
from persona_tui.services.sample import SAMPLE, resolve_data, sample_data

PROVIDER_CHOICES = PROVIDER_NAMES


class GenerationService:
    def __init__(self, context: AppContext) -> None:
        self.context = context
        self.paths = context.paths
        self.store = ExperimentStore(self.paths.experiments_dir)

    SAMPLE = SAMPLE
    sample_data = staticmethod(sample_data)

    @staticmethod
    def resolve(data: str) -> str:
        return resolve_data(data)

    def default_model(self, provider: str) -> str:
        return self.context.default_model(provider)

    @property
    def default_provider(self) -> str:
        return self.context.default_provider

    @property
    def default_budget(self) -> float | None:
        return self.context.settings.generation.budget_usd

    def _generator(self, provider: str, model: str) -> AsyncPersonaGenerator:
        return AsyncPersonaGenerator(provider, model or None, context=self.context)

    async def _agenerator(self, provider: str, model: str) -> AsyncPersonaGenerator:
        """Built in a thread: the first one reads credentials.toml and the price table."""
        return await asyncio.to_thread(self._generator, provider, model)

    async def estimate(self, data: str, provider: str, model: str,
                       config: PersonaConfig) -> CostEstimate:
        generator = await self._agenerator(provider, model)
        return await generator.aestimate_cost(self.resolve(data), config=config)

    async def stream(self, data: str, provider: str, model: str, config: PersonaConfig
                     ) -> AsyncIterator[GenerationEvent]:
        """The run's events; what they carried is kept (``observed``) so a run that fails or
        is cancelled is saved with its text, personas, tokens, cost and duration."""
        generator = await self._agenerator(provider, model)
        self.observed = RunObserver(price=run_pricer(generator, ExperimentConfig(
            name="app", provider=provider, model=model or None)))
        async for event in generator.astream(self.resolve(data), config):
            self.observed(event)
            yield event

    observed: RunObserver | None = None

    async def asave_run(self, *args: Any, **kwargs: Any) -> Path:
        """:meth:`save_run` in a thread: hashing the inputs and writing (and fsyncing) the
        run's files must not hold up the event loop."""
        return await asyncio.to_thread(self.save_run, *args, **kwargs)

    def save_run(self, data: str, provider: str, model: str, config: PersonaConfig, *,
                 started: datetime, result: Any = None, error: Exception | None = None,
                 partial_text: str = "", status: str | None = None) -> Path:
        """Record the run as an experiment run; returns its folder."""
        name = f"app-{started:%Y%m%d-%H%M%S}"
        # the options the run used: the screen's, with config.toml's defaults where it left
        # a field blank (max tokens, temperature, seed, budget)
        effective = self._generator(provider, model).persona_defaults(config)
        experiment = ExperimentConfig(name=name, provider=provider, model=model or None,
                                      persona=effective, data_paths=[self.resolve(data)])
        self.store.create(experiment, overwrite=True)
        run_dir = self.store.new_run_dir(name)
        self.store.record_run(name, run_dir, experiment, result=result, error=error,
                              started=started.astimezone(UTC), partial_text=partial_text,
                              observed=self.observed if error is not None else None,
                              status=status)
        return run_dir


__all__ = ["PROVIDER_CHOICES", "CostEstimate", "persona_markdown", "Failed", "Finished", "GenerationError",
           "GenerationEvent", "GenerationService", "GenerationWarning", "PersonaConfig",
           "PersonaParsed", "RetryWait", "TextDelta", "UsageUpdate"]
