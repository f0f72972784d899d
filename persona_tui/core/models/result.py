"""What a generation run returns."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from persona_tui.core.models.persona import Persona


class GenerationResultModel(BaseModel):
    """Personas plus what they cost. ``cost_usd`` is None when the model's price is unknown."""

    model_config = ConfigDict(extra="ignore")

    personas: list[Persona] = Field(default_factory=list)
    provider: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    tokens_estimated: bool = False
    cost_usd: float | None = 0.0
    duration_s: float = 0.0
    warnings: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    output_dir: str | None = None
    raw_output: str = ""


__all__ = ["GenerationResultModel"]
