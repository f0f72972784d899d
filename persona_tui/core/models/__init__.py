"""Domain models shared by every layer (re-exported publicly from :mod:`persona_tui.sdk.models`)."""

from persona_tui.core.models.options import ExperimentConfig, PersonaConfig
from persona_tui.core.models.persona import EvidenceLink, Persona
from persona_tui.core.models.result import GenerationResultModel

__all__ = ["EvidenceLink", "ExperimentConfig", "GenerationResultModel", "Persona", "PersonaConfig"]
