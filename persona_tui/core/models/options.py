"""What the user asks for: persona options and experiment definitions."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from persona_tui.core.names import ExperimentName

Complexity = Literal["simple", "moderate", "complex"]
DetailLevel = Literal["minimal", "standard", "detailed"]
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"


class PersonaConfig(BaseModel):
    """Options for one generation run."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    count: int = Field(default=3, ge=1, le=50)
    complexity: Complexity = "moderate"
    detail_level: DetailLevel = "standard"
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, ge=64, le=200_000)
    #: sampling seed, for vendors that take one (repeatable runs); None: the vendor's choice
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    include_evidence: bool = True
    budget: float | None = Field(default=None, ge=0.0, description="USD; None means no budget")


class ExperimentConfig(BaseModel):
    """A named, repeatable generation: which data, which model, which options."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    name: ExperimentName = Field(
        description="lower-case letters, digits, '-' and '_' (a folder name)")
    description: str = ""
    provider: str = "ollama"
    model: str | None = None
    persona: PersonaConfig = Field(default_factory=PersonaConfig)
    data_paths: list[str] = Field(default_factory=list)

    @field_validator("data_paths", mode="before")
    @classmethod
    def _paths_as_str(cls, value: object) -> object:
        if isinstance(value, (list, tuple)):
            return [str(item) for item in value]
        if value is not None and not isinstance(value, list):
            return [str(value)]
        return value


__all__ = ["SLUG_PATTERN", "Complexity", "DetailLevel", "ExperimentConfig", "PersonaConfig"]
