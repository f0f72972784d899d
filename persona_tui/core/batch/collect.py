"""Batch replies -> one result per study, through the same pipeline an interactive run uses.

The stored replies are played back to :class:`GenerationPipeline` by a provider that streams
each chunk's reply as the engine returned it. The pipeline re-plans the study from its data
(the same chunks, checked by prompt digest), parses, verifies evidence, merges chunks, scores
and prices — with the batch price table — exactly as it does for a live stream. A chunk whose
request errored, expired or was cancelled plays back as an empty reply and is named in the
study's warnings; the rest of the study is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from persona_tui.core.batch.format import messages_digest
from persona_tui.core.batch.planning import study_input
from persona_tui.core.cost import PricingData
from persona_tui.core.errors import PersonaError, ProviderError
from persona_tui.core.generation.pipeline import (
    GenerationConfig,
    GenerationPipeline,
    GenerationResult,
)
from persona_tui.core.models.options import PersonaConfig
from persona_tui.core.providers.base import (
    LLMProvider,
    ModelInfo,
    StreamChunk,
    Usage,
    estimate_usage,
    normalize_messages,
)


@dataclass
class Reply:
    text: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    finish_reason: str | None = None


class ReplayProvider(LLMProvider):
    """Streams stored replies, found by the digest of the prompt the pipeline builds."""

    def __init__(self, name: str, replies: dict[str, Reply], study: int) -> None:
        self.name = name
        self.replies = replies
        self.study = study

    async def stream(self, messages, *, model, temperature=None, max_tokens=None,
                     json_mode=False, on_retry=None, response_schema=None, seed=None):
        msgs = normalize_messages(messages)
        reply = self.replies.get(messages_digest(msgs))
        if reply is None:
            raise ProviderError(
                f"study {self.study}: its data no longer builds the prompts that were "
                "submitted (files changed, moved or were added since)",
                provider=self.name, code="E4001",
                hint="Restore the study's files as they were, or submit the study again.")
        if reply.text:
            yield StreamChunk(reply.text)
        estimate = estimate_usage(msgs, reply.text)
        usage = Usage(reply.input_tokens if reply.input_tokens is not None
                      else estimate.input_tokens,
                      reply.output_tokens if reply.output_tokens is not None
                      else estimate.output_tokens,
                      estimated=reply.input_tokens is None or reply.output_tokens is None)
        yield StreamChunk(done=True, finish_reason=reply.finish_reason, usage=usage)

    async def complete(self, messages, **kwargs):  # the pipeline only streams
        raise NotImplementedError

    async def list_models(self) -> list[ModelInfo]:
        return []


async def study_result(*, provider: str, model: str, base_url: str | None,
                       persona: PersonaConfig, context_tokens: int, pricing: PricingData,
                       study: int, data_paths: list[str], replies: dict[str, Reply],
                       problems: list[str], data_loader=None
                       ) -> tuple[GenerationResult | None, PersonaError | None]:
    """Run the pipeline over one study's replies; ``problems`` name the chunks that failed."""
    pipeline = GenerationPipeline(ReplayProvider(provider, replies, study), GenerationConfig(
        model=model, persona=persona.model_copy(update={"budget": None}),  # paid already
        provider_name=provider, base_url=base_url, context_tokens=context_tokens,
        pricing=pricing, data_loader=data_loader))
    try:
        result = await pipeline.run(study_input(data_paths))
    except PersonaError as exc:
        return None, exc
    result.warnings = problems + result.warnings
    return result, None


__all__ = ["ReplayProvider", "Reply", "study_result"]

