from __future__ import annotations

import pytest

from persona_tui.core.config import Settings
from persona_tui.core.cost import CostEstimator, PricingData, check_budget, is_local_url
from persona_tui.core.errors import BudgetExceededError, ConfigurationError


def test_shipped_table_has_date_source_and_every_hosted_vendor():
    pricing = PricingData.shipped()
    assert pricing.as_of and pricing.source
    for provider in ("openai", "anthropic", "gemini"):
        assert pricing.models(provider)


def test_estimate_from_tokens_and_text():
    estimator = CostEstimator()
    est = estimator.estimate("openai", "gpt-4o-mini", input_tokens=1_000_000,
                             output_tokens=1_000_000)
    assert (est.input_cost, est.output_cost, est.total_cost) == (0.15, 0.60, 0.75)
    assert not est.is_local and est.price_known
    by_text = estimator.estimate("anthropic", "claude-haiku-4-5", text="abcd" * 1000,
                                 output_tokens=0)
    assert by_text.input_tokens == 1000 and by_text.tokens_estimated
    assert by_text.total_cost == pytest.approx(0.001)


def test_dated_snapshots_and_model_prefixes_match():
    pricing = PricingData.shipped()
    assert pricing.price("anthropic", "claude-sonnet-4-5-20250929") == \
        pricing.price("anthropic", "claude-sonnet-4-5")
    assert pricing.price("gemini", "models/gemini-2.5-flash") is not None


def test_unknown_price_is_unknown_never_zero():
    est = CostEstimator().estimate("openai", "gpt-unknown-9", input_tokens=10)
    assert est.total_cost is None and est.input_cost is None
    assert not est.price_known
    assert "unknown price" in est.describe()


def test_local_servers_are_free():
    estimator = CostEstimator()
    assert estimator.estimate("ollama", "llama3.2", input_tokens=10**6).total_cost == 0.0
    lm = estimator.estimate("openai", "local-model", input_tokens=10**6,
                            base_url="http://127.0.0.1:1234/v1")
    assert lm.is_local and lm.total_cost == 0.0
    assert is_local_url("http://192.168.1.20:8000/v1")
    assert not is_local_url("https://api.openai.com/v1")


def test_config_overrides_prices():
    settings = Settings.model_validate({"pricing": {"openai": {
        "my-finetune": {"input_per_mtok": 1.0, "output_per_mtok": 2.0},
        "gpt-4o-mini": {"input_per_mtok": 0.0, "output_per_mtok": 0.0}}}})
    estimator = CostEstimator(PricingData.load(settings))
    tuned = estimator.estimate("openai", "my-finetune", input_tokens=10**6, output_tokens=10**6)
    assert tuned.total_cost == 3.0 and tuned.price_as_of == "config.toml"
    assert estimator.estimate("openai", "gpt-4o-mini", input_tokens=10**6).total_cost == 0.0


def test_budget_checks():
    estimator = CostEstimator()
    cheap = estimator.estimate("openai", "gpt-4o-mini", input_tokens=1000, output_tokens=1000)
    check_budget(cheap, 1.0)
    pricey = estimator.estimate("anthropic", "claude-opus-4-1", input_tokens=10**6)
    with pytest.raises(BudgetExceededError) as err:
        check_budget(pricey, 1.0)
    assert err.value.budget == 1.0 and err.value.estimated > 1.0
    unknown = estimator.estimate("openai", "gpt-unknown-9", input_tokens=10)
    with pytest.raises(ConfigurationError) as unpriced:
        check_budget(unknown, 1.0)
    assert unpriced.value.code == "E4003"
    check_budget(unknown, 1.0, allow_unpriced=True)
    check_budget(pricey, None)
