"""Draft: a cheap or local model writes the first personas from the documents."""

from __future__ import annotations

import time

from persona_tui.core.generation.pipeline import GenerationConfig, GenerationPipeline
from persona_tui.core.hybrid.stages.base import PipelineStage, StageData, StageResult
from persona_tui.core.models.options import PersonaConfig


class DraftStage(PipelineStage):
    async def execute(self, input_data: StageData) -> StageResult:
        started = time.monotonic()
        persona = self.config.params.get("persona") or PersonaConfig()
        pipeline = GenerationPipeline(self.config.provider, GenerationConfig(
            model=self.config.model or "", persona=persona,
            base_url=getattr(self.config.provider, "base_url", None),
            context_tokens=self.config.params.get("context_tokens"),
            allow_unpriced=True))
        result = await pipeline.run(input_data.documents)
        output = StageData(input_data.personas + result.personas, input_data.documents)
        return StageResult(output, {"drafted": len(result.personas), **result.metrics,
                                    "input_tokens": result.input_tokens,
                                    "output_tokens": result.output_tokens},
                           result.cost_usd, time.monotonic() - started)
