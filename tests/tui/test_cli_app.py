"""``persona-tui edit`` and ``persona-tui audit`` on a real pseudo-terminal, as a user types
them: the app opens on the right screen, keys reach it, and the exit status is right."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time

import pytest

from persona_tui.resources import sample_project

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

SAMPLE_CARD = sample_project() / "cards" / "ledger-keeper.json"


class Terminal:
    def __init__(self, *args: str, env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "persona_tui", *args], stdin=slave, stdout=slave,
            stderr=slave, env={**env, "TERM": "xterm-256color", "COLUMNS": "100",
                                "LINES": "30"}, close_fds=True)
        os.close(slave)
        self.screen = b""

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.screen += os.read(self.master, 65536)
                except OSError:
                    break
            if text.encode() in self.screen:
                return
        raise AssertionError(f"{text!r} never appeared on the terminal")

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self, timeout: float = 20) -> int:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            select.select([self.master], [], [], 0.2)
            try:
                os.read(self.master, 65536)
            except OSError:
                break
        os.close(self.master)
        return self.process.wait(timeout=5)


def test_audit_without_json_opens_the_viewer_and_exits_by_its_verdict(tmp_path, paths):
    card = json.loads(SAMPLE_CARD.read_text())
    card["identity"]["name"] = "Tomás Ribeiro"
    path = tmp_path / "leaky.json"
    path.write_text(json.dumps(card))
    terminal = Terminal("audit", str(path), "--source", str(sample_project() / "data"),
                        env=dict(os.environ))
    try:
        terminal.wait_for("BLOCKED")
        terminal.type(b"\x11")  # ctrl+q
        assert terminal.close() == 1
    finally:
        terminal.process.kill()


def test_edit_opens_the_editor_on_the_card(tmp_path, paths):
    path = tmp_path / "mine.json"
    path.write_bytes(SAMPLE_CARD.read_bytes())
    terminal = Terminal("edit", str(path), env=dict(os.environ))
    try:
        terminal.wait_for("mine.json")
        terminal.type(b"\x05 Jr")  # ctrl+e (end of the name), then type
        terminal.wait_for("unsaved")
        terminal.type(b"\x13")  # ctrl+s
        terminal.wait_for("Saved")
        terminal.type(b"\x11")
        assert terminal.close() == 0
    finally:
        terminal.process.kill()
    assert json.loads(path.read_text())["identity"]["name"] == "Alex Brennan Jr"
