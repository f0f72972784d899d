"""The async persona generator: the API the TUI and async programs use."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from persona_tui.core.context import AppContext
from persona_tui.core.cost import CostEstimate
from persona_tui.core.errors import PersonaError
from persona_tui.core.experiments import write_run
from persona_tui.core.generation.events import GenerationEvent
from persona_tui.core.generation.pipeline import GenerationConfig, GenerationPipeline
from persona_tui.core.models.options import ExperimentConfig, PersonaConfig
from persona_tui.core.models.result import GenerationResultModel
from persona_tui.core.providers import LLMProvider, create_provider
from persona_tui.core.providers.http_base import HTTPConfig, warm_up
from persona_tui.core.utils.async_helpers import to_thread


class AsyncPersonaGenerator:
    """Personas from research data with one provider and model.

    Keys, base URLs and models not given here come from ``context`` (the application
    context: the environment, then ``config.toml`` and ``credentials.toml``, as the app reads
    them). Without one, the process's context for the default folders is used, read once.
    ``[generation] budget_usd`` applies when the persona config sets no budget.
    """

    def __init__(self, provider: str = "ollama", model: str | None = None, *,
                 base_url: str | None = None, api_key: str | None = None,
                 allow_unpriced: bool = False, context_tokens: int | None = None,
                 client: LLMProvider | None = None,
                 context: AppContext | None = None) -> None:
        self.context = context = context or AppContext.default()
        settings = context.settings
        self.provider_name = provider
        self.model = model or context.default_model(provider)
        self.base_url = base_url or context.base_url(provider)
        if api_key is None:
            resolved = context.api_key(provider)
            api_key = resolved.key.get_secret_value() if resolved.key else None
        self._api_key = api_key
        self.allow_unpriced = allow_unpriced or settings.generation.allow_unpriced
        self.context_tokens = context_tokens
        self.pricing = context.pricing
        self.read_timeout_s = settings.provider(provider).read_timeout_s
        self._client = client
        if client is None:
            # what httpx imports on its first request, now: the app builds generators in a
            # thread, so its first estimate or run does not import them on the event loop
            warm_up(self.base_url)

    def __repr__(self) -> str:
        return (f"AsyncPersonaGenerator(provider={self.provider_name!r}, model={self.model!r}, "
                f"base_url={self.base_url!r})")

    def persona_config(self, **options: Any) -> PersonaConfig:
        """A :class:`PersonaConfig` from ``options``, with ``max_tokens``, ``temperature`` and
        ``seed`` from config.toml's ``[generation]`` where ``options`` leave them None."""
        return self._persona(PersonaConfig(**{k: v for k, v in options.items()
                                              if v is not None or k == "budget"}))

    def _provider(self) -> LLMProvider:
        if self._client is not None:
            return self._client
        options = {"config": HTTPConfig(read_timeout=self.read_timeout_s)} \
            if self.read_timeout_s else {}
        return create_provider(self.provider_name, base_url=self.base_url,
                               api_key=self._api_key, **options)

    def persona_defaults(self, config: PersonaConfig | None) -> PersonaConfig:
        """``config`` as a run uses it (see :meth:`_persona`)."""
        return self._persona(config)

    def _persona(self, config: PersonaConfig | None) -> PersonaConfig:
        """``config`` with config.toml's ``[generation]`` defaults: the budget when none is set,
        and max tokens, temperature and seed where the caller left them unset."""
        config = config or PersonaConfig()
        defaults = self.context.settings.generation
        budget = defaults.budget_usd
        if config.budget is None and budget is not None:
            config = config.model_copy(update={"budget": budget})
        unset = {name: getattr(defaults, name) for name in ("max_tokens", "temperature", "seed")
                 if name not in config.model_fields_set and getattr(defaults, name) is not None}
        if unset:
            config = config.model_copy(update=unset)
        return config

    def _pipeline(self, provider: LLMProvider, config: PersonaConfig | None
                  ) -> GenerationPipeline:
        return GenerationPipeline(provider, GenerationConfig(
            model=self.model, persona=self._persona(config),
            provider_name=self.provider_name, base_url=self.base_url,
            context_tokens=self.context_tokens, allow_unpriced=self.allow_unpriced,
            pricing=self.pricing, data_loader=self.context.data_loader))

    async def astream(self, data_path: Any, config: PersonaConfig | None = None
                      ) -> AsyncIterator[GenerationEvent]:
        """Events as the run goes: text deltas, personas, usage, waits, warnings, the end."""
        provider = self._provider()
        try:
            async for event in self._pipeline(provider, config).stream(data_path):
                yield event
        finally:
            if self._client is None:
                await provider.aclose()

    async def agenerate(self, data_path: Any, config: PersonaConfig | None = None, *,
                        on_progress: Callable[[GenerationEvent], Any] | None = None,
                        output_dir: str | Path | None = None) -> GenerationResultModel:
        """Personas from ``data_path``. With ``output_dir`` the run is saved as the CLI saves
        its runs — ``run.json`` (status, reasons, tokens, cost, config), personas as JSON and
        Markdown, the raw reply — in a new folder under ``output_dir`` (failed runs too,
        before their error is raised); ``result.output_dir`` names that folder."""
        if output_dir is None:
            result = await self.arun(data_path, config, on_progress=on_progress)
            return result.to_model()
        config = config or PersonaConfig()
        run_dir = Path(output_dir) / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        record = ExperimentConfig(name="sdk-run", provider=self.provider_name,
                                  model=self.model or None, persona=config,
                                  data_paths=_paths_of(data_path))
        started = datetime.now(UTC)
        try:
            result = await self.arun(data_path, config, on_progress=on_progress)
        except PersonaError as exc:
            await to_thread(write_run, run_dir, record, experiment=None, error=exc,
                            started=started, partial_text=getattr(exc, "partial_text", ""))
            raise
        await to_thread(write_run, run_dir, record, experiment=None, result=result,
                        started=started)
        return result.to_model(output_dir=str(run_dir))

    async def arun(self, data_path: Any, config: PersonaConfig | None = None, *,
                   on_progress: Callable[[GenerationEvent], Any] | None = None):
        """Like :meth:`agenerate` but returns the full result (raw output, documents, metrics)."""
        provider = self._provider()
        try:
            return await self._pipeline(provider, config).run(data_path, on_event=on_progress)
        finally:
            if self._client is None:
                await provider.aclose()

    async def abatch(self, data_path: Any, total: int, config: PersonaConfig | None = None, *,
                     batch_size: int = 5, concurrency: int = 8,
                     on_progress: Callable[[GenerationEvent], Any] | None = None
                     ) -> GenerationResultModel:
        """``total`` personas in requests of ``batch_size``, ``concurrency`` at a time.

        Models write better personas a few at a time; the data is loaded once and all
        requests share one connection pool.
        """
        import asyncio
        import time

        config = config or PersonaConfig()
        provider = self._provider()
        started = time.monotonic()
        try:
            documents, _ = self._pipeline(provider, config).load(data_path)
            sizes = [min(batch_size, total - i) for i in range(0, total, batch_size)]
            gate = asyncio.Semaphore(concurrency)

            async def one(size: int):
                async with gate:
                    pipeline = self._pipeline(provider, config.model_copy(update={"count": size}))
                    return await pipeline.run(documents, on_event=on_progress)

            results = await asyncio.gather(*(one(size) for size in sizes))
        finally:
            if self._client is None:
                await provider.aclose()
        personas, seen = [], set()
        for result in results:
            for persona in result.personas:
                base, n = persona.id, 2
                while persona.id in seen:
                    persona.id = f"{base}-{n}"
                    n += 1
                seen.add(persona.id)
                personas.append(persona)
        costs = [r.cost_usd for r in results]
        return GenerationResultModel(
            personas=personas, provider=self.provider_name, model=self.model,
            input_tokens=sum(r.input_tokens for r in results),
            output_tokens=sum(r.output_tokens for r in results),
            tokens_estimated=any(r.tokens_estimated for r in results),
            cost_usd=None if any(c is None for c in costs) else sum(costs),
            duration_s=round(time.monotonic() - started, 3),
            warnings=[w for r in results for w in r.warnings],
            errors=[e for r in results for e in r.errors])

    async def aestimate_cost(self, data_path: Any, count: int | None = None,
                             config: PersonaConfig | None = None) -> CostEstimate:
        config = config or PersonaConfig()
        if count is not None:
            config = config.model_copy(update={"count": count})
        provider = self._provider()
        try:
            pipeline = self._pipeline(provider, config)
            # figures only: a large folder is planned in a child process, which a cancelled
            # estimate kills (the documents are not needed for a price)
            _, plan, _ = await pipeline.plan(data_path, figures_only=True)
            return pipeline.estimate(plan)
        finally:
            if self._client is None:
                await provider.aclose()


def _paths_of(data: Any) -> list[str]:
    """The data paths a run read, for its record (loaded documents have their own)."""
    items = data if isinstance(data, (list, tuple)) else [data]
    paths = []
    for item in items:
        if isinstance(item, (str, Path)):
            paths.append(str(item))
        elif getattr(item, "path", None) is not None:
            paths.append(str(item.path))
    return paths
