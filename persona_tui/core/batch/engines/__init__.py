"""One adapter per batch engine; :func:`engine_for` picks it by provider name."""

from __future__ import annotations

from persona_tui.core.batch import BATCH_PROVIDERS
from persona_tui.core.batch.engines.base import BatchEngine, EngineStatus, Outcome, Results
from persona_tui.core.errors import ConfigurationError
from persona_tui.core.providers.http_base import ChatProvider


def engine_for(name: str, provider: ChatProvider) -> BatchEngine:
    if name == "openai":
        from persona_tui.core.batch.engines.openai import OpenAIBatchEngine as cls
    elif name == "anthropic":
        from persona_tui.core.batch.engines.anthropic import AnthropicBatchEngine as cls
    elif name == "gemini":
        from persona_tui.core.batch.engines.gemini import GeminiBatchEngine as cls
    elif name == "vllm-file":
        from persona_tui.core.batch.engines.vllm_file import VLLMFileEngine as cls
    else:
        raise ConfigurationError(f"'{name}' has no batch engine", code="E1005",
                                 hint=f"Use one of: {', '.join(BATCH_PROVIDERS)}.")
    return cls(provider)


__all__ = ["BATCH_PROVIDERS", "BatchEngine", "EngineStatus", "Outcome", "Results",
           "engine_for"]
