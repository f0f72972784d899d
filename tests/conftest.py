"""Shared fixtures. Every test runs with its own PERSONA_TUI_HOME and no provider keys, so no
test reads or writes the developer's real configuration."""

from __future__ import annotations

import pytest

from persona_tui.core.platform import PathManager

PROVIDER_ENV = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY",
                "OLLAMA_HOST", "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "persona-home"
    monkeypatch.setenv("PERSONA_TUI_HOME", str(home))
    for name in PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def paths(isolated_home) -> PathManager:
    return PathManager.default()


@pytest.fixture(scope="session")
def vendor_server():
    """One local vendor-protocol server for the whole run (tests reset it between uses)."""
    from tests.vendor_server import start_server

    server = start_server()
    yield server
    server.close()


@pytest.fixture
def sample_ollama(vendor_server, paths):
    """The vendor server answering as Ollama with the sample study's personas, and
    config.toml pointing Ollama at it: a whole run that succeeds, for tests of what
    happens around a run (saving, the event loop, hostile states)."""
    from persona_tui.resources import sample_project
    from tests.config_files import write_config

    vendor_server.reset()
    vendor_server.reply = (sample_project() / "personas.json").read_text("utf-8")
    write_config({"providers": {"ollama": {"base_url": vendor_server.url}}}, paths)
    yield vendor_server
    vendor_server.reset()
