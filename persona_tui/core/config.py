"""``config.toml`` and ``credentials.toml``: the typed settings model and the file format.

Only the application context (:mod:`persona_tui.core.context`) calls the readers and writers
here; everything else gets settings, keys and prices from the context it is handed, so no
one can write back a stale copy. Writers patch the keys they change in the file as it is now
(``patch_config``, ``save_credential``), atomically.

Unknown keys are reported (a typo such as ``them = "nord"`` must not vanish silently) and bad
values raise :class:`ConfigurationError` naming the key and the file. Keys come from the
environment first, then from ``credentials.toml``, which must be readable by its owner only.
Vendor facts (key variables, default URLs) come from :mod:`persona_tui.core.providers.registry`.

The pydantic model of the settings lives in :mod:`persona_tui.core.settings_model` and is
imported only when a file is validated or settings are built (its names are re-exported
here): reading keys, URLs and the raw file costs no pydantic, so the app paints first.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from persona_tui.core.apikeys import Secret, clean_api_key
from persona_tui.core.errors import ConfigurationError
from persona_tui.core.fileio import atomic_write, locked
from persona_tui.core.platform import IS_WINDOWS, PathManager
from persona_tui.core.providers.registry import get_spec

if TYPE_CHECKING:  # pragma: no cover
    from persona_tui.core.settings_model import Settings

#: names served by :mod:`persona_tui.core.settings_model`, imported on first use
_MODEL_NAMES = frozenset({"DataSettings", "GenerationSettings", "ModelPrice", "ProviderSettings",
                          "Settings", "UISettings"})


def __getattr__(name: str) -> Any:
    if name in _MODEL_NAMES:
        from persona_tui.core import settings_model

        return getattr(settings_model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    warnings: tuple[str, ...] = ()
    #: whether the file exists (a missing one means the defaults)
    found: bool = False


def _read_raw(file: Path) -> dict[str, Any] | None:
    """The file's TOML as data; None when there is no file."""
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigurationError(f"cannot read {file}: {exc.strerror}",
                                 hint="Check the file's permissions.") from exc
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(
            f"{file} is not valid TOML: {exc}",
            hint="Fix the line named above, or move the file away to start from defaults.",
        ) from exc


def _validate(data: dict[str, Any], file: Path) -> LoadedSettings:
    from persona_tui.core.settings_model import (
        PydanticValidationError,
        Settings,
        describe_validation,
        unknown_keys,
    )

    try:
        settings = Settings.model_validate(data)
    except PydanticValidationError as exc:
        raise ConfigurationError(f"{file}: {describe_validation(exc)}") from exc
    except ConfigurationError as exc:  # raised by a validator of our own
        raise ConfigurationError(f"{file}: {exc.message}", hint=exc.hint,
                                 code=exc.code) from exc
    warnings = tuple(f"unknown setting '{key}' in {file} (ignored)"
                     for key in unknown_keys(settings))
    return LoadedSettings(settings, warnings, found=True)


def load_settings(paths: PathManager) -> LoadedSettings:
    """Read ``config.toml``; a missing file gives the defaults. (The context's reader.)"""
    from persona_tui.core.settings_model import Settings

    return read_settings(paths) or LoadedSettings(Settings())


def read_settings(paths: PathManager) -> LoadedSettings | None:
    """Read and validate ``config.toml``; None when there is none (the defaults apply), so a
    first run builds no settings model (and imports no pydantic) until one is needed."""
    data = _read_raw(paths.config_file)
    return None if data is None else _validate(data, paths.config_file)


def read_config_data(paths: PathManager) -> dict[str, Any] | None:
    """``config.toml`` as raw TOML data, not validated (None when there is none): what the
    app's first frame needs (``[ui]``) costs no settings model. A file that is not TOML (or
    cannot be read) raises :class:`ConfigurationError` as :func:`read_settings` does.
    (The context's reader.)"""
    return _read_raw(paths.config_file)


def validate_config(data: dict[str, Any], paths: PathManager) -> LoadedSettings:
    """Validate data read by :func:`read_config_data`: the settings and their warnings, or
    :class:`ConfigurationError` exactly as :func:`read_settings` raises it."""
    return _validate(data, paths.config_file)


#: a key path in config.toml, e.g. ``("providers", "openai", "base_url")``
KeyPath = tuple[str, ...]


def patch_config(paths: PathManager, changes: Mapping[KeyPath, Any]) -> LoadedSettings:
    """Set (or with ``None`` remove) the given keys in ``config.toml`` as it is on disk now,
    validate the result and write it atomically. Keys nobody changed, including ones this
    version does not know, are kept as they are in the file. (The context's writer.)"""
    file = paths.config_file
    with locked(file):  # another process patching meanwhile loses nothing
        return _patch_locked(paths, file, changes)


def _patch_locked(paths: PathManager, file: Path, changes: Mapping[KeyPath, Any]
                  ) -> LoadedSettings:
    data = _read_raw(file) or {}
    for keys, value in changes.items():
        node = data
        for key in keys[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        if value is None:
            node.pop(keys[-1], None)
        else:
            node[keys[-1]] = value
        _prune(data, keys[:-1])
    loaded = _validate(data, file)
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(file, tomli_w.dumps(data))
    return loaded


def _prune(data: dict[str, Any], keys: KeyPath) -> None:
    """Drop tables left empty along ``keys`` (a removed base URL leaves no ``[providers.x]``)."""
    for depth in range(len(keys), 0, -1):
        parent = data
        for key in keys[:depth - 1]:
            parent = parent.get(key, {})
        if parent.get(keys[depth - 1]) == {}:
            del parent[keys[depth - 1]]


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


def load_credentials(paths: PathManager) -> dict[str, Secret]:
    """Keys stored in ``credentials.toml`` (provider -> key). Refused if others can read it.
    (The context's reader.)"""
    file = paths.credentials_file
    if not file.exists():
        return {}
    _check_private(file)
    try:
        data = tomllib.loads(file.read_text("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"{file} is not valid TOML ({type(exc).__name__})",
                                 hint="Re-enter the keys on the Providers screen.") from exc
    keys: dict[str, Secret] = {}
    for provider, section in data.items():
        if isinstance(section, dict) and isinstance(section.get("api_key"), str):
            keys[provider] = Secret(section["api_key"])
    return keys


def save_credential(provider: str, api_key: str | None, paths: PathManager) -> Path:
    """Store (or with ``None`` remove) one provider's key in the file as it is now; the file
    is written atomically with mode 0600. (The context's writer.)"""
    file = paths.credentials_file
    api_key = clean_api_key(api_key, provider=provider, source="the Providers screen")
    with locked(file):  # another process storing another key meanwhile keeps it
        current = {name: {"api_key": key.get_secret_value()}
                   for name, key in load_credentials(paths).items()}
        if api_key:
            current[provider] = {"api_key": api_key}
        else:
            current.pop(provider, None)
        return atomic_write(file, tomli_w.dumps(current), mode=0o600)


@dataclass(frozen=True)
class ResolvedKey:
    """A key and where it came from (``env:NAME``, ``file`` or ``none``), for the Providers screen."""

    key: Secret | None
    source: str

    @property
    def masked(self) -> str:
        """At most the last four characters, as the UI may show them."""
        if self.key is None:
            return ""
        value = self.key.get_secret_value()
        return f"…{value[-4:]}" if len(value) > 8 else "…"


def resolve_api_key(provider: str, stored: Mapping[str, Secret] | None = None,
                    env: Mapping[str, str] | None = None) -> ResolvedKey:
    """The environment wins over the credentials file, as users expect from other CLIs."""
    env = os.environ if env is None else env
    for var in get_spec(provider).key_env:
        value = clean_api_key(env.get(var), provider=provider, source=var)
        if value:
            return ResolvedKey(Secret(value), f"env:{var}")
    key = (stored or {}).get(provider)
    value = clean_api_key(key.get_secret_value() if key is not None else None,
                          provider=provider, source="credentials.toml")
    if value:
        return ResolvedKey(Secret(value), "file")
    return ResolvedKey(None, "none")


def resolve_base_url(provider: str, settings: Settings | None = None,
                     env: Mapping[str, str] | None = None) -> str:
    """Environment, then ``config.toml``, then the vendor's public endpoint."""
    spec = get_spec(provider)
    env = os.environ if env is None else env
    for var in spec.url_env:
        value = env.get(var, "").strip()
        if value:
            if "://" not in value:
                value = f"http://{value}"  # OLLAMA_HOST is often given as host:port
            return value.rstrip("/")
    if settings is not None:
        configured = settings.provider(provider).base_url
        if configured:
            return configured.rstrip("/")
    return spec.default_base_url
