"""Every vendor Persona TUI speaks to, described once.

Config validation, the command line's ``--provider`` choices, the provider selects, labels,
key and URL lookup, discovery, context sizes and the cost rules all read this table, so adding
a vendor is one :class:`ProviderSpec` here plus its wire module. Nothing here imports httpx:
the table is read at start-up and by ``--help``.
"""

from __future__ import annotations

import importlib
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from persona_tui.core.errors import ConfigurationError

if TYPE_CHECKING:  # pragma: no cover
    from persona_tui.core.providers.base import LLMProvider


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """One vendor's facts.

    ``key_env`` and ``url_env`` are environment variables in order of precedence; ``local``
    means the vendor runs on the user's machine, so it costs nothing; ``needs_key`` means a
    request without an API key is refused.
    """

    name: str
    label: str
    #: ``module:Class`` of the wire module, imported only when a provider is built
    class_path: str
    default_base_url: str
    default_model: str
    #: context window in tokens when the server does not say
    context_tokens: int
    key_env: tuple[str, ...] = ()
    url_env: tuple[str, ...] = ()
    local: bool = False
    needs_key: bool = True
    #: an OpenAI-compatible server at a local or private address is free too
    free_when_local_url: bool = False

    def provider_class(self) -> type[LLMProvider]:
        module, _, name = self.class_path.partition(":")
        return getattr(importlib.import_module(module), name)


PROVIDERS: tuple[ProviderSpec, ...] = (
    ProviderSpec("ollama", "Ollama", "persona_tui.core.providers.ollama:OllamaProvider",
                 "http://127.0.0.1:11434", "llama3.2", 8_192,
                 url_env=("OLLAMA_HOST",), local=True, needs_key=False),
    ProviderSpec("openai", "OpenAI", "persona_tui.core.providers.openai:OpenAIProvider",
                 "https://api.openai.com/v1", "gpt-4o-mini", 128_000,
                 key_env=("OPENAI_API_KEY",), url_env=("OPENAI_BASE_URL",),
                 free_when_local_url=True),
    ProviderSpec("anthropic", "Anthropic",
                 "persona_tui.core.providers.anthropic:AnthropicProvider",
                 "https://api.anthropic.com", "claude-haiku-4-5", 200_000,
                 key_env=("ANTHROPIC_API_KEY",), url_env=("ANTHROPIC_BASE_URL",)),
    ProviderSpec("gemini", "Gemini", "persona_tui.core.providers.gemini:GeminiProvider",
                 "https://generativelanguage.googleapis.com", "gemini-2.5-flash", 1_000_000,
                 key_env=("GEMINI_API_KEY", "GOOGLE_API_KEY")),
)

_BY_NAME = {spec.name: spec for spec in PROVIDERS}
#: vendor names in display order
PROVIDER_NAMES: tuple[str, ...] = tuple(_BY_NAME)
#: a context size for a provider the table does not know (a model's own report wins)
FALLBACK_CONTEXT_TOKENS = 8_192


def get_spec(name: str) -> ProviderSpec:
    """The vendor called ``name``; an unknown one is a configuration error (E1005)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ConfigurationError(
            f"unknown provider '{name}'", code="E1005",
            hint=f"Use one of: {', '.join(PROVIDER_NAMES)}.") from None


def is_known(name: str) -> bool:
    return name in _BY_NAME


def label(name: str) -> str:
    spec = _BY_NAME.get(name)
    return spec.label if spec else name


def context_tokens(name: str) -> int:
    spec = _BY_NAME.get(name)
    return spec.context_tokens if spec else FALLBACK_CONTEXT_TOKENS


def is_free(name: str, base_url: str | None = None) -> bool:
    """The cost rule: a local vendor costs nothing, and so does an OpenAI-compatible server
    on this machine or a private network (LM Studio, llama.cpp, vLLM at home)."""
    spec = _BY_NAME.get(name)
    if spec is None:
        return False
    if spec.local:
        return True
    return spec.free_when_local_url and is_local_url(base_url)


def is_local_url(base_url: str | None) -> bool:
    """Loopback or private-network addresses (and ``*.local`` names) are this machine or
    the user's own network."""
    if not base_url:
        return False
    host = urlparse(base_url if "://" in base_url else f"http://{base_url}").hostname or ""
    if host == "localhost" or host.endswith(".local"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


__all__ = ["FALLBACK_CONTEXT_TOKENS", "PROVIDERS", "PROVIDER_NAMES", "ProviderSpec",
           "context_tokens", "get_spec", "is_free", "is_known", "is_local_url", "label"]
