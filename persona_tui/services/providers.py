"""Provider setup for the app: what is configured, a real connection test, saving changes.

Nothing here touches the network unless asked (``test``): opening the app makes no request.
Keys are saved through the config module (atomic, mode 0600) and never returned in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from persona_tui.core.config import (
    DEFAULT_BASE_URLS,
    KEY_ENV_VARS,
    PROVIDERS,
    ProviderSettings,
    Settings,
    load_settings,
    resolve_api_key,
    resolve_base_url,
    save_credential,
    save_settings,
)
from persona_tui.core.errors import ConfigurationError
from persona_tui.core.platform import PathManager

if TYPE_CHECKING:  # pragma: no cover
    from persona_tui.core.discovery import VendorStatus

LABELS = {"ollama": "Ollama", "openai": "OpenAI", "anthropic": "Anthropic",
          "gemini": "Gemini"}


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
    def __init__(self, paths: PathManager | None = None) -> None:
        self.paths = paths or PathManager.default()

    def settings(self) -> Settings:
        return load_settings(self.paths).settings

    def states(self) -> list[ProviderState]:
        """Every vendor's local state (environment, config and credentials; no network)."""
        settings = self.settings()
        return [self.state(name, settings) for name in PROVIDERS]

    def state(self, provider: str, settings: Settings | None = None) -> ProviderState:
        settings = settings or self.settings()
        error = ""
        try:
            key = resolve_api_key(provider, self.paths)
            source, hint = key.source, key.masked
        except ConfigurationError as exc:
            source, hint, error = "none", "", f"{exc.message} — {exc.hint}"
        return ProviderState(
            provider, LABELS[provider], resolve_base_url(provider, settings),
            settings.provider(provider).default_model or "", source, hint,
            bool(KEY_ENV_VARS.get(provider)), next(iter(KEY_ENV_VARS.get(provider, ())), ""),
            error=error)

    async def test(self, provider: str) -> VendorStatus:
        """A real request to the vendor: reachable, key accepted, how many models."""
        from persona_tui.core.discovery import VendorDiscovery  # httpx: not at start-up

        return await VendorDiscovery(self.settings(), self.paths).check(provider)

    def save(self, provider: str, *, api_key: str | None = None, base_url: str | None = None,
             default_model: str | None = None) -> ProviderState:
        """Store what the user typed; an empty key field leaves the stored key alone."""
        if api_key:
            save_credential(provider, api_key.strip(), self.paths)
        settings = self.settings()
        current = settings.provider(provider)
        if base_url is not None:  # a field left as it was keeps the stored value
            url = base_url.strip().rstrip("/") or None
            base_url = None if url == DEFAULT_BASE_URLS[provider] else url
        else:
            base_url = current.base_url
        if default_model is not None:
            default_model = default_model.strip() or None
        else:
            default_model = current.default_model
        settings.providers[provider] = ProviderSettings(base_url=base_url,
                                                        default_model=default_model)
        save_settings(settings, self.paths)
        return self.state(provider)

    def forget_key(self, provider: str) -> ProviderState:
        save_credential(provider, None, self.paths)
        return self.state(provider)
