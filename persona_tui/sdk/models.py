"""Public data models. Defined in :mod:`persona_tui.core.models` so every layer shares them."""

from persona_tui.core.models import (
    EvidenceLink,
    ExperimentConfig,
    GenerationResultModel,
    Persona,
    PersonaConfig,
)

PersonaModel = Persona

__all__ = ["EvidenceLink", "ExperimentConfig", "GenerationResultModel", "PersonaConfig",
           "PersonaModel"]
