"""The application context: paths, settings, credentials and prices, loaded once per process
and handed to the TUI, the commands, the services and the SDK.

It is the only reader and the only writer of ``config.toml`` and ``credentials.toml``
(``tests/core/test_context.py`` fails when any other module touches them). A change patches
only its own keys in the file as it is on disk, atomically, and updates the context in
place, so every holder sees it and nobody can write back a stale copy.

The class lives in ``core`` because the SDK, which may import only ``core``, builds the same
context when a caller gives none; ``persona_tui.services.context`` is where the app layers
take it from.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from persona_tui.core.apikeys import Secret
from persona_tui.core.errors import ConfigurationError
from persona_tui.core.config import (
    KeyPath,
    LoadedSettings,
    ResolvedKey,
    load_credentials,
    patch_config,
    read_config_data,
    read_settings,
    resolve_api_key,
    resolve_base_url,
    save_credential,
    validate_config,
)
from persona_tui.core.platform import PathManager
from persona_tui.core.providers.registry import get_spec

if TYPE_CHECKING:  # pragma: no cover
    from persona_tui.core.cost import PricingData
    from persona_tui.core.data import DataLoader
    from persona_tui.core.settings_model import Settings

_UNSET: Any = object()
_DEFAULTS: dict[PathManager, AppContext] = {}
_DEFAULTS_LOCK = threading.Lock()


class AppContext:
    """Everything configured for this process, read through one object.

    ``settings`` is the parsed ``config.toml`` (treat it as read-only: change it with the
    methods below); credentials and prices are read on first use, since a ``--help`` or an
    app that never generates needs neither. Without a ``config.toml`` the settings are the
    defaults, built on first use too: the app's first paint on a first run needs no
    settings model (and so no pydantic).
    """

    def __init__(self, paths: PathManager, loaded: LoadedSettings | None = None, *,
                 env: Mapping[str, str] | None = None) -> None:
        self.paths = paths
        #: None: the defaults, not built yet
        self._settings: Settings | None = loaded.settings if loaded else None
        #: problems found while loading (unknown keys), for the app and ``check`` to show
        self.warnings: tuple[str, ...] = loaded.warnings if loaded else ()
        #: whether config.toml existed when loaded (else these are the defaults)
        self.config_found = loaded.found if loaded else False
        self._env = env
        self._credentials: dict[str, Secret] | None = None
        self._pricing: PricingData | None = None
        self._lock = threading.RLock()
        #: config.toml's TOML, read but not validated yet (see :meth:`deferred`)
        self._pending: dict[str, Any] | None = None
        #: why a deferred config.toml was refused (the settings are then the defaults)
        self.load_error: ConfigurationError | None = None

    # --- loading -------------------------------------------------------------------------------

    @classmethod
    def load(cls, paths: PathManager | None = None, *,
             env: Mapping[str, str] | None = None) -> AppContext:
        """Read ``config.toml`` now; a broken file raises :class:`ConfigurationError`."""
        paths = paths or PathManager.default()
        return cls(paths, read_settings(paths), env=env)

    @classmethod
    def deferred(cls, paths: PathManager | None = None, *,
                 env: Mapping[str, str] | None = None) -> AppContext:
        """Read ``config.toml``'s TOML now, validate it later: on first use of
        :attr:`settings` or in :meth:`validate` (the app calls it in a thread after its first
        paint, so a returning user's first frame waits for no settings model). A file that
        is not TOML raises :class:`ConfigurationError` now, as :meth:`load` does; one that
        fails validation later leaves the defaults and the error in :attr:`load_error`."""
        paths = paths or PathManager.default()
        context = cls(paths, env=env)
        data = read_config_data(paths)
        if data is not None:
            context._pending = data
            context.config_found = True
        return context

    @classmethod
    def default(cls, paths: PathManager | None = None, *,
                deferred: bool = False) -> AppContext:
        """The process's context for ``paths`` (by default the platform folders, or
        ``PERSONA_TUI_HOME``): loaded on first use (``deferred``: see :meth:`deferred`), the
        same object afterwards."""
        paths = paths or PathManager.default()
        with _DEFAULTS_LOCK:
            context = _DEFAULTS.get(paths)
            if context is None:
                context = _DEFAULTS[paths] = (cls.deferred(paths) if deferred
                                              else cls.load(paths))
            return context

    @classmethod
    def adopt(cls, context: AppContext) -> AppContext:
        """Make ``context`` the process's context for its paths (the app and the CLI load
        one at start, tolerating a broken file, and everything after uses that one)."""
        with _DEFAULTS_LOCK:
            _DEFAULTS[context.paths] = context
        return context

    def validate(self) -> ConfigurationError | None:
        """Validate a deferred ``config.toml`` now (once; a no-op otherwise); returns why it
        was refused, if it was. Settings and :attr:`warnings` are final afterwards."""
        with self._lock:
            data, self._pending = self._pending, None
            if data is not None:
                try:
                    loaded = validate_config(data, self.paths)
                except ConfigurationError as exc:  # the defaults, as a refused load gives
                    self.load_error, self.config_found = exc, False
                else:
                    self._settings, self.warnings = loaded.settings, loaded.warnings
            return self.load_error

    @property
    def settings_pending(self) -> bool:
        """True while a deferred ``config.toml`` waits to be validated."""
        return self._pending is not None

    def first_frame_ui(self) -> tuple[str | None, dict[str, str]]:
        """``[ui] theme`` and ``keymap`` for the app's first frame, without validating a
        deferred file: the raw values when they are of the right type (what validation would
        keep), else none. ``(None, {})`` means Textual's defaults. The app re-applies the
        validated values (or the defaults, if the file is refused) once :meth:`validate` ran."""
        with self._lock:
            data = self._pending
        if data is None:
            if self.settings_are_defaults:
                return None, {}
            ui = self.settings.ui
            return ui.theme, dict(ui.keymap)
        ui = data.get("ui")
        ui = ui if isinstance(ui, dict) else {}
        theme = ui.get("theme") if isinstance(ui.get("theme"), str) else None
        keymap = ui.get("keymap")
        if not (isinstance(keymap, dict) and all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in keymap.items())):
            keymap = {}
        return theme, dict(keymap)

    @property
    def settings(self) -> Settings:
        with self._lock:
            if self._pending is not None:
                self.validate()
            if self._settings is None:
                from persona_tui.core.settings_model import Settings

                self._settings = Settings()
            return self._settings

    @property
    def settings_are_defaults(self) -> bool:
        """True while every setting is its default and no settings object was built (no
        ``config.toml`` and nothing set): what needs only defaults can skip building one."""
        return self._settings is None and self._pending is None

    @property
    def config_path(self) -> Path:
        return self.paths.config_file

    @property
    def env(self) -> Mapping[str, str]:
        return os.environ if self._env is None else self._env

    # --- reading -------------------------------------------------------------------------------

    def credentials(self) -> dict[str, Secret]:
        """Keys stored in ``credentials.toml``, read once (refused if others can read it)."""
        with self._lock:
            if self._credentials is None:
                self._credentials = load_credentials(self.paths)
            return self._credentials

    def api_key(self, provider: str) -> ResolvedKey:
        """The environment first, then ``credentials.toml`` (only for vendors with keys)."""
        if not get_spec(provider).key_env:
            return ResolvedKey(None, "none")
        env_key = resolve_api_key(provider, None, self.env)
        if env_key.key is not None:
            return env_key  # the file is not even read: its mode cannot stop an env key
        return resolve_api_key(provider, self.credentials(), self.env)

    def base_url(self, provider: str) -> str:
        # the default settings hold no URL: no need to build them to find that out
        settings = None if self.settings_are_defaults else self.settings
        return resolve_base_url(provider, settings, self.env)

    def configured_model(self, provider: str) -> str | None:
        """``[providers.<name>] default_model`` as set in config.toml, None when unset."""
        if self.settings_are_defaults:
            return None
        return self.settings.provider(provider).default_model

    def default_model(self, provider: str) -> str:
        """``[providers.<name>] default_model``, else the vendor's usual default."""
        return self.configured_model(provider) or get_spec(provider).default_model

    @property
    def default_provider(self) -> str:
        return self.settings.generation.default_provider

    @property
    def pricing(self) -> PricingData:
        """The shipped price table with ``[pricing]`` overrides, built once."""
        with self._lock:
            if self._pricing is None:
                from persona_tui.core.cost import PricingData

                self._pricing = PricingData.load(self.settings)
            return self._pricing

    def data_loader(self) -> DataLoader:
        """A loader with the ``[data]`` limits of config.toml."""
        from persona_tui.core.data import DataLoader

        data = self.settings.data
        return DataLoader(max_file_mb=data.max_file_mb, fallback_encoding=data.fallback_encoding)

    # --- writing -------------------------------------------------------------------------------

    def patch(self, changes: Mapping[KeyPath, Any]) -> Settings:
        """Set (``None``: remove) keys of ``config.toml``; the file on disk is patched, so a
        change made meanwhile by someone else to other keys survives."""
        with self._lock:
            loaded = patch_config(self.paths, changes)
            self._pending = None  # the file as patched, validated: it replaces what was read
            self._settings = loaded.settings
            self.warnings = loaded.warnings
            self.config_found = True
            self._pricing = None
            return self.settings

    def set_theme(self, theme: str) -> None:
        if theme != self.settings.ui.theme:
            self.patch({("ui", "theme"): theme})

    def update_provider(self, provider: str, *, base_url: str | None = _UNSET,
                        default_model: str | None = _UNSET) -> None:
        """Change a vendor's base URL and/or default model; ``None`` or the vendor's own
        default removes the key, so the file keeps only what the user really chose."""
        spec = get_spec(provider)
        changes: dict[KeyPath, Any] = {}
        if base_url is not _UNSET:
            url = (base_url or "").strip().rstrip("/") or None
            changes[("providers", provider, "base_url")] = \
                None if url == spec.default_base_url else url
        if default_model is not _UNSET:
            changes[("providers", provider, "default_model")] = (default_model or "").strip() \
                or None
        if changes:
            self.patch(changes)

    def set_api_key(self, provider: str, api_key: str | None) -> None:
        """Store (``None``: forget) a vendor's key in ``credentials.toml`` (mode 0600)."""
        get_spec(provider)
        with self._lock:
            save_credential(provider, api_key.strip() if api_key else None, self.paths)
            self._credentials = None  # read back as written, with every other key


__all__ = ["AppContext"]
