"""Public exceptions. Defined in :mod:`persona_tui.core.errors` so the core can raise them."""

from persona_tui.core.errors import (
    ERROR_CODES,
    AuthenticationError,
    BudgetExceededError,
    ConfigurationError,
    DataError,
    GenerationError,
    PersonaError,
    ProviderError,
    RateLimitError,
    ValidationError,
)

__all__ = [
    "ERROR_CODES",
    "AuthenticationError",
    "BudgetExceededError",
    "ConfigurationError",
    "DataError",
    "GenerationError",
    "PersonaError",
    "ProviderError",
    "RateLimitError",
    "ValidationError",
]
