"""Persona TUI: evidence-backed user personas, character cards and privacy audits.

Public names are imported lazily (PEP 562) so ``persona-tui --version`` and ``--help`` do not
pay for pydantic, httpx or Textual.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from persona_tui._version import __version__

_EXPORTS = {
    "PersonaGenerator": "persona_tui.sdk.generator",
    "AsyncPersonaGenerator": "persona_tui.sdk.async_generator",
    "ExperimentSDK": "persona_tui.sdk.experiment",
    "AsyncExperimentSDK": "persona_tui.sdk.async_experiment",
    "PersonaConfig": "persona_tui.sdk.models",
    "ExperimentConfig": "persona_tui.sdk.models",
    "PersonaModel": "persona_tui.sdk.models",
    "GenerationResultModel": "persona_tui.sdk.models",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # pragma: no cover
    from persona_tui.sdk.async_experiment import AsyncExperimentSDK
    from persona_tui.sdk.async_generator import AsyncPersonaGenerator
    from persona_tui.sdk.experiment import ExperimentSDK
    from persona_tui.sdk.generator import PersonaGenerator
    from persona_tui.sdk.models import (
        ExperimentConfig,
        GenerationResultModel,
        PersonaConfig,
        PersonaModel,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'persona_tui' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
