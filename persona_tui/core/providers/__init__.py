"""LLM providers over one HTTP layer, each speaking its vendor's own wire protocol.

Exports load lazily (PEP 562): the vendor table (:mod:`.registry`) is read by ``--help`` and
at start-up, which must not pay for the provider base classes and what they import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from persona_tui.core.providers.registry import PROVIDER_NAMES, get_spec

if TYPE_CHECKING:  # pragma: no cover
    from persona_tui.core.providers.base import (
        LLMProvider,
        LLMResponse,
        Message,
        ModelInfo,
        RetryNotice,
        StreamChunk,
        Usage,
    )

_FROM_BASE = frozenset({"LLMProvider", "LLMResponse", "Message", "ModelInfo", "RetryNotice",
                        "StreamChunk", "Usage"})


def __getattr__(name: str) -> Any:
    if name in _FROM_BASE:
        return getattr(importlib.import_module("persona_tui.core.providers.base"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def provider_class(name: str) -> type[LLMProvider]:
    return get_spec(name).provider_class()


def create_provider(name: str, *, base_url: str | None = None, api_key: str | None = None,
                    **kwargs: Any) -> LLMProvider:
    """A provider by name; ``base_url`` None means the vendor's public endpoint."""
    return provider_class(name)(base_url=base_url, api_key=api_key, **kwargs)


__all__ = ["PROVIDER_NAMES", "LLMProvider", "LLMResponse", "Message", "ModelInfo",
           "RetryNotice", "StreamChunk", "Usage", "create_provider", "provider_class"]
