"""Run stages in order, collecting each one's metrics and cost."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from persona_tui.core.hybrid.stages.base import PipelineStage, StageData, StageResult


@dataclass
class HybridResult:
    output: StageData
    stages: list[tuple[str, StageResult]] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def cost_usd(self) -> float | None:
        costs = [r.cost_usd for _, r in self.stages]
        return None if any(c is None for c in costs) else sum(costs)

    def metrics(self) -> dict[str, Any]:
        return {name: result.metrics for name, result in self.stages}


class HybridPipeline:
    def __init__(self, stages: list[PipelineStage]) -> None:
        self.stages = stages

    async def run(self, data: StageData) -> HybridResult:
        started = time.monotonic()
        result = HybridResult(data)
        for stage in self.stages:
            stage_result = await stage.execute(result.output)
            result.stages.append((stage.name, stage_result))
            result.output = stage_result.output
        result.duration_s = time.monotonic() - started
        return result
