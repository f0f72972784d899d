"""What a generation run returns."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from persona_tui.core.models.persona import Persona
from persona_tui.core.utils.sanitize import clean_tree, fix_surrogates


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
    #: the quality gate: "ok", or "partial" with the reasons (a failed run raises)
    status: str = "ok"
    reasons: list[str] = Field(default_factory=list)
    #: persona id -> claims ("goals[1]") without verified evidence, and their share
    unsupported_claims: dict[str, list[str]] = Field(default_factory=dict)
    unsupported_rate: dict[str, float] = Field(default_factory=dict)
    #: participants' names found in personas, and what replaced them
    renamed: list[dict[str, str]] = Field(default_factory=list)
    #: how the reply was held to the persona schema: json_schema, json_object_schema,
    #: json_object, tool, prompt (None: no schema sent)
    output_mode: str | None = None
    #: where the token counts come from: vendor, tokenizer or estimate
    token_source: str = "vendor"

    @field_validator("raw_output", mode="before")
    @classmethod
    def _encodable(cls, value: Any) -> Any:
        """The model's text as it came, except lone surrogates (no UTF-8 form: U+FFFD)."""
        return fix_surrogates(value) if isinstance(value, str) else value

    @field_validator("warnings", "errors", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        """Warnings and errors quote model text and are shown: cleaned like any shown text."""
        return clean_tree(value) if isinstance(value, list) else value


__all__ = ["GenerationResultModel"]
