"""``persona-tui check``: what is set up, what is missing, and what to do about it.

It reads local state only; no network call is made unless a later version is asked to test
connections explicitly.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass

from persona_tui.core.config import PROVIDERS, load_settings, resolve_api_key, resolve_base_url
from persona_tui.core.errors import PersonaError
from persona_tui.core.platform import PathManager


@dataclass
class CheckItem:
    name: str
    status: str  # ok | warn | fail | info
    detail: str
    hint: str = ""


def collect(paths: PathManager | None = None) -> list[CheckItem]:
    paths = paths or PathManager.default()
    items = [CheckItem("config folder", "info", str(paths.config_dir)),
             CheckItem("data folder", "info", str(paths.data_dir))]
    settings = None
    try:
        loaded = load_settings(paths)
        settings = loaded.settings
        state = "found" if paths.config_file.exists() else "not created yet (defaults)"
        items.append(CheckItem("config.toml", "ok", f"{paths.config_file}: {state}"))
        items += [CheckItem("config.toml", "warn", w, "Fix or remove the key.")
                  for w in loaded.warnings]
    except PersonaError as exc:
        items.append(CheckItem("config.toml", "fail", exc.message, exc.hint))
    for provider in PROVIDERS:
        try:
            url = resolve_base_url(provider, settings)
            if provider == "ollama":
                items.append(CheckItem("ollama", "info", f"base URL {url} (no key needed)"))
                continue
            key = resolve_api_key(provider, paths)
            if key.key is None:
                items.append(CheckItem(provider, "info", "no API key (not configured)",
                                       "Set its environment variable or add it on the "
                                       "Providers screen."))
            else:
                items.append(CheckItem(provider, "ok",
                                       f"key {key.masked} from {key.source}; base URL {url}"))
        except PersonaError as exc:
            items.append(CheckItem(provider, "fail", exc.message, exc.hint))
    return items


def run_check(*, json_output: bool = False, paths: PathManager | None = None) -> int:
    items = collect(paths)
    failed = any(item.status == "fail" for item in items)
    if json_output:
        print(json.dumps({"ok": not failed, "items": [asdict(i) for i in items]}, indent=2))
    else:
        marks = {"ok": "✓", "warn": "!", "fail": "✗", "info": "·"}
        for item in items:
            print(f"{marks[item.status]} {item.name}: {item.detail}")
            if item.hint and item.status in ("warn", "fail"):
                print(f"    hint: {item.hint}")
        print("problems found" if failed else "no problems found", file=sys.stderr)
    return 1 if failed else 0
