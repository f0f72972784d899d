"""LLM providers over one HTTP layer, each speaking its vendor's own wire protocol."""

from __future__ import annotations

from typing import Any

from persona_tui.core.errors import ConfigurationError
from persona_tui.core.providers.base import (
    LLMProvider,
    LLMResponse,
    Message,
    ModelInfo,
    RetryNotice,
    StreamChunk,
    Usage,
)

PROVIDER_NAMES = ("ollama", "openai", "anthropic", "gemini")
LOCAL_PROVIDERS = frozenset({"ollama"})


def provider_class(name: str) -> type[LLMProvider]:
    if name == "ollama":
        from persona_tui.core.providers.ollama import OllamaProvider as cls
    elif name == "openai":
        from persona_tui.core.providers.openai import OpenAIProvider as cls
    elif name == "anthropic":
        from persona_tui.core.providers.anthropic import AnthropicProvider as cls
    elif name == "gemini":
        from persona_tui.core.providers.gemini import GeminiProvider as cls
    else:
        raise ConfigurationError(f"unknown provider '{name}'", code="E1005")
    return cls


def create_provider(name: str, *, base_url: str | None = None, api_key: str | None = None,
                    **kwargs: Any) -> LLMProvider:
    """A provider by name; ``base_url`` None means the vendor's public endpoint."""
    return provider_class(name)(base_url=base_url, api_key=api_key, **kwargs)


__all__ = ["LOCAL_PROVIDERS", "PROVIDER_NAMES", "LLMProvider", "LLMResponse", "Message",
           "ModelInfo", "RetryNotice", "StreamChunk", "Usage", "create_provider",
           "provider_class"]
