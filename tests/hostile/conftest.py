"""Helpers for the hostile suite: run an entry point, then check every byte it wrote."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from persona_tui.resources import sample_project
from tests.vendor_server.wire import ANTHROPIC_KEY, GEMINI_KEY, OPENAI_KEY

DATA = sample_project() / "data"
SAMPLE_REPLY = (sample_project() / "personas.json").read_text("utf-8")
KEYS = {"openai": OPENAI_KEY, "anthropic": ANTHROPIC_KEY, "gemini": GEMINI_KEY, "ollama": None}
KEY_ENV = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY",
           "gemini": "GEMINI_API_KEY"}
MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-haiku-4-5",
          "gemini": "gemini-2.5-flash", "ollama": "llama3.2"}

#: C0 controls but tab and newline, DEL, and C1 controls as UTF-8 (0xC2 0x80-0x9F)
_BAD_BYTES = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


def assert_clean(data: bytes | str, where: str = "output") -> None:
    """No control byte (ESC included), no C1 control, valid UTF-8, and no traceback."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    raw.decode("utf-8")  # raises on invalid UTF-8
    bad = _BAD_BYTES.search(raw)
    assert bad is None, f"{where} holds control byte(s) {bad.group()!r} at {bad.start()}: " \
                        f"{raw[max(0, bad.start() - 40):bad.start() + 40]!r}"
    assert b"Traceback (most recent call last)" not in raw, f"{where} holds a traceback"


def assert_no_markup_injected(text: str) -> None:
    """Markup from hostile text is shown literally or not at all, never interpreted."""
    assert "\x1b" not in text


@dataclass
class CLIResult:
    code: int
    out: bytes
    err: bytes

    @property
    def text(self) -> str:
        return (self.out + self.err).decode("utf-8")


@pytest.fixture
def cli(capfd):
    """Run ``persona-tui ARGS`` in this process; stdout and stderr as the bytes written."""
    from persona_tui.cli import main

    def run(*args: str) -> CLIResult:
        capfd.readouterr()
        code = main([str(a) for a in args])
        captured = capfd.readouterr()
        result = CLIResult(code, captured.out.encode("utf-8", "surrogateescape"),
                           captured.err.encode("utf-8", "surrogateescape"))
        assert_clean(result.out, "stdout")
        assert_clean(result.err, "stderr")
        return result

    return run


@pytest.fixture
def server(vendor_server):
    vendor_server.reset()
    vendor_server.reply = SAMPLE_REPLY
    yield vendor_server
    vendor_server.reset()


def point_at(server, monkeypatch, paths) -> None:
    """Every vendor's base URL at the local server (config.toml), keys in the environment."""
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(
        f'[providers.openai]\nbase_url = "{server.url}/v1"\n'
        f'[providers.anthropic]\nbase_url = "{server.url}"\n'
        f'[providers.gemini]\nbase_url = "{server.url}"\n'
        f'[providers.ollama]\nbase_url = "{server.url}"\n', "utf-8")
    for vendor, var in KEY_ENV.items():
        monkeypatch.setenv(var, KEYS[vendor])


@pytest.fixture
def vendors(server, monkeypatch, paths):
    point_at(server, monkeypatch, paths)
    return server


def runs_of(paths, experiment: str) -> list[Path]:
    return sorted((paths.experiments_dir / experiment / "runs").glob("*/run.json"))
