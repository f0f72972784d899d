"""What a run will cost, before anything is spent.

Prices come from a shipped table (``resources/pricing.toml``, with the date it was taken and
its source) merged with the user's overrides in ``config.toml``. Local servers cost nothing.
A hosted model missing from both has an *unknown* price: its costs are ``None``, displayed as
"unknown", and a budget cannot be checked against it unless the user allows unpriced runs.

Token counts for text use :func:`persona_tui.core.data.tokens.estimate_tokens` (documented
there); vendor-reported usage replaces estimates once a reply arrives.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

from persona_tui.core.data.tokens import estimate_tokens
from persona_tui.core.errors import BudgetExceededError, ConfigurationError
from persona_tui.core.providers.registry import is_free, is_local_url
DEFAULT_OUTPUT_TOKENS = 2048
_DATE_SUFFIX = re.compile(r"-(?:\d{8}|\d{4}-\d{2}-\d{2}|latest)$")


@dataclass(frozen=True, slots=True)
class Price:
    input_per_mtok: float
    output_per_mtok: float
    source: str = "table"  # "table" or "config"


class PricingData:
    """The price table; ``overrides`` is ``{provider: {model: Price}}`` from config.toml."""

    def __init__(self, table: dict[str, dict[str, Price]], *, as_of: str, source: str) -> None:
        self.table = table
        self.as_of = as_of
        self.source = source

    @classmethod
    def shipped(cls) -> PricingData:
        from persona_tui.resources import resource_path

        data = tomllib.loads(resource_path("pricing.toml").read_text("utf-8"))
        table: dict[str, dict[str, Price]] = {}
        for provider, models in data.items():
            if isinstance(models, dict):
                table[provider] = {name: Price(float(p["input"]), float(p["output"]))
                                   for name, p in models.items()}
        return cls(table, as_of=str(data.get("as_of", "unknown")),
                   source=str(data.get("source", "")))

    @classmethod
    def load(cls, settings=None) -> PricingData:
        """The shipped table with the user's ``[pricing]`` overrides from ``config.toml``."""
        pricing = cls.shipped()
        if settings is not None:
            for provider, models in settings.pricing.items():
                for name, price in models.items():
                    pricing.table.setdefault(provider, {})[name] = Price(
                        price.input_per_mtok, price.output_per_mtok, "config")
        return pricing

    def price(self, provider: str, model: str) -> Price | None:
        models = self.table.get(provider, {})
        name = model.removeprefix("models/")
        if name in models:
            return models[name]
        base = _DATE_SUFFIX.sub("", name)
        return models.get(base)

    def models(self, provider: str) -> list[str]:
        return sorted(self.table.get(provider, {}))


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """Costs in USD; ``None`` means the price is unknown (never shown as $0)."""

    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    input_cost: float | None
    output_cost: float | None
    total_cost: float | None
    is_local: bool
    tokens_estimated: bool = True
    price_as_of: str | None = None

    @property
    def price_known(self) -> bool:
        return self.total_cost is not None

    def describe(self) -> str:
        if self.is_local:
            return f"free (local model), ~{self.input_tokens + self.output_tokens:,} tokens"
        if self.total_cost is None:
            return (f"unknown price for {self.provider}/{self.model} "
                    f"(~{self.input_tokens:,} in, ~{self.output_tokens:,} out)")
        return (f"${self.total_cost:.4f} (~{self.input_tokens:,} in ${self.input_cost:.4f}, "
                f"~{self.output_tokens:,} out ${self.output_cost:.4f})")


class CostEstimator:
    def __init__(self, pricing: PricingData | None = None) -> None:
        self.pricing = pricing or PricingData.shipped()

    def estimate(self, provider: str, model: str, *, input_tokens: int | None = None,
                 text: str | None = None, output_tokens: int = DEFAULT_OUTPUT_TOKENS,
                 base_url: str | None = None, tokens_estimated: bool | None = None
                 ) -> CostEstimate:
        if input_tokens is None:
            input_tokens = estimate_tokens(text or "")
            estimated = True
        else:
            estimated = bool(tokens_estimated)
        if is_free(provider, base_url):
            return CostEstimate(provider, model, input_tokens, output_tokens, 0.0, 0.0, 0.0,
                                True, estimated, None)
        price = self.pricing.price(provider, model)
        if price is None:
            return CostEstimate(provider, model, input_tokens, output_tokens, None, None, None,
                                False, estimated, None)
        input_cost = input_tokens * price.input_per_mtok / 1_000_000
        output_cost = output_tokens * price.output_per_mtok / 1_000_000
        as_of = self.pricing.as_of if price.source == "table" else "config.toml"
        return CostEstimate(provider, model, input_tokens, output_tokens, input_cost,
                            output_cost, input_cost + output_cost, False, estimated, as_of)


def check_budget(estimate: CostEstimate, budget: float | None, *,
                 allow_unpriced: bool = False) -> None:
    """Refuse before spending: over budget, or a budget that cannot be checked."""
    if budget is None or estimate.is_local:
        return
    if estimate.total_cost is None:
        if allow_unpriced:
            return
        raise ConfigurationError(
            f"the price of {estimate.provider}/{estimate.model} is unknown, so the "
            f"${budget:.2f} budget cannot be checked", code="E4003")
    if estimate.total_cost > budget:
        raise BudgetExceededError(
            f"estimated cost ${estimate.total_cost:.4f} exceeds the budget ${budget:.4f}",
            estimated=estimate.total_cost, budget=budget)


__all__ = ["DEFAULT_OUTPUT_TOKENS", "CostEstimate", "CostEstimator", "Price", "PricingData",
           "check_budget", "is_local_url"]
