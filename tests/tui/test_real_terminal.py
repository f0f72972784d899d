"""The app in a real terminal, as over SSH: tmux at 80×24, TERM=xterm-256color and no
COLORTERM (so 256 colours), keys only. The README's tour, screen by screen: each one names
itself in the header and shows every screen's key in the navigation bar."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from persona_tui.tui.navigation import DESTINATIONS

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

#: the README's tour order, then home
TOUR = ("providers", "ollama", "generate", "cards", "audit", "home")


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=20,
                          check=False).stdout


def _wait(session: str, text: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the terminal showed:\n{screen}")


def test_the_tour_by_keys_in_tmux_at_80x24(isolated_home):
    session = f"persona-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if k not in ("COLORTERM", "TMUX")}
    env.update(TERM="xterm-256color", PERSONA_TUI_HOME=str(isolated_home),
               OLLAMA_HOST="http://127.0.0.1:9")
    command = f"{sys.executable} -m persona_tui; echo EXITED-$?; sleep 30"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24",
                    command], env=env, check=True, timeout=20)
    try:
        screen = _wait(session, "Persona TUI — Home")  # a first run opens on home
        by_mode = {d.mode: d for d in DESTINATIONS}
        for mode in TOUR:
            place = by_mode[mode]
            _tmux("send-keys", "-t", session, place.key.upper())
            screen = _wait(session, f"Persona TUI — {place.title}")
            lines = screen.splitlines()
            assert lines[0].strip() == f"Persona TUI — {place.title}"
            for other in DESTINATIONS:
                assert f"{other.key.upper()} {other.label}" in lines[1], lines[1]
            assert "F1 keys" in lines[23]
            if mode == "cards":  # F1 fits the terminal: the way out on its last line
                _tmux("send-keys", "-t", session, "F1")
                lines = _wait(session, "Keys — Cards").splitlines()
                assert "Esc closes" in lines[23], lines[23]
                _tmux("send-keys", "-t", session, "Escape")
                _wait(session, "F1 keys")
        _tmux("send-keys", "-t", session, "C-q")
        screen = _wait(session, "EXITED-0")
        assert "Persona TUI —" not in screen  # the app's screen is gone: a clean terminal
    finally:
        _tmux("kill-session", "-t", session)
