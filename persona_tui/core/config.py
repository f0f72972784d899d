"""``config.toml`` and ``credentials.toml``: one typed settings model, loaded once, passed down.

Unknown keys are reported (a typo such as ``them = "nord"`` must not vanish silently) and bad
values raise :class:`ConfigurationError` naming the key and the file. Keys come from the
environment first, then from ``credentials.toml``, which must be readable by its owner only.
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic import ValidationError as PydanticValidationError

from persona_tui.core.apikeys import clean_api_key
from persona_tui.core.errors import ConfigurationError
from persona_tui.core.fileio import atomic_write
from persona_tui.core.platform import IS_WINDOWS, PathManager

ProviderName = Literal["ollama", "openai", "anthropic", "gemini"]
PROVIDERS: tuple[str, ...] = ("ollama", "openai", "anthropic", "gemini")

#: Environment variables that hold each vendor's key, in order of precedence.
KEY_ENV_VARS: dict[str, tuple[str, ...]] = {
    "openai": ("OPENAI_API_KEY",),
    "anthropic": ("ANTHROPIC_API_KEY",),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "ollama": (),
}
#: Environment variables that set a vendor's base URL.
URL_ENV_VARS: dict[str, tuple[str, ...]] = {
    "ollama": ("OLLAMA_HOST",),
    "openai": ("OPENAI_BASE_URL",),
    "anthropic": ("ANTHROPIC_BASE_URL",),
    "gemini": (),
}
DEFAULT_BASE_URLS: dict[str, str] = {
    "ollama": "http://127.0.0.1:11434",
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    "gemini": "https://generativelanguage.googleapis.com",
}


class _Section(BaseModel):
    # extra="allow" keeps unknown keys so they can be reported instead of silently dropped.
    model_config = ConfigDict(extra="allow", validate_assignment=True)


class ProviderSettings(_Section):
    base_url: str | None = None
    default_model: str | None = None


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
    default_provider: ProviderName = "ollama"
    budget_usd: float | None = Field(default=None, ge=0)
    allow_unpriced: bool = False


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


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    warnings: tuple[str, ...] = ()


def _unknown_keys(model: BaseModel, prefix: str = "") -> list[str]:
    found = [f"{prefix}{key}" for key in (model.model_extra or {})]
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            found += _unknown_keys(value, f"{prefix}{name}.")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    found += _unknown_keys(item, f"{prefix}{name}.{key}.")
    return found


def _describe_validation(exc: PydanticValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def load_settings(paths: PathManager | None = None) -> LoadedSettings:
    """Read ``config.toml``; a missing file gives the defaults."""
    paths = paths or PathManager.default()
    file = paths.config_file
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        return LoadedSettings(Settings())
    except OSError as exc:
        raise ConfigurationError(f"cannot read {file}: {exc.strerror}",
                                 hint="Check the file's permissions.") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(
            f"{file} is not valid TOML: {exc}",
            hint="Fix the line named above, or move the file away to start from defaults.",
        ) from exc
    try:
        settings = Settings.model_validate(data)
    except PydanticValidationError as exc:
        raise ConfigurationError(f"{file}: {_describe_validation(exc)}") from exc
    warnings = tuple(f"unknown setting '{key}' in {file} (ignored)"
                     for key in _unknown_keys(settings))
    return LoadedSettings(settings, warnings)


def save_settings(settings: Settings, paths: PathManager | None = None) -> Path:
    """Write ``config.toml`` atomically; unset values are left out to keep the file short."""
    paths = paths or PathManager.default()
    data = settings.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return atomic_write(paths.config_file, tomli_w.dumps(data))


# --- credentials -----------------------------------------------------------------------------


def _check_private(file: Path) -> None:
    if IS_WINDOWS:
        return
    mode = stat.S_IMODE(file.stat().st_mode)
    if mode & 0o077:
        raise ConfigurationError(
            f"{file} can be read by other users (mode {mode:04o}); refusing to use it",
            hint=f"Run `chmod 600 {file}` and start again.",
            code="E1002",
        )


def load_credentials(paths: PathManager | None = None) -> dict[str, SecretStr]:
    """Keys stored in ``credentials.toml`` (provider -> key). Refused if others can read it."""
    paths = paths or PathManager.default()
    file = paths.credentials_file
    if not file.exists():
        return {}
    _check_private(file)
    try:
        data = tomllib.loads(file.read_text("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"{file} is not valid TOML ({type(exc).__name__})",
                                 hint="Re-enter the keys on the Providers screen.") from exc
    keys: dict[str, SecretStr] = {}
    for provider, section in data.items():
        if isinstance(section, dict) and isinstance(section.get("api_key"), str):
            keys[provider] = SecretStr(section["api_key"])
    return keys


def save_credential(provider: str, api_key: str | None, paths: PathManager | None = None) -> Path:
    """Store (or with ``None`` remove) one provider's key; the file is written with mode 0600."""
    paths = paths or PathManager.default()
    file = paths.credentials_file
    api_key = clean_api_key(api_key, provider=provider, source="the Providers screen")
    current = {name: {"api_key": key.get_secret_value()}
               for name, key in load_credentials(paths).items()}
    if api_key:
        current[provider] = {"api_key": api_key}
    else:
        current.pop(provider, None)
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    return atomic_write(file, tomli_w.dumps(current), mode=0o600)


@dataclass(frozen=True)
class ResolvedKey:
    """A key and where it came from (``env:NAME``, ``file`` or ``none``), for the Providers screen."""

    key: SecretStr | None
    source: str

    @property
    def masked(self) -> str:
        """At most the last four characters, as the UI may show them."""
        if self.key is None:
            return ""
        value = self.key.get_secret_value()
        return f"…{value[-4:]}" if len(value) > 8 else "…"


def resolve_api_key(provider: str, paths: PathManager | None = None,
                    env: dict[str, str] | None = None) -> ResolvedKey:
    """The environment wins over the credentials file, as users expect from other CLIs."""
    env = os.environ if env is None else env
    for var in KEY_ENV_VARS.get(provider, ()):
        value = clean_api_key(env.get(var), provider=provider, source=var)
        if value:
            return ResolvedKey(SecretStr(value), f"env:{var}")
    try:
        stored = load_credentials(paths).get(provider)
    except ConfigurationError:
        if not KEY_ENV_VARS.get(provider):  # Ollama needs no key: a bad file must not block it
            return ResolvedKey(None, "none")
        raise
    value = clean_api_key(stored.get_secret_value() if stored is not None else None,
                          provider=provider, source="credentials.toml")
    if value:
        return ResolvedKey(SecretStr(value), "file")
    return ResolvedKey(None, "none")


def resolve_base_url(provider: str, settings: Settings | None = None,
                     env: dict[str, str] | None = None) -> str:
    """Environment, then ``config.toml``, then the vendor's public endpoint."""
    env = os.environ if env is None else env
    for var in URL_ENV_VARS.get(provider, ()):
        value = env.get(var, "").strip()
        if value:
            if provider == "ollama" and "://" not in value:
                value = f"http://{value}"  # OLLAMA_HOST is often given as host:port
            return value.rstrip("/")
    if settings is not None:
        configured = settings.provider(provider).base_url
        if configured:
            return configured.rstrip("/")
    try:
        return DEFAULT_BASE_URLS[provider]
    except KeyError:
        raise ConfigurationError(f"unknown provider '{provider}'", code="E1005") from None


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    return settings.model_dump(mode="json", exclude_none=True)
