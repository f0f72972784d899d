"""Start-up in a real terminal: from launching ``persona-tui`` to its first paint in an 80x24
tmux pane under TERM=xterm-256color, next to a minimal Textual app (Header, Input, Markdown,
Footer) from the same virtual environment, launched and timed the same way, interleaved, in
the same run.

    uv run python tests/benchmarks/bench_startup.py [--rounds 5]

Each launch gets a fresh tmux server (its own socket) whose pane runs a shell waiting on
``read``; the clock starts when Enter is sent to it (so tmux's own start-up is not counted)
and stops when the app's output, as tmux receives it (``pipe-pane`` into a file polled every
millisecond), first holds the header's title. The two apps alternate, the first of each
round swapping, and each runs with an empty PERSONA_TUI_HOME (first run, no providers
configured; ``--configured``: a config.toml naming a default model, a returning user, who
lands on Providers). Target: ratio <= 1.3.

Both apps run with a bytecode cache (``PYTHONPYCACHEPREFIX``, a temporary folder, filled by
the warm-up launches), as an installed app runs from its second launch on: where the
environment sets ``PYTHONDONTWRITEBYTECODE`` every launch would otherwise compile every
module it imports from source, which measures the compiler, not the start-up.
``--no-bytecode-cache`` measures that case (the environment as it is).
Needs tmux.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks._probe import machine_load, spread  # noqa: E402

TITLE = "Persona TUI"
TERM = "xterm-256color"
_LAUNCHES = itertools.count()

MINIMAL = f'''
from textual.app import App
from textual.widgets import Footer, Header, Input, Markdown


class Minimal(App):
    TITLE = {TITLE!r}

    def compose(self):
        yield Header()
        yield Input(placeholder="type here")
        yield Markdown("# Minimal\\n\\nA minimal Textual app for comparison.")
        yield Footer()


Minimal().run()
'''


def first_paint(command: list[str], env: dict[str, str], timeout: float = 60.0) -> float:
    """Seconds from Enter to the moment the pane's output holds the title."""
    socket = f"bench-startup-{os.getpid()}-{next(_LAUNCHES)}"  # never a server shutting down
    line = " ".join(shlex.quote(part) for part in command)
    with tempfile.TemporaryDirectory() as folder:
        # tmux gives its panes TERM=$default-terminal (tmux-256color or screen), whatever
        # the environment says: both apps run under TERM=xterm-256color, set here
        conf = Path(folder) / "tmux.conf"
        conf.write_text(f"set -g default-terminal {TERM}\n")
        tmux = ["tmux", "-L", socket, "-f", str(conf)]
        output = Path(folder) / "pane.out"
        subprocess.run([*tmux, "new-session", "-d", "-x", "80", "-y", "24", "-s", "bench",
                        "sh", "-c", f"read _ && exec {line}"], check=True, env=env)
        try:
            # everything the app writes to the terminal, as tmux receives it: polling a file
            # costs the app far less CPU than a capture-pane process every few milliseconds
            subprocess.run([*tmux, "pipe-pane", "-t", "bench",
                            f"cat > {shlex.quote(str(output))}"], check=True)
            time.sleep(0.3)  # the shell is waiting on read
            subprocess.run([*tmux, "send-keys", "-t", "bench", "Enter"], check=True)
            start = time.perf_counter()
            marker = TITLE.encode()
            while time.perf_counter() - start < timeout:
                if output.exists() and marker in output.read_bytes():
                    return time.perf_counter() - start
                time.sleep(0.001)
            raise TimeoutError(f"no first paint of {line!r} within {timeout} s")
        finally:
            subprocess.run([*tmux, "kill-server"], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--configured", action="store_true",
                        help="persona-tui with a config.toml (a returning user: it opens on "
                             "Providers, and validates the settings after its first paint)")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="launch as the environment says (PYTHONDONTWRITEBYTECODE kept)")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed (apt-get install tmux)")
    scripts = Path(sys.executable).parent
    persona = [str(scripts / "persona-tui")]
    print(machine_load())
    with tempfile.TemporaryDirectory() as folder:
        minimal_py = Path(folder) / "minimal.py"
        minimal_py.write_text(MINIMAL)
        minimal = [sys.executable, str(minimal_py)]
        env = {**os.environ, "TERM": TERM}
        env.pop("NO_COLOR", None)
        if not args.no_bytecode_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        print("bytecode cache:", "as the environment says" if args.no_bytecode_cache
              else "on (a temporary PYTHONPYCACHEPREFIX, filled by the warm-up launches)")

        def run(which: str) -> float:
            with tempfile.TemporaryDirectory() as home:
                if args.configured:
                    (Path(home) / "config").mkdir()
                    (Path(home) / "config" / "config.toml").write_text(
                        '[providers.ollama]\ndefault_model = "llama3.2"\n')
                return first_paint(persona if which == "persona" else minimal,
                                   {**env, "PERSONA_TUI_HOME": home})

        run("minimal")  # warm the OS file cache for both
        run("persona")
        times: dict[str, list[float]] = {"minimal": [], "persona": []}
        for number in range(args.rounds):
            order = ("minimal", "persona") if number % 2 == 0 else ("persona", "minimal")
            for which in order:
                times[which].append(run(which))
            print(f"  round {number + 1}: minimal {times['minimal'][-1] * 1000:.0f} ms, "
                  f"persona-tui {times['persona'][-1] * 1000:.0f} ms")
    m, p = times["minimal"], times["persona"]
    ratios = [b / a for a, b in zip(m, p)]
    print(machine_load())
    print(f"first paint, median (min–max) of {args.rounds} rounds:")
    print(f"  minimal Textual app: {spread(m, 1000, '.0f')} ms")
    print(f"  persona-tui        : {spread(p, 1000, '.0f')} ms")
    print(f"ratio: medians {statistics.median(p) / statistics.median(m):.2f}, per round "
          f"{spread(ratios, 1, '.2f')} (target <= 1.3)")


if __name__ == "__main__":
    main()
