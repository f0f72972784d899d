"""Which vendors are set up and answering, which models they serve, and whether a model
name the user typed exists ("did you mean …" when it does not)."""

from __future__ import annotations

import asyncio
import difflib
import re
import time
from dataclasses import dataclass, field
from typing import Literal

from persona_tui.core.context import AppContext
from persona_tui.core.cost import Price, PricingData
from persona_tui.core.discovery.ollama_models import (
    ModelComparisonResult,
    OllamaModelRegistry,
    compare_ollama_models,
    get_untested_models,
)
from persona_tui.core.errors import AuthenticationError, ConfigurationError, ProviderError
from persona_tui.core.providers import ModelInfo, create_provider
from persona_tui.core.providers.http_base import HTTPConfig
from persona_tui.core.providers.registry import PROVIDER_NAMES, is_free

VendorState = Literal["available", "not configured", "key invalid", "unreachable", "error"]
CHECK_CONFIG = HTTPConfig(connect_timeout=3.0, read_timeout=10.0, total_timeout=15.0,
                          max_retries=0)


@dataclass
class VendorStatus:
    """One vendor's state, as the Providers screen and ``persona-tui check`` show it."""

    provider: str
    state: VendorState
    base_url: str
    key_source: str = "none"  # env:NAME, file, none
    key_hint: str = ""  # the last four characters at most
    model_count: int | None = None
    latency_s: float | None = None
    message: str = ""
    hint: str = ""

    @property
    def configured(self) -> bool:
        return self.state != "not configured"

    @property
    def reachable(self) -> bool | None:
        if self.state in ("available", "key invalid"):
            return True
        return False if self.state == "unreachable" else None

    @property
    def key_valid(self) -> bool | None:
        if self.state == "available":
            return True
        return False if self.state == "key invalid" else None


class VendorDiscovery:
    """Checks vendors on request only: nothing here runs at start-up unless asked."""

    def __init__(self, context: AppContext | None = None, *,
                 config: HTTPConfig = CHECK_CONFIG) -> None:
        """``context``: where base URLs and keys come from (by default the process's)."""
        self.context = context or AppContext.default()
        self.config = config

    async def check(self, provider: str) -> VendorStatus:
        base_url = self.context.base_url(provider)
        key = self.context.api_key(provider)
        status = VendorStatus(provider, "error", base_url, key.source, key.masked)
        client = create_provider(provider, base_url=base_url,
                                 api_key=key.key.get_secret_value() if key.key else None,
                                 config=self.config)
        started = time.monotonic()
        try:
            models = await client.list_models()
        except AuthenticationError as exc:
            status.state, status.message, status.hint = "key invalid", exc.message, exc.hint
        except ConfigurationError as exc:
            status.state, status.message, status.hint = "not configured", exc.message, exc.hint
        except ProviderError as exc:
            status.state = "unreachable" if exc.code == "E3003" else "error"
            status.message, status.hint = exc.message, exc.hint
            if exc.status_code == 404 and provider == "openai" and \
                    not re.search(r"/v\d+/?$", base_url):
                # an OpenAI-compatible server asked at its root: the model list is under
                # /v1 on llama.cpp, vLLM, LM Studio and the rest ("pick a model" is wrong)
                status.hint = (f"OpenAI-compatible servers answer under /v1: set the base URL "
                               f"to {base_url.rstrip('/')}/v1.")
        else:
            status.state = "available"
            status.model_count = len(models)
            fixed = getattr(client, "base_url_fixed", None)
            if fixed:  # an OpenAI-compatible server's URL given without /v1
                status.message = f"the server answers at {fixed[1]}, not at {fixed[0]}"
                status.hint = f"Save {fixed[1]} as the base URL."
        finally:
            await client.aclose()
        if status.state not in ("not configured", "unreachable"):  # something answered
            status.latency_s = time.monotonic() - started
        return status

    async def discover(self, providers: tuple[str, ...] = PROVIDER_NAMES) -> list[VendorStatus]:
        return list(await asyncio.gather(*(self.check(p) for p in providers)))


@dataclass
class PricedModel:
    info: ModelInfo
    price: Price | None
    is_local: bool

    @property
    def id(self) -> str:
        return self.info.id


class ModelDiscovery:
    """Each vendor's models from its own API, with the price we know for each."""

    def __init__(self, pricing: PricingData | None = None) -> None:
        """``pricing``: by default the context's (the shipped table and config overrides)."""
        self.pricing = pricing or AppContext.default().pricing

    async def models(self, provider_name: str, *, base_url: str | None = None,
                     api_key: str | None = None, config: HTTPConfig = CHECK_CONFIG
                     ) -> list[PricedModel]:
        local = is_free(provider_name, base_url)
        async with create_provider(provider_name, base_url=base_url, api_key=api_key,
                                   config=config) as client:
            infos = await client.list_models()
        return [PricedModel(info, None if local else self.pricing.price(provider_name, info.id),
                            local) for info in infos]


@dataclass
class ModelCheck:
    model: str
    available: bool
    suggestions: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.available:
            return f"{self.model} is available"
        if self.suggestions:
            return f"{self.model} is not available; did you mean {', '.join(self.suggestions)}?"
        return f"{self.model} is not available"


class ModelChecker:
    """Is this model served? Near names are offered when it is not."""

    def check(self, model: str, available: list[str], *, provider: str = "") -> ModelCheck:
        if provider == "ollama":
            from persona_tui.core.providers.ollama import normalize_tag

            wanted = normalize_tag(model)
            names = {normalize_tag(name): name for name in available}
            if wanted in names:
                return ModelCheck(model, True)
        elif model in available or model.removeprefix("models/") in available:
            return ModelCheck(model, True)
        close = difflib.get_close_matches(model, available, n=3, cutoff=0.5)
        prefix = [m for m in available if m.startswith(model.split(":")[0]) and m not in close]
        return ModelCheck(model, False, (close + prefix)[:3])

    async def acheck(self, provider_name: str, model: str, *, base_url: str | None = None,
                     api_key: str | None = None) -> ModelCheck:
        async with create_provider(provider_name, base_url=base_url, api_key=api_key,
                                   config=CHECK_CONFIG) as client:
            names = [m.id for m in await client.list_models()]
        return self.check(model, names, provider=provider_name)


__all__ = ["ModelCheck", "ModelChecker", "ModelComparisonResult", "ModelDiscovery",
           "OllamaModelRegistry", "PricedModel", "VendorDiscovery", "VendorStatus",
           "compare_ollama_models", "get_untested_models"]
