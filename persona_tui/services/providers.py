"""Provider setup for the app: what is configured, a real connection test, saving changes.

Nothing here touches the network unless asked (``test``): opening the app makes no request.
Keys are saved through the application context (atomic, mode 0600) and never returned in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from persona_tui.core.errors import ConfigurationError
from persona_tui.core.providers.registry import (
    PROVIDER_NAMES,
    PROVIDERS,
    ProviderSpec,
    get_spec,
    is_local_url,
)
from persona_tui.services.context import AppContext

if TYPE_CHECKING:  # pragma: no cover
    from persona_tui.core.discovery import VendorStatus


@dataclass
class ProviderState:
    """One vendor as the Providers screen shows it before (or after) a connection test."""

    provider: str
    label: str
    base_url: str
    default_model: str
    key_source: str  # env:NAME, file, none
    key_hint: str  # at most the last four characters
    needs_key: bool
    key_env: str = ""  # the environment variable that would hold the key
    #: a vendor that needs a key at its public address, here at a local one (llama.cpp, LM
    #: Studio, vLLM on this machine): a key is accepted but not required
    key_optional: bool = False
    status: VendorStatus | None = None
    error: str = ""

    @property
    def configured(self) -> bool:
        return not self.needs_key or self.key_source != "none"

    @property
    def state(self) -> str:
        if self.status is not None:
            return self.status.state
        return "not tested" if self.configured else "not configured"


class ProviderService:
    """Reads and writes through the application context, so the Providers screen, the
    Generate screen and a theme change all see (and keep) the same settings."""

    def __init__(self, context: AppContext) -> None:
        self.context = context

    def states(self) -> list[ProviderState]:
        """Every vendor's local state (environment, config and credentials; no network)."""
        return [self.state(name) for name in PROVIDER_NAMES]

    def state(self, provider: str) -> ProviderState:
        spec = get_spec(provider)
        error = ""
        try:
            key = self.context.api_key(provider)
            source, hint = key.source, key.masked
        except ConfigurationError as exc:
            source, hint, error = "none", "", f"{exc.message} — {exc.hint}"
        base_url = self.context.base_url(provider)
        keyless = spec.needs_key and spec.free_when_local_url and is_local_url(base_url)
        return ProviderState(
            provider, spec.label, base_url,
            self.context.configured_model(provider) or "", source, hint,
            spec.needs_key and not keyless, next(iter(spec.key_env), ""), error=error,
            key_optional=keyless)

    async def test(self, provider: str) -> VendorStatus:
        """A real request to the vendor: reachable, key accepted, how many models."""
        from persona_tui.core.discovery import VendorDiscovery  # httpx: not at start-up

        return await VendorDiscovery(self.context).check(provider)

    async def test_all(self) -> list[VendorStatus]:
        """A real request to every configured vendor and to Ollama, at once (``check``)."""
        from persona_tui.core.discovery import VendorDiscovery  # httpx: not at start-up

        return await VendorDiscovery(self.context).discover()

    #: the vendors' facts (one table: :mod:`persona_tui.core.providers.registry`)
    specs: tuple[ProviderSpec, ...] = tuple(PROVIDERS)
    spec = staticmethod(get_spec)

    def save(self, provider: str, *, api_key: str | None = None, base_url: str | None = None,
             default_model: str | None = None) -> ProviderState:
        """Store what the user typed; an empty key field leaves the stored key alone, and a
        field passed as None keeps its stored value."""
        if api_key and api_key.strip():
            self.context.set_api_key(provider, api_key)
        changes = {}
        if base_url is not None:
            changes["base_url"] = base_url
        if default_model is not None:
            changes["default_model"] = default_model
        self.context.update_provider(provider, **changes)
        return self.state(provider)

    def forget_key(self, provider: str) -> ProviderState:
        self.context.set_api_key(provider, None)
        return self.state(provider)
