"""Studies -> request lines, with the interactive and the batch price side by side.

Each study is loaded and planned exactly as an interactive run plans it (the pipeline's
``plan_prompts`` and ``build_messages``), one request per chunk. Nothing is sent here: the
estimate and the budget check come first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from persona_tui.core.batch.format import (
    STEP_GENERATE,
    RequestKey,
    messages_digest,
    request_line,
)
from persona_tui.core.cost import CostEstimate, CostEstimator, Price, PricingData, check_budget
from persona_tui.core.data import DataLoader, SourceDocument
from persona_tui.core.errors import DataError
from persona_tui.core.generation.pipeline import chunk_prompt
from persona_tui.core.generation.prompts import output_budget, plan_prompts
from persona_tui.core.models.options import PersonaConfig

#: the share of the interactive price each batch engine charges (all three vendors: half)
BATCH_DISCOUNT = {"openai": 0.5, "anthropic": 0.5, "gemini": 0.5}


def batch_pricing(pricing: PricingData, provider: str) -> PricingData:
    """The price table as the batch engine charges it."""
    share = BATCH_DISCOUNT.get(provider, 1.0)
    table = {name: dict(models) for name, models in pricing.table.items()}
    table[provider] = {model: Price(p.input_per_mtok * share, p.output_per_mtok * share,
                                    p.source) for model, p in table.get(provider, {}).items()}
    return PricingData(table, as_of=pricing.as_of, source=pricing.source)


@dataclass(frozen=True)
class BatchEstimate:
    """What the job would cost sent interactively, and what the batch engine charges."""

    interactive: CostEstimate
    batch: CostEstimate
    requests: int
    studies: int

    def describe(self) -> str:
        if self.batch.is_local:
            return (f"{self.requests} requests from {self.studies} studies: free (your own "
                    f"GPUs), ~{self.batch.input_tokens:,} tokens in")

        def usd(value: float | None) -> str:
            return "unknown" if value is None else f"${value:.4f}"

        return (f"{self.requests} requests from {self.studies} studies: interactive "
                f"{usd(self.interactive.total_cost)} · batch {usd(self.batch.total_cost)} "
                f"(~{self.batch.input_tokens:,} tokens in, ~{self.batch.output_tokens:,} out)")


@dataclass
class PlannedStudy:
    index: int
    data_paths: list[str]
    documents: list[SourceDocument]
    chunks: int
    mode: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class PlannedRequest:
    key: RequestKey
    digest: str
    line: str
    body: dict[str, Any]


@dataclass
class BatchPlan:
    studies: list[PlannedStudy]
    requests: list[PlannedRequest]
    input_tokens: int
    output_tokens: int


def study_paths(item: Any) -> list[str]:
    if isinstance(item, (list, tuple)):
        return [str(p) for p in item]
    return [str(item)]


def study_input(paths: list[str]) -> Any:
    """The form a study's paths are loaded in, the same when planning and when collecting."""
    return paths if len(paths) > 1 else paths[0]


async def plan_batch(data_paths: list[Any], persona: PersonaConfig, context_tokens: int, *,
               model: str, body_for, data_loader=DataLoader) -> BatchPlan:
    """``await body_for(messages, schema)`` is the Chat Completions body for one prompt (the
    OpenAI provider's own request body, as the interactive path would send it: the same
    messages, the reply schema as structured output); ``data_loader()``
    makes the loader (the application context's, with its limits)."""
    if not data_paths:
        raise DataError("a batch needs at least one study", code="E2005",
                        hint="Pass --from PATH once per study.")
    studies, requests, input_tokens, chunks_total = [], [], 0, 0
    for index, item in enumerate(data_paths):
        paths = study_paths(item)
        loader = data_loader()
        documents = loader.load(study_input(paths))
        plan = plan_prompts(documents, persona, context_tokens)
        studies.append(PlannedStudy(index, paths, documents, len(plan.chunks), plan.mode,
                                    list(loader.warnings) + plan.warnings))
        input_tokens += plan.input_tokens
        for number, chunk in enumerate(plan.chunks):
            messages, schema, _ = chunk_prompt(chunk, persona)
            key = RequestKey(index, number, STEP_GENERATE)
            body = await body_for(messages, schema)
            requests.append(PlannedRequest(key, messages_digest(messages),
                                           request_line(key.custom_id, body), body))
        chunks_total += len(plan.chunks)
    return BatchPlan(studies, requests, input_tokens, output_budget(persona) * chunks_total)


def estimate_plan(plan: BatchPlan, *, provider: str, model: str, pricing: PricingData,
                  base_url: str | None, local: bool) -> BatchEstimate:
    price_as = "ollama" if local else provider  # the user's own GPUs cost nothing
    interactive = CostEstimator(pricing).estimate(
        price_as, model, input_tokens=plan.input_tokens, output_tokens=plan.output_tokens,
        base_url=base_url, tokens_estimated=True)
    batch = CostEstimator(batch_pricing(pricing, provider)).estimate(
        price_as, model, input_tokens=plan.input_tokens, output_tokens=plan.output_tokens,
        base_url=base_url, tokens_estimated=True)
    return BatchEstimate(interactive, batch, len(plan.requests), len(plan.studies))


def check_batch_budget(estimate: BatchEstimate, budget: float | None, *,
                       allow_unpriced: bool) -> None:
    """Budgets apply to what the batch engine charges."""
    check_budget(estimate.batch, budget, allow_unpriced=allow_unpriced)


__all__ = ["BATCH_DISCOUNT", "BatchEstimate", "BatchPlan", "PlannedRequest", "PlannedStudy",
           "batch_pricing", "check_batch_budget", "estimate_plan", "plan_batch", "study_input",
           "study_paths"]
