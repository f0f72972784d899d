"""Where Persona TUI keeps its files.

platformdirs gives each OS its usual places; ``PERSONA_TUI_HOME`` puts everything under one
folder instead (tests, portable installs, several independent setups on one machine).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "persona-tui"
HOME_ENV = "PERSONA_TUI_HOME"

IS_WINDOWS = sys.platform.startswith("win")
IS_MACOS = sys.platform == "darwin"
IS_LINUX = sys.platform.startswith("linux")


def _home_override() -> Path | None:
    value = os.environ.get(HOME_ENV, "").strip()
    return Path(value).expanduser() if value else None


def get_config_dir() -> Path:
    """Folder of ``config.toml`` and ``credentials.toml``."""
    home = _home_override()
    if home is not None:
        return home / "config"
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def get_data_dir() -> Path:
    """Folder of experiments, cards, audit logs and the Ollama qualification registry."""
    home = _home_override()
    if home is not None:
        return home / "data"
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def get_cache_dir() -> Path:
    """Folder for caches that may be deleted at any time."""
    home = _home_override()
    if home is not None:
        return home / "cache"
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class PathManager:
    """Every path the app reads or writes, resolved once and passed down.

    Pass explicit folders in tests or embedders; by default the platform folders (or
    ``PERSONA_TUI_HOME``) are used. Nothing is created until :meth:`ensure` is called.
    """

    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @classmethod
    def default(cls) -> PathManager:
        return cls(get_config_dir(), get_data_dir(), get_cache_dir())

    @classmethod
    def under(cls, root: str | os.PathLike[str]) -> PathManager:
        """All folders under one root, as ``PERSONA_TUI_HOME`` does."""
        base = Path(root)
        return cls(base / "config", base / "data", base / "cache")

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def credentials_file(self) -> Path:
        return self.config_dir / "credentials.toml"

    @property
    def experiments_dir(self) -> Path:
        return self.data_dir / "experiments"

    @property
    def cards_dir(self) -> Path:
        return self.data_dir / "cards"

    @property
    def audit_dir(self) -> Path:
        return self.data_dir / "audits"

    @property
    def ollama_registry_file(self) -> Path:
        return self.data_dir / "ollama_models.json"

    def ensure(self) -> PathManager:
        """Create the folders (config private to the user, since it may hold credentials)."""
        self.config_dir.mkdir(parents=True, exist_ok=True)
        if not IS_WINDOWS:
            os.chmod(self.config_dir, 0o700)
        for folder in (self.data_dir, self.cache_dir, self.experiments_dir, self.cards_dir,
                       self.audit_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self
