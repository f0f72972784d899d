"""Filter: drop personas whose quality is under a threshold (no model call)."""

from __future__ import annotations

import time

from persona_tui.core.hybrid.stages.base import PipelineStage, StageData, StageResult
from persona_tui.core.quality.registry import get_metric


class FilterStage(PipelineStage):
    """``params``: ``threshold`` (0..1, default 0.5) and ``metrics`` (per-persona metrics to
    average, default completeness and evidence coverage)."""

    async def execute(self, input_data: StageData) -> StageResult:
        started = time.monotonic()
        threshold = float(self.config.params.get("threshold", 0.5))
        names = self.config.params.get("metrics", ["completeness", "evidence_coverage"])
        metrics = [get_metric(name) for name in names]
        kept, scores = [], {}
        for persona in input_data.personas:
            score = sum(m.compute([persona]) for m in metrics) / len(metrics)
            scores[persona.name] = round(score, 3)
            if score >= threshold:
                kept.append(persona)
        return StageResult(StageData(kept, input_data.documents),
                           {"kept": len(kept), "dropped": len(input_data.personas) - len(kept),
                            "scores": scores, "threshold": threshold},
                           0.0, time.monotonic() - started)
