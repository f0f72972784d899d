"""Settings for a test are written the way a user writes them: a real ``config.toml`` in the
test's own PERSONA_TUI_HOME (the app's code writes it only through the application context)."""

from __future__ import annotations

from typing import Any

import tomli_w

from persona_tui.core.platform import PathManager


def write_config(data: dict[str, Any], paths: PathManager | None = None) -> PathManager:
    paths = paths or PathManager.default()
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(tomli_w.dumps(data), "utf-8")
    return paths
