"""The typed model of ``config.toml`` (pydantic), apart from the file format in
:mod:`persona_tui.core.config`.

Importing pydantic and building these classes costs a few hundred milliseconds, so this
module is imported only when settings are really validated or built: the app's first paint
on a first run (no ``config.toml``) needs none of it. ``persona_tui.core.config`` re-exports
every name here, so ``from persona_tui.core.config import Settings`` still works.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from persona_tui.core.providers.registry import get_spec, is_known


class _Section(BaseModel):
    # extra="allow" keeps unknown keys so they can be reported instead of silently dropped.
    model_config = ConfigDict(extra="allow", validate_assignment=True)


class ProviderSettings(_Section):
    base_url: str | None = None
    default_model: str | None = None
    #: seconds to wait for the next bytes of a reply before calling it stalled (default 120)
    read_timeout_s: float | None = Field(default=None, gt=0, le=3600)


class UISettings(_Section):
    theme: str = "textual-dark"
    #: binding id -> key(s), e.g. ``{"app.screen.generate" = "ctrl+g"}``
    keymap: dict[str, str] = Field(default_factory=dict)


class DataSettings(_Section):
    max_file_mb: float = Field(default=25.0, gt=0)
    fallback_encoding: str = "cp1252"


class ModelPrice(_Section):
    input_per_mtok: float = Field(ge=0)
    output_per_mtok: float = Field(ge=0)


class GenerationSettings(_Section):
    default_provider: str = "ollama"
    budget_usd: float | None = Field(default=None, ge=0)
    allow_unpriced: bool = False
    #: defaults for every run (the CLI's --max-tokens/--temperature/--seed and the Generate
    #: screen's fields override them); None: sized to the persona count / 0.7 / the vendor's
    max_tokens: int | None = Field(default=None, ge=64, le=200_000)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)

    @field_validator("default_provider")
    @classmethod
    def _known_provider(cls, value: str) -> str:
        get_spec(value)  # an unknown name names the ones that exist
        return value


class Settings(_Section):
    """Everything in ``config.toml``; every field has a default so an empty file is valid."""

    providers: dict[str, ProviderSettings] = Field(default_factory=dict)
    ui: UISettings = Field(default_factory=UISettings)
    data: DataSettings = Field(default_factory=DataSettings)
    generation: GenerationSettings = Field(default_factory=GenerationSettings)
    #: provider -> model -> price override (USD per million tokens)
    pricing: dict[str, dict[str, ModelPrice]] = Field(default_factory=dict)

    def provider(self, name: str) -> ProviderSettings:
        return self.providers.get(name) or ProviderSettings()


def unknown_keys(model: BaseModel, prefix: str = "") -> list[str]:
    found = [f"{prefix}{key}" for key in (model.model_extra or {})]
    if isinstance(model, Settings):
        found += [f"providers.{name}" for name in model.providers if not is_known(name)]
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            found += unknown_keys(value, f"{prefix}{name}.")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    found += unknown_keys(item, f"{prefix}{name}.{key}.")
    return found


def describe_validation(exc: PydanticValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


__all__ = ["DataSettings", "GenerationSettings", "ModelPrice", "ProviderSettings",
           "PydanticValidationError", "Settings", "UISettings", "describe_validation",
           "unknown_keys"]
