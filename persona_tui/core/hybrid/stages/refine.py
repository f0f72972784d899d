"""Refine: a stronger model improves each surviving persona against the sources."""

from __future__ import annotations

import time

from persona_tui.core.cost import CostEstimator
from persona_tui.core.generation.parser import PersonaParser
from persona_tui.core.generation.prompts import render_documents
from persona_tui.core.hybrid.stages.base import PipelineStage, StageData, StageResult
from persona_tui.resources import resource_path


class RefineStage(PipelineStage):
    async def execute(self, input_data: StageData) -> StageResult:
        started = time.monotonic()
        template = resource_path("prompts", "refine.txt").read_text("utf-8")
        provider, model = self.config.provider, self.config.model or ""
        parser = PersonaParser()
        refined, failures = [], 0
        input_tokens = output_tokens = 0
        for persona in input_data.personas:
            prompt = (template.replace("{persona_json}", persona.model_dump_json(indent=2))
                      .replace("{documents}", render_documents(input_data.documents)))
            response = await provider.complete(prompt, model=model, json_mode=True)
            input_tokens += response.input_tokens
            output_tokens += response.output_tokens
            result = parser.parse(response.text, sources=input_data.documents)
            if result.personas:
                better = result.personas[0]
                if not better.id:
                    better.id = persona.id
                refined.append(better)
            else:
                refined.append(persona)  # keep the draft rather than lose it
                failures += 1
        cost = CostEstimator().estimate(provider.name, model, input_tokens=input_tokens,
                                        output_tokens=output_tokens,
                                        base_url=getattr(provider, "base_url", None)
                                        ).total_cost
        return StageResult(StageData(refined, input_data.documents),
                           {"refined": len(refined) - failures, "kept_draft": failures,
                            "input_tokens": input_tokens, "output_tokens": output_tokens},
                           cost, time.monotonic() - started)
