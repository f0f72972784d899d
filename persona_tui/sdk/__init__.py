"""The public programmatic API (sync and async), built on :mod:`persona_tui.core`.

``from persona_tui.sdk import PersonaGenerator`` works for every public name below; they are
imported on first use (PEP 562), so importing the package costs nothing until one is needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "PersonaGenerator": "persona_tui.sdk.generator",
    "AsyncPersonaGenerator": "persona_tui.sdk.async_generator",
    "ExperimentSDK": "persona_tui.sdk.experiment",
    "AsyncExperimentSDK": "persona_tui.sdk.async_experiment",
    "PersonaConfig": "persona_tui.sdk.models",
    "ExperimentConfig": "persona_tui.sdk.models",
    "PersonaModel": "persona_tui.sdk.models",
    "EvidenceLink": "persona_tui.sdk.models",
    "GenerationResultModel": "persona_tui.sdk.models",
    "PersonaError": "persona_tui.sdk.exceptions",
    "ConfigurationError": "persona_tui.sdk.exceptions",
    "ValidationError": "persona_tui.sdk.exceptions",
    "DataError": "persona_tui.sdk.exceptions",
    "ProviderError": "persona_tui.sdk.exceptions",
    "AuthenticationError": "persona_tui.sdk.exceptions",
    "RateLimitError": "persona_tui.sdk.exceptions",
    "BudgetExceededError": "persona_tui.sdk.exceptions",
    "GenerationError": "persona_tui.sdk.exceptions",
    "submit_batch": "persona_tui.sdk.batch",
    "BatchJob": "persona_tui.sdk.batch",
    "list_batches": "persona_tui.sdk.batch",
}

__all__ = [
    "AsyncExperimentSDK",
    "AsyncPersonaGenerator",
    "AuthenticationError",
    "BatchJob",
    "BudgetExceededError",
    "ConfigurationError",
    "DataError",
    "EvidenceLink",
    "ExperimentConfig",
    "ExperimentSDK",
    "GenerationError",
    "GenerationResultModel",
    "PersonaConfig",
    "PersonaError",
    "PersonaGenerator",
    "PersonaModel",
    "ProviderError",
    "RateLimitError",
    "ValidationError",
    "list_batches",
    "submit_batch",
]

if TYPE_CHECKING:  # pragma: no cover
    from persona_tui.sdk.async_experiment import AsyncExperimentSDK
    from persona_tui.sdk.async_generator import AsyncPersonaGenerator
    from persona_tui.sdk.batch import BatchJob, list_batches, submit_batch
    from persona_tui.sdk.exceptions import (
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
    from persona_tui.sdk.experiment import ExperimentSDK
    from persona_tui.sdk.generator import PersonaGenerator
    from persona_tui.sdk.models import (
        EvidenceLink,
        ExperimentConfig,
        GenerationResultModel,
        PersonaConfig,
        PersonaModel,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'persona_tui.sdk' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
