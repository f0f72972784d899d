"""Experiments: named, repeatable generations whose runs are recorded on disk."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from persona_tui.core.context import AppContext
from persona_tui.core.errors import PersonaError
from persona_tui.core.experiments import ExperimentStore, RunObserver, run_pricer
from persona_tui.core.models.options import ExperimentConfig
from persona_tui.core.models.result import GenerationResultModel
from persona_tui.core.utils.async_helpers import to_thread
from persona_tui.sdk.async_generator import AsyncPersonaGenerator


class _Stopped(PersonaError):
    """Why a cancelled or interrupted run ended, as its record says."""

    default_code = "E4001"


class AsyncExperimentSDK:
    def __init__(self, base_dir: str | Path | None = None, *,
                 generator_factory: Callable[[ExperimentConfig], AsyncPersonaGenerator]
                 | None = None, context: AppContext | None = None) -> None:
        """``context``: the application context runs are made with (and, unless
        ``base_dir`` is given, whose experiments folder is used)."""
        if base_dir is None and context is not None:
            base_dir = context.paths.experiments_dir
        self.store = ExperimentStore(base_dir)
        self._factory = generator_factory or (
            lambda config: AsyncPersonaGenerator(config.provider, config.model,
                                                 context=context))

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

    def record_run(self, config: ExperimentConfig, *, started: datetime,
                   result: Any | None = None, error: BaseException | None = None,
                   observed: RunObserver | None = None, status: str | None = None) -> Path:
        """Record one run of ``config`` in its experiment and return the run's folder.

        The experiment is created (or its settings replaced by ``config``'s) first. For a run
        that did not finish, ``observed`` holds what it produced (text, personas, tokens,
        cost, duration). This blocks (hashing the inputs, fsync): call it through
        :meth:`arecord_run` from async code.
        """
        self.store.create(config, overwrite=True)
        run_dir = self.store.new_run_dir(config.name)
        self.store.record_run(config.name, run_dir, config, result=result, error=error,
                              started=started, observed=observed, status=status,
                              partial_text=getattr(error, "partial_text", "") or "")
        return run_dir

    async def arecord_run(self, config: ExperimentConfig, **record: Any) -> Path:
        """:meth:`record_run` in a thread. Shielded: if the caller is cancelled while it
        writes, the write still completes (the thread is not stopped), so a run is never
        half recorded and nothing it produced is lost."""
        return await asyncio.shield(to_thread(self.record_run, config, **record))

    async def run(self, name: str, *, on_progress: Callable | None = None
                  ) -> GenerationResultModel:
        """Run the experiment; the run is recorded whether it succeeds or fails."""
        config = await self.get(name)
        generator = self._factory(config)
        run_dir = self.store.new_run_dir(name)
        started = datetime.now(UTC)
        observed = RunObserver(on_progress, price=run_pricer(generator, config))

        def record(error: BaseException, status: str) -> None:
            self.store.record_run(name, run_dir, config, error=error, started=started,
                                  partial_text=getattr(error, "partial_text", ""),
                                  observed=observed, status=status)

        try:
            result = await generator.arun(config.data_paths, config.persona,
                                          on_progress=observed)
        except PersonaError as exc:
            await to_thread(record, exc, "failed")
            raise
        except (asyncio.CancelledError, KeyboardInterrupt) as exc:
            # recorded here, synchronously: a cancelled task must not await again
            record(_Stopped("the run was cancelled or interrupted before it finished"),
                   "cancelled" if isinstance(exc, asyncio.CancelledError) else "interrupted")
            raise
        except Exception as exc:
            record(exc, "failed")
            raise
        await to_thread(self.store.record_run, name, run_dir, config, result=result,
                        started=started)
        return result.to_model(output_dir=str(run_dir))
