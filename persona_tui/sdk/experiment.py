"""Sync twin of :class:`persona_tui.sdk.async_experiment.AsyncExperimentSDK`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from persona_tui.core.models.options import ExperimentConfig
from persona_tui.core.models.result import GenerationResultModel
from persona_tui.core.utils.async_helpers import run_sync
from persona_tui.sdk.async_experiment import AsyncExperimentSDK


class ExperimentSDK:
    def __init__(self, base_dir: str | Path | None = None, **options: Any) -> None:
        self._async = AsyncExperimentSDK(base_dir, **options)
        self.store = self._async.store

    def create(self, config: ExperimentConfig) -> ExperimentConfig:
        return self.store.create(config)

    def get(self, name: str) -> ExperimentConfig:
        return self.store.get(name)

    def list(self) -> list[ExperimentConfig]:
        return self.store.list()

    def delete(self, name: str) -> None:
        self.store.delete(name)

    def runs(self, name: str) -> list[dict[str, Any]]:
        return self.store.runs(name)

    def run(self, name: str, *, on_progress: Callable | None = None) -> GenerationResultModel:
        return run_sync(self._async.run(name, on_progress=on_progress))
