"""Start-up: nothing heavy is imported before the app's first paint (issue 17).

pydantic (the settings model, persona models), httpx (providers) and the privacy and data
libraries cost hundreds of milliseconds to import; a first run paints its home screen
without any of them. The app runs in a fresh interpreter (this process has imported them
all already), launched as ``persona-tui`` launches it, headless.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.config_files import write_config

#: what must wait until a screen or a worker needs it
HEAVY = ("pydantic", "httpx", "numpy", "rapidfuzz", "wordfreq", "phonenumbers",
         "persona_tui.core.generation", "persona_tui.core.data", "persona_tui.core.privacy")

PROBE = """
import asyncio, json, sys
SCREEN = sys.argv[1]
import persona_tui.cli  # the entry point's own imports
from persona_tui.tui import app as app_module

seen = {}

class Probe(app_module.PersonaApp):
    CSS_PATH = app_module.PersonaApp.CSS_PATH

    def _display(self, screen, renderable):
        # the first frame that reaches the terminal: Textual calls this during start-up
        # too, while it holds the display back (a batch), and then draws nothing
        if "first_paint" not in seen and screen.name == SCREEN and renderable is not None \
                and not self._batch_count:
            seen["first_paint"] = sorted(sys.modules)
            seen["first_paint_theme"] = self.theme
            # what runs after the first paint has not started: no worker exists yet
            seen["first_paint_workers"] = sorted(w.group for w in self.workers)
        return super()._display(screen, renderable)

# the subclass lives here, so its CSS is found next to the app's module
Probe.CSS_PATH = str(__import__("pathlib").Path(app_module.__file__).parent / "app.tcss")

async def main():
    app = Probe()
    async with app.run_test(size=(80, 24)) as pilot:
        while "first_paint" not in seen:
            await pilot.pause(0.01)
        for _ in range(250):  # the workers start after the first paint: wait for them
            if list(app.workers):
                break
            await pilot.pause(0.02)
        await app.workers.wait_for_complete()  # the home screen's worker, after the paint
        await pilot.pause()
        await app.workers.wait_for_complete()
        seen["after_workers"] = sorted(sys.modules)
        seen["theme"] = app.theme
    print(json.dumps(seen))

asyncio.run(main())
"""


def _run_probe(screen: str, pytestconfig, tmp_path_factory) -> dict:
    # a bytecode cache kept between runs: without one (PYTHONDONTWRITEBYTECODE) the fresh
    # interpreter compiles every module it imports, seconds on a loaded machine (a run
    # without pytest's cache, -p no:cacheprovider, compiles into a temporary folder)
    cache = (pytestconfig.cache.mkdir("startup-pycache") if getattr(pytestconfig, "cache", None) is not None
             else tmp_path_factory.mktemp("startup-pycache"))
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(cache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run([sys.executable, "-c", PROBE, screen], capture_output=True,
                          text=True, timeout=120, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def heavy(modules: list[str]) -> set[str]:
    return {m for m in modules for h in HEAVY if m == h or m.startswith(h + ".")}


def test_the_first_paint_of_a_first_run_imports_nothing_heavy(isolated_home, pytestconfig,
                                                               tmp_path_factory):
    seen = _run_probe("home", pytestconfig, tmp_path_factory)
    assert heavy(seen["first_paint"]) == set()
    assert seen["first_paint_workers"] == []  # the home screen's worker: after the paint
    # the probe sees what comes later: the home screen's worker reads Ollama's records,
    # which brings httpx, after the first paint
    assert "httpx" in heavy(seen["after_workers"])


def test_the_first_paint_of_a_returning_user_validates_nothing(paths, pytestconfig,
                                                               tmp_path_factory):
    """A config.toml: the app opens on Providers with the file's theme, and validates the
    settings (pydantic) and reads the vendors' states in threads started after the first
    paint."""
    write_config({"ui": {"theme": "nord"},
                  "providers": {"ollama": {"default_model": "llama3.2"}}}, paths)
    seen = _run_probe("providers", pytestconfig, tmp_path_factory)
    assert heavy(seen["first_paint"]) == set()
    # validating and reading the states start after the paint (started before it, their
    # imports hold the GIL while the frame is drawn, and the lock the first frame reads)
    assert seen["first_paint_workers"] == []
    assert seen["first_paint_theme"] == "nord"  # drawn in the file's theme from the start
    assert "pydantic" in heavy(seen["after_workers"])  # validated, after the paint
    assert seen["theme"] == "nord"
