"""Start-up: process start to the first screen ready, next to a minimal Textual app measured
the same way in the same run.

    uv run python tests/benchmarks/bench_startup.py [--runs 7]

Each run is a fresh interpreter running the app headless; "ready" means the first screen is
mounted and has rendered once (for Persona TUI: the Providers table has its rows), at which
point the app exits. Median of the runs. Target: ratio <= 1.5.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

MINIMAL = """
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    def compose(self):
        yield Static("hello")

    def on_mount(self):
        self.call_after_refresh(self.exit)

Minimal().run(headless=True)
"""

PERSONA = """
from pathlib import Path
from textual.widgets import DataTable
import persona_tui.tui.app as app_module
from persona_tui.tui.app import PersonaApp

class Probe(PersonaApp):
    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))  # a -c class has no file

    def on_mount(self):
        super().on_mount()
        self.set_interval(0.005, self._probe_ready)

    def _probe_ready(self):
        tables = self.screen.query(DataTable)
        if tables and tables.first().row_count:
            self.call_after_refresh(self.exit)

Probe().run(headless=True)
"""


def measure(code: str, runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "PERSONA_TUI_HOME": home}
        measure(MINIMAL, 1, env)  # warm the OS file cache for both
        measure(PERSONA, 1, env)
        minimal = measure(MINIMAL, args.runs, env)
        persona = measure(PERSONA, args.runs, env)
    m, p = statistics.median(minimal), statistics.median(persona)
    print(f"minimal Textual app : median {m:.3f} s (min {min(minimal):.3f})")
    print(f"Persona TUI         : median {p:.3f} s (min {min(persona):.3f})")
    print(f"ratio {p / m:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
