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

from persona_tui.core.errors import PersonaError
from persona_tui.core.utils.async_helpers import run_sync
from persona_tui.services.app_support import PathManager
from persona_tui.services.context import AppContext
from persona_tui.services.providers import ProviderService


@dataclass
class CheckItem:
    name: str
    status: str  # ok | warn | fail | info
    detail: str
    hint: str = ""


def load(paths: PathManager | None = None) -> tuple[AppContext, CheckItem]:
    """The context, and what ``check`` says about config.toml (a broken file is reported, and
    the rest of the check runs on the defaults)."""
    paths = paths or PathManager.default()
    try:
        context = AppContext.default(paths)
    except PersonaError as exc:
        return AppContext(paths), CheckItem("config.toml", "fail", exc.message, exc.hint)
    state = "found" if context.config_found else "not created yet (defaults)"
    return context, CheckItem("config.toml", "ok", f"{context.config_path}: {state}")


def collect(context: AppContext, config_item: CheckItem) -> list[CheckItem]:
    paths = context.paths
    items = [CheckItem("config folder", "info", str(paths.config_dir)),
             CheckItem("data folder", "info", str(paths.data_dir)), config_item]
    items += [CheckItem("config.toml", "warn", w, "Fix or remove the key.")
              for w in context.warnings]
    for spec in ProviderService.specs:
        try:
            url = context.base_url(spec.name)
            if not spec.needs_key:
                items.append(CheckItem(spec.name, "info", f"base URL {url} (no key needed)"))
                continue
            key = context.api_key(spec.name)
            if key.key is None:
                items.append(CheckItem(spec.name, "info", "no API key (not configured)",
                                       f"Set {spec.key_env[0]} or add the key on the "
                                       "Providers screen."))
            else:
                items.append(CheckItem(spec.name, "ok",
                                       f"key {key.masked} from {key.source}; base URL {url}"))
        except PersonaError as exc:
            items.append(CheckItem(spec.name, "fail", exc.message, exc.hint))
    return items


def connections(context: AppContext) -> list[CheckItem]:
    items = []
    for status in run_sync(ProviderService(context).test_all()):  # the Providers screen's test
        latency = f", {status.latency_s * 1000:.0f} ms" if status.latency_s else ""
        if status.state == "available":
            # only what was checked: a server that takes no key did not "accept" one
            key = ", key accepted" if status.key_source != "none" else ""
            found = f"reachable{key}, {status.model_count} models{latency}"
            if status.message:  # it answered only at a corrected URL (/v1 added)
                items.append(CheckItem(f"{status.provider} connection", "warn",
                                       f"{found}; {status.message}", status.hint))
            else:
                items.append(CheckItem(f"{status.provider} connection", "ok", found))
        elif status.state == "not configured":
            continue
        elif status.state == "key invalid":
            items.append(CheckItem(f"{status.provider} connection", "fail", status.message,
                                   status.hint))
        else:
            local = ProviderService.spec(status.provider).local  # not everyone runs a local server
            items.append(CheckItem(f"{status.provider} connection",
                                   "warn" if local else "fail", status.message, status.hint))
    return items


def run_check(*, json_output: bool = False, paths: PathManager | None = None,
              offline: bool = False) -> int:
    context, config_item = load(paths)
    items = collect(context, config_item)
    if not offline and config_item.status != "fail":
        items += connections(context)
    failed = any(item.status == "fail" for item in items)
    if json_output:
        print(json.dumps({"ok": not failed, "items": [asdict(i) for i in items]}, indent=2))
    else:
        marks = {"ok": "✓", "warn": "!", "fail": "✗", "info": "·"}
        for item in items:
            print(f"{marks[item.status]} {item.name}: {item.detail}")
            if item.hint and item.status in ("warn", "fail"):
                print(f"    hint: {item.hint}")
        print(summary(items, tested=not offline and config_item.status != "fail"),
              file=sys.stderr)
    return 1 if failed else 0


def summary(items: list[CheckItem], *, tested: bool = True) -> str:
    """The last line: never "no problems found" under a warning the user just read, nor
    for connections it did not try (``--offline``, or a config.toml it could not read)."""
    failed = sum(item.status == "fail" for item in items)
    warned = sum(item.status == "warn" for item in items)
    untested = "" if tested else "; connections not tested"
    if failed:
        return (f"{failed} problem{'s' if failed != 1 else ''} found (✗); see the hints"
                f"{untested}")
    if warned:
        return (f"no problems; {warned} warning{'s' if warned != 1 else ''} (!) to look at, "
                f"see the hints{untested}")
    return "no problems found" + (" in the local setup; connections not tested (--offline)"
                                  if not tested else "")
