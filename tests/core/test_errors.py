from __future__ import annotations

import pytest

from persona_tui.sdk import exceptions as exc


@pytest.mark.parametrize("cls", [exc.PersonaError, exc.ConfigurationError, exc.ValidationError,
                                 exc.DataError, exc.ProviderError, exc.GenerationError])
def test_every_error_has_a_documented_code_and_hint(cls):
    error = cls("something went wrong")
    assert error.code in exc.ERROR_CODES
    assert error.hint
    assert isinstance(error, exc.PersonaError)


def test_specific_fields():
    rate = exc.RateLimitError("slow down", provider="openai", status_code=429, retry_after=4.0)
    assert isinstance(rate, exc.ProviderError)
    assert (rate.provider, rate.status_code, rate.retry_after, rate.code) == (
        "openai", 429, 4.0, "E3002")
    budget = exc.BudgetExceededError("too much", estimated=1.2, budget=1.0)
    assert (budget.estimated, budget.budget, budget.code) == (1.2, 1.0, "E4002")
    auth = exc.AuthenticationError("bad key", provider="anthropic", status_code=401)
    assert isinstance(auth, exc.ConfigurationError) and isinstance(auth, exc.ProviderError)


def test_describe_shows_code_and_hint():
    text = exc.DataError("x.pdf is a PDF", hint="Export it as text.", code="E2002").describe()
    assert text == "error E2002: x.pdf is a PDF\n  hint: Export it as text."


def test_codes_are_unique_and_well_formed():
    for code, entry in exc.ERROR_CODES.items():
        assert code == entry.code
        assert len(code) == 5 and code[0] == "E" and code[1:].isdigit()
        assert entry.hint.endswith(".")
