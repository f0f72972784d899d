"""``persona-tui check``: what is set up, what is missing, and what to do about it.

Local state first (folders, config.toml, credentials); then, unless ``--offline``, a real
request to each configured provider and to Ollama: reachable, key accepted, model count,
latency. A rejected key fails the check (exit 1); an unreachable Ollama only warns, since
not everyone runs one.
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


def connections(paths: PathManager | None = None) -> list[CheckItem]:
    from persona_tui.core.discovery import VendorDiscovery
    from persona_tui.core.utils.async_helpers import run_sync

    try:
        settings = load_settings(paths).settings
    except PersonaError:
        return []
    items = []
    for status in run_sync(VendorDiscovery(settings, paths).discover()):
        latency = f", {status.latency_s * 1000:.0f} ms" if status.latency_s else ""
        if status.state == "available":
            items.append(CheckItem(f"{status.provider} connection", "ok",
                                   f"reachable, key accepted, {status.model_count} models"
                                   f"{latency}"))
        elif status.state == "not configured":
            continue
        elif status.state == "key invalid":
            items.append(CheckItem(f"{status.provider} connection", "fail", status.message,
                                   status.hint))
        else:
            severity = "warn" if status.provider == "ollama" else "fail"
            items.append(CheckItem(f"{status.provider} connection", severity, status.message,
                                   status.hint))
    return items


def run_check(*, json_output: bool = False, paths: PathManager | None = None,
              offline: bool = False) -> int:
    items = collect(paths)
    if not offline:
        items += connections(paths)
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
